// Tests of the per-batch telemetry: record shapes, ring wrap-around, histogram, totals, reset,
// amending the last batch.
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
  assert.deepEqual(j.totals, { batches: 1, packets: 32, rxNs: 1000, procNs: 3000, txNs: 500, emptyPolls: 0, maxBatchNs: 4500, maxYieldNs: 0 });
  assert.equal(j.meanBatch, 32);
  assert.ok(JSON.parse(JSON.stringify(j)).batches.length === 1);
});

test("recordClocks (the poll loop's form: times in a Float64Array) records what record does", () => {
  const a = new Telemetry({ capacity: 8, maxBatch: 32 });
  const b = new Telemetry({ capacity: 8, maxBatch: 32 });
  b.origin = a.origin;
  const o = a.origin;
  a.record(0, 7, o + 2, o + 2.0005, o + 2.002, o + 2.0021);
  b.recordClocks(0, 7, Float64Array.of(o + 2, o + 2.0005, o + 2.002, o + 2.0021));
  const ja = a.toJSON();
  const jb = b.toJSON();
  assert.deepEqual(jb.batches, ja.batches);
  assert.deepEqual(jb.totals, ja.totals);
  assert.equal(jb.batches[0]!.rxNs, 500);
});

test('stall detectors: the longest batch (amended ones too) and the longest pause between slices, until reset', () => {
  const t = new Telemetry({ capacity: 4, maxBatch: 8 });
  const o = t.origin;
  t.record(0, 4, o, o + 0.001, o + 0.002, o + 0.003); // 3 us
  t.record(0, 4, o, o + 0.5, o + 0.6, o + 0.7); // 700 us: a stall while receiving
  t.record(0, 4, o, o + 0.001, o + 0.002, o + 0.003);
  assert.equal(t.totals().maxBatchNs, 700_000);
  t.amendLast(1_000_000, 0); // the last batch now took 1.003 ms
  assert.equal(t.totals().maxBatchNs, 1_003_000);
  t.noteYield(250_000);
  t.noteYield(90_000);
  assert.equal(t.totals().maxYieldNs, 250_000);
  t.reset();
  assert.equal(t.totals().maxBatchNs, 0);
  assert.equal(t.totals().maxYieldNs, 0);
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

test('amendLast adds to the most recent batch and to the totals, also after the ring wrapped', () => {
  const t = new Telemetry({ capacity: 2, maxBatch: 8 });
  t.amendLast(100, 100);
  assert.equal(t.toJSON().totals.procNs, 0, 'no batch yet: nothing to amend');
  const o = t.origin;
  t.record(0, 4, o, o + 0.001, o + 0.002, o + 0.003);
  t.record(0, 5, o, o + 0.001, o + 0.002, o + 0.003);
  t.record(1, 6, o, o + 0.001, o + 0.003, o + 0.004);
  t.amendLast(500, 250);
  const j = t.toJSON();
  assert.deepEqual(j.batches.map((b) => [b.n, b.procNs, b.txNs]), [[5, 1000, 1000], [6, 2500, 1250]]);
  assert.equal(j.totals.procNs, 1000 + 1000 + 2000 + 500);
  assert.equal(j.totals.txNs, 3000 + 250);
  assert.equal(j.totals.batches, 3);
  assert.equal(j.totals.packets, 15);
});

test('join: batches whose packets left in one crossing make one record (n and times summed, histogram moved)', () => {
  const t = new Telemetry({ capacity: 8, maxBatch: 160 });
  const o = t.origin;
  const clk = (a: number, rx: number, proc: number, tx: number): Float64Array => Float64Array.of(o + a, o + a + rx, o + a + rx + proc, o + a + rx + proc + tx);
  // Three rx bursts of 32 held for a crossing (join), the fourth carries the crossing.
  t.recordClocks(0, 32, clk(1, 0.001, 0.0001, 0), true);
  t.recordClocks(0, 32, clk(2, 0.001, 0.0001, 0), true);
  t.recordClocks(1, 32, clk(3, 0.001, 0.0001, 0), true);
  t.recordClocks(1, 32, clk(4, 0.001, 0.01, 0.002), false);
  // The next batch starts a record of its own.
  t.recordClocks(0, 5, clk(5, 0.002, 0.001, 0.0005), true);
  // settle() published what was held: amendLast closes the record.
  t.amendLast(3000, 1000);
  t.recordClocks(0, 7, clk(6, 0.002, 0.001, 0.0005), false);
  const j = t.toJSON();
  assert.equal(j.batches.length, 3);
  const [a, b, c] = j.batches as [typeof j.batches[0], typeof j.batches[0], typeof j.batches[0]];
  assert.equal(a.n, 128);
  assert.equal(a.rxNs, 4000);
  assert.equal(a.procNs, 10300);
  assert.equal(a.txNs, 2000);
  assert.equal(a.t, 1e6, 'the record starts with its first batch');
  assert.equal(a.port, 0);
  assert.deepEqual([b.n, b.procNs, b.txNs], [5, 4000, 1500]);
  assert.equal(c.n, 7);
  assert.equal(j.histogram[128], 1);
  assert.equal(j.histogram[32], 0, 'the partial records moved to the merged size');
  assert.equal(j.histogram.reduce((x, y) => x + y, 0), 3);
  assert.equal(j.totals.batches, 3);
  assert.equal(j.totals.packets, 140);
  assert.equal(j.totals.rxNs, 4000 + 2000 + 2000);
  assert.equal(j.meanBatch, 140 / 3);
  assert.equal(j.totals.maxBatchNs, 16300);
});
