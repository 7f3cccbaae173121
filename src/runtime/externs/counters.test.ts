import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CounterArray } from './counters.js';

test('count adds a packet and its bytes; out-of-range indices count nothing', () => {
  const c = new CounterArray(4, 'packets_and_bytes');
  c.count(1, 100);
  c.count(1, 60);
  c.count(3, 1500);
  c.count(4, 10);
  c.count(-1, 10);
  assert.deepEqual(c.read(1), { packets: 2n, bytes: 160n });
  assert.deepEqual(c.read(3), { packets: 1n, bytes: 1500n });
  assert.deepEqual(c.read(0), { packets: 0n, bytes: 0n });
  assert.deepEqual(c.read(4), { packets: 0n, bytes: 0n });
  assert.equal(c.readEntry(4).ok, false);
  assert.deepEqual(c.readEntry(1), { ok: true, packets: 2n, bytes: 160n });
});

test('reset, resetIndex and write', () => {
  const c = new CounterArray(2, 'packets');
  c.count(0, 64);
  c.count(1, 64);
  assert.equal(c.resetIndex(0).ok, true);
  assert.deepEqual(c.read(0), { packets: 0n, bytes: 0n });
  assert.deepEqual(c.read(1), { packets: 1n, bytes: 64n });
  assert.equal(c.write(1, 7n, 700n).ok, true);
  assert.deepEqual(c.read(1), { packets: 7n, bytes: 700n });
  assert.equal(c.write(2, 1n, 1n).ok, false);
  assert.equal(c.write(1, -1n, 1n).ok, false);
  assert.deepEqual(c.read(1), { packets: 7n, bytes: 700n });
  c.reset();
  assert.deepEqual(c.read(1), { packets: 0n, bytes: 0n });
  assert.equal(c.resetIndex(9).ok, false);
});
