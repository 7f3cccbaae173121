// Helpers that generated code receives as its `H` parameter: bit-level packet access off the
// byte-aligned fast paths, varbit fields, and arithmetic on values wider than 32 bits held as
// uint32 words (least significant first) inside the per-packet state. No allocation except in
// the rare wide division / saturation paths, which go through bigint.

/** Bits [bitPos, bitPos + width) of `p` (big-endian, width <= 32) as an unsigned number. */
export function getBits(p: Uint8Array, bitPos: number, width: number): number {
  let v = 0;
  for (let i = 0; i < width; i++) {
    const bit = bitPos + i;
    v = v * 2 + ((p[bit >>> 3] >>> (7 - (bit & 7))) & 1);
  }
  return v;
}

/** Writes the low `width` bits of `v` at bit position `bitPos` of `out` (big-endian). */
export function putBits(out: Uint8Array, bitPos: number, width: number, v: number): void {
  for (let i = width - 1; i >= 0; i--) {
    const bit = bitPos + (width - 1 - i);
    const m = 1 << (7 - (bit & 7));
    const b = Math.floor(v / 2 ** i) & 1;
    if (b) out[bit >>> 3] |= m;
    else out[bit >>> 3] &= ~m;
  }
}

/** Extracts a `bits`-bit value at `bitPos` into words s[off..off+words) (LS word first). */
export function getWide(p: Uint8Array, bitPos: number, bits: number, s: Uint32Array, off: number, words: number): void {
  for (let j = 0; j < words; j++) {
    const lo = 32 * j;
    if (lo >= bits) { s[off + j] = 0; continue; }
    const n = Math.min(32, bits - lo);
    s[off + j] = getBits(p, bitPos + bits - lo - n, n);
  }
}

/** Writes the `bits`-bit value in words s[off..] at bit position `bitPos` of `out`. */
export function putWide(out: Uint8Array, bitPos: number, bits: number, s: Uint32Array, off: number): void {
  for (let j = 0; 32 * j < bits; j++) {
    const lo = 32 * j;
    const n = Math.min(32, bits - lo);
    putBits(out, bitPos + bits - lo - n, n, s[off + j]);
  }
}

function toBig(s: Uint32Array, off: number, n: number): bigint {
  let v = 0n;
  for (let j = n - 1; j >= 0; j--) v = (v << 32n) | BigInt(s[off + j]);
  return v;
}
function fromBig(v: bigint, s: Uint32Array, off: number, n: number, width: number): void {
  let x = BigInt.asUintN(width, v);
  for (let j = 0; j < n; j++) {
    s[off + j] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
}
function maskTop(s: Uint32Array, off: number, n: number, width: number): void {
  const top = width - 32 * (n - 1);
  if (top < 32) s[off + n - 1] &= (2 ** top - 1);
}

export function wadd(s: Uint32Array, d: number, a: number, c: number, n: number, width: number): void {
  let carry = 0;
  for (let j = 0; j < n; j++) {
    const v = s[a + j] + s[c + j] + carry;
    s[d + j] = v >>> 0;
    carry = v > 0xffffffff ? 1 : 0;
  }
  maskTop(s, d, n, width);
}
export function wsub(s: Uint32Array, d: number, a: number, c: number, n: number, width: number): void {
  let borrow = 0;
  for (let j = 0; j < n; j++) {
    const v = s[a + j] - s[c + j] - borrow;
    s[d + j] = v >>> 0;
    borrow = v < 0 ? 1 : 0;
  }
  maskTop(s, d, n, width);
}
export function wneg(s: Uint32Array, d: number, a: number, n: number, width: number): void {
  let borrow = 0;
  for (let j = 0; j < n; j++) {
    const v = 0 - s[a + j] - borrow;
    s[d + j] = v >>> 0;
    borrow = v < 0 ? 1 : 0;
  }
  maskTop(s, d, n, width);
}
export function wshl(s: Uint32Array, d: number, a: number, n: number, width: number, by: number): void {
  if (by >= width) { for (let j = 0; j < n; j++) s[d + j] = 0; return; }
  const ws = by >>> 5;
  const bs = by & 31;
  for (let j = n - 1; j >= 0; j--) {
    const src = j - ws;
    const hi = src >= 0 ? s[a + src] : 0;
    const lo = src - 1 >= 0 ? s[a + src - 1] : 0;
    s[d + j] = bs === 0 ? hi : ((hi << bs) | (lo >>> (32 - bs))) >>> 0;
  }
  maskTop(s, d, n, width);
}
export function wshr(s: Uint32Array, d: number, a: number, n: number, width: number, by: number, signed: boolean): void {
  if (signed) {
    const v = BigInt.asIntN(width, toBig(s, a, n));
    fromBig(v >> BigInt(Math.min(by, width)), s, d, n, width);
    return;
  }
  if (by >= width) { for (let j = 0; j < n; j++) s[d + j] = 0; return; }
  const ws = by >>> 5;
  const bs = by & 31;
  for (let j = 0; j < n; j++) {
    const src = j + ws;
    const lo = src < n ? s[a + src] : 0;
    const hi = src + 1 < n ? s[a + src + 1] : 0;
    s[d + j] = bs === 0 ? lo : ((lo >>> bs) | (hi << (32 - bs))) >>> 0;
  }
}
/** Compares two wide values: -1, 0 or 1. */
export function wcmp(s: Uint32Array, a: number, c: number, n: number, width: number, signed: boolean): number {
  if (signed) {
    const x = BigInt.asIntN(width, toBig(s, a, n));
    const y = BigInt.asIntN(width, toBig(s, c, n));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  for (let j = n - 1; j >= 0; j--) {
    if (s[a + j] !== s[c + j]) return s[a + j] < s[c + j] ? -1 : 1;
  }
  return 0;
}
/** Rare wide operations (multiply, divide, modulo, saturating add/sub) through bigint. */
export function wop(s: Uint32Array, d: number, a: number, c: number, n: number, width: number, signed: boolean, op: string): void {
  const rd = (o: number): bigint => (signed ? BigInt.asIntN(width, toBig(s, o, n)) : toBig(s, o, n));
  const x = rd(a);
  const y = rd(c);
  let r: bigint;
  const max = signed ? (1n << BigInt(width - 1)) - 1n : (1n << BigInt(width)) - 1n;
  const min = signed ? -(1n << BigInt(width - 1)) : 0n;
  switch (op) {
    case '*': r = x * y; break;
    case '/': r = y === 0n ? 0n : x / y; break;
    case '%': r = y === 0n ? 0n : x % y; break;
    case '|+|': r = x + y; r = r > max ? max : r < min ? min : r; break;
    case '|-|': r = x - y; r = r > max ? max : r < min ? min : r; break;
    default: r = 0n;
  }
  fromBig(r, s, d, n, width);
}
/** Sign- or zero-extends / truncates a value of `fromWidth` bits at `a` into `n` words of `width` bits at `d`. */
export function wcast(s: Uint32Array, d: number, a: number, an: number, fromWidth: number, fromSigned: boolean, n: number, width: number): void {
  let v = toBig(s, a, an);
  if (fromSigned) v = BigInt.asIntN(fromWidth, v);
  fromBig(v, s, d, n, width);
}

export const helpers = { getBits, putBits, getWide, putWide, wadd, wsub, wneg, wshl, wshr, wcmp, wop, wcast };
export type Helpers = typeof helpers;
