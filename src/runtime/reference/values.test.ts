// Unit tests of the interpreter's bigint arithmetic against worked examples from the P4_16 spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binary, bitsOf, BitWriter, cast, concat, saturate, slice, toInt, unary, wrap } from './values.js';

const u = (w: number) => ({ width: w, signed: false, bool: false });
const s = (w: number) => ({ width: w, signed: true, bool: false });
const b1 = { width: 1, signed: false, bool: true };

test('wrap-around arithmetic on bit<W> and int<W>', () => {
  assert.equal(binary('+', 250n, 10n, u(8), u(8), u(8)), 4n);
  assert.equal(binary('-', 3n, 5n, u(8), u(8), u(8)), 254n);
  assert.equal(binary('*', 0x10n, 0x10n, u(8), u(8), u(8)), 0n);
  assert.equal(binary('+', 0x7fn, 1n, s(8), s(8), s(8)), 0x80n); // 127 + 1 wraps to -128
  assert.equal(toInt(0x80n, s(8)), -128n);
  assert.equal(unary('neg', 1n, u(8)), 255n);
  assert.equal(unary('~', 0x0fn, u(8)), 0xf0n);
  assert.equal(binary('*', wrap(-3n, 64), 5n, s(64), s(64), s(64)), wrap(-15n, 64));
});

test('saturating operations', () => {
  assert.equal(binary('|+|', 250n, 10n, u(8), u(8), u(8)), 255n);
  assert.equal(binary('|-|', 3n, 5n, u(8), u(8), u(8)), 0n);
  assert.equal(binary('|+|', 0x7fn, 1n, s(8), s(8), s(8)), 0x7fn);
  assert.equal(binary('|-|', 0x80n, 1n, s(8), s(8), s(8)), 0x80n);
  assert.equal(saturate(1000n, u(9)), 511n);
  assert.equal(binary('|+|', wrap(-1n, 128), 1n, s(128), s(128), s(128)), 0n);
});

test('shifts: by W or more gives 0 (or the sign for int<W> >>)', () => {
  assert.equal(binary('<<', 1n, 8n, u(8), u(8), u(8)), 0n);
  assert.equal(binary('<<', 1n, 7n, u(8), u(8), u(8)), 128n);
  assert.equal(binary('>>', 0x80n, 7n, u(8), u(8), u(3)), 1n);
  assert.equal(binary('>>', 0x80n, 3n, s(8), s(8), u(8)), 0xf0n);
  assert.equal(binary('>>', 0x80n, 200n, s(8), s(8), u(8)), 0xffn);
  assert.equal(binary('>>', 0x40n, 200n, s(8), s(8), u(8)), 0n);
  assert.equal(binary('<<', 1n, 100n, u(128), u(128), u(8)), 1n << 100n);
});

test('comparisons use the operand type', () => {
  assert.equal(binary('<', 0xffn, 1n, b1, u(8), u(8)), 0n);
  assert.equal(binary('<', 0xffn, 1n, b1, s(8), s(8)), 1n); // -1 < 1
  assert.equal(binary('>=', 1n << 127n, 0n, b1, s(128), s(128)), 0n);
});

test('casts, slices and concatenation', () => {
  assert.equal(cast(0x80n, s(8), s(16)), 0xff80n); // sign-extend
  assert.equal(cast(0x80n, u(8), u(16)), 0x80n); // zero-extend
  assert.equal(cast(0x1234n, u(16), u(8)), 0x34n); // truncate
  assert.equal(cast(0xffn, u(8), s(8)), 0xffn); // same pattern
  assert.equal(cast(5n, u(8), b1), 1n);
  assert.equal(cast(1n, b1, u(8)), 1n);
  assert.equal(slice(0xabcdn, 11, 4), 0xbcn);
  assert.equal(concat(0xabn, 0xcdn, 8), 0xabcdn);
  assert.equal(concat(0x1n, 0x7fn, 7), 0xffn);
});

test('bit strings of packets', () => {
  const p = Uint8Array.from([0xab, 0xcd, 0xef]);
  assert.equal(bitsOf(p, 4, 12), 0xbcdn);
  assert.equal(bitsOf(p, 20, 8), 0xf0n); // past the end reads as 0
  const w = new BitWriter();
  w.put(0xan, 4);
  w.put(0xbcn, 8);
  w.put(1n, 1);
  assert.deepEqual([...w.bytes()], [0xab, 0xc8]);
});
