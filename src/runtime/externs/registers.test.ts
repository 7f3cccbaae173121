import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RegisterArray } from './registers.js';

test('narrow registers: masked writes, out-of-range reads keep the destination', () => {
  const r = new RegisterArray(4, 17);
  r.write32(2, 0x3ffff);
  assert.equal(r.read32(2, 99), 0x1ffff);
  assert.equal(r.read32(4, 99), 99);
  assert.equal(r.read32(-1, 7), 7);
  r.write32(4, 5); // ignored
  assert.equal(r.read(2), 0x1ffffn);
  assert.deepEqual(Array.from(r.words), [0, 0, 0x1ffff, 0]);
});

test('32-bit registers hold full unsigned values', () => {
  const r = new RegisterArray(1, 32);
  r.write32(0, 0xdeadbeef);
  assert.equal(r.read32(0, 0), 0xdeadbeef);
  r.write32(0, -1);
  assert.equal(r.read32(0, 0), 0xffffffff);
});

test('wide registers: words least significant first', () => {
  const r = new RegisterArray(3, 72);
  assert.equal(r.stride, 3);
  assert.equal(r.write(1, 0xab_0123456789abcdefn).ok, true);
  assert.equal(r.read(1), 0xab0123456789abcdefn);
  assert.deepEqual(Array.from(r.words.subarray(3, 6)), [0x89abcdef, 0x01234567, 0xab]);
  const dst = new Uint32Array(4).fill(7);
  assert.equal(r.readWords(1, dst, 1), true);
  assert.deepEqual(Array.from(dst), [7, 0x89abcdef, 0x01234567, 0xab]);
  assert.equal(r.readWords(3, dst, 0), false);
  assert.equal(dst[0], 7);
  r.writeWords(2, [1, 2, 0xfff], 0);
  assert.equal(r.read(2), (0xffn << 64n) | (2n << 32n) | 1n);
  r.writeWords(3, [1, 2, 3], 0); // ignored
});

test('control plane writes are checked; reset clears', () => {
  const r = new RegisterArray(2, 8);
  assert.equal(r.write(0, 255n).ok, true);
  assert.equal(r.write(0, 256n).ok, false);
  assert.equal(r.read(0), 255n);
  assert.equal(r.write(1, -1n).ok, true);
  assert.equal(r.read(1), 255n);
  assert.equal(r.write(1, -129n).ok, false);
  assert.equal(r.write(2, 1n).ok, false);
  assert.equal(r.readEntry(2).ok, false);
  assert.deepEqual(r.readEntry(0), { ok: true, value: 255n });
  r.reset();
  assert.equal(r.read(0), 0n);
  assert.equal(r.read(1), 0n);
});

test('64-bit values round-trip through the control plane', () => {
  const r = new RegisterArray(1, 64);
  assert.equal(r.write(0, 0xffffffffffffffffn).ok, true);
  assert.equal(r.read(0), 0xffffffffffffffffn);
  assert.equal(r.write(0, 1n << 64n).ok, false);
});
