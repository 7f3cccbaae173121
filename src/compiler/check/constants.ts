// Compile-time values and constant folding. Integers are bigints: `int` values are exact,
// bit<W>/int<W> values wrap around (unsigned: modulo 2^W; signed: two's complement) and the
// saturating operators clamp. The checker records the Value of every compile-time known
// expression in CheckResult.constants.
import type * as ast from '../syntax/ast.js';
import type { BitsType, EnumType, Type } from './types.js';

export type Value =
  | bigint
  | boolean
  | string
  | { readonly kind: 'enumMember'; readonly type: EnumType; readonly member: string }
  | { readonly kind: 'errorMember'; readonly name: string }
  | { readonly kind: 'matchKindMember'; readonly name: string }
  | { readonly kind: 'tuple'; readonly elements: readonly Value[] }
  | { readonly kind: 'struct'; readonly fields: ReadonlyMap<string, Value> };

/** Wraps an integer into the range of bit<W> or int<W>. */
export function wrap(v: bigint, t: BitsType): bigint {
  if (t.width === 0) return 0n;
  const w = BigInt(t.width);
  const mod = 1n << w;
  let r = ((v % mod) + mod) % mod;
  if (t.signed && r >= mod >> 1n) r -= mod;
  return r;
}

/** True when `v` is representable in `t` without change. */
export function fits(v: bigint, t: BitsType): boolean {
  if (t.width === 0) return v === 0n;
  const w = BigInt(t.width);
  if (t.signed) return v >= -(1n << (w - 1n)) && v < 1n << (w - 1n);
  return v >= 0n && v < 1n << w;
}

function minOf(t: BitsType): bigint {
  return t.signed && t.width > 0 ? -(1n << BigInt(t.width - 1)) : 0n;
}
function maxOf(t: BitsType): bigint {
  if (t.width === 0) return 0n;
  return t.signed ? (1n << BigInt(t.width - 1)) - 1n : (1n << BigInt(t.width)) - 1n;
}

export type FoldResult = Value | undefined | 'divisionByZero' | 'negativeShift';

/** Folds a binary operator over two constant operands; `t` is the result type (bits or int). */
export function foldBinary(op: ast.BinaryOperator, a: Value, b: Value, t: Type): FoldResult {
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    switch (op) {
      case '&&': return a && b;
      case '||': return a || b;
      case '==': return a === b;
      case '!=': return a !== b;
      default: return undefined;
    }
  }
  if (typeof a !== 'bigint' || typeof b !== 'bigint') {
    if (op === '==') return valueEquals(a, b);
    if (op === '!=') return !valueEquals(a, b);
    return undefined;
  }
  const bt = t.kind === 'bits' ? t : null;
  const norm = (v: bigint): bigint => (bt !== null ? wrap(v, bt) : v);
  switch (op) {
    case '+': return norm(a + b);
    case '-': return norm(a - b);
    case '*': return norm(a * b);
    case '/':
      if (b === 0n) return 'divisionByZero';
      if (bt === null && (a < 0n || b < 0n)) return undefined;
      return norm(a / b);
    case '%':
      if (b === 0n) return 'divisionByZero';
      if (bt === null && (a < 0n || b < 0n)) return undefined;
      return norm(a % b);
    case '|+|':
      if (bt === null) return a + b;
      return clamp(a + b, bt);
    case '|-|':
      if (bt === null) return a - b;
      return clamp(a - b, bt);
    case '<<':
      if (b < 0n) return 'negativeShift';
      if (bt !== null && b >= BigInt(bt.width)) return 0n;
      if (b > 4096n) return undefined;
      return norm(a << b);
    case '>>':
      if (b < 0n) return 'negativeShift';
      if (b > 4096n) return norm(a < 0n ? -1n : 0n);
      return norm(a >> b);
    case '&': return norm(a & b);
    case '|': return norm(a | b);
    case '^': return norm(a ^ b);
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: return undefined;
  }
}

function clamp(v: bigint, t: BitsType): bigint {
  const lo = minOf(t);
  const hi = maxOf(t);
  return v < lo ? lo : v > hi ? hi : v;
}

/** Folds a unary operator; `t` is the result type. */
export function foldUnary(op: ast.UnaryOperator, a: Value, t: Type): Value | undefined {
  if (op === '!') return typeof a === 'boolean' ? !a : undefined;
  if (typeof a !== 'bigint') return undefined;
  const bt = t.kind === 'bits' ? t : null;
  switch (op) {
    case '-': return bt !== null ? wrap(-a, bt) : -a;
    case '+': return a;
    case '~': return bt !== null ? wrap(~a, bt) : ~a;
  }
  return undefined;
}

/** `a ++ b` for constants of types bit/int<wa> and bit/int<wb>. */
export function foldConcat(a: bigint, b: bigint, wb: number, t: BitsType): bigint {
  const lowMask = (1n << BigInt(wb)) - 1n;
  return wrap((a << BigInt(wb)) | (b & lowMask), t);
}

/** `v[hi:lo]` of a constant. */
export function foldSlice(v: bigint, hi: number, lo: number): bigint {
  const mask = (1n << BigInt(hi - lo + 1)) - 1n;
  return (v >> BigInt(lo)) & mask;
}

export function valueEquals(a: Value, b: Value): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  switch (a.kind) {
    case 'enumMember': return b.kind === 'enumMember' && a.type === b.type && a.member === b.member;
    case 'errorMember': return b.kind === 'errorMember' && a.name === b.name;
    case 'matchKindMember': return b.kind === 'matchKindMember' && a.name === b.name;
    case 'tuple':
      return b.kind === 'tuple' && a.elements.length === b.elements.length && a.elements.every((x, i) => valueEquals(x, b.elements[i]));
    case 'struct': {
      if (b.kind !== 'struct' || a.fields.size !== b.fields.size) return false;
      for (const [k, v] of a.fields) {
        const w = b.fields.get(k);
        if (w === undefined || !valueEquals(v, w)) return false;
      }
      return true;
    }
  }
}

/** A short printed form for messages. */
export function valueToString(v: Value): string {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  switch (v.kind) {
    case 'enumMember': return `${v.type.name}.${v.member}`;
    case 'errorMember': return `error.${v.name}`;
    case 'matchKindMember': return v.name;
    case 'tuple': return `{${v.elements.map(valueToString).join(', ')}}`;
    case 'struct': return `{${[...v.fields].map(([k, x]) => `${k} = ${valueToString(x)}`).join(', ')}}`;
  }
}

/** A canonical key for duplicate detection (switch labels, entries). */
export function valueKey(v: Value): string {
  return typeof v === 'bigint' ? `i${v}` : valueToString(v);
}
