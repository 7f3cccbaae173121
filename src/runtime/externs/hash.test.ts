import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CrcEngine, HashAlgorithm, Hasher, computeHash, computeHashBig, crc16, crc32, csum16, hashAlgorithmId,
  hashWithBase, identity32, identityBig, reflectBits, serializeFields, serializeFieldsBig, writeBits, xor16,
  finishBits, serializedLength,
} from './hash.js';
import { Random } from './random.js';

const check = new TextEncoder().encode('123456789');
const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)));

/** Bit-at-a-time CRC straight from the Rocksoft model definition, as an independent reference. */
function slowCrc(width: number, poly: number, init: number, xorOut: number, refIn: boolean, refOut: boolean, data: Uint8Array): number {
  const W = BigInt(width);
  const top = 1n << (W - 1n);
  const mask = (1n << W) - 1n;
  let r = BigInt(init);
  for (const byte of data) {
    const b = refIn ? reflectBits(byte, 8) : byte;
    for (let k = 7; k >= 0; k--) {
      const bit = BigInt((b >> k) & 1);
      const msb = (r & top) !== 0n ? 1n : 0n;
      r = (r << 1n) & mask;
      if ((msb ^ bit) === 1n) r ^= BigInt(poly);
    }
  }
  let out = Number(r);
  if (refOut) out = reflectBits(out, width);
  return Number((BigInt(out) ^ BigInt(xorOut)) & mask);
}

test('crc16 is CRC-16/ARC and crc32 is CRC-32 (catalogue check values)', () => {
  assert.equal(crc16(check, 0, check.length), 0xbb3d);
  assert.equal(crc32(check, 0, check.length), 0xcbf43926);
  assert.equal(computeHash(HashAlgorithm.crc16, check, 9), 0xbb3d);
  assert.equal(computeHash(HashAlgorithm.crc32, check, 9), 0xcbf43926);
  assert.equal(crc16(check, 0, 0), 0);
  assert.equal(crc32(check, 0, 0), 0);
  // Default custom CRCs equal the fixed ones.
  assert.equal(computeHash(HashAlgorithm.crc16_custom, check, 9), 0xbb3d);
  assert.equal(computeHash(HashAlgorithm.crc32_custom, check, 9), 0xcbf43926);
});

test('custom CRC parameters reproduce catalogue CRCs', () => {
  const cases: [16 | 32, number, number, number, boolean, boolean, number][] = [
    [16, 0x8005, 0xffff, 0, true, true, 0x4b37], // MODBUS
    [16, 0x1021, 0, 0, false, false, 0x31c3], // XMODEM
    [16, 0x1021, 0xffff, 0, false, false, 0x29b1], // IBM-3740 (CCITT-FALSE)
    [16, 0x1021, 0, 0, true, true, 0x2189], // KERMIT
    [16, 0x8005, 0, 0, false, false, 0xfee8], // UMTS (BUYPASS)
    [32, 0x04c11db7, 0xffffffff, 0xffffffff, false, false, 0xfc891918], // BZIP2
    [32, 0x1edc6f41, 0xffffffff, 0xffffffff, true, true, 0xe3069283], // CRC-32C
    [32, 0x04c11db7, 0xffffffff, 0, false, false, 0x0376e6e7], // MPEG-2
  ];
  for (const [w, polynomial, init, xorOut, reflectIn, reflectOut, want] of cases) {
    const e = new CrcEngine(w);
    assert.equal(e.setParameters({ polynomial, init, xorOut, reflectIn, reflectOut }).ok, true);
    assert.equal(e.compute(check, 0, 9), want, `poly ${polynomial.toString(16)} init ${init.toString(16)}`);
  }
});

test('custom CRCs match a bitwise reference for random parameters, mixed reflection included', () => {
  const rng = new Random(7);
  for (let n = 0; n < 200; n++) {
    const w: 16 | 32 = n % 2 === 0 ? 16 : 32;
    const m = w === 16 ? 0xffff : 0xffffffff;
    const polynomial = rng.next32() & m, init = rng.next32() & m, xorOut = rng.next32() & m;
    const reflectIn = (rng.next32() & 1) === 1, reflectOut = (rng.next32() & 1) === 1;
    const data = new Uint8Array(rng.randomInRange(0, 40));
    for (let i = 0; i < data.length; i++) data[i] = rng.next32() & 0xff;
    const e = new CrcEngine(w, { polynomial, init, xorOut, reflectIn, reflectOut });
    assert.equal(e.compute(data, 0, data.length), slowCrc(w, polynomial, init, xorOut, reflectIn, reflectOut, data) >>> 0);
  }
});

test('setParameters refuses values that do not fit and keeps the old ones', () => {
  const h = new Hasher(HashAlgorithm.crc16_custom);
  assert.equal(h.crc!.setParameters({ polynomial: 0x18005, init: 0, xorOut: 0, reflectIn: true, reflectOut: true }).ok, false);
  assert.equal(h.compute(check, 9), 0xbb3d);
  assert.equal(h.crc!.setParameters({ polynomial: 0x1021, init: 0, xorOut: 0, reflectIn: false, reflectOut: false }).ok, true);
  assert.equal(h.compute(check, 9), 0x31c3);
  // Other calculations keep their own parameters.
  assert.equal(computeHash(HashAlgorithm.crc16_custom, check, 9), 0xbb3d);
});

test('csum16 is the Internet checksum', () => {
  const ip = hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7');
  assert.equal(csum16(ip, 0, ip.length), 0xb861);
  ip[10] = 0xb8; ip[11] = 0x61;
  assert.equal(csum16(ip, 0, ip.length), 0);
  // Odd length: the last byte is padded with a zero byte.
  assert.equal(csum16(hex('0102 03'), 0, 3), ~(0x0102 + 0x0300) & 0xffff);
  assert.equal(csum16(new Uint8Array(4), 0, 4), 0xffff);
  assert.equal(computeHash(HashAlgorithm.csum16, hex('ffff'), 2), 0);
  // Carries wrap around.
  assert.equal(csum16(hex('ffff 0001'), 0, 4), ~0x0001 & 0xffff);
});

test('xor16 XORs big-endian words, zero-padding an odd tail', () => {
  assert.equal(xor16(hex('1234 5678 9a'), 0, 5), 0x1234 ^ 0x5678 ^ 0x9a00);
  assert.equal(computeHash(HashAlgorithm.xor16, hex('abcd abcd'), 4), 0);
  assert.equal(xor16(hex(''), 0, 0), 0);
});

test('identity reads at most the first 8 bytes, big-endian', () => {
  assert.equal(identity32(hex('010203'), 0, 3), 0x010203);
  assert.equal(identityBig(hex('0102030405060708090a'), 0, 10), 0x0102030405060708n);
  assert.equal(identity32(hex('0102030405060708090a'), 0, 10), 0x05060708);
  assert.equal(computeHashBig(HashAlgorithm.identity, hex('c0a80001c0a800c7'), 8), 0xc0a80001c0a800c7n);
  assert.equal(computeHash(HashAlgorithm.identity, hex('c0a80001'), 4), 0xc0a80001);
});

test('hash(): base + H % max, base when max is 0, exact for 64-bit identity', () => {
  assert.equal(hashWithBase(HashAlgorithm.crc16, check, 9, 10, 100), 10 + (0xbb3d % 100));
  assert.equal(hashWithBase(HashAlgorithm.crc16, check, 9, 7, 0), 7);
  assert.equal(hashWithBase(HashAlgorithm.crc32, check, 9, 0, 0xffffffff), 0xcbf43926 % 0xffffffff);
  const data = hex('fedcba9876543210');
  const h = new Hasher(HashAlgorithm.identity);
  for (const max of [1, 3, 1000, 65537, 0x7fffffff, 0xfffffffb]) {
    assert.equal(h.withBase(data, 8, 5, max), Number(5n + (0xfedcba9876543210n % BigInt(max))), `max ${max}`);
  }
  assert.equal(h.withBaseBig(data, 8, 1n, 2n ** 40n), 1n + (0xfedcba9876543210n % 2n ** 40n));
});

test('random algorithm draws from the given generator', () => {
  const a = new Hasher(HashAlgorithm.random, new Random(3));
  const b = new Hasher(HashAlgorithm.random, new Random(3));
  const xs = [a.compute(check, 9), a.compute(check, 9)];
  assert.deepEqual([b.compute(check, 9), b.compute(check, 9)], xs);
  assert.notEqual(xs[0], xs[1]);
});

test('algorithm names follow our v1model enum order', () => {
  assert.equal(hashAlgorithmId('crc32'), 0);
  assert.equal(hashAlgorithmId('crc16'), 2);
  assert.equal(hashAlgorithmId('xor16'), 7);
  assert.equal(hashAlgorithmId('nope'), -1);
});

test('serializeFields packs bits back to back, MSB first, zero-padded to a byte', () => {
  const out = new Uint8Array(16).fill(0xee);
  assert.equal(serializeFields([4, 4, 8], [4, 5, 0x11], out), 2);
  assert.deepEqual(out.subarray(0, 2), hex('4511'));
  out.fill(0xff);
  assert.equal(serializeFields([3, 6], [0b101, 0b110011], out), 2);
  assert.deepEqual(out.subarray(0, 2), Uint8Array.of(0b10111001, 0b10000000));
  // A 48-bit field: words least significant first.
  out.fill(0);
  assert.equal(serializeFields([48], [0x33445566, 0x1122], out), 6);
  assert.deepEqual(out.subarray(0, 6), hex('112233445566'));
  // 1 + 48 + 7 bits: everything shifted by one bit.
  assert.equal(serializeFields([1, 48, 7], [1, 0x33445566, 0x1122, 0x7f], out), 7);
  assert.deepEqual(out.subarray(0, 7), hex('88 91 19 a2 2a b3 7f'));
  // Bits above a field's width are ignored.
  assert.equal(serializeFields([4, 4], [0xf1, 0xf2], out), 1);
  assert.equal(out[0], 0x12);
  assert.equal(serializedLength([1, 48, 7]), 7);
  assert.equal(serializedLength([3]), 1);
});

test('serializeFields agrees with the bigint form on random field lists', () => {
  const rng = new Random(11);
  const a = new Uint8Array(64), b = new Uint8Array(64);
  for (let n = 0; n < 300; n++) {
    const widths: number[] = [], words: number[] = [], bigs: bigint[] = [];
    const count = rng.randomInRange(1, 6);
    for (let k = 0; k < count; k++) {
      const w = rng.randomInRange(1, 80);
      widths.push(w);
      let v = 0n;
      const nw = w <= 32 ? 1 : (w + 31) >>> 5;
      for (let j = 0; j < nw; j++) {
        const word = rng.next32();
        words.push(word);
        v |= BigInt(word) << BigInt(32 * j);
      }
      bigs.push(BigInt.asUintN(w, v));
    }
    a.fill(rng.next32() & 0xff);
    b.fill(0);
    const la = serializeFields(widths, words, a);
    const lb = serializeFieldsBig(widths, bigs, b);
    assert.equal(la, lb);
    assert.deepEqual(a.subarray(0, la), b.subarray(0, lb));
    // The bytes, read as one number, are the concatenation padded on the right.
    const total = widths.reduce((x, y) => x + y, 0);
    let concat = 0n;
    for (let k = 0; k < widths.length; k++) concat = (concat << BigInt(widths[k])) | bigs[k];
    concat <<= BigInt(la * 8 - total);
    let got = 0n;
    for (let i = 0; i < la; i++) got = (got << 8n) | BigInt(a[i]);
    assert.equal(got, concat);
  }
});

test('negative values serialise as two\'s complement; writeBits/finishBits compose', () => {
  const out = new Uint8Array(4);
  assert.equal(serializeFieldsBig([8, 4], [-1n, -2n], out), 2);
  assert.deepEqual(out.subarray(0, 2), hex('ffe0'));
  out.fill(0xff);
  let bit = writeBits(out, 0, 1, 1);
  bit = writeBits(out, bit, 0, 2);
  assert.equal(finishBits(out, bit), 1);
  assert.equal(out[0], 0x80);
});

test('CRC over serialised fields: an IPv4 5-tuple', () => {
  const out = new Uint8Array(16);
  const n = serializeFields([32, 32, 8, 16, 16], [0x0a000001, 0x0a000002, 6, 1234, 80], out);
  assert.equal(n, 13);
  const bytes = out.slice(0, n);
  assert.equal(crc32(out, 0, n), slowCrc(32, 0x04c11db7, 0xffffffff, 0xffffffff, true, true, bytes));
  assert.equal(crc16(out, 0, n), slowCrc(16, 0x8005, 0, 0, true, true, bytes));
});
