// The v1model hash algorithms (hash(), action_selector, verify/update_checksum), byte-exact with
// BMv2's simple_switch, and the rule by which a list of fields becomes the bytes they hash.
// Input: a byte buffer (fields serialised by serializeFields, plus the payload for the
// *_with_payload checksums); output: the hash value H, and `base + H % max` as v1model's hash().
//
// Field-list serialisation (what BMv2 does, and what generated code must follow):
//  - the fields are written in list order, back to back with no alignment, each as its W-bit
//    pattern most significant bit first (int<W> as its two's complement pattern, bool as 1 bit,
//    a varbit field as its current length in bits, a constant as its literal width);
//  - a field of a header that is not valid is left out entirely (no bits at all); metadata is
//    always valid; a whole header in the list counts as its fields, in order;
//  - the total is padded with zero bits at the end up to a byte boundary;
//  - the *_with_payload variants then append the packet's unparsed payload bytes after the
//    padded buffer (in ComputeChecksum: the bytes after the parsed headers).
//
// The algorithms, with H as BMv2 defines it:
//  - crc16: CRC-16/ARC (poly 0x8005, init 0, data and remainder reflected, xor-out 0); check 0xBB3D.
//  - crc32: CRC-32 (poly 0x04C11DB7, init and xor-out 0xFFFFFFFF, reflected); check 0xCBF43926.
//  - crc16_custom / crc32_custom: parameters per calculation, set by set_crc16_parameters /
//    set_crc32_parameters (polynomial, initial remainder, final xor, reflect data, reflect
//    remainder); the initial remainder is in the unreflected register's form (Rocksoft model).
//    Defaults are those of crc16 / crc32.
//  - csum16: the Internet checksum: ~(ones' complement sum of big-endian 16-bit words), an odd
//    last byte padded with a zero byte.
//  - xor16: XOR of the big-endian 16-bit words, an odd last byte padded with a zero byte.
//  - identity: the first min(8, n) bytes read as one big-endian number (up to 64 bits).
//  - random: a value from the runtime's seeded generator (BMv2 has no such calculation).
// v1model hash(result, algo, base, data, max): result = base + (H % max) when max >= 1, else base,
// then truncated to the width of result (the caller truncates).

import type { CommandResult } from '../abi.js';
import { Random } from './random.js';

/** HashAlgorithm members in the order of our v1model.p4's `enum HashAlgorithm`. */
export const HashAlgorithm = {
  crc32: 0,
  crc32_custom: 1,
  crc16: 2,
  crc16_custom: 3,
  random: 4,
  identity: 5,
  csum16: 6,
  xor16: 7,
} as const;
export type HashAlgorithmValue = (typeof HashAlgorithm)[keyof typeof HashAlgorithm];
export const hashAlgorithmNames = [
  'crc32', 'crc32_custom', 'crc16', 'crc16_custom', 'random', 'identity', 'csum16', 'xor16',
] as const;

/** The enum value of an algorithm name (as in ExternInfo.algorithm), or -1 when unknown. */
export function hashAlgorithmId(name: string): number {
  return (hashAlgorithmNames as readonly string[]).indexOf(name);
}

/** Width in bits of H for each algorithm (identity: up to 64, random: 32). */
export function hashOutputWidth(algorithm: number): number {
  switch (algorithm) {
    case HashAlgorithm.crc32: case HashAlgorithm.crc32_custom: case HashAlgorithm.random: return 32;
    case HashAlgorithm.identity: return 64;
    default: return 16;
  }
}

// ---------------------------------------------------------------------------------------
// CRC

/** Reverses the low `n` bits of x (n <= 32); the result is unsigned. */
export function reflectBits(x: number, n: number): number {
  let r = 0;
  for (let i = 0; i < n; i++) {
    r = (r << 1) | (x & 1);
    x >>>= 1;
  }
  return r >>> 0;
}

/** Byte reversal table: REV8[b] is b with its 8 bits in reverse order. */
const REV8 = new Uint8Array(256);
for (let b = 0; b < 256; b++) REV8[b] = reflectBits(b, 8);

export interface CrcParameters {
  readonly polynomial: number;
  readonly init: number;
  readonly xorOut: number;
  readonly reflectIn: boolean;
  readonly reflectOut: boolean;
}

export const CRC16_DEFAULT: CrcParameters = { polynomial: 0x8005, init: 0, xorOut: 0, reflectIn: true, reflectOut: true };
export const CRC32_DEFAULT: CrcParameters = {
  polynomial: 0x04c11db7, init: 0xffffffff, xorOut: 0xffffffff, reflectIn: true, reflectOut: true,
};

/**
 * A table-driven CRC of width 16 or 32 with settable parameters (Rocksoft model). When data and
 * remainder are both reflected it runs the LSB-first form (one lookup a byte); otherwise the
 * MSB-first form BMv2 uses, with input bytes and the final remainder reflected as asked.
 */
export class CrcEngine {
  readonly width: 16 | 32;
  private params: CrcParameters;
  /** Int32 entries so the loops stay in small-integer arithmetic (uint32 values above 2^31 would be doubles). */
  private readonly table = new Int32Array(256);
  /** Register start value in the form the chosen loop uses. */
  private start = 0;
  private lsbFirst = true;
  private refIn = true;
  private refOut = true;
  private xorOut = 0;
  private readonly mask: number;

  constructor(width: 16 | 32, params: CrcParameters = width === 16 ? CRC16_DEFAULT : CRC32_DEFAULT) {
    this.width = width;
    this.mask = width === 32 ? 0xffffffff : 0xffff;
    this.params = params;
    this.build();
  }

  get parameters(): CrcParameters {
    return this.params;
  }

  /** set_crc16_parameters / set_crc32_parameters: refused (and nothing changed) if a value does not fit. */
  setParameters(p: CrcParameters): CommandResult {
    for (const [name, v] of [['polynomial', p.polynomial], ['initial remainder', p.init], ['final xor value', p.xorOut]] as const) {
      if (!Number.isInteger(v) || v < 0 || v > this.mask) {
        return { ok: false, error: `${name} ${v} does not fit in ${this.width} bits` };
      }
    }
    this.params = { ...p };
    this.build();
    return { ok: true, message: '' };
  }

  private build(): void {
    const { polynomial, init, reflectIn, reflectOut } = this.params;
    const w = this.width;
    this.lsbFirst = reflectIn && reflectOut;
    this.refIn = reflectIn;
    this.refOut = reflectOut;
    this.xorOut = this.params.xorOut | 0;
    if (this.lsbFirst) {
      const rpoly = reflectBits(polynomial, w);
      for (let b = 0; b < 256; b++) {
        let c = b;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ rpoly : c >>> 1;
        this.table[b] = c | 0;
      }
      this.start = reflectBits(init, w) | 0;
    } else {
      const top = w === 32 ? 0x80000000 : 0x8000;
      for (let b = 0; b < 256; b++) {
        let r = (b << (w - 8)) >>> 0;
        for (let k = 0; k < 8; k++) r = (r & top ? ((r << 1) ^ polynomial) : r << 1) >>> 0;
        this.table[b] = w === 32 ? r | 0 : r & 0xffff;
      }
      this.start = init | 0;
    }
  }

  /** CRC of data[start, end). */
  compute(data: Uint8Array, start: number, end: number): number {
    const t = this.table;
    let r = this.start;
    if (this.lsbFirst) {
      // Reflected register: shift right, feed the byte at the bottom.
      for (let i = start; i < end; i++) r = t[(r ^ data[i]) & 0xff] ^ (r >>> 8);
      return this.width === 32 ? (r ^ this.xorOut) >>> 0 : (r ^ this.xorOut) & 0xffff;
    }
    const shift = this.width - 8;
    const refIn = this.refIn;
    if (this.width === 32) {
      for (let i = start; i < end; i++) {
        const b = refIn ? REV8[data[i]] : data[i];
        r = t[b ^ (r >>> 24)] ^ (r << 8);
      }
    } else {
      for (let i = start; i < end; i++) {
        const b = refIn ? REV8[data[i]] : data[i];
        r = (t[b ^ (r >>> shift)] ^ (r << 8)) & 0xffff;
      }
    }
    if (this.refOut) r = reflectBits(r, this.width);
    return this.width === 32 ? (r ^ this.xorOut) >>> 0 : (r ^ this.xorOut) & 0xffff;
  }
}

const crc16Engine = new CrcEngine(16, CRC16_DEFAULT);
const crc32Engine = new CrcEngine(32, CRC32_DEFAULT);

/** BMv2 crc16 (CRC-16/ARC) of data[start, end). */
export function crc16(data: Uint8Array, start: number, end: number): number {
  return crc16Engine.compute(data, start, end);
}

/** BMv2 crc32 (CRC-32) of data[start, end). */
export function crc32(data: Uint8Array, start: number, end: number): number {
  return crc32Engine.compute(data, start, end);
}

// ---------------------------------------------------------------------------------------
// Checksums and the simple hashes

/** BMv2 csum16: the Internet checksum (RFC 1071) of data[start, end). */
export function csum16(data: Uint8Array, start: number, end: number): number {
  let sum = 0;
  let i = start;
  for (; i + 1 < end; i += 2) {
    sum += (data[i] << 8) | data[i + 1];
    // Fold early so the sum stays a small integer whatever the length.
    if (sum > 0x7fffffff) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (i < end) sum += data[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** BMv2 xor16: XOR of the big-endian 16-bit words of data[start, end), zero-padded. */
export function xor16(data: Uint8Array, start: number, end: number): number {
  let x = 0;
  let i = start;
  for (; i + 1 < end; i += 2) x ^= (data[i] << 8) | data[i + 1];
  if (i < end) x ^= data[i] << 8;
  return x;
}

/** BMv2 identity, low 32 bits: the first min(8, n) bytes as a big-endian number, mod 2^32. */
export function identity32(data: Uint8Array, start: number, end: number): number {
  const n = Math.min(8, end - start);
  // Only the last four of the (at most eight) bytes land in the low 32 bits.
  let x = 0;
  for (let i = n > 4 ? n - 4 : 0; i < n; i++) x = ((x << 8) | data[start + i]) >>> 0;
  return x;
}

/** BMv2 identity: the first min(8, n) bytes as a big-endian number. */
export function identityBig(data: Uint8Array, start: number, end: number): bigint {
  const n = Math.min(8, end - start);
  let x = 0n;
  for (let i = 0; i < n; i++) x = (x << 8n) | BigInt(data[start + i]);
  return x;
}

// ---------------------------------------------------------------------------------------
// A calculation: one algorithm with its own custom-CRC parameters

/**
 * One hash calculation (a hash() call site, a checksum, an action selector): the algorithm, the
 * CRC parameters when it is crc16_custom / crc32_custom, and the generator for `random`.
 */
export class Hasher {
  readonly algorithm: number;
  /** The settable CRC for crc16_custom / crc32_custom, null otherwise. */
  readonly crc: CrcEngine | null;
  private readonly rng: Random;

  constructor(algorithm: number, rng: Random = defaultHashRandom) {
    this.algorithm = algorithm;
    this.rng = rng;
    this.crc = algorithm === HashAlgorithm.crc16_custom ? new CrcEngine(16)
      : algorithm === HashAlgorithm.crc32_custom ? new CrcEngine(32) : null;
  }

  /** H of data[start, start + byteLength), mod 2^32 (exact for every algorithm but identity over more than 4 bytes). */
  compute(data: Uint8Array, byteLength: number, start = 0): number {
    const end = start + byteLength;
    switch (this.algorithm) {
      case HashAlgorithm.crc32: return crc32Engine.compute(data, start, end);
      case HashAlgorithm.crc16: return crc16Engine.compute(data, start, end);
      case HashAlgorithm.crc32_custom:
      case HashAlgorithm.crc16_custom: return (this.crc as CrcEngine).compute(data, start, end);
      case HashAlgorithm.random: return this.rng.next32();
      case HashAlgorithm.identity: return identity32(data, start, end);
      case HashAlgorithm.csum16: return csum16(data, start, end);
      case HashAlgorithm.xor16: return xor16(data, start, end);
      default: return 0;
    }
  }

  /** H exactly, as a bigint (identity up to 64 bits). */
  computeBig(data: Uint8Array, byteLength: number, start = 0): bigint {
    if (this.algorithm === HashAlgorithm.identity) return identityBig(data, start, start + byteLength);
    return BigInt(this.compute(data, byteLength, start));
  }

  /**
   * v1model hash(): base + (H % max) when max >= 1, else base; base and max are unsigned values
   * of at most 32 bits. The sum is not truncated: the caller masks it to the result's width.
   */
  withBase(data: Uint8Array, byteLength: number, base: number, max: number): number {
    if (max < 1) return base;
    if (this.algorithm === HashAlgorithm.identity && byteLength > 4) {
      // H has up to 64 bits: reduce hi * 2^32 + lo in 16-bit steps so every product stays exact.
      const n = Math.min(8, byteLength);
      let hi = 0;
      for (let i = 0; i < n - 4; i++) hi = hi * 256 + data[i];
      const lo = identity32(data, 0, byteLength);
      let r = hi % max;
      r = (r * 65536 + (lo >>> 16)) % max;
      r = (r * 65536 + (lo & 0xffff)) % max;
      return base + r;
    }
    return base + (this.compute(data, byteLength) % max);
  }

  /** As withBase, for values of any width (bigint; off the hot path). */
  withBaseBig(data: Uint8Array, byteLength: number, base: bigint, max: bigint): bigint {
    if (max < 1n) return base;
    return base + (this.computeBig(data, byteLength) % max);
  }
}

/** Generator behind the `random` algorithm when no other is given; reseed it for `--seed`. */
export const defaultHashRandom = new Random(1);

const defaultHashers: Hasher[] = hashAlgorithmNames.map((_, i) => new Hasher(i));

/** H of data[0, byteLength) with the algorithm's default parameters, mod 2^32 (see Hasher.compute). */
export function computeHash(algorithm: number, data: Uint8Array, byteLength: number): number {
  const h = defaultHashers[algorithm];
  return h === undefined ? 0 : h.compute(data, byteLength);
}

/** H exactly, as a bigint, for outputs wider than 32 bits. */
export function computeHashBig(algorithm: number, data: Uint8Array, byteLength: number): bigint {
  const h = defaultHashers[algorithm];
  return h === undefined ? 0n : h.computeBig(data, byteLength);
}

/** v1model hash() with default parameters: base + H % max, or base when max is 0 (not truncated). */
export function hashWithBase(algorithm: number, data: Uint8Array, byteLength: number, base: number, max: number): number {
  const h = defaultHashers[algorithm];
  return h === undefined ? base : h.withBase(data, byteLength, base, max);
}

// ---------------------------------------------------------------------------------------
// Field-list serialisation (the rule is in the file header)

/**
 * Writes the low `width` bits (0..32) of `value` at bit offset `bit` of `out`, most significant
 * bit first, leaving the neighbouring bits alone. Returns the bit offset after the field.
 */
export function writeBits(out: Uint8Array, bit: number, value: number, width: number): number {
  if ((bit & 7) === 0 && (width & 7) === 0) {
    // Byte-aligned whole bytes: the common case for header fields.
    let byte = bit >>> 3;
    for (let s = width - 8; s >= 0; s -= 8) out[byte++] = (value >>> s) & 0xff;
    return bit + width;
  }
  let left = width;
  while (left > 0) {
    const idx = bit >>> 3;
    const free = 8 - (bit & 7);
    const take = left < free ? left : free;
    const ones = (1 << take) - 1;
    const chunk = (value >>> (left - take)) & ones;
    const shift = free - take;
    out[idx] = (out[idx] & ~(ones << shift)) | (chunk << shift);
    bit += take;
    left -= take;
  }
  return bit;
}

/**
 * Writes a field wider than 32 bits, held as wordsFor(width) uint32 words least significant word
 * first (the ABI's layout) starting at words[offset]. Returns the bit offset after the field.
 */
export function writeWideBits(out: Uint8Array, bit: number, words: ArrayLike<number>, offset: number, width: number): number {
  const n = (width + 31) >>> 5;
  const topBits = width - 32 * (n - 1);
  bit = writeBits(out, bit, words[offset + n - 1], topBits);
  for (let k = n - 2; k >= 0; k--) bit = writeBits(out, bit, words[offset + k], 32);
  return bit;
}

/** Clears the padding bits after `bit` in the last byte; returns the byte length (bits rounded up). */
export function finishBits(out: Uint8Array, bit: number): number {
  const used = bit & 7;
  if (used !== 0) out[bit >>> 3] &= (0xff00 >>> used) & 0xff;
  return (bit + 7) >>> 3;
}

/**
 * Serialises a field list as BMv2 does: `widths[k]` is field k's width; `values` holds the fields
 * in order, a field of up to 32 bits as one number, a wider one as wordsFor(width) words least
 * significant first (a 0-bit field still takes one slot). Leaving out fields of invalid headers
 * is the caller's job. Returns the byte length written to `out`.
 */
export function serializeFields(widths: ArrayLike<number>, values: ArrayLike<number>, out: Uint8Array): number {
  let bit = 0;
  let v = 0;
  for (let k = 0; k < widths.length; k++) {
    const w = widths[k];
    if (w <= 32) {
      bit = writeBits(out, bit, values[v], w);
      v++;
    } else {
      bit = writeWideBits(out, bit, values, v, w);
      v += (w + 31) >>> 5;
    }
  }
  return finishBits(out, bit);
}

/** As serializeFields, with one bigint per field (negative values as two's complement); off the hot path. */
export function serializeFieldsBig(widths: readonly number[], values: readonly bigint[], out: Uint8Array): number {
  let bit = 0;
  for (let k = 0; k < widths.length; k++) {
    const w = widths[k];
    const x = BigInt.asUintN(w, values[k]);
    for (let left = w; left > 0;) {
      const take = left >= 32 ? 32 : left;
      const chunk = Number((x >> BigInt(left - take)) & ((1n << BigInt(take)) - 1n));
      bit = writeBits(out, bit, chunk, take);
      left -= take;
    }
  }
  return finishBits(out, bit);
}

/** Bytes needed to serialise fields of these widths. */
export function serializedLength(widths: ArrayLike<number>): number {
  let bits = 0;
  for (let k = 0; k < widths.length; k++) bits += widths[k];
  return (bits + 7) >>> 3;
}
