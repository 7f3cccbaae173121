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

test('onFrames (frames read in place) counts exactly as onBurst on the same frames', () => {
  for (const layout of [STUDY_LAYOUT, TAIL_LAYOUT]) {
    // seq per frame (-1: another run, -2: too short); reordered, duplicated and missing ones.
    const seqs = [0, 1, 3, 2, -1, 4, 4, 6, -2, 1, 9, 7, 9, 8];
    const lens = seqs.map((s, i) => (s === -2 ? 40 : 64 + 37 * i));
    // In place: frames back to back at odd offsets of one buffer.
    const buf = new Uint8Array(8192);
    const offs = new Int32Array(seqs.length);
    const lenArr = Int32Array.from(lens);
    let at = 3;
    seqs.forEach((s, i) => {
      offs[i] = at;
      writeStamp(buf, layout, at, lens[i]!, s === -1 ? 8 : 9, Math.max(0, s), 1000 + 10 * i);
      at += lens[i]! + 5;
    });
    const pool = new PacketPool(32, 2048, 32);
    const slots = new Int32Array(32);
    seqs.forEach((_, i) => {
      const s = pool.alloc();
      pool.write(s, buf.subarray(offs[i]!, offs[i]! + lens[i]!));
      slots[i] = s;
    });
    const a = new Receiver(layout);
    const b = new Receiver(layout);
    a.reset(9);
    b.reset(9);
    // Two bursts each, split at the same place.
    a.onBurst(pool, slots, 6, 5000);
    a.onBurst(pool, slots.subarray(6), seqs.length - 6, 6000);
    b.onFrames(buf, offs, lenArr, 6, 5000);
    b.onFrames(buf, offs.subarray(6), lenArr.subarray(6), seqs.length - 6, 6000);
    assert.equal(pool.available, 32, 'onBurst freed every slot');
    assert.equal(b.received, 9);
    assert.equal(b.duplicates, 3);
    assert.equal(b.foreign, 2);
    assert.equal(b.reordered, 3); // 2, 7 and 8
    assert.equal(b.frames, seqs.length);
    assert.equal(b.bytes, lens.reduce((x, y) => x + y, 0));
    assert.equal(b.lastRxNs, 6000);
    for (const key of ['received', 'duplicates', 'foreign', 'reordered', 'stale', 'maxSeq', 'frames', 'bytes', 'lastRxNs'] as const) {
      assert.equal(b[key], a[key], key);
    }
    assert.deepEqual(b.summary(12), a.summary(12));
    assert.equal(b.summary(12).lost, 3);
  }
});
