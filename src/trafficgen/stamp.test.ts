import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STUDY_LAYOUT, TAIL_LAYOUT, getU64, putU64, readRunId, readSeq, readTimeNs, writeStamp, newRunId } from './stamp.js';
import { monoNs } from './clock.js';

test('stamps round-trip in both layouts, at the contract offsets', () => {
  const buf = new Uint8Array(300);
  const t = 123_456_789_012_345;
  writeStamp(buf, STUDY_LAYOUT, 10, 100, 0xdeadbeef, 0x01020304, t);
  assert.equal(readRunId(buf, STUDY_LAYOUT, 10, 100), 0xdeadbeef);
  assert.equal(readSeq(buf, STUDY_LAYOUT, 10, 100), 0x01020304);
  assert.equal(readTimeNs(buf, STUDY_LAYOUT, 10, 100), t);
  // seq big-endian at frame offset 42, time at 50, run id at 58.
  assert.deepEqual([...buf.subarray(52, 56)], [1, 2, 3, 4]);
  assert.equal(getU64(buf, 60), t);
  assert.deepEqual([...buf.subarray(68, 72)], [0xde, 0xad, 0xbe, 0xef]);

  const tail = new Uint8Array(80);
  writeStamp(tail, TAIL_LAYOUT, 0, 80, 7, 0xffffffff, 2 ** 53 - 1);
  assert.equal(readRunId(tail, TAIL_LAYOUT, 0, 80), 7);
  assert.equal(readSeq(tail, TAIL_LAYOUT, 0, 80), 0xffffffff);
  assert.equal(readTimeNs(tail, TAIL_LAYOUT, 0, 80), 2 ** 53 - 1);
  assert.deepEqual([...tail.subarray(68, 72)], [0xff, 0xff, 0xff, 0xff]);
  // Too short for a stamp.
  assert.equal(readRunId(tail, TAIL_LAYOUT, 0, 59), -1);
});

test('u64 big-endian and fractional times round', () => {
  const b = new Uint8Array(8);
  putU64(b, 0, 0x010203040506);
  assert.deepEqual([...b], [0, 0, 1, 2, 3, 4, 5, 6]);
  assert.equal(getU64(b, 0), 0x010203040506);
  const buf = new Uint8Array(100);
  writeStamp(buf, STUDY_LAYOUT, 0, 100, 1, 1, 1000.6);
  assert.equal(readTimeNs(buf, STUDY_LAYOUT, 0, 100), 1001);
});

test('monoNs matches process.hrtime and run ids are nonzero', () => {
  const a = monoNs();
  const h = Number(process.hrtime.bigint());
  const b = monoNs();
  assert.ok(b >= a);
  // Same clock: within 1 ms (generous, no timing claim beyond "same epoch").
  assert.ok(Math.abs(h - (a + b) / 2) < 1e6, `${h} vs ${a}`);
  for (let i = 0; i < 100; i++) assert.notEqual(newRunId(), 0);
});
