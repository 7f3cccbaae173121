// P4 scalar arithmetic on bigints for the reference interpreter: every value is the unsigned bit
// pattern of a bit<W> / int<W> (two's complement) / bool (0 or 1), and every operator is written
// from the P4_16 spec (section "Operations on fixed-width bit types / signed integers") with no
// shortcut: wrap-around, saturation, sign handling and shifts are plain integer mathematics.
// Deliberately independent of runtime/arch/helpers.ts and of the code generator.
import type { BinOp } from '../../compiler/ir/ir.js';

/** A scalar type as the interpreter sees it (the IR's Ty has the same shape). */
export interface VTy {
  readonly width: number;
  readonly signed: boolean;
  readonly bool: boolean;
}

/** 2^w - 1. */
export function maskOf(w: number): bigint {
  return w <= 0 ? 0n : (1n << BigInt(w)) - 1n;
}

/** Reduces any integer to the unsigned W-bit pattern (arithmetic modulo 2^W). */
export function wrap(v: bigint, w: number): bigint {
  return w <= 0 ? 0n : BigInt.asUintN(w, v);
}

/** The integer a W-bit pattern stands for under type t (signed: two's complement). */
export function toInt(v: bigint, t: VTy): bigint {
  if (t.bool) return v === 0n ? 0n : 1n;
  return t.signed ? BigInt.asIntN(t.width, v) : wrap(v, t.width);
}

/** The pattern of integer x in type t: wrap-around (spec: bit<W> and int<W> arithmetic is modulo 2^W). */
export function fromInt(x: bigint, t: VTy): bigint {
  if (t.bool) return x === 0n ? 0n : 1n;
  return wrap(x, t.width);
}

/** Clamps x to the range of t (saturating arithmetic, `|+|` and `|-|`). */
export function saturate(x: bigint, t: VTy): bigint {
  const W = BigInt(t.width);
  const lo = t.signed ? -(1n << (W - 1n)) : 0n;
  const hi = t.signed ? (1n << (W - 1n)) - 1n : (1n << W) - 1n;
  return fromInt(x < lo ? lo : x > hi ? hi : x, t);
}

/** Truncating integer division toward zero (BigInt's `/` already truncates). */
function divTrunc(a: bigint, b: bigint): bigint {
  return a / b;
}

/**
 * A binary operator. `rt` is the result type, `at` the (left) operand type (they differ for the
 * comparisons, whose result is bool). Division or modulo by zero is undefined in P4; we give 0.
 */
export function binary(op: BinOp, a: bigint, b: bigint, rt: VTy, at: VTy, bt: VTy): bigint {
  switch (op) {
    case '+': return fromInt(toInt(a, rt) + toInt(b, rt), rt);
    case '-': return fromInt(toInt(a, rt) - toInt(b, rt), rt);
    case '*': return fromInt(toInt(a, rt) * toInt(b, rt), rt);
    case '/': {
      const y = toInt(b, rt);
      return y === 0n ? 0n : fromInt(divTrunc(toInt(a, rt), y), rt);
    }
    case '%': {
      const y = toInt(b, rt);
      return y === 0n ? 0n : fromInt(toInt(a, rt) % y, rt);
    }
    case '|+|': return saturate(toInt(a, rt) + toInt(b, rt), rt);
    case '|-|': return saturate(toInt(a, rt) - toInt(b, rt), rt);
    case '<<': {
      // The shift amount is an unsigned number; shifting by W or more gives 0.
      const n = toInt(b, { ...bt, signed: false });
      if (n >= BigInt(rt.width)) return 0n;
      return fromInt(toInt(a, rt) << n, rt);
    }
    case '>>': {
      // Logical for bit<W>, arithmetic for int<W> (sign bits shifted in).
      const n = toInt(b, { ...bt, signed: false });
      const x = toInt(a, rt);
      if (n >= BigInt(rt.width)) return fromInt(rt.signed && x < 0n ? -1n : 0n, rt);
      return fromInt(x >> n, rt);
    }
    case '&': return wrap(a & b, rt.width);
    case '|': return wrap(a | b, rt.width);
    case '^': return wrap(a ^ b, rt.width);
    case '==': return toInt(a, at) === toInt(b, bt) ? 1n : 0n;
    case '!=': return toInt(a, at) !== toInt(b, bt) ? 1n : 0n;
    case '<': return toInt(a, at) < toInt(b, at) ? 1n : 0n;
    case '<=': return toInt(a, at) <= toInt(b, at) ? 1n : 0n;
    case '>': return toInt(a, at) > toInt(b, at) ? 1n : 0n;
    case '>=': return toInt(a, at) >= toInt(b, at) ? 1n : 0n;
    case '&&': return a !== 0n && b !== 0n ? 1n : 0n;
    case '||': return a !== 0n || b !== 0n ? 1n : 0n;
  }
}

/** Unary operators: `!` on bool, `~` bitwise complement, `neg` two's complement negation. */
export function unary(op: '!' | '~' | 'neg', a: bigint, t: VTy): bigint {
  switch (op) {
    case '!': return a === 0n ? 1n : 0n;
    case '~': return wrap(~a, t.width);
    case 'neg': return fromInt(-toInt(a, t), t);
  }
}

/**
 * Casts (spec 8.11.1): to bool, `v != 0`; from bool, 0 or 1; between widths, the source's integer
 * value (sign-extended when the source is signed) reduced modulo 2^W of the target. This covers
 * bit<W>->bit<X> (zero-extend / truncate), int<W>->int<X> (sign-extend / truncate) and the
 * same-width reinterpretations bit<W><->int<W>.
 */
export function cast(a: bigint, from: VTy, to: VTy): bigint {
  if (to.bool) return a === 0n ? 0n : 1n;
  if (from.bool) return a === 0n ? 0n : 1n;
  return wrap(toInt(a, from), to.width);
}

/** Bits [hi:lo] of a (spec 8.6: the result is bit<hi - lo + 1>). */
export function slice(a: bigint, hi: number, lo: number): bigint {
  return (a >> BigInt(lo)) & maskOf(hi - lo + 1);
}

/** a ++ b: a in the high bits, b (of width wb) in the low ones. */
export function concat(a: bigint, b: bigint, wb: number): bigint {
  return (a << BigInt(wb)) | wrap(b, wb);
}

/** Big-endian bits [bit, bit + w) of bytes as an unsigned number; bits beyond the end read as 0. */
export function bitsOf(bytes: Uint8Array, bit: number, w: number): bigint {
  let v = 0n;
  for (let i = 0; i < w; i++) {
    const k = bit + i;
    const byte = k >> 3 < bytes.length ? bytes[k >> 3] : 0;
    v = (v << 1n) | BigInt((byte >> (7 - (k & 7))) & 1);
  }
  return v;
}

/** A growing big-endian bit string (deparser output, hash field lists). */
export class BitWriter {
  private readonly bits: number[] = [];
  get length(): number { return this.bits.length; }
  /** Appends the low w bits of v, most significant first. */
  put(v: bigint, w: number): void {
    for (let i = w - 1; i >= 0; i--) this.bits.push(Number((v >> BigInt(i)) & 1n));
  }
  /** The bytes, the last one padded with zero bits. */
  bytes(): Uint8Array {
    const out = new Uint8Array((this.bits.length + 7) >> 3);
    this.bits.forEach((b, i) => { if (b) out[i >> 3] |= 0x80 >> (i & 7); });
    return out;
  }
}

/** Uint32 words (least significant first) <-> bigint, for the runtime's table keys and action data. */
export function fromWords(words: ArrayLike<number>, at: number, n: number): bigint {
  let v = 0n;
  for (let j = n - 1; j >= 0; j--) v = (v << 32n) | BigInt(words[at + j] >>> 0);
  return v;
}
export function toWords(v: bigint, out: { [i: number]: number }, at: number, n: number): void {
  for (let j = 0; j < n; j++) out[at + j] = Number((v >> BigInt(32 * j)) & 0xffffffffn);
}
export function wordsOf(w: number): number {
  return w <= 32 ? 1 : Math.ceil(w / 32);
}
