// A simulated device under test for deterministic tests of the search and the harness: input an
// offered load and a trial duration, output a trial result instantly. The device forwards up to its
// capacity (loss above it is the overload share), may jitter its capacity per trial and suffer rare
// random loss events (seeded PRNG), and may sit behind a generator ceiling that makes trials invalid.
import type { TrialLike } from './mlrsearch.js';

export interface SimDeviceOptions {
  readonly capacityPps: number;
  /** PRNG seed (default 1). */
  readonly seed?: number;
  /** Relative standard deviation of the capacity from trial to trial (default 0). */
  readonly capacityJitter?: number;
  /** Chance per trial of a loss event: 1..lossEventMaxPackets packets lost even below capacity (default 0). */
  readonly lossEventProbability?: number;
  readonly lossEventMaxPackets?: number;
  /** Trials (counted from 0) that get a loss event whatever the PRNG says. */
  readonly forcedLossTrials?: readonly number[];
  /** The generator cannot send faster than this: trials above it are invalid. */
  readonly generatorCeilingPps?: number;
  /** Base latency (ns, default 20 µs). */
  readonly baseLatencyNs?: number;
}

/** The trial record of the simulator: the fields of the engine's TrialResult (session-3 contract). */
export interface SimTrial extends TrialLike {
  readonly intended: number;
  readonly achievedPps: number;
  readonly lateSends: number;
  readonly backpressure: number;
  readonly reordered: number;
  readonly duplicates: number;
  readonly latencyNs: {
    readonly p50: number | null;
    readonly p99: number | null;
    readonly p999: number | null;
    readonly p9999: number | null;
    readonly max: number | null;
    readonly mean: number | null;
  };
  readonly startNs: number;
  readonly endNs: number;
}

/** Small seeded PRNG (32-bit state, splitmix-style mixing); uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    z = (z ^ (z >>> 16)) >>> 0;
    return z / 4294967296;
  };
}

export class SimDevice {
  readonly options: SimDeviceOptions;
  /** Trials run so far. */
  count = 0;
  /** Simulated clock (ns): trials follow each other with 0.1 s between them. */
  clockNs = 0;
  private readonly random: () => number;

  constructor(options: SimDeviceOptions) {
    this.options = options;
    this.random = seededRandom(options.seed ?? 1);
  }

  /** The trial function for mlrSearch / rateSweep. */
  readonly trial = (pps: number, durationS: number): Promise<SimTrial> => Promise.resolve(this.run(pps, durationS));

  run(pps: number, durationS: number): SimTrial {
    const o = this.options;
    const n = this.count++;
    const intended = Math.round(pps * durationS);
    const ceiling = o.generatorCeilingPps ?? Infinity;
    const sentRate = Math.min(pps, ceiling);
    const sent = Math.round(sentRate * durationS);
    const valid = pps <= ceiling;
    // Gaussian jitter from two uniforms (Box-Muller); always drawn so the sequence does not depend on options.
    const u1 = Math.max(1e-12, this.random());
    const u2 = this.random();
    const gauss = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    const capacity = o.capacityPps * Math.max(0.01, 1 + (o.capacityJitter ?? 0) * gauss);
    const eventDraw = this.random();
    const eventSize = this.random();
    let lost = Math.max(0, sent - Math.floor(capacity * durationS));
    const event = eventDraw < (o.lossEventProbability ?? 0) || (o.forcedLossTrials?.includes(n) ?? false);
    if (event) lost += 1 + Math.floor(eventSize * (o.lossEventMaxPackets ?? 10));
    lost = Math.min(sent, lost);
    const received = sent - lost;
    const lossRatio = sent > 0 ? lost / sent : 0;
    const base = o.baseLatencyNs ?? 20_000;
    // Queueing grows as the load nears capacity; past it the queue is full (and losses decide the tail).
    const rho = Math.min(0.999, sentRate / capacity);
    const p50 = base * (1 + rho / (1 - rho) / 10);
    const q = (p: number): number | null => (lossRatio > 1 - p ? null : p50 * (1 + 4 * (p - 0.5)));
    const startNs = this.clockNs;
    const endNs = startNs + durationS * 1e9;
    this.clockNs = endNs + 1e8;
    return {
      offeredPps: pps,
      durationS,
      intended,
      sent,
      achievedPps: sent / durationS,
      lateSends: valid ? 0 : intended - sent,
      backpressure: 0,
      received,
      lost,
      lossRatio,
      reordered: 0,
      duplicates: 0,
      latencyNs: { p50: q(0.5), p99: q(0.99), p999: q(0.999), p9999: q(0.9999), max: lost > 0 ? null : p50 * 3, mean: lost > 0 ? null : p50 * 1.1 },
      valid,
      invalidReason: valid ? null : `generator sent ${Math.round(sentRate)} of ${Math.round(pps)} pps`,
      startNs,
      endNs,
    };
  }
}
