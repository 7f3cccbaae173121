// monoNs(): CLOCK_MONOTONIC in nanoseconds as a double, the one clock of the traffic generator.
// performance.now() allocates nothing but counts from this process's time origin, so it is shifted
// once by an offset calibrated against process.hrtime.bigint() (libuv's CLOCK_MONOTONIC): every
// process then reads the same clock, and a stamp written by one process means the same in another.

import { performance } from 'node:perf_hooks';

/** ns to add to performance.now() * 1e6 to get CLOCK_MONOTONIC ns. */
let offsetNs = 0;
/** Half-width (ns) of the bracket the offset was taken in: its uncertainty. */
let offsetErrorNs = 0;

/** Measures the offset: the tightest of a few performance.now() / hrtime / performance.now() brackets. */
export function calibrateClock(rounds = 9): void {
  let best = Infinity;
  let bestOffset = 0;
  for (let i = 0; i < rounds; i++) {
    const a = performance.now();
    const h = process.hrtime.bigint();
    const b = performance.now();
    const width = (b - a) * 1e6;
    if (width < best) {
      best = width;
      bestOffset = Number(h) - ((a + b) / 2) * 1e6;
    }
  }
  offsetNs = bestOffset;
  offsetErrorNs = best / 2;
}

calibrateClock();

/** CLOCK_MONOTONIC now, in ns (a double: exact to well under 1 ns for ~100 days of uptime). No allocation. */
export function monoNs(): number {
  return performance.now() * 1e6 + offsetNs;
}

/** Uncertainty of monoNs() against CLOCK_MONOTONIC, in ns (half the calibration bracket). */
export function clockErrorNs(): number {
  return offsetErrorNs;
}
