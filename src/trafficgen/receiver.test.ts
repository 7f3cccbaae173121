import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { Receiver } from './receiver.js';
import { STUDY_LAYOUT, TAIL_LAYOUT, writeStamp } from './stamp.js';

test('in order, reordered and duplicate packets', () => {
  const r = new Receiver(STUDY_LAYOUT, 8);
  r.reset(5);
  for (const s of [0, 1, 3, 2, 4, 4, 1, 6, 5]) r.accept(s, 100);
  assert.equal(r.received, 7);
  assert.equal(r.duplicates, 2);
  assert.equal(r.reordered, 2); // 2 after 3, 5 after 6
  const sum = r.summary(7);
  assert.equal(sum.lost, 0);
  assert.equal(sum.lossRatio, 0);
  assert.equal(sum.latencyNs.max, 100);
});

test('the sliding window: bits are cleared as it moves, old packets are stale', () => {
  const r = new Receiver(STUDY_LAYOUT, 6); // window 64
  r.reset(1);
  r.accept(0, 1);
  r.accept(64, 1); // moves the window past 0 and reuses bit 0
  r.accept(64, 1); // duplicate of 64
  r.accept(1, 1); // 63 behind: still inside the window, reordered
  r.accept(0, 1); // 64 behind: stale (counted, not checked)
  r.accept(1000, 1); // a jump longer than the window
  r.accept(1000 - 63 + 64, 1);
  assert.equal(r.duplicates, 1);
  assert.equal(r.stale, 1);
  assert.equal(r.reordered, 2);
  assert.equal(r.received, 6);
});

test('percentiles over sent packets: lost ones are +infinity', () => {
  const r = new Receiver(STUDY_LAYOUT);
  r.reset(1);
  // Latencies 1..100 ns are exact in a 3-digit histogram.
  for (let i = 0; i < 100; i++) r.accept(i, i + 1);
  const all = r.summary(100);
  assert.deepEqual(all.latencyNs, { p50: 50, p99: 99, p999: 100, p9999: 100, max: 100, mean: 50.5 });
  // The same 100 arrivals out of 200 sent: half lost.
  const half = r.summary(200);
  assert.equal(half.lost, 100);
  assert.equal(half.lossRatio, 0.5);
  assert.deepEqual(half.latencyNs, { p50: 100, p99: null, p999: null, p9999: null, max: null, mean: null });
  assert.deepEqual(half.latencyReceivedNs, all.latencyNs);
  // 1 of 101 lost: p50 and p99 (rank 100) decided by arrivals, p99.9 (rank 101) by the lost one.
  const one = r.summary(101);
  assert.equal(one.latencyNs.p50, 51);
  assert.equal(one.latencyNs.p99, 100);
  assert.equal(one.latencyNs.p999, null);
  // Nothing received.
  const e = new Receiver(STUDY_LAYOUT);
  e.reset(1);
  assert.deepEqual(e.summary(10).latencyNs, { p50: null, p99: null, p999: null, p9999: null, max: null, mean: null });
  assert.equal(e.summary(10).lost, 10);
});

test('onBurst: reads stamps, filters foreign frames, frees every slot', () => {
  const pool = new PacketPool(16, 256, 32);
  const slots = new Int32Array(16);
  const put = (len: number, run: number, seq: number, t: number, layout = STUDY_LAYOUT): number => {
    const s = pool.alloc();
    pool.setLength(s, len);
    writeStamp(pool.buf, layout, pool.start[s]!, len, run, seq, t);
    return s;
  };
  slots[0] = put(100, 9, 0, 1000);
  slots[1] = put(100, 8, 1, 1000); // another run
  slots[2] = put(40, 9, 2, 1000); // too short
  slots[3] = put(100, 9, 1, 1500);
  const r = new Receiver(STUDY_LAYOUT);
  r.reset(9);
  r.onBurst(pool, slots, 4, 3000);
  assert.equal(r.received, 2);
  assert.equal(r.foreign, 2);
  assert.equal(r.frames, 4);
  assert.equal(pool.available, 16);
  assert.deepEqual(r.summary(2).latencyReceivedNs.max, 2000);
  // Tail layout.
  const t = new Receiver(TAIL_LAYOUT);
  t.reset(3);
  slots[0] = put(90, 3, 7, 10, TAIL_LAYOUT);
  t.onBurst(pool, slots, 1, 20);
  assert.equal(t.received, 1);
  assert.equal(t.maxSeq, 7);
});
