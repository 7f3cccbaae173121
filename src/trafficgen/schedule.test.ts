import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Schedule, intendedCount, parsePattern, patternName, Prng } from './schedule.js';

test('cbr: intended times are i / rate, count over a window', () => {
  const s = new Schedule({ kind: 'cbr' }, 1e6);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    times.push(s.nextNs);
    s.advance();
  }
  assert.deepEqual(times, [0, 1000, 2000, 3000, 4000]);
  // Times in [0, 1 s) at 1 Mpps: exactly 1e6 packets; at 3 pps over 1 s: 0, 1/3, 2/3 s.
  assert.equal(intendedCount({ kind: 'cbr' }, 1e6, 1e9), 1_000_000);
  assert.equal(intendedCount({ kind: 'cbr' }, 3, 1e9), 3);
  assert.equal(intendedCount({ kind: 'cbr' }, 2.5, 1e9), 3);
  // No drift: packet 10^7 at 3 Mpps is at 10^7/3e6 s.
  const t = new Schedule({ kind: 'cbr' }, 3e6);
  for (let i = 0; i < 1e7; i++) t.advance();
  assert.ok(Math.abs(t.nextNs - 1e7 / 3e6 * 1e9) < 1e-3);
});

test('burst:K: K packets at the same time every K/rate', () => {
  const s = new Schedule({ kind: 'burst', k: 4 }, 1e6);
  const times: number[] = [];
  for (let i = 0; i < 10; i++) {
    times.push(s.nextNs);
    s.advance();
  }
  assert.deepEqual(times, [0, 0, 0, 0, 4000, 4000, 4000, 4000, 8000, 8000]);
  // 1 ms at 1 Mpps: bursts at 0, 4, ..., 996 us: 250 bursts of 4.
  assert.equal(intendedCount({ kind: 'burst', k: 4 }, 1e6, 1e6), 1000);
  // 1001 us: one more burst starts at 1000 us.
  assert.equal(intendedCount({ kind: 'burst', k: 4 }, 1e6, 1.001e6), 1004);
});

test('poisson: deterministic per seed, mean rate close to the offered one', () => {
  const a = new Schedule({ kind: 'poisson' }, 1e5, 42);
  const b = new Schedule({ kind: 'poisson' }, 1e5, 42);
  const c = new Schedule({ kind: 'poisson' }, 1e5, 43);
  let same = true;
  let differs = false;
  let prev = -1;
  for (let i = 0; i < 1000; i++) {
    if (a.nextNs !== b.nextNs) same = false;
    if (a.nextNs !== c.nextNs) differs = true;
    assert.ok(a.nextNs >= prev, 'times never go back');
    prev = a.nextNs;
    a.advance();
    b.advance();
    c.advance();
  }
  assert.ok(same);
  assert.ok(differs);
  // 200k arrivals: the mean gap is within 1% of 10 us (std error ~0.22%).
  const s = new Schedule({ kind: 'poisson' }, 1e5, 7);
  const n = 200_000;
  for (let i = 0; i < n; i++) s.advance();
  const meanGap = s.nextNs / (n + 1);
  assert.ok(Math.abs(meanGap - 10_000) < 100, `mean gap ${meanGap}`);
  // Count over 2 s at 100 kpps: 200k +- 1%.
  const cnt = intendedCount({ kind: 'poisson' }, 1e5, 2e9, 7);
  assert.ok(Math.abs(cnt - 200_000) < 2000, `count ${cnt}`);
  assert.equal(intendedCount({ kind: 'poisson' }, 1e5, 2e9, 7), cnt);
});

test('prng: uniform in [0, 1)', () => {
  const r = new Prng(1);
  let sum = 0;
  for (let i = 0; i < 100_000; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.01);
});

test('parsePattern', () => {
  assert.deepEqual(parsePattern('cbr'), { kind: 'cbr' });
  assert.deepEqual(parsePattern('Poisson'), { kind: 'poisson' });
  assert.deepEqual(parsePattern('burst:16'), { kind: 'burst', k: 16 });
  assert.equal(patternName({ kind: 'burst', k: 16 }), 'burst:16');
  assert.equal(typeof parsePattern('burst:0'), 'string');
  assert.equal(typeof parsePattern('square'), 'string');
  assert.throws(() => new Schedule({ kind: 'cbr' }, 0));
});
