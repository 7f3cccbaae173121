// Known-vector tests of the built-in enclave modules, called directly (no gate): study-xor's crypt
// (the study's STF vectors), control lines and sealed-state round trips; monitor's count-min
// verdicts, thresholds, aggregate-only stats and reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import studyXor from './study-xor.js';
import monitor from './monitor.js';

function crypt(inst: ReturnType<typeof studyXor.create>, values: number[]): number[] {
  const inb = new Uint8Array(4 * values.length);
  const dv = new DataView(inb.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v));
  const out = new Uint8Array(4 * values.length + 3);
  inst.invoke(0, inb, 0, out, 3, values.length);
  const ov = new DataView(out.buffer);
  return values.map((_, i) => ov.getUint32(3 + 4 * i));
}

test('study-xor: decrypt, +1, encrypt with the key (study vectors)', () => {
  const m = studyXor.create(null);
  assert.equal(m.control('set_key 0x5A5AA5A5'), 'ok');
  assert.deepEqual(crypt(m, [0xa5a55a5a, 0x5a5aa58c]), [0x5a5aa5a5, 0x5a5aa58f]);
  const plain = studyXor.create(null);
  assert.deepEqual(crypt(plain, [0, 41, 0xffffffff]), [1, 42, 0]);
  assert.match(m.control('stats'), /^records 2 key set/);
  assert.doesNotMatch(m.control('stats'), /5a5a/i, 'stats never reveal the key');
});

test('study-xor: control refusals and state round trip', () => {
  const m = studyXor.create(null);
  assert.match(m.control('set_key'), /^error: /);
  assert.match(m.control('set_key 0x123456789'), /^error: /);
  assert.match(m.control('frobnicate'), /^error: /);
  m.control('set_key 0x01020304');
  const again = studyXor.create(m.exportState());
  assert.deepEqual(crypt(again, [0x01020304 ^ 9]), [0x01020304 ^ 10]);
  assert.throws(() => studyXor.create(new Uint8Array(3)));
});

function check(inst: ReturnType<typeof monitor.create>, recs: [number, number][]): number[] {
  const inb = new Uint8Array(6 * recs.length);
  const dv = new DataView(inb.buffer);
  recs.forEach(([a, b], i) => {
    dv.setUint32(6 * i, a);
    dv.setUint16(6 * i + 4, b);
  });
  const out = new Uint8Array(recs.length);
  inst.invoke(0, inb, 0, out, 0, recs.length);
  return Array.from(out);
}

const A = 0x0a000001;
const B = 0x0a000002;

test('monitor: blocks a heavy hitter above the packet threshold, allows others', () => {
  const m = monitor.create(null);
  assert.equal(m.control('set_threshold 3'), 'ok');
  const v = check(m, [[A, 100], [B, 100], [A, 100], [A, 100], [A, 100], [B, 100], [A, 100]]);
  assert.deepEqual(v, [0, 0, 0, 0, 1, 0, 1]);
  const s = m.control('stats');
  assert.match(s, /^packets 7 bytes 700 blocked 2 heavy_hitters 1 threshold 3 /);
  assert.doesNotMatch(s, /10\.0\.0|167772161|a000001/i, 'stats carry no per-source data');
});

test('monitor: byte threshold, reset, state round trip', () => {
  const m = monitor.create(null);
  m.control('set_threshold 1000000');
  assert.equal(m.control('set_byte_threshold 1000'), 'ok');
  assert.deepEqual(check(m, [[A, 400], [A, 400], [A, 400], [B, 400]]), [0, 0, 1, 0]);
  const copy = monitor.create(m.exportState());
  assert.deepEqual(check(copy, [[A, 1], [B, 1]]), [1, 0]);
  assert.equal(m.control('reset'), 'ok');
  assert.match(m.control('stats'), /^packets 0 bytes 0 blocked 0 heavy_hitters 0 threshold 1000000 byte_threshold 1000/);
  assert.deepEqual(check(m, [[A, 400]]), [0]);
  assert.match(m.control('set_threshold 0'), /^error: /);
  assert.match(m.control('set_threshold x'), /^error: /);
  assert.throws(() => monitor.create(new Uint8Array(10)));
});
