// The clock of the hot loops (switch poll loop, telemetry, traffic generator), without allocation.
// performance.now() and Date.now() return a fresh 16-byte heap number on every call in Node 20
// (measured: 2e7 calls, 313 scavenges); a poll loop reading the clock three times per batch then
// allocates ~15 MB/s and pays a ~1 ms scavenge every half second: a stall that overflows an input
// ring at millions of packets per second. With the native addon the clock is CLOCK_MONOTONIC,
// written by clockMonotonic() into a Float64Array cell and read back as a double (no allocation as
// long as the small readers below are inlined, which V8 does for them: 1e7 calls, 0 collections).
// Without the addon they fall back to performance.now() (allocating), shifted to CLOCK_MONOTONIC.
import { performance } from 'node:perf_hooks';
import { loadNative } from '../io/native.js';

type ClockFn = (out: Float64Array) => void;

const cell = new Float64Array(1);
const nativeClock: ClockFn | null = (() => {
  const f = loadNative()?.clockMonotonic;
  return typeof f === 'function' ? (f as ClockFn) : null;
})();

/** ns to add to performance.now() * 1e6 for CLOCK_MONOTONIC ns (the fallback's offset). */
let offsetNs = 0;
/** Half-width (ns) of the bracket the offset was taken in (0 with the native clock: it is exact). */
let offsetErrorNs = 0;

/** Whether the clock is the addon's (allocation-free) or performance.now() (allocates per call). */
export const clockIsNative: boolean = nativeClock !== null;

/** Measures the fallback's offset: the tightest of a few performance.now() / hrtime / performance.now() brackets. */
export function calibrateClock(rounds = 9): void {
  if (nativeClock !== null) return;
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

/** CLOCK_MONOTONIC now, in ns (a double: exact to well under 1 ns for ~100 days of uptime). */
export function clockNs(): number {
  if (nativeClock !== null) {
    nativeClock(cell);
    return cell[0];
  }
  return performance.now() * 1e6 + offsetNs;
}

/** CLOCK_MONOTONIC now, in ms (the poll loop's unit). */
export function clockMs(): number {
  if (nativeClock !== null) {
    nativeClock(cell);
    return cell[0] * 1e-6;
  }
  return performance.now() + offsetNs * 1e-6;
}

/**
 * Writes CLOCK_MONOTONIC ms into out[i]. For code too big for V8 to inline clockMs() into: a
 * double returned from a call that is not inlined is boxed (allocated); one stored into a typed
 * array is not. The switch's poll loop keeps its clock reads in a Float64Array this way.
 */
export function clockMsInto(out: Float64Array, i: number): void {
  if (nativeClock !== null) {
    nativeClock(cell);
    out[i] = cell[0] * 1e-6;
  } else {
    out[i] = performance.now() + offsetNs * 1e-6;
  }
}

/** Uncertainty of clockNs() against CLOCK_MONOTONIC, in ns (half the fallback's calibration bracket). */
export function clockErrorNs(): number {
  return offsetErrorNs;
}
