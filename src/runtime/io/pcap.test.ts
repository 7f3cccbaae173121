import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LINKTYPE_ETHERNET, readPcap, writePcap } from './pcap.js';

const pkts = [
  { sec: 1700000000, nsec: 123456789, data: new Uint8Array([1, 2, 3]) },
  { sec: 1700000001, nsec: 5000, data: new Uint8Array(60).fill(0xab) },
];

test('microsecond round trip (timestamps truncated to microseconds)', () => {
  const f = writePcap(pkts);
  assert.equal(f.length, 24 + 16 + 3 + 16 + 60);
  const r = readPcap(f);
  assert.ok(r.ok);
  assert.equal(r.linkType, LINKTYPE_ETHERNET);
  assert.equal(r.nanosecond, false);
  assert.equal(r.truncated, false);
  assert.deepEqual(r.records.map((p) => [p.sec, p.nsec, [...p.data], p.origLen]), [
    [1700000000, 123456000, [1, 2, 3], 3],
    [1700000001, 5000, [...pkts[1]!.data], 60],
  ]);
});

test('nanosecond round trip', () => {
  const r = readPcap(writePcap(pkts, { nanosecond: true }));
  assert.ok(r.ok && r.nanosecond);
  assert.equal(r.records[0]!.nsec, 123456789);
});

test('big-endian files are read', () => {
  const be = new Uint8Array(24 + 16 + 2);
  const v = new DataView(be.buffer);
  v.setUint32(0, 0xa1b2c3d4, false);
  v.setUint16(4, 2, false);
  v.setUint16(6, 4, false);
  v.setUint32(16, 65535, false);
  v.setUint32(20, 1, false);
  v.setUint32(24, 10, false);
  v.setUint32(28, 7, false);
  v.setUint32(32, 2, false);
  v.setUint32(36, 2, false);
  be[40] = 0xde;
  be[41] = 0xad;
  const r = readPcap(be);
  assert.ok(r.ok);
  assert.equal(r.snaplen, 65535);
  assert.deepEqual(r.records.map((p) => [p.sec, p.nsec, [...p.data]]), [[10, 7000, [0xde, 0xad]]]);
});

test('bad and truncated files', () => {
  const bad = readPcap(new Uint8Array(30));
  assert.ok(!bad.ok);
  assert.match(bad.error, /bad magic/);
  assert.ok(!readPcap(new Uint8Array(4)).ok);
  const full = writePcap(pkts);
  const cut = readPcap(full.subarray(0, full.length - 10));
  assert.ok(cut.ok);
  assert.equal(cut.truncated, true);
  assert.equal(cut.records.length, 1);
});
