import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from './random.js';

test('the same seed gives the same sequence; another seed another', () => {
  const a = new Random(42), b = new Random(42), c = new Random(43);
  const xa = Array.from({ length: 8 }, () => a.next32());
  const xb = Array.from({ length: 8 }, () => b.next32());
  const xc = Array.from({ length: 8 }, () => c.next32());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
  for (const x of xa) assert.ok(Number.isInteger(x) && x >= 0 && x <= 0xffffffff);
  a.reseed(42);
  assert.equal(a.next32(), xa[0]);
});

test('randomInRange stays within [lo, hi] and reaches both ends', () => {
  const r = new Random(1);
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const x = r.randomInRange(5, 9);
    assert.ok(x >= 5 && x <= 9);
    seen.add(x);
  }
  assert.deepEqual([...seen].sort(), [5, 6, 7, 8, 9]);
  assert.equal(r.randomInRange(7, 7), 7);
  assert.equal(r.randomInRange(9, 3), 9);
  const full = r.randomInRange(0, 0xffffffff);
  assert.ok(full >= 0 && full <= 0xffffffff);
  const high = r.randomInRange(0xfffffff0, 0xffffffff);
  assert.ok(high >= 0xfffffff0 && high <= 0xffffffff);
});

test('randomInRange is roughly uniform', () => {
  const r = new Random(9);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) counts[r.randomInRange(0, 9)]++;
  for (const c of counts) assert.ok(c > 9000 && c < 11000, `count ${c}`);
});

test('randomInRangeBig covers wide ranges', () => {
  const r = new Random(5);
  const lo = 1n << 40n, hi = (1n << 40n) + 1000n;
  for (let i = 0; i < 500; i++) {
    const x = r.randomInRangeBig(lo, hi);
    assert.ok(x >= lo && x <= hi);
  }
  for (let i = 0; i < 100; i++) {
    const x = r.randomInRangeBig(0n, (1n << 64n) - 1n);
    assert.ok(x >= 0n && x < 1n << 64n);
  }
  assert.equal(r.randomInRangeBig(3n, 3n), 3n);
  const small = r.randomInRangeBig(10n, 12n);
  assert.ok(small >= 10n && small <= 12n);
});
