// One trial of the traffic generator: its result record (TrialResult, what mlrsearch, results.json
// and the CLI read) and the validity rule. A trial is valid only when the generator delivered the
// load it was asked for: achieved rate >= 99% of the intended one, few late sends, little TX
// back-pressure, and not cut short. An invalid trial says why and is never a result of the device.

/** Latency percentiles in ns; null where lost packets decide the value (they count as +infinity). */
export interface LatencySummary {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly p9999: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

export interface TrialResult {
  /** Offered load (packets per second) the trial was asked for. */
  readonly offeredPps: number;
  /** Length of the send window in seconds. */
  readonly durationS: number;
  /** 'cbr', 'poisson' or 'burst:K'. */
  readonly pattern: string;
  /** Frame bytes without FCS (first template frame; pcap templates may vary). */
  readonly packetBytes: number;
  /** Packets whose intended send time fell in the window. */
  readonly intended: number;
  /** Packets the TX port accepted. */
  readonly sent: number;
  /** sent / max(window, actual send span). */
  readonly achievedPps: number;
  /** Packets accepted later than lateToleranceNs after their intended time. */
  readonly lateSends: number;
  /** Packets the TX port refused at least once (ring full), retried later. */
  readonly backpressure: number;
  /** Distinct packets of this trial received (duplicates not counted). */
  readonly received: number;
  readonly receivedPps: number;
  /** sent - received (never negative); NaN when no receive port was given. */
  readonly lost: number;
  /** lost / sent; NaN when no receive port was given (JSON: null). */
  readonly lossRatio: number;
  /** Packets that arrived after a packet with a higher sequence number. */
  readonly reordered: number;
  readonly duplicates: number;
  /** Received frames that were not this trial's (no valid stamp or another run id). */
  readonly foreign: number;
  /** Latency from intended send time to receive time, over all sent packets (lost = +infinity). */
  readonly latencyNs: LatencySummary;
  /** The same over received packets only (never null when something arrived). */
  readonly latencyReceivedNs: LatencySummary;
  readonly valid: boolean;
  readonly invalidReason: string | null;
  /** monoNs() at the start of the send window and at the end of the trial (after the drain). */
  readonly startNs: number;
  readonly endNs: number;
  /** The 32-bit run id stamped in this trial's packets. */
  readonly runId: number;
  /** Number of receive ports (0: loss and latency were not measured). */
  readonly rxPorts: number;
}

/** Thresholds of the validity rule. */
export interface ValidityLimits {
  /** achieved / offered must be at least this (default 0.99). */
  readonly minAchievedRatio: number;
  /** lateSends / sent must be at most this (default 0.01). */
  readonly maxLateRatio: number;
  /** backpressure / intended must be at most this (default 0.01). */
  readonly maxBackpressureRatio: number;
}

export const DEFAULT_VALIDITY: ValidityLimits = { minAchievedRatio: 0.99, maxLateRatio: 0.01, maxBackpressureRatio: 0.01 };

/** What the validity rule looks at. */
export interface DeliveryFacts {
  readonly offeredPps: number;
  readonly achievedPps: number;
  readonly intended: number;
  readonly sent: number;
  readonly lateSends: number;
  readonly backpressure: number;
  /** Set when the trial was stopped before its window ended (abort, port failure): the reason. */
  readonly cutShort: string | null;
}

/** The validity rule: null when the generator delivered the trial, else the first reason it did not. */
export function invalidReason(f: DeliveryFacts, limits: ValidityLimits = DEFAULT_VALIDITY): string | null {
  if (f.cutShort !== null) return `trial cut short: ${f.cutShort}`;
  if (f.intended === 0) return 'no packet was due in the window (rate x duration < 1)';
  if (f.sent === 0) return 'the generator sent nothing';
  if (f.achievedPps < limits.minAchievedRatio * f.offeredPps) {
    return `achieved ${fmtPps(f.achievedPps)} pps < ${(limits.minAchievedRatio * 100).toFixed(0)}% of the intended ${fmtPps(f.offeredPps)} pps`;
  }
  if (f.lateSends > limits.maxLateRatio * f.sent) {
    return `${f.lateSends} late sends (${pct(f.lateSends / f.sent)} of sent > ${pct(limits.maxLateRatio)})`;
  }
  if (f.backpressure > limits.maxBackpressureRatio * f.intended) {
    return `TX back-pressure on ${f.backpressure} packets (${pct(f.backpressure / f.intended)} > ${pct(limits.maxBackpressureRatio)})`;
  }
  return null;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

export function fmtPps(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(3)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

/** Empty latency summary (nothing measured). */
export const NO_LATENCY: LatencySummary = { p50: null, p99: null, p999: null, p9999: null, max: null, mean: null };
