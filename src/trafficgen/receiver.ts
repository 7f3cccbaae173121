// The receiving side of a trial. Input: bursts of received frames and the time they were taken,
// either as pool slots (onBurst) or as offsets and lengths into a port's own buffer, read in place
// (onFrames: the shm RX ring, no copy). It keeps only this trial's packets (stamp with the trial's run id; everything else counts
// as foreign), counts distinct packets, duplicates and reordering with a bitmap over a sliding
// window of sequence numbers, and records latency = receive time - INTENDED send time in an
// HdrHistogram (ns, 3 significant digits). Output: summary(sent), where lost packets count as +inf.

import { build, type Histogram } from 'hdr-histogram-js';
import type { PacketPool } from '../runtime/core/packet-pool.js';
import { widenFields } from '../runtime/core/doubles.js';
import { getU32, getU64, type StampLayout } from './stamp.js';
import type { LatencySummary } from './trial.js';

export interface ReceiverSummary {
  /** Distinct packets of the run received. */
  readonly received: number;
  readonly lost: number;
  readonly lossRatio: number;
  readonly reordered: number;
  readonly duplicates: number;
  readonly foreign: number;
  /** Over all sent packets, lost ones at +infinity. */
  readonly latencyNs: LatencySummary;
  /** Over received packets only. */
  readonly latencyReceivedNs: LatencySummary;
}

/** Percentiles reported, as fractions, and their LatencySummary keys. */
const QUANTILES: readonly (readonly [keyof LatencySummary, number])[] = [
  ['p50', 0.5],
  ['p99', 0.99],
  ['p999', 0.999],
  ['p9999', 0.9999],
];

export class Receiver {
  readonly layout: StampLayout;
  /** Sequence window of the duplicate bitmap (a power of two). */
  readonly window: number;
  runId = 0;
  /** Frames taken from the ports (ours or not) and their bytes. */
  frames = 0;
  bytes = 0;
  received = 0;
  duplicates = 0;
  reordered = 0;
  foreign = 0;
  /** Packets older than the window: counted as received and reordered, duplicates not detectable. */
  stale = 0;
  /** Highest sequence number seen, -1 before the first. */
  maxSeq = -1;
  /** monoNs of the last packet of this run received (0 before the first). */
  lastRxNs = 0;
  /** Receive time of the burst being counted (set by onBurst/onFrames, or by the caller before them). */
  rxNowNs = 0;
  /** Latency of the packet being counted (a field, not an argument: see widenFields). */
  private latNs = 0;
  private readonly bits: Uint32Array;
  private readonly mask: number;
  private hist: Histogram;
  /** Exact sum and max of recorded latencies (the histogram's are rounded to its buckets). */
  private latSum = 0;
  private latMax = 0;

  constructor(layout: StampLayout, windowBits = 20) {
    this.layout = layout;
    this.window = 2 ** windowBits;
    this.mask = this.window - 1;
    this.bits = new Uint32Array(this.window >>> 5);
    this.hist = newHistogram();
    widenFields(this, 'frames', 'bytes', 'received', 'duplicates', 'reordered', 'foreign', 'stale', 'lastRxNs', 'rxNowNs', 'latNs', 'latSum', 'latMax');
  }

  /** Clears every counter and the histogram for a new run id. */
  reset(runId: number): void {
    this.runId = runId >>> 0;
    this.frames = 0;
    this.bytes = 0;
    this.received = 0;
    this.duplicates = 0;
    this.reordered = 0;
    this.foreign = 0;
    this.stale = 0;
    this.maxSeq = -1;
    this.lastRxNs = 0;
    this.bits.fill(0);
    this.hist = newHistogram();
    this.latSum = 0;
    this.latMax = 0;
  }

  /**
   * Takes n received slots (frees every one of them), all received at nowNs (default: rxNowNs,
   * which a hot caller sets instead of passing a double, so that nothing is boxed per burst).
   */
  onBurst(pool: PacketPool, slots: Int32Array, n: number, nowNs?: number): void {
    if (nowNs !== undefined) this.rxNowNs = nowNs;
    const buf = pool.buf;
    const start = pool.start;
    const length = pool.length;
    let bytes = 0;
    let ours = 0;
    for (let k = 0; k < n; k++) {
      const slot = slots[k]!;
      const len = length[slot]!;
      bytes += len;
      ours += this.frame(buf, start[slot]!, len);
      pool.free(slot);
    }
    this.frames += n;
    this.bytes += bytes;
    if (ours > 0) this.lastRxNs = this.rxNowNs;
  }

  /**
   * Takes n frames read in place, frame k at buf[offs[k], offs[k] + lens[k]), all received at
   * nowNs (default rxNowNs, as onBurst). Counts exactly as onBurst; keeps no reference to buf (the
   * caller may then release it).
   */
  onFrames(buf: Uint8Array, offs: Int32Array, lens: Int32Array, n: number, nowNs?: number): void {
    if (nowNs !== undefined) this.rxNowNs = nowNs;
    let bytes = 0;
    let ours = 0;
    for (let k = 0; k < n; k++) {
      const len = lens[k]!;
      bytes += len;
      ours += this.frame(buf, offs[k]!, len);
    }
    this.frames += n;
    this.bytes += bytes;
    if (ours > 0) this.lastRxNs = this.rxNowNs;
  }

  /** One received frame at buf[start, start + len): 1 when it belongs to the run (then counted), else 0 (foreign). */
  private frame(buf: Uint8Array, start: number, len: number): number {
    const layout = this.layout;
    if (len < layout.minFrame) {
      this.foreign++;
      return 0;
    }
    const base = layout.fromEnd ? start + len : start;
    if (getU32(buf, base + layout.runOff) !== this.runId) {
      this.foreign++;
      return 0;
    }
    this.latNs = this.rxNowNs - getU64(buf, base + layout.timeOff);
    this.acceptSeq(getU32(buf, base + layout.seqOff));
    return 1;
  }

  /** Counts one packet of the run: its sequence number and latency (ns). */
  accept(seq: number, latencyNs: number): void {
    this.latNs = latencyNs;
    this.acceptSeq(seq);
  }

  /** accept() with the latency in latNs (a double field: no double argument to box per packet). */
  private acceptSeq(seq: number): void {
    const bits = this.bits;
    if (seq > this.maxSeq) {
      // Forward: clear the bits of the sequence numbers the window moves over.
      const gap = seq - this.maxSeq;
      if (gap >= this.window) {
        bits.fill(0);
      } else {
        for (let s = this.maxSeq + 1; s <= seq; s++) {
          const i = s & this.mask;
          bits[i >>> 5]! &= ~(1 << (i & 31));
        }
      }
      this.maxSeq = seq;
    } else if (this.maxSeq - seq >= this.window) {
      this.stale++;
      this.reordered++;
      this.record();
      return;
    } else {
      const i = seq & this.mask;
      if ((bits[i >>> 5]! & (1 << (i & 31))) !== 0) {
        this.duplicates++;
        return;
      }
      this.reordered++;
    }
    const i = seq & this.mask;
    bits[i >>> 5]! |= 1 << (i & 31);
    this.record();
  }

  /** Records the latency in latNs. */
  private record(): void {
    // Stamps and receive times come from the same clock; a tiny negative value is calibration error.
    const latencyNs = this.latNs;
    const v = latencyNs > 0 ? Math.floor(latencyNs) : 0;
    this.hist.recordValue(v);
    this.latSum += v;
    if (v > this.latMax) this.latMax = v;
    this.received++;
  }

  /** The histogram of received packets' latencies (ns). */
  get histogram(): Histogram {
    return this.hist;
  }

  /** Value (ns) at rank r (1-based) among the received packets' latencies, sorted. */
  private valueAtRank(r: number): number {
    // Asking for a percentile half a rank below r makes the histogram's round-up land exactly on r.
    return this.hist.getValueAtPercentile((100 * (r - 0.5)) / this.received);
  }

  /** Latency over `population` packets of which `received` arrived; the rest are at +infinity. */
  latency(population: number): LatencySummary {
    if (population <= 0 || this.received === 0) return { p50: null, p99: null, p999: null, p9999: null, max: null, mean: null };
    const out: Record<string, number | null> = {};
    for (const [key, q] of QUANTILES) {
      const r = Math.max(1, Math.ceil(q * population - 1e-9));
      out[key] = r > this.received ? null : this.valueAtRank(r);
    }
    const complete = this.received >= population;
    out.max = complete ? this.latMax : null;
    out.mean = complete ? this.latSum / this.received : null;
    return out as unknown as LatencySummary;
  }

  /** Loss, reordering and latency against `sent` packets (NaN loss when sent is NaN: not measured). */
  summary(sent: number): ReceiverSummary {
    const lost = Math.max(0, sent - this.received);
    return {
      received: this.received,
      lost,
      lossRatio: sent > 0 ? lost / sent : 0,
      reordered: this.reordered,
      duplicates: this.duplicates,
      foreign: this.foreign,
      latencyNs: this.latency(sent),
      latencyReceivedNs: this.latency(this.received),
    };
  }
}

function newHistogram(): Histogram {
  return build({ bitBucketSize: 32, lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true, useWebAssembly: false });
}
