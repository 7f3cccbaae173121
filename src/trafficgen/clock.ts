// monoNs(): CLOCK_MONOTONIC in nanoseconds as a double, the one clock of the traffic generator: every
// process reads the same clock, so a stamp written by one process means the same in another. It is
// the runtime's allocation-free loop clock (src/runtime/core/clock.ts: the native addon's
// CLOCK_MONOTONIC, or performance.now() shifted by a calibrated offset without the addon).
export { clockNs as monoNs, clockErrorNs, calibrateClock } from '../runtime/core/clock.js';
