// Pass `foldConstants`: evaluates IR operators whose operands are all constants, with P4's
// wrap-around, saturation and sign rules (check/constants.ts), and simplifies casts, slices and
// concatenations of constants. Assumes lowering already replaced named constants by values.
import type { Expr, IrProgram } from '../ir/ir.js';
import type { BitsType } from '../check/types.js';
import { foldBinary, foldConcat, foldSlice } from '../check/constants.js';
import { mapBlocks } from './simplify.js';

function bitsOf(e: Expr): BitsType {
  return { kind: 'bits', width: e.ty.width, signed: e.ty.signed };
}
function val(e: Extract<Expr, { k: 'const' }>): bigint {
  return e.ty.signed ? BigInt.asIntN(e.ty.width, e.value) : e.value;
}

export function foldExpr(e: Expr): Expr {
  switch (e.k) {
    case 'bin': {
      if (e.a.k !== 'const' || e.b.k !== 'const') return e;
      if (e.op === '&&' || e.op === '||') {
        const a = e.a.value !== 0n;
        const b = e.b.value !== 0n;
        return { k: 'const', ty: e.ty, value: (e.op === '&&' ? a && b : a || b) ? 1n : 0n };
      }
      const r = foldBinary(e.op, val(e.a), val(e.b), e.ty.bool ? bitsOf(e.a) : bitsOf(e));
      if (typeof r === 'boolean') return { k: 'const', ty: e.ty, value: r ? 1n : 0n };
      if (typeof r === 'bigint') return { k: 'const', ty: e.ty, value: BigInt.asUintN(e.ty.width, r) };
      return e;
    }
    case 'un':
      if (e.a.k !== 'const') return e;
      if (e.op === '!') return { k: 'const', ty: e.ty, value: e.a.value === 0n ? 1n : 0n };
      if (e.op === '~') return { k: 'const', ty: e.ty, value: BigInt.asUintN(e.ty.width, ~e.a.value) };
      return { k: 'const', ty: e.ty, value: BigInt.asUintN(e.ty.width, -e.a.value) };
    case 'cast':
      if (e.a.k !== 'const') return e;
      if (e.ty.bool) return { k: 'const', ty: e.ty, value: e.a.value !== 0n ? 1n : 0n };
      return { k: 'const', ty: e.ty, value: BigInt.asUintN(e.ty.width, val(e.a)) };
    case 'slice':
      if (e.a.k !== 'const') return e;
      return { k: 'const', ty: e.ty, value: foldSlice(e.a.value, e.hi, e.lo) };
    case 'concat':
      if (e.a.k !== 'const' || e.b.k !== 'const') return e;
      return { k: 'const', ty: e.ty, value: BigInt.asUintN(e.ty.width, foldConcat(e.a.value, e.b.value, e.b.ty.width, bitsOf(e))) };
    case 'cond':
      if (e.c.k !== 'const') return e;
      return e.c.value !== 0n ? e.a : e.b;
    default: return e;
  }
}

export function foldConstants(ir: IrProgram): IrProgram {
  return mapBlocks(ir, { expr: foldExpr });
}
