// Tests of the per-batch telemetry: record shapes, ring wrap-around, histogram, totals, reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Telemetry, measureClockNs } from './telemetry.js';

test('records batches with their three times, in ns', () => {
  const t = new Telemetry({ capacity: 8, maxBatch: 32 });
  const o = t.origin;
  t.record(1, 32, o + 1, o + 1.001, o + 1.004, o + 1.0045);
  const j = t.toJSON();
  assert.equal(j.batches.length, 1);
  const b = j.batches[0]!;
  assert.deepEqual(Object.keys(b).sort(), ['n', 'port', 'procNs', 'rxNs', 't', 'txNs']);
  assert.equal(b.n, 32);
  assert.equal(b.port, 1);
  assert.equal(b.rxNs, 1000);
  assert.equal(b.procNs, 3000);
  assert.equal(b.txNs, 500);
  assert.equal(b.t, 1e6);
  assert.equal(j.histogram.length, 33);
  assert.equal(j.histogram[32], 1);
  assert.deepEqual(j.totals, { batches: 1, packets: 32, rxNs: 1000, procNs: 3000, txNs: 500, emptyPolls: 0 });
  assert.equal(j.meanBatch, 32);
  assert.ok(JSON.parse(JSON.stringify(j)).batches.length === 1);
});

test('the ring keeps the last `capacity` batches, oldest first; totals and histogram keep everything', () => {
  const t = new Telemetry({ capacity: 4, maxBatch: 8 });
  for (let i = 1; i <= 10; i++) t.record(0, i, 0, 0, 0, 0);
  const j = t.toJSON();
  assert.deepEqual(j.batches.map((b) => b.n), [7, 8, 9, 10]);
  assert.equal(j.overwritten, 6);
  assert.equal(j.totals.batches, 10);
  assert.equal(j.totals.packets, 55);
  // Sizes above maxBatch land in the last bucket.
  assert.equal(j.histogram[8], 3);
  assert.equal(j.histogram.reduce((a, b) => a + b, 0), 10);
  assert.deepEqual(t.toJSON(2).batches.map((b) => b.n), [9, 10]);
  assert.deepEqual(t.toJSON(0).batches, []);
  t.reset();
  assert.equal(t.toJSON().batches.length, 0);
  assert.equal(t.toJSON().totals.packets, 0);
});

test('the clock cost is measured and reported', () => {
  const ns = measureClockNs(200);
  assert.ok(ns >= 0 && Number.isFinite(ns));
  assert.ok(typeof new Telemetry({ capacity: 1 }).toJSON().clockNs === 'number');
});
