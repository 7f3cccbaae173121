// Tests of the loop clock (clock.ts): CLOCK_MONOTONIC in ns and ms, against process.hrtime.bigint()
// (libuv's CLOCK_MONOTONIC), with the native addon and without it (a child process pointed at a
// missing addon falls back to performance.now() shifted by a calibrated offset).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { clockIsNative, clockMs, clockMsInto, clockNs } from './clock.js';
import { loadNative } from '../io/native.js';

/** |clockNs() - hrtime| in ns, the tightest of a few brackets. */
function skewNs(read: () => number): number {
  let best = Infinity;
  for (let i = 0; i < 20; i++) {
    const a = process.hrtime.bigint();
    const c = read();
    const b = process.hrtime.bigint();
    const mid = Number(a) + Number(b - a) / 2;
    best = Math.min(best, Math.abs(c - mid) - Number(b - a) / 2);
  }
  return Math.max(0, best);
}

test('clockNs / clockMs / clockMsInto read CLOCK_MONOTONIC and never go backwards', () => {
  assert.equal(clockIsNative, typeof loadNative()?.clockMonotonic === 'function');
  assert.ok(skewNs(clockNs) < 50_000, `clockNs off hrtime by ${skewNs(clockNs)} ns`);
  assert.ok(skewNs(() => clockMs() * 1e6) < 50_000);
  const cell = new Float64Array(3);
  const a = Number(process.hrtime.bigint());
  clockMsInto(cell, 2);
  const b = Number(process.hrtime.bigint());
  assert.ok(cell[2]! * 1e6 > a - 50_000 && cell[2]! * 1e6 < b + 50_000, `clockMsInto wrote ${cell[2]} ms, not in [${a / 1e6}, ${b / 1e6}]`);
  assert.equal(cell[0], 0);
  let last = clockNs();
  for (let i = 0; i < 100_000; i++) {
    const t = clockNs();
    assert.ok(t >= last);
    last = t;
  }
});

test('without the addon the clock falls back to performance.now() on the same CLOCK_MONOTONIC scale', () => {
  const here = fileURLToPath(new URL('./clock.js', import.meta.url));
  const script = `import('${here}').then((c) => { const a = process.hrtime.bigint(); const t = c.clockNs(); const b = process.hrtime.bigint(); console.log(JSON.stringify({ native: c.clockIsNative, skew: t - Number(a), width: Number(b - a) })); });`;
  const out = execFileSync(process.execPath, ['-e', script], { env: { ...process.env, P4TEE_NATIVE_PATH: '/nonexistent/p4tee_native.node' }, encoding: 'utf8' });
  const r = JSON.parse(out) as { native: boolean; skew: number; width: number };
  assert.equal(r.native, false);
  assert.ok(r.skew > -100_000 && r.skew < r.width + 100_000, `fallback clock off by ${r.skew} ns`);
});
