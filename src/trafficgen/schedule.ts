// Open-loop send schedules: the INTENDED send time of every packet, fixed in advance by the offered
// rate and the pattern, never by when earlier packets actually left. Patterns: constant rate (cbr),
// Poisson arrivals (exponential gaps from a seeded PRNG: the same seed gives the same times), and
// bursts (K back-to-back packets every K/rate). Times are ns relative to the start of the window.

import { widenFields } from '../runtime/core/doubles.js';

export type Pattern =
  | { readonly kind: 'cbr' }
  | { readonly kind: 'poisson' }
  | { readonly kind: 'burst'; readonly k: number };

/** 'cbr', 'poisson' or 'burst:K' (K from 1 to 4096). */
export function parsePattern(s: string): Pattern | string {
  const t = s.trim().toLowerCase();
  if (t === 'cbr' || t === 'constant') return { kind: 'cbr' };
  if (t === 'poisson') return { kind: 'poisson' };
  const m = /^burst:(\d+)$/.exec(t);
  if (m) {
    const k = Number(m[1]);
    if (k >= 1 && k <= 4096) return { kind: 'burst', k };
    return `burst size must be from 1 to 4096, not ${m[1]}`;
  }
  return `expected a pattern cbr, poisson or burst:K, not '${s}'`;
}

export function patternName(p: Pattern): string {
  return p.kind === 'burst' ? `burst:${p.k}` : p.kind;
}

/** The seeded 32-bit PRNG of Poisson schedules (mulberry32 mixing); uniform doubles in [0, 1). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0;
  }
  next(): number {
    const a = (this.state = (this.state + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t = (t + Math.imul(t ^ (t >>> 7), t | 61)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/**
 * Intended send times, one packet at a time: `nextNs` is the time of packet `index`; advance()
 * moves to the next one. Fixed shape, no allocation per packet.
 */
export class Schedule {
  readonly pattern: Pattern;
  readonly pps: number;
  /** Mean gap between packets, ns. */
  readonly intervalNs: number;
  /** Packets per burst (1 for cbr and poisson). */
  readonly burst: number;
  /** Time between the starts of two bursts, ns (burst * intervalNs). */
  readonly groupNs: number;
  /** Index of the next packet and its intended time (ns from the window start). */
  index = 0;
  nextNs = 0;
  private readonly poisson: boolean;
  private readonly rng: Prng;

  constructor(pattern: Pattern, pps: number, seed = 1) {
    if (!(pps > 0) || !Number.isFinite(pps)) throw new RangeError(`schedule rate must be a positive number, not ${pps}`);
    this.pattern = pattern;
    this.pps = pps;
    this.intervalNs = 1e9 / pps;
    this.burst = pattern.kind === 'burst' ? pattern.k : 1;
    this.groupNs = this.burst * this.intervalNs;
    this.poisson = pattern.kind === 'poisson';
    this.rng = new Prng(seed);
    widenFields(this, 'pps', 'nextNs', 'intervalNs', 'groupNs');
    this.reset();
  }

  /** Back to packet 0 (a Poisson schedule restarts its PRNG sequence only if reseeded). */
  reset(): void {
    this.index = 0;
    this.nextNs = this.poisson ? this.gap() : 0;
  }

  /** Moves to the next packet. */
  advance(): void {
    const i = ++this.index;
    if (this.poisson) {
      this.nextNs += this.gap();
    } else if (this.burst === 1) {
      // Multiply rather than accumulate: no drift over millions of packets.
      this.nextNs = i * this.intervalNs;
    } else {
      this.nextNs = Math.floor(i / this.burst) * this.groupNs;
    }
  }

  /** An exponential gap with mean intervalNs. */
  private gap(): number {
    return -Math.log(1 - this.rng.next()) * this.intervalNs;
  }
}

/** Packets whose intended time falls in [0, windowNs) (walks Poisson schedules: for tests and planning). */
export function intendedCount(pattern: Pattern, pps: number, windowNs: number, seed = 1): number {
  const s = new Schedule(pattern, pps, seed);
  if (pattern.kind !== 'poisson') {
    // Indices i with t(i) < window, in whole groups of `burst`; the two loops fix floating-point
    // edges so the count agrees with the times advance() computes.
    const step = s.groupNs;
    let g = Math.ceil(windowNs / step);
    while (g > 0 && (g - 1) * step >= windowNs) g--;
    while (g * step < windowNs) g++;
    return g * s.burst;
  }
  let n = 0;
  while (s.nextNs < windowNs) {
    n++;
    s.advance();
  }
  return n;
}
