// Expression typing: every expression gets a Type (recorded in CheckResult.types) and, when it
// is compile-time known, a Value (CheckResult.constants). Integer literals start as `int` and
// take the type of their context through implicit casts (applyContext). Also: assignability
// (coerce), explicit casts, l-values, keysets. Calls are in calls.ts.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { TypeSym } from './scope.js';
import {
  bits, boolType, dontCareType, errorType, fieldOf, intType, isBits, sameType, stringType, typeToString,
  unknownType, minWidthOf, widthOf,
} from './types.js';
import type { BitsType, Field, StructLikeType, Type } from './types.js';
import { fits, foldBinary, foldConcat, foldSlice, foldUnary, wrap } from './constants.js';
import type { Value } from './constants.js';
import { checkCall } from './calls.js';
import { checkConstructorCall } from './instantiation.js';
import { resolveType } from './declarations.js';

/** Type-checks an expression in the context of an optional expected type and records the result. */
export function checkExpr(cx: Checker, e: ast.Expression, expected: Type | null): Type {
  const t = exprType(cx, e, expected);
  cx.result.types.set(e, t);
  return t;
}

/** The compile-time value of an already checked expression. */
export function constantOf(cx: Checker, e: ast.Expression): Value | undefined {
  return cx.result.constants.get(e);
}

function setConst(cx: Checker, e: ast.Expression, v: Value | undefined): void {
  if (v !== undefined) cx.result.constants.set(e, v);
}

/** The integer value of a constant (serializable enum members count as their value). */
export function intValue(v: Value | undefined): bigint | undefined {
  if (typeof v === 'bigint') return v;
  if (v !== undefined && typeof v === 'object' && v.kind === 'enumMember') return v.type.values.get(v.member);
  return undefined;
}

/** The arithmetic view of a type: serializable enums act as their underlying type. */
export function numericView(t: Type): Type {
  if (t.kind === 'enum' && t.underlying !== null) return t.underlying;
  return t;
}

function exprType(cx: Checker, e: ast.Expression, expected: Type | null): Type {
  switch (e.kind) {
    case 'IntegerLiteral': {
      if (e.width !== null) {
        const t = bits(e.width, e.signed);
        if (!fits(e.value, t) && !(t.signed && fits(e.value, bits(t.width)))) cx.warn('Truncation', e.span, `value ${e.value} does not fit in ${typeToString(t)}; it is truncated`);
        setConst(cx, e, wrap(e.value, t));
        return t;
      }
      setConst(cx, e, e.value);
      return intType;
    }
    case 'BoolLiteral':
      setConst(cx, e, e.value);
      return boolType;
    case 'StringLiteral':
      setConst(cx, e, e.value);
      return stringType;
    case 'PathExpression':
      return checkPath(cx, e);
    case 'ThisExpression':
      if (cx.ctx.thisType === null) {
        cx.error('NotAllowedHere', e.span, "'this' can only be used in the implementation of an abstract method");
        return unknownType;
      }
      return cx.ctx.thisType;
    case 'DontCareExpression':
    case 'DotsExpression':
      return dontCareType;
    case 'DefaultExpression':
      cx.error('NotAllowedHere', e.span, "'default' can only be used as a keyset or switch label");
      return unknownType;
    case 'MemberExpression':
      return checkMember(cx, e);
    case 'TypeMemberExpression': {
      if (e.type.kind === 'ErrorTypeRef') return typeMember(cx, errorType, e.member, e);
      const t = resolveType(cx, e.type);
      return typeMember(cx, t, e.member, e);
    }
    case 'IndexExpression':
      return checkIndex(cx, e);
    case 'SliceExpression':
      return checkSlice(cx, e);
    case 'UnaryExpression':
      return checkUnary(cx, e);
    case 'BinaryExpression': {
      // A list, struct or {#} operand takes its type from the other operand.
      if (needsContext(e.left) && !needsContext(e.right)) {
        const rt = checkExpr(cx, e.right, null);
        const lt = checkExpr(cx, e.left, rt.kind === 'int' ? null : rt);
        return binaryType(cx, e, e.op, e.left, e.right, lt, rt);
      }
      const lt = checkExpr(cx, e.left, null);
      const rt = checkExpr(cx, e.right, needsContext(e.right) && lt.kind !== 'int' ? lt : null);
      return binaryType(cx, e, e.op, e.left, e.right, lt, rt);
    }
    case 'TernaryExpression':
      return checkTernary(cx, e, expected);
    case 'CastExpression':
      return checkCast(cx, e);
    case 'CallExpression':
      return checkCall(cx, e, expected);
    case 'ConstructorCallExpression':
      return checkConstructorCall(cx, e);
    case 'ListExpression':
      return checkList(cx, e, expected);
    case 'StructExpression':
      return checkStructExpr(cx, e, expected);
    case 'InvalidHeaderExpression': {
      if (expected !== null && (expected.kind === 'header' || expected.kind === 'union' || expected.kind === 'unknown')) return expected;
      cx.error('CannotInferType', e.span, '{#} needs a header or header_union type from its context');
      return unknownType;
    }
    case 'MaskExpression':
    case 'RangeExpression': {
      cx.error('NotAllowedHere', e.span, `'${e.kind === 'MaskExpression' ? '&&&' : '..'}' can only be used in keysets`);
      return unknownType;
    }
    case 'ErrorExpression':
      return unknownType;
  }
}

function needsContext(e: ast.Expression): boolean {
  return e.kind === 'ListExpression' || e.kind === 'StructExpression' || e.kind === 'InvalidHeaderExpression';
}

// ---------------------------------------------------------------------------------------
// Names and members

function checkPath(cx: Checker, e: ast.PathExpression): Type {
  const name = e.name.name;
  const syms = cx.lookupValues(name, e.global);
  if (syms === undefined) {
    const ts = cx.lookupType(name, e.global);
    if (ts !== undefined) cx.error('NotAValue', e.name.span, `'${name}' is a type, not a value`);
    else if (name === 'accept' || name === 'reject') cx.error('NotAValue', e.name.span, `'${name}' is a parser state, not a value`);
    else cx.error('UndeclaredName', e.name.span, `undeclared name '${name}'`);
    return unknownType;
  }
  const sym = syms[0];
  cx.result.refs.set(e, sym);
  setConst(cx, e, sym.value);
  return sym.type;
}

/** When `e` names a type (and no value of that name is closer), its type symbol. */
export function typeNamed(cx: Checker, e: ast.Expression): TypeSym | null {
  if (e.kind !== 'PathExpression') return null;
  const name = e.name.name;
  if (cx.valueIsCloser(name, e.global)) return null;
  const ts = cx.lookupType(name, e.global);
  if (ts === undefined) return null;
  cx.result.refs.set(e, ts);
  return ts;
}

function checkMember(cx: Checker, e: ast.MemberExpression): Type {
  if (e.object.kind === 'PathExpression' && e.object.name.name === 'error' && cx.lookupValues('error', e.object.global) === undefined) {
    return typeMember(cx, errorType, e.member, e);
  }
  const ts = typeNamed(cx, e.object);
  if (ts !== null) {
    cx.result.types.set(e.object, ts.type);
    return typeMember(cx, ts.type, e.member, e);
  }
  const ot = checkExpr(cx, e.object, null);
  return memberOf(cx, e, ot);
}

/** `Type.member`: enum members and errors. */
export function typeMember(cx: Checker, t: Type, member: ast.Ident, e: ast.Expression): Type {
  const name = member.name;
  if (t.kind === 'enum') {
    if (!t.members.includes(name)) {
      cx.error('UnknownMember', member.span, `enum ${t.name} has no member '${name}'`);
      return unknownType;
    }
    setConst(cx, e, { kind: 'enumMember', type: t, member: name });
    return t;
  }
  if (t.kind === 'error') {
    if (!cx.errorMembers.has(name)) {
      cx.error('UnknownMember', member.span, `error '${name}' is not declared`);
      return unknownType;
    }
    setConst(cx, e, { kind: 'errorMember', name });
    return errorType;
  }
  if (t.kind === 'unknown') return unknownType;
  cx.error('UnknownMember', member.span, `type ${typeToString(t)} has no member '${name}'`);
  return unknownType;
}

const headerMethods = new Set(['isValid', 'setValid', 'setInvalid']);
const sizeMethods = new Set(['minSizeInBits', 'minSizeInBytes', 'maxSizeInBits', 'maxSizeInBytes']);

function memberOf(cx: Checker, e: ast.MemberExpression, ot: Type): Type {
  const name = e.member.name;
  switch (ot.kind) {
    case 'header': case 'struct': case 'union': {
      const f = fieldOf(ot, name);
      if (f !== undefined) {
        const v = cx.result.constants.get(e.object);
        if (v !== undefined && typeof v === 'object' && v.kind === 'struct') setConst(cx, e, v.fields.get(name));
        return f.type;
      }
      if ((ot.kind !== 'struct' && headerMethods.has(name)) || sizeMethods.has(name)) {
        cx.error('NotCallable', e.member.span, `method '${name}' must be called`);
        return unknownType;
      }
      cx.error('UnknownMember', e.member.span, `${typeToString(ot)} has no field '${name}'`);
      return unknownType;
    }
    case 'stack':
      switch (name) {
        case 'next': case 'last':
          if (cx.ctx.block !== 'parser') {
            cx.error('NotAllowedHere', e.member.span, `'${name}' of a header stack can only be used in a parser`);
          }
          return ot.element;
        case 'lastIndex':
          return bits(32);
        case 'size':
          setConst(cx, e, BigInt(ot.size));
          return bits(32);
        default:
          cx.error('UnknownMember', e.member.span, `header stack has no member '${name}'`);
          return unknownType;
      }
    case 'tableResult':
      if (name === 'hit' || name === 'miss') return boolType;
      if (name === 'action_run') return { kind: 'actionEnum', table: ot.table };
      cx.error('UnknownMember', e.member.span, `a table apply result has no member '${name}'`);
      return unknownType;
    case 'extern': {
      if (ot.methods.some((m) => m.name === name)) {
        cx.error('NotCallable', e.member.span, `method '${name}' must be called`);
        return unknownType;
      }
      cx.error('UnknownMember', e.member.span, `extern ${ot.name} has no method '${name}'`);
      return unknownType;
    }
    case 'unknown': case 'typeVar':
      return unknownType;
    default:
      cx.error('UnknownMember', e.member.span, `a value of type ${typeToString(ot)} has no member '${name}'`);
      return unknownType;
  }
}

function checkIndex(cx: Checker, e: ast.IndexExpression): Type {
  const ot = checkExpr(cx, e.object, null);
  const it = checkExpr(cx, e.index, null);
  const iv = numericView(it);
  if (iv.kind !== 'bits' && iv.kind !== 'int' && iv.kind !== 'unknown') {
    cx.error('TypeMismatch', e.index.span, `an index must be an integer, not ${typeToString(it)}`);
  }
  const idx = intValue(constantOf(cx, e.index));
  if (it.kind === 'int') applyContext(cx, e.index, bits(32), true);
  switch (ot.kind) {
    case 'stack':
      if (idx !== undefined && (idx < 0n || idx >= BigInt(ot.size))) {
        cx.error('IndexOutOfRange', e.index.span, `index ${idx} is out of range for ${typeToString(ot)}`);
      }
      return ot.element;
    case 'tuple':
      if (idx === undefined) {
        cx.error('NotConstant', e.index.span, 'a tuple index must be a compile-time known value');
        return unknownType;
      }
      if (idx < 0n || idx >= BigInt(ot.elements.length)) {
        cx.error('IndexOutOfRange', e.index.span, `index ${idx} is out of range for ${typeToString(ot)}`);
        return unknownType;
      }
      return ot.elements[Number(idx)];
    case 'unknown':
      return unknownType;
    default:
      cx.error('TypeMismatch', e.object.span, `a value of type ${typeToString(ot)} cannot be indexed`);
      return unknownType;
  }
}

function checkSlice(cx: Checker, e: ast.SliceExpression): Type {
  const ot0 = checkExpr(cx, e.object, null);
  const ot = numericView(ot0);
  const ht = checkExpr(cx, e.hi, null);
  const lt = checkExpr(cx, e.lo, null);
  if (ot.kind === 'unknown' || ht.kind === 'unknown' || lt.kind === 'unknown') return unknownType;
  if (ot.kind !== 'bits' && ot.kind !== 'int') {
    cx.error('TypeMismatch', e.object.span, `cannot slice a value of type ${typeToString(ot0)}`);
    return unknownType;
  }
  let hi: bigint | undefined;
  let lo: bigint | undefined;
  if (e.plusWidth) {
    const w = intValue(constantOf(cx, e.lo));
    if (w === undefined) {
      cx.error('NotConstant', e.lo.span, 'the width of a slice must be a compile-time known value');
      return unknownType;
    }
    if (w <= 0n) {
      cx.error('SliceOutOfRange', e.lo.span, `invalid slice width ${w}`);
      return unknownType;
    }
    const base = intValue(constantOf(cx, e.hi));
    if (ot.kind === 'bits' && w > BigInt(ot.width)) {
      cx.error('SliceOutOfRange', e.lo.span, `slice width ${w} is larger than ${typeToString(ot)}`);
      return unknownType;
    }
    if (base !== undefined) {
      lo = base;
      hi = base + w - 1n;
    } else {
      // Spec (bit-string slices): a base that is not compile-time known must be a bit<W> (so non-negative).
      const bt = numericView(ht);
      if (!(bt.kind === 'bits' && !bt.signed)) {
        cx.error('TypeMismatch', e.hi.span, `a slice base that is not compile-time known must have type bit<W>, not ${typeToString(ht)}`);
        return unknownType;
      }
      return bits(Number(w));
    }
  } else {
    hi = intValue(constantOf(cx, e.hi));
    lo = intValue(constantOf(cx, e.lo));
    if (hi === undefined) {
      cx.error('NotConstant', e.hi.span, 'slice bounds must be compile-time known values');
      return unknownType;
    }
    if (lo === undefined) {
      cx.error('NotConstant', e.lo.span, 'slice bounds must be compile-time known values');
      return unknownType;
    }
  }
  if (lo < 0n || hi < lo || (ot.kind === 'bits' && hi >= BigInt(ot.width))) {
    cx.error('SliceOutOfRange', e.span, `slice [${hi}:${lo}] is out of range for ${typeToString(ot)}`);
    return unknownType;
  }
  if (hi - lo > 1000000n) return unknownType;
  const t = bits(Number(hi - lo + 1n));
  const v = intValue(constantOf(cx, e.object));
  if (v !== undefined) setConst(cx, e, foldSlice(v, Number(hi), Number(lo)));
  return t;
}

// ---------------------------------------------------------------------------------------
// Operators

function checkUnary(cx: Checker, e: ast.UnaryExpression): Type {
  const t0 = checkExpr(cx, e.operand, null);
  if (t0.kind === 'unknown') return unknownType;
  const t = numericView(t0);
  let r: Type;
  switch (e.op) {
    case '!':
      if (t.kind !== 'bool') return invalidOperand(cx, e, t0);
      r = boolType;
      break;
    case '~':
      if (t.kind !== 'bits') {
        if (t.kind === 'int') {
          cx.error('InvalidOperand', e.span, "'~' needs an operand with a width (such as 8w1), not an int");
          return unknownType;
        }
        return invalidOperand(cx, e, t0);
      }
      r = t;
      break;
    default:
      if (t.kind !== 'bits' && t.kind !== 'int') return invalidOperand(cx, e, t0);
      r = t;
  }
  const v = constantOf(cx, e.operand);
  const iv = r.kind === 'bool' ? v : intValue(v);
  if (iv !== undefined) setConst(cx, e, foldUnary(e.op, iv, r));
  return r;
}

function invalidOperand(cx: Checker, e: ast.Expression, t: Type): Type {
  const op = e.kind === 'UnaryExpression' || e.kind === 'BinaryExpression' ? `'${e.op}'` : 'this operator';
  cx.error('InvalidOperand', e.span, `${op} cannot be applied to a value of type ${typeToString(t)}`);
  return unknownType;
}

const arithmetic = new Set(['+', '-', '*', '/', '%', '|+|', '|-|', '&', '|', '^']);
const relational = new Set(['<', '<=', '>', '>=']);

/** Two numeric operands brought to a common type (implicit int casts); null after an error. */
function commonNumeric(cx: Checker, node: ast.Expression, op: string, left: ast.Expression, right: ast.Expression, lt0: Type, rt0: Type): Type | null {
  const lt = numericView(lt0);
  const rt = numericView(rt0);
  if (lt.kind === 'unknown' || rt.kind === 'unknown') return unknownType;
  const ln = lt.kind === 'bits' || lt.kind === 'int';
  const rn = rt.kind === 'bits' || rt.kind === 'int';
  if (!ln || !rn) {
    cx.error('InvalidOperand', node.span, `'${op}' cannot be applied to values of types ${typeToString(lt0)} and ${typeToString(rt0)}`);
    return null;
  }
  if (lt.kind === 'int' && rt.kind === 'int') return intType;
  if (lt.kind === 'int') {
    applyContext(cx, left, rt as BitsType, false);
    return rt;
  }
  if (rt.kind === 'int') {
    applyContext(cx, right, lt as BitsType, false);
    return lt;
  }
  const lb = lt as BitsType;
  const rb = rt as BitsType;
  if (lb.width !== rb.width || lb.signed !== rb.signed) {
    cx.error('TypeMismatch', node.span, `'${op}' needs operands of the same type, not ${typeToString(lt0)} and ${typeToString(rt0)}`);
    return null;
  }
  return lb;
}

/** Types a binary operation whose operands are already checked (also used by compound assignments). */
export function binaryType(cx: Checker, node: ast.Expression, op: ast.BinaryOperator, left: ast.Expression, right: ast.Expression, lt: Type, rt: Type): Type {
  if (lt.kind === 'unknown' || rt.kind === 'unknown') return op === '&&' || op === '||' || op === '==' || op === '!=' || relational.has(op) ? boolType : unknownType;
  const lv = constantOf(cx, left);
  const rv = constantOf(cx, right);
  if (op === '&&' || op === '||') {
    if (lt.kind !== 'bool' || rt.kind !== 'bool') {
      cx.error('InvalidOperand', node.span, `'${op}' needs bool operands, not ${typeToString(lt)} and ${typeToString(rt)}`);
      return unknownType;
    }
    if (typeof lv === 'boolean') {
      if (op === '&&' && !lv) setConst(cx, node, false);
      else if (op === '||' && lv) setConst(cx, node, true);
      else if (typeof rv === 'boolean') setConst(cx, node, rv);
    }
    return boolType;
  }
  if (arithmetic.has(op)) {
    const t = commonNumeric(cx, node, op, left, right, lt, rt);
    if (t === null) return unknownType;
    if (t.kind === 'unknown') return t;
    const a = intValue(constantOf(cx, left));
    const b = intValue(constantOf(cx, right));
    if ((op === '/' || op === '%') && b === 0n) {
      cx.error('DivisionByZero', right.span, 'division by zero');
      return t;
    }
    if (t.kind === 'bits' && t.signed && (op === '/' || op === '%')) {
      cx.error('InvalidOperand', node.span, `'${op}' is not defined on signed fixed-width integers`);
      return unknownType;
    }
    if (t.kind === 'int' && (op === '&' || op === '|' || op === '^' || op === '|+|' || op === '|-|')) {
      cx.error('InvalidOperand', node.span, `'${op}' is not defined on int values; give an operand a width (such as 8w1)`);
      return unknownType;
    }
    if (t.kind === 'int' && (op === '/' || op === '%') && ((a !== undefined && a < 0n) || (b !== undefined && b < 0n))) {
      cx.error('InvalidOperand', node.span, `'${op}' is not defined on negative int values`);
      return unknownType;
    }
    if (a !== undefined && b !== undefined) {
      const r = foldBinary(op, a, b, t);
      if (r === 'divisionByZero') cx.error('DivisionByZero', right.span, 'division by zero');
      else if (r !== 'negativeShift') setConst(cx, node, r);
    } else if (t.kind === 'int') {
      if (op === '/' || op === '%') {
        // int division needs compile-time known operands; reported by the consumer if needed
      }
    }
    return t;
  }
  if (op === '<<' || op === '>>') {
    const l = numericView(lt);
    const r = numericView(rt);
    if ((l.kind !== 'bits' && l.kind !== 'int') || (r.kind !== 'bits' && r.kind !== 'int')) {
      cx.error('InvalidOperand', node.span, `'${op}' cannot be applied to values of types ${typeToString(lt)} and ${typeToString(rt)}`);
      return unknownType;
    }
    if (r.kind === 'bits' && r.signed) {
      cx.error('InvalidOperand', right.span, 'the right operand of a shift must be unsigned');
      return unknownType;
    }
    const b = intValue(rv);
    if (r.kind === 'int') {
      if (b === undefined) {
        cx.error('NotConstant', right.span, 'an int shift amount must be compile-time known');
        return unknownType;
      }
      if (b < 0n) {
        cx.error('InvalidOperand', right.span, 'a shift amount cannot be negative');
        return unknownType;
      }
    }
    if (l.kind === 'int' && b === undefined) {
      cx.error('InvalidOperand', node.span, 'the left operand of a shift by a run-time amount needs a width (such as 32w1)');
      return unknownType;
    }
    const a = intValue(lv);
    if (a !== undefined && b !== undefined) {
      const f = foldBinary(op, a, b, l);
      if (f !== 'divisionByZero' && f !== 'negativeShift') setConst(cx, node, f);
    }
    return l;
  }
  if (op === '++') {
    const l = numericView(lt);
    const r = numericView(rt);
    if (l.kind !== 'bits' || r.kind !== 'bits') {
      if (l.kind === 'int' || r.kind === 'int') {
        cx.error('InvalidOperand', node.span, "the operands of '++' need a width (such as 8w1), not int");
      } else {
        cx.error('InvalidOperand', node.span, `'++' cannot be applied to values of types ${typeToString(lt)} and ${typeToString(rt)}`);
      }
      return unknownType;
    }
    const t = bits(l.width + r.width, l.signed);
    const a = intValue(lv);
    const b = intValue(rv);
    if (a !== undefined && b !== undefined) setConst(cx, node, foldConcat(a, b, r.width, t));
    return t;
  }
  if (relational.has(op)) {
    const t = commonNumeric(cx, node, op, left, right, lt, rt);
    if (t === null) return boolType;
    const a = intValue(constantOf(cx, left));
    const b = intValue(constantOf(cx, right));
    if (a !== undefined && b !== undefined) setConst(cx, node, foldBinary(op, a, b, t) as Value);
    return boolType;
  }
  // == and !=
  const l = numericView(lt);
  const r = numericView(rt);
  if ((l.kind === 'bits' || l.kind === 'int') && (r.kind === 'bits' || r.kind === 'int')) {
    const t = commonNumeric(cx, node, op, left, right, lt, rt);
    if (t === null) return boolType;
    const a = intValue(constantOf(cx, left));
    const b = intValue(constantOf(cx, right));
    if (a !== undefined && b !== undefined) setConst(cx, node, op === '==' ? a === b : a !== b);
    return boolType;
  }
  if (!comparable(lt) || !comparable(rt)) {
    cx.error('InvalidOperand', node.span, `'${op}' cannot compare values of types ${typeToString(lt)} and ${typeToString(rt)}`);
    return boolType;
  }
  let ok = sameType(lt, rt);
  if (!ok && (right.kind === 'ListExpression' || right.kind === 'StructExpression' || right.kind === 'InvalidHeaderExpression')) ok = structurallyCompatible(rt, lt);
  if (!ok && (left.kind === 'ListExpression' || left.kind === 'StructExpression' || left.kind === 'InvalidHeaderExpression')) ok = structurallyCompatible(lt, rt);
  if (!ok) {
    cx.error('TypeMismatch', node.span, `'${op}' needs operands of the same type, not ${typeToString(lt)} and ${typeToString(rt)}`);
    return boolType;
  }
  if (lv !== undefined && rv !== undefined) {
    const f = foldBinary(op, lv, rv, boolType);
    if (f !== undefined && f !== 'divisionByZero' && f !== 'negativeShift') setConst(cx, node, f);
  }
  return boolType;
}

function comparable(t: Type): boolean {
  switch (t.kind) {
    case 'bits': case 'int': case 'varbit': case 'bool': case 'error': case 'enum': case 'header': case 'union':
    case 'struct': case 'stack': case 'tuple': case 'newtype': case 'matchKind': case 'unknown': case 'typeVar':
    case 'list': case 'actionEnum':
      return true;
    default:
      return false;
  }
}

/** A list/struct expression type (tuple or anonymous struct) compared with a named type. */
function structurallyCompatible(expr: Type, target: Type): boolean {
  if (target.kind === 'header' || target.kind === 'struct' || target.kind === 'union') {
    if (expr.kind === 'tuple') {
      return expr.elements.length === target.fields.length && expr.elements.every((e, i) => implicitOk(e, target.fields[i].type));
    }
    if (expr.kind === 'struct' && expr.node === null) {
      return expr.fields.length === target.fields.length && expr.fields.every((f) => {
        const g = fieldOf(target, f.name);
        return g !== undefined && implicitOk(f.type, g.type);
      });
    }
  }
  if (target.kind === 'tuple' && expr.kind === 'tuple') {
    return expr.elements.length === target.elements.length && expr.elements.every((e, i) => implicitOk(e, target.elements[i]));
  }
  return false;
}

function implicitOk(from: Type, to: Type): boolean {
  if (sameType(from, to)) return true;
  if (from.kind === 'int' && to.kind === 'bits') return true;
  if (from.kind === 'enum' && from.underlying !== null && sameType(from.underlying, to)) return true;
  return structurallyCompatible(from, to);
}

function checkTernary(cx: Checker, e: ast.TernaryExpression, expected: Type | null): Type {
  const ct = checkExpr(cx, e.condition, boolType);
  if (ct.kind !== 'bool' && ct.kind !== 'unknown') {
    cx.error('TypeMismatch', e.condition.span, `the condition must be a bool, not ${typeToString(ct)}`);
  }
  const ctxType = expected !== null && expected.kind !== 'typeVar' && expected.kind !== 'dontCare' ? expected : null;
  let tt = checkExpr(cx, e.then, ctxType);
  let et = checkExpr(cx, e.else, ctxType);
  if (tt.kind === 'unknown' || et.kind === 'unknown') return unknownType;
  let r: Type;
  if (tt.kind === 'int' && et.kind === 'int') {
    // Spec (conditional operator): both branches may be int only when the condition is compile-time known.
    if (ct.kind === 'bool' && typeof constantOf(cx, e.condition) !== 'boolean') {
      cx.error('NotConstant', e.condition.span, "when both branches of '?:' have type int, the condition must be compile-time known (give the branches a width, e.g. 8w1)");
      return unknownType;
    }
    if (ctxType !== null && ctxType.kind === 'bits') {
      applyContext(cx, e.then, ctxType, false);
      applyContext(cx, e.else, ctxType, false);
      tt = et = ctxType;
      r = ctxType;
    } else {
      r = intType;
    }
  } else if (tt.kind === 'int' && numericView(et).kind === 'bits') {
    r = numericView(et);
    applyContext(cx, e.then, r as BitsType, false);
  } else if (et.kind === 'int' && numericView(tt).kind === 'bits') {
    r = numericView(tt);
    applyContext(cx, e.else, r as BitsType, false);
  } else if (sameType(tt, et)) {
    r = tt;
  } else if (ctxType !== null && implicitOk(tt, ctxType) && implicitOk(et, ctxType)) {
    r = ctxType;
  } else {
    cx.error('TypeMismatch', e.span, `the branches of '?:' have different types ${typeToString(tt)} and ${typeToString(et)}`);
    return unknownType;
  }
  const c = constantOf(cx, e.condition);
  if (typeof c === 'boolean') {
    const v = constantOf(cx, c ? e.then : e.else);
    setConst(cx, e, v);
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// Casts

function checkCast(cx: Checker, e: ast.CastExpression): Type {
  const t = resolveType(cx, e.type);
  const structured = t.kind === 'header' || t.kind === 'struct' || t.kind === 'union' || t.kind === 'stack' || t.kind === 'tuple' || t.kind === 'list';
  const ot = checkExpr(cx, e.operand, structured ? t : null);
  if (t.kind === 'unknown' || ot.kind === 'unknown') return t;
  if (structured && (e.operand.kind === 'ListExpression' || e.operand.kind === 'StructExpression' || e.operand.kind === 'InvalidHeaderExpression')) {
    return t;
  }
  if (!castAllowed(ot, t)) {
    cx.error('InvalidCast', e.span, `cannot cast ${typeToString(ot)} to ${typeToString(t)}`);
    return unknownType;
  }
  const v = constantOf(cx, e.operand);
  if (v !== undefined) setConst(cx, e, castValue(cx, e, v, ot, t));
  return t;
}

function castValue(cx: Checker, e: ast.CastExpression, v: Value, from: Type, to: Type): Value | undefined {
  const target = to.kind === 'newtype' ? to.base : to;
  const iv = intValue(v);
  if (target.kind === 'bits') {
    if (iv !== undefined) {
      if (from.kind === 'int' && !fits(iv, target) && !(iv < 0n && !target.signed && fits(iv, bits(target.width, true)))) {
        cx.warn('Truncation', e.span, `value ${iv} does not fit in ${typeToString(target)}; it is truncated`);
      }
      return wrap(iv, target);
    }
    if (typeof v === 'boolean') return v ? 1n : 0n;
    return undefined;
  }
  if (target.kind === 'bool') {
    if (typeof v === 'boolean') return v;
    if (iv !== undefined) {
      if (iv !== 0n && iv !== 1n) {
        cx.error('InvalidCast', e.span, `only 0 and 1 can be cast to bool, not ${iv}`);
        return undefined;
      }
      return iv === 1n;
    }
    return undefined;
  }
  if (target.kind === 'int') return iv;
  if (target.kind === 'enum') {
    if (iv === undefined) return v;
    for (const [name, val] of target.values) if (val === iv) return { kind: 'enumMember', type: target, member: name };
    return undefined;
  }
  return v;
}

/** The explicit casts of the spec's cast list. */
export function castAllowed(from: Type, to: Type): boolean {
  if (from.kind === 'unknown' || to.kind === 'unknown') return true;
  if (sameType(from, to)) return true;
  if (from.kind === 'newtype') return sameType(from.base, to) || castAllowed(from.base, to);
  // A type introduced by `type` can only be cast from its original type (or an int literal).
  if (to.kind === 'newtype') return sameType(from, to.base) || from.kind === 'int' || (to.base.kind === 'newtype' && castAllowed(from, to.base));
  switch (from.kind) {
    case 'bits':
      if (to.kind === 'bits') return from.signed === to.signed || from.width === to.width;
      if (to.kind === 'bool') return from.width === 1 && !from.signed;
      if (to.kind === 'int') return true;
      if (to.kind === 'enum') return to.underlying !== null && castAllowed(from, to.underlying);
      return false;
    case 'bool':
      return to.kind === 'bits' && to.width === 1 && !to.signed;
    case 'int':
      return to.kind === 'bits' || to.kind === 'bool' || (to.kind === 'enum' && to.underlying !== null);
    case 'enum':
      return from.underlying !== null && (to.kind === 'bits' || to.kind === 'int') && (sameType(from.underlying, to) || castAllowed(from.underlying, to));
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// List and struct expressions

function contextual(t: Type | null): Type | null {
  if (t === null) return null;
  if (t.kind === 'newtype') return null;
  return t;
}

function checkList(cx: Checker, e: ast.ListExpression, expected0: Type | null): Type {
  const expected = contextual(expected0);
  const els = e.elements;
  const values: Value[] = [];
  let allConst = true;
  const note = (el: ast.Expression): void => {
    const v = constantOf(cx, el);
    if (v === undefined) allConst = false;
    else values.push(v);
  };
  if (expected !== null) {
    let targets: Type[] | null = null;
    switch (expected.kind) {
      case 'tuple': targets = [...expected.elements]; break;
      case 'header': case 'struct': targets = expected.fields.map((f) => f.type); break;
      case 'stack': targets = els.map(() => expected.element); break;
      case 'list': targets = els.map(() => expected.element); break;
      default: break;
    }
    if (targets !== null) {
      if (expected.kind === 'stack' && els.length !== expected.size) {
        cx.error('TypeMismatch', e.span, `${typeToString(expected)} needs ${expected.size} elements, not ${els.length}`);
      } else if (targets.length !== els.length) {
        cx.error('TypeMismatch', e.span, `${typeToString(expected)} needs ${targets.length} element(s), not ${els.length}`);
        for (const el of els) checkExpr(cx, el, null);
        return unknownType;
      }
      for (let i = 0; i < els.length; i++) {
        const target = i < targets.length ? targets[i] : null;
        const t = checkExpr(cx, els[i], target);
        if (target !== null) coerce(cx, els[i], t, target);
        note(els[i]);
      }
      if (allConst) {
        if (expected.kind === 'header' || expected.kind === 'struct') {
          setConst(cx, e, { kind: 'struct', fields: new Map(expected.fields.map((f, i) => [f.name, values[i]])) });
        } else {
          setConst(cx, e, { kind: 'tuple', elements: values });
        }
      }
      return expected;
    }
  }
  const types: Type[] = [];
  for (const el of els) {
    types.push(checkExpr(cx, el, null));
    note(el);
  }
  if (allConst) setConst(cx, e, { kind: 'tuple', elements: values });
  return { kind: 'tuple', elements: types };
}

function checkStructExpr(cx: Checker, e: ast.StructExpression, expected0: Type | null): Type {
  const expected = contextual(expected0);
  const seen = new Map<string, ast.Ident>();
  const values = new Map<string, Value>();
  let allConst = true;
  if (expected !== null && (expected.kind === 'header' || expected.kind === 'struct')) {
    for (const kv of e.fields) {
      const prev = seen.get(kv.key.name);
      if (prev !== undefined) {
        cx.error('DuplicateDeclaration', kv.key.span, `field '${kv.key.name}' is given twice`, prev.span);
        checkExpr(cx, kv.value, null);
        continue;
      }
      seen.set(kv.key.name, kv.key);
      const f = fieldOf(expected, kv.key.name);
      if (f === undefined) {
        cx.error('UnknownMember', kv.key.span, `${typeToString(expected)} has no field '${kv.key.name}'`);
        checkExpr(cx, kv.value, null);
        allConst = false;
        continue;
      }
      const t = checkExpr(cx, kv.value, f.type);
      coerce(cx, kv.value, t, f.type);
      const v = constantOf(cx, kv.value);
      if (v === undefined) allConst = false;
      else values.set(kv.key.name, v);
    }
    if (!e.dots) {
      const missing = expected.fields.filter((f) => !seen.has(f.name)).map((f) => f.name);
      if (missing.length > 0) {
        cx.error('TypeMismatch', e.span, `missing field(s) ${missing.map((m) => `'${m}'`).join(', ')} of ${typeToString(expected)}`);
      }
    }
    if (allConst && !e.dots) setConst(cx, e, { kind: 'struct', fields: values });
    return expected;
  }
  const fields: Field[] = [];
  for (const kv of e.fields) {
    const prev = seen.get(kv.key.name);
    if (prev !== undefined) {
      cx.error('DuplicateDeclaration', kv.key.span, `field '${kv.key.name}' is given twice`, prev.span);
      continue;
    }
    seen.set(kv.key.name, kv.key);
    const t = checkExpr(cx, kv.value, null);
    fields.push({ name: kv.key.name, type: t, node: null });
    const v = constantOf(cx, kv.value);
    if (v === undefined) allConst = false;
    else values.set(kv.key.name, v);
  }
  if (allConst) setConst(cx, e, { kind: 'struct', fields: values });
  const t: StructLikeType = { kind: 'struct', name: 'struct', fields, node: null, args: [] };
  return t;
}

// ---------------------------------------------------------------------------------------
// Implicit casts and assignability

/**
 * Gives an `int`-typed expression the fixed-width type `t` of its context (an implicit cast),
 * re-recording the types of its int-typed parts and wrapping its constant value.
 */
export function applyContext(cx: Checker, e: ast.Expression, t: BitsType, quiet: boolean): void {
  const cur = cx.result.types.get(e);
  if (cur === undefined || cur.kind !== 'int') return;
  cx.result.types.set(e, t);
  const v = cx.result.constants.get(e);
  if (typeof v === 'bigint') {
    if (!quiet && !fits(v, t) && !(v < 0n && !t.signed && fits(v, bits(t.width, true)))) {
      cx.warn('Truncation', e.span, `value ${v} does not fit in ${typeToString(t)}; it is truncated`);
    }
    cx.result.constants.set(e, wrap(v, t));
  }
  switch (e.kind) {
    case 'UnaryExpression':
      if (e.op !== '!') applyContext(cx, e.operand, t, true);
      break;
    case 'BinaryExpression':
      if (arithmetic.has(e.op)) {
        applyContext(cx, e.left, t, true);
        applyContext(cx, e.right, t, true);
      } else if (e.op === '<<' || e.op === '>>') {
        applyContext(cx, e.left, t, true);
      }
      break;
    case 'TernaryExpression':
      applyContext(cx, e.then, t, quiet);
      applyContext(cx, e.else, t, quiet);
      break;
    default:
      break;
  }
}

/** True when a value of type `actual` can be used where `expected` is required (maybe via an implicit cast). */
export function assignable(actual: Type, expected: Type): boolean {
  if (actual.kind === 'unknown' || expected.kind === 'unknown') return true;
  if (expected.kind === 'dontCare' || actual.kind === 'dontCare') return true;
  if (sameType(actual, expected)) return true;
  if (actual.kind === 'int' && expected.kind === 'bits') return true;
  if (actual.kind === 'enum' && actual.underlying !== null && sameType(actual.underlying, expected)) return true;
  if (actual.kind === 'tuple' && expected.kind === 'list') return actual.elements.every((e) => assignable(e, expected.element));
  return structurallyCompatible(actual, expected);
}

/**
 * Checks that the checked expression `e` of type `actual` may be used where `expected` is
 * required, applying implicit casts; reports TypeMismatch. Returns false after an error.
 */
export function coerce(cx: Checker, e: ast.Expression, actual: Type, expected: Type | null): boolean {
  if (expected === null) return true;
  // Spec (implicit casts): only a list expression converts to a struct or header, not a tuple value.
  const structured = expected.kind === 'struct' || expected.kind === 'header' || expected.kind === 'union';
  if (actual.kind === 'tuple' && structured && !isListLiteral(e)) {
    cx.error('TypeMismatch', e.span, `a value of type ${typeToString(actual)} cannot be used where ${typeToString(expected)} is expected; only a list expression converts to a ${expected.kind}`);
    return false;
  }
  if (!assignable(actual, expected)) {
    cx.error('TypeMismatch', e.span, `cannot use a value of type ${typeToString(actual)} where ${typeToString(expected)} is expected`);
    return false;
  }
  if (actual.kind === 'int' && expected.kind === 'bits') applyContext(cx, e, expected, false);
  return true;
}

function isListLiteral(e: ast.Expression): boolean {
  if (e.kind === 'ListExpression') return true;
  if (e.kind === 'TernaryExpression') return isListLiteral(e.then) && isListLiteral(e.else);
  return false;
}

// ---------------------------------------------------------------------------------------
// L-values

/**
 * Checks that a checked expression can be written. `code` is used for non-l-values (NotLValue for
 * assignments, DirectionMismatch for out/inout arguments); read-only names give ReadOnly for
 * assignments. Returns false after an error.
 */
export function checkLValue(cx: Checker, e: ast.Expression, code: 'NotLValue' | 'DirectionMismatch'): boolean {
  const what = code === 'NotLValue' ? 'cannot be assigned to' : 'cannot be passed as an out or inout argument';
  switch (e.kind) {
    case 'ErrorExpression':
      return true;
    case 'PathExpression': {
      const sym = cx.result.refs.get(e);
      if (sym === undefined) return true;
      if (!('kind' in sym)) return true;
      switch (sym.kind) {
        case 'variable': case 'loopVariable':
          return true;
        case 'parameter':
          if (sym.direction === 'out' || sym.direction === 'inout') return true;
          cx.error(code === 'NotLValue' ? 'ReadOnly' : code, e.span, `parameter '${sym.name}' is read-only${sym.direction === 'in' ? " (direction 'in')" : ''}; it ${what}`);
          return false;
        case 'constant':
          cx.error(code === 'NotLValue' ? 'ReadOnly' : code, e.span, `constant '${sym.name}' ${what}`);
          return false;
        default:
          cx.error(code, e.span, `'${sym.name}' ${what}`);
          return false;
      }
    }
    case 'MemberExpression': {
      const ot = cx.result.types.get(e.object);
      if (ot === undefined || ot.kind === 'unknown') return true;
      if (ot.kind === 'header' || ot.kind === 'struct' || ot.kind === 'union') return checkLValue(cx, e.object, code);
      if (ot.kind === 'stack' && e.member.name === 'next') return checkLValue(cx, e.object, code);
      cx.error(code, e.span, `this expression ${what}`);
      return false;
    }
    case 'IndexExpression': {
      const ot = cx.result.types.get(e.object);
      if (ot === undefined || ot.kind === 'unknown') return true;
      if (ot.kind === 'stack' || ot.kind === 'tuple') return checkLValue(cx, e.object, code);
      cx.error(code, e.span, `this expression ${what}`);
      return false;
    }
    case 'SliceExpression': {
      const ot = cx.result.types.get(e.object);
      if (ot !== undefined && ot.kind === 'int') {
        cx.error(code, e.span, `this expression ${what}`);
        return false;
      }
      return checkLValue(cx, e.object, code);
    }
    default:
      cx.error(code, e.span, `this expression ${what}`);
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// Keysets (select cases, table entries)

/** Checks one keyset element against the type of the matched expression. */
export function checkKeyset(cx: Checker, k: ast.Expression, t: Type, requireConst: boolean): void {
  switch (k.kind) {
    case 'DefaultExpression': case 'DontCareExpression':
      cx.result.types.set(k, { kind: 'set', element: t });
      return;
    case 'MaskExpression':
      keysetPart(cx, k.value, t, requireConst);
      keysetPart(cx, k.mask, t, requireConst);
      cx.result.types.set(k, { kind: 'set', element: t });
      return;
    case 'RangeExpression':
      keysetPart(cx, k.lo, t, requireConst);
      keysetPart(cx, k.hi, t, requireConst);
      cx.result.types.set(k, { kind: 'set', element: t });
      return;
    case 'PathExpression': {
      const syms = cx.lookupValues(k.name.name, k.global);
      if (syms !== undefined && syms[0].kind === 'valueSet') {
        cx.result.refs.set(k, syms[0]);
        cx.result.types.set(k, syms[0].type);
        const st = syms[0].type;
        if (st.kind === 'set' && !valueSetMatches(st.element, t)) {
          cx.error('TypeMismatch', k.span, `value set of ${typeToString(st.element)} cannot match a value of type ${typeToString(t)}`);
        }
        return;
      }
      keysetPart(cx, k, t, requireConst);
      return;
    }
    default:
      keysetPart(cx, k, t, requireConst);
  }
}

/** A value set matches a select expression of the same type, or a struct of the selected types. */
function valueSetMatches(el: Type, t: Type): boolean {
  if (sameType(el, t) || structurallyCompatible(t, el)) return true;
  if (el.kind === 'struct') {
    const sel = t.kind === 'tuple' ? t.elements : [t];
    if (el.fields.length === sel.length && el.fields.every((f, i) => implicitOk(sel[i], f.type) || sameType(f.type, sel[i]))) return true;
    // Nested structs are matched field by field, in order, against the selected expressions.
    const leaves = flatFields(el);
    return leaves.length === sel.length && leaves.every((f, i) => implicitOk(sel[i], f) || sameType(f, sel[i]));
  }
  return false;
}

function flatFields(t: Type): Type[] {
  return t.kind === 'struct' ? t.fields.flatMap((f) => flatFields(f.type)) : [t];
}

function keysetPart(cx: Checker, e: ast.Expression, t: Type, requireConst: boolean): void {
  const et = checkExpr(cx, e, t);
  if (!coerce(cx, e, et, t)) return;
  if (requireConst && et.kind !== 'unknown' && et.kind !== 'dontCare' && constantOf(cx, e) === undefined && e.kind !== 'ErrorExpression') {
    cx.error('NotConstant', e.span, 'keyset values must be compile-time known');
  }
}

/** Compile-time size methods (minSizeInBits, ...) of a type. */
export function sizeMethodValue(name: string, t: Type): bigint | undefined {
  const bitsMin = minWidthOf(t);
  const bitsMax = widthOf(t);
  switch (name) {
    case 'minSizeInBits': return bitsMin === null ? undefined : BigInt(bitsMin);
    case 'minSizeInBytes': return bitsMin === null ? undefined : BigInt(Math.ceil(bitsMin / 8));
    case 'maxSizeInBits': return bitsMax === null ? undefined : BigInt(bitsMax);
    case 'maxSizeInBytes': return bitsMax === null ? undefined : BigInt(Math.ceil(bitsMax / 8));
  }
  return undefined;
}

export { headerMethods, sizeMethods, isBits };
