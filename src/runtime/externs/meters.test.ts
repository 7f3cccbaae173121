import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeterArray, MeterColor } from './meters.js';

const MS = 1_000_000; // nanoseconds in a millisecond

test('an unconfigured meter answers GREEN', () => {
  const m = new MeterArray(4, 'packets');
  for (let i = 0; i < 10; i++) assert.equal(m.execute(1, 1, i * 10), MeterColor.Green);
  assert.deepEqual(m.getRates(1), []);
});

test('packet meter colour sequence (committed 1/ms burst 2, peak 2/ms burst 4)', () => {
  const m = new MeterArray(2, 'packets');
  assert.equal(m.setRates(0, [{ rate: 0.001, burst: 2 }, { rate: 0.002, burst: 4 }]).ok, true);
  const colours: number[] = [];
  for (let i = 0; i < 5; i++) colours.push(m.execute(0, 1, 0));
  // One millisecond later: 2 peak tokens and 1 committed token have come in.
  for (let i = 0; i < 3; i++) colours.push(m.execute(0, 1, 1 * MS));
  assert.deepEqual(colours, [0, 0, 1, 1, 2, 0, 1, 2]);
  // Meter 1 was not configured.
  assert.equal(m.execute(1, 1, 0), 0);
  // Long idle: buckets refill only up to their bursts.
  const later: number[] = [];
  for (let i = 0; i < 5; i++) later.push(m.execute(0, 1, 1000 * MS));
  assert.deepEqual(later, [0, 0, 1, 1, 2]);
});

test('RED does not take committed tokens', () => {
  const m = new MeterArray(1, 'packets');
  m.setRates(0, [{ rate: 0, burst: 1 }, { rate: 0, burst: 1 }]);
  assert.equal(m.execute(0, 1, 0), 0);
  assert.equal(m.execute(0, 1, 0), 2);
  assert.equal(m.tc[0], 0);
  assert.equal(m.tp[0], 0);
});

test('byte meter: packets larger than the buckets are RED or YELLOW', () => {
  const m = new MeterArray(1, 'bytes');
  // committed 1 byte/us (8 Mb/s) burst 1000, peak 2 bytes/us burst 2000.
  m.setRates(0, [{ rate: 1, burst: 1000 }, { rate: 2, burst: 2000 }]);
  assert.equal(m.execute(0, 2500, 0), MeterColor.Red);
  assert.equal(m.execute(0, 1500, 0), MeterColor.Yellow); // peak 2000 -> 500, committed 1000 < 1500
  assert.equal(m.execute(0, 400, 0), MeterColor.Green); // peak 500 -> 100, committed 1000 -> 600
  assert.equal(m.execute(0, 200, 0), MeterColor.Red); // peak 100 < 200
  // 100 us later: +200 peak tokens (300), +100 committed (700).
  assert.equal(m.execute(0, 250, 100_000), MeterColor.Green);
  assert.equal(m.tp[0], 50);
  assert.equal(m.tc[0], 450);
});

test('tokens count whole microseconds from the time origin', () => {
  const m = new MeterArray(1, 'packets', 5 * MS);
  m.setRates(0, [{ rate: 0.5, burst: 1 }, { rate: 0.5, burst: 1 }]);
  assert.equal(m.execute(0, 1, 5 * MS), 0);
  assert.equal(m.execute(0, 1, 5 * MS + 1999), 2); // 1 us: floor(0.5) = 0 tokens
  assert.equal(m.execute(0, 1, 5 * MS + 2000), 0); // 2 us: 1 token
  // Time going backwards earns nothing and breaks nothing.
  assert.equal(m.execute(0, 1, 0), 2);
});

test('setRates refuses bad input and changes nothing', () => {
  const m = new MeterArray(2, 'packets');
  m.setRates(0, [{ rate: 0.001, burst: 2 }, { rate: 0.002, burst: 4 }]);
  m.execute(0, 1, 0);
  assert.equal(m.setRates(0, [{ rate: 0.003, burst: 2 }, { rate: 0.002, burst: 4 }]).ok, false);
  assert.equal(m.setRates(0, [{ rate: 0.001, burst: 2 }]).ok, false);
  assert.equal(m.setRates(0, [{ rate: -1, burst: 2 }, { rate: 0.002, burst: 4 }]).ok, false);
  assert.equal(m.setRates(0, [{ rate: 0.001, burst: 1.5 }, { rate: 0.002, burst: 4 }]).ok, false);
  assert.equal(m.setRates(2, [{ rate: 0.001, burst: 2 }, { rate: 0.002, burst: 4 }]).ok, false);
  assert.deepEqual(m.getRates(0), [{ rate: 0.001, burst: 2 }, { rate: 0.002, burst: 4 }]);
  assert.equal(m.tp[0], 3);
  assert.equal(m.getRates(5), null);
});

test('setRates(null) configures every meter; resetRates unconfigures', () => {
  const m = new MeterArray(3, 'packets');
  assert.equal(m.setRates(null, [{ rate: 0, burst: 0 }, { rate: 0, burst: 0 }]).ok, true);
  for (let i = 0; i < 3; i++) assert.equal(m.execute(i, 1, 0), 2);
  m.resetRates(1);
  assert.equal(m.execute(1, 1, 0), 0);
  m.resetRates(null);
  assert.equal(m.execute(0, 1, 0), 0);
});

test('out-of-range index: execute answers GREEN, executeInto keeps the current value', () => {
  const m = new MeterArray(1, 'packets');
  m.setRates(0, [{ rate: 0, burst: 0 }, { rate: 0, burst: 0 }]);
  assert.equal(m.execute(5, 1, 0), 0);
  assert.equal(m.executeInto(5, 1, 0, 3), 3);
  assert.equal(m.executeInto(0, 1, 0, 3), 2);
});
