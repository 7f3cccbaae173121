// Calls: functions, actions, extern functions and methods, built-in methods of headers and
// stacks, `apply` of tables/parsers/controls, and constructor calls written as calls. Resolves
// overloads by argument count and names, binds (named) arguments to parameters, infers type
// arguments by unification, and checks argument directions (out/inout need l-values).
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { TypeSym, ValueSym } from './scope.js';
import {
  boolType, hasTypeVars, intType, substitute, substParam, typeToString, unify, unknownType, voidType, bindArgs, sameType,
} from './types.js';
import type { MethodSig, Param, Subst, Type, TypeVar } from './types.js';
import {
  applyContext, checkExpr, checkLValue, coerce, constantOf, headerMethods, numericView, sizeMethods, sizeMethodValue,
  typeNamed, intValue,
} from './expressions.js';
import { resolveType } from './declarations.js';
import { constructorCall } from './instantiation.js';

export interface Signature {
  readonly name: string;
  readonly typeParams: readonly TypeVar[];
  readonly params: readonly Param[];
  readonly ret: Type;
}

/** Checks a call expression; returns its result type. */
export function checkCall(cx: Checker, call: ast.CallExpression, expected: Type | null): Type {
  const c = call.callee;
  if (c.kind === 'PathExpression') return callByName(cx, call, c, expected);
  if (c.kind === 'MemberExpression') {
    const ts = typeNamed(cx, c.object);
    if (ts !== null) {
      cx.result.types.set(c.object, ts.type);
      return typeMethodCall(cx, call, ts, ts.type, c.member, expected);
    }
    const ot = checkExpr(cx, c.object, null);
    return methodCall(cx, call, c, ot, expected);
  }
  if (c.kind === 'TypeMemberExpression') {
    let t: Type;
    let ts: TypeSym | null = null;
    if (c.type.kind === 'NamedTypeRef' || c.type.kind === 'SpecializedTypeRef') {
      t = resolveType(cx, c.type);
      const base = c.type.kind === 'NamedTypeRef' ? c.type : c.type.base;
      const r = cx.result.refs.get(base);
      if (r !== undefined && !('kind' in r)) ts = r;
    } else {
      t = resolveType(cx, c.type);
    }
    return typeMethodCall(cx, call, ts, t, c.member, expected);
  }
  const t = checkExpr(cx, c, null);
  checkArgsLoosely(cx, call.args);
  if (t.kind !== 'unknown') cx.error('NotCallable', c.span, `a value of type ${typeToString(t)} cannot be called`);
  return unknownType;
}

/** `Type.method(...)`: direct apply of a parser/control, or a size method of a type. */
function typeMethodCall(cx: Checker, call: ast.CallExpression, ts: TypeSym | null, t: Type, member: ast.Ident, expected: Type | null): Type {
  if (t.kind === 'unknown') {
    checkArgsLoosely(cx, call.args);
    return unknownType;
  }
  const name = ts?.name ?? typeToString(t);
  if (member.name === 'apply' && (t.kind === 'parser' || t.kind === 'control')) {
    if (ts === null || !ts.instantiable) {
      cx.error('BadInstantiation', call.callee.span, `'${name}' is a ${t.kind} type; only a declared ${t.kind} can be applied`);
      checkArgsLoosely(cx, call.args);
      return unknownType;
    }
    if (t.ctorParams !== null && t.ctorParams.some((p) => !p.hasDefault)) {
      cx.error('BadInstantiation', call.callee.span, `'${name}' has constructor parameters; instantiate it before applying it`);
    }
    checkApplyContext(cx, t.kind, member);
    cx.result.calls.set(call, { kind: 'apply', objectType: t });
    return applySignature(cx, call, { name: 'apply', typeParams: [], params: t.params, ret: voidType }, expected);
  }
  if (sizeMethods.has(member.name)) {
    if (call.args.length > 0) cx.error('ArgumentCount', call.args[0].span, `'${member.name}' takes no arguments`);
    checkArgsLoosely(cx, call.args);
    cx.result.calls.set(call, { kind: 'builtin', name: member.name, objectType: t });
    const v = sizeMethodValue(member.name, t);
    if (v !== undefined) cx.result.constants.set(call, v);
    else cx.error('InvalidOperand', member.span, `'${member.name}' is not defined for type ${typeToString(t)}`);
    return intType;
  }
  cx.error('UnknownMember', member.span, `type ${name} has no method '${member.name}'`);
  checkArgsLoosely(cx, call.args);
  return unknownType;
}

function checkArgsLoosely(cx: Checker, args: readonly ast.Argument[]): void {
  for (const a of args) checkExpr(cx, a.value, null);
}

function callByName(cx: Checker, call: ast.CallExpression, c: ast.PathExpression, expected: Type | null): Type {
  const name = c.name.name;
  if (!cx.valueIsCloser(name, c.global)) {
    const ts = cx.lookupType(name, c.global);
    if (ts !== undefined) {
      cx.result.refs.set(c, ts);
      cx.result.types.set(c, ts.type);
      return constructorCall(cx, call, ts, call.typeArgs, call.args, c.span);
    }
  }
  const syms = cx.lookupValues(name, c.global);
  if (syms === undefined) {
    cx.error('UndeclaredName', c.name.span, `undeclared name '${name}'`);
    checkArgsLoosely(cx, call.args);
    return unknownType;
  }
  const callables = syms.filter((s) => s.type.kind === 'function');
  if (callables.length === 0) {
    cx.result.refs.set(c, syms[0]);
    cx.result.types.set(c, syms[0].type);
    if (syms[0].type.kind !== 'unknown') cx.error('NotCallable', c.span, `'${name}' is not a function or action`);
    checkArgsLoosely(cx, call.args);
    return unknownType;
  }
  const sym = pickOverload(cx, call.span, name, callables, call.args);
  if (sym === null) {
    checkArgsLoosely(cx, call.args);
    return unknownType;
  }
  cx.result.refs.set(c, sym);
  cx.result.types.set(c, sym.type);
  const ft = sym.type;
  if (ft.kind !== 'function') return unknownType;
  if (sym.kind === 'action') {
    const w = cx.ctx.where;
    if (w === 'state' || w === 'parser' || w === 'top' || w === 'function') {
      cx.error('NotAllowedHere', c.span, `action '${name}' can only be called from a control or another action`);
    }
  }
  if (cx.inProgress.has(sym.node)) {
    cx.error('RecursiveCall', c.span, `'${name}' calls itself; recursion is not allowed in P4`);
  }
  if (sym.kind === 'externFunction' && name === 'verify' && cx.ctx.block !== 'parser' && cx.ctx.where !== 'top') {
    cx.error('NotAllowedHere', c.span, "'verify' can only be called in a parser");
  }
  cx.result.calls.set(call, { kind: sym.kind === 'action' ? 'action' : sym.kind === 'function' ? 'function' : 'externFunction', sym });
  const r = applySignature(cx, call, ft, expected);
  if (sym.kind === 'externFunction' && name === 'static_assert' && call.args.length > 0) {
    const v = constantOf(cx, call.args[0].value);
    if (v === undefined) cx.error('NotConstant', call.args[0].value.span, 'static_assert needs a compile-time known condition');
    else if (v === false) {
      const msg = call.args.length > 1 ? constantOf(cx, call.args[1].value) : undefined;
      cx.error('BadDeclaration', call.span, `static assertion failed${typeof msg === 'string' ? `: ${msg}` : ''}`);
    } else cx.result.constants.set(call, true);
  }
  return r;
}

/** Chooses among overloads by argument count and argument names. */
export function pickOverload<T extends { type: Type } | MethodSig>(
  cx: Checker, at: { start: number; end: number }, name: string, cands: readonly T[], args: readonly ast.Argument[],
): T | null {
  const paramsOf = (c: T): readonly Param[] => ('params' in c ? c.params : c.type.kind === 'function' ? c.type.params : []);
  const n = args.length;
  const names = args.filter((a) => a.name !== null).map((a) => (a.name as ast.Ident).name);
  const fitting = cands.filter((c) => {
    const ps = paramsOf(c);
    if (n > ps.length) return false;
    if (names.length > 0) {
      if (!names.every((nm) => ps.some((p) => p.name === nm))) return false;
      return ps.every((p) => p.hasDefault || names.includes(p.name));
    }
    for (let i = n; i < ps.length; i++) if (!ps[i].hasDefault) return false;
    return true;
  });
  if (fitting.length === 1) return fitting[0];
  if (fitting.length > 1) {
    const exact = fitting.find((c) => paramsOf(c).length === n);
    return exact ?? fitting[0];
  }
  if (cands.length === 1) {
    // Let argument matching report the precise problem.
    return cands[0];
  }
  cx.error('ArgumentCount', at, `no overload of '${name}' takes ${n} argument(s)`);
  return null;
}

/** Binds arguments to parameters (by position or by name); null after an error. */
export function bindArguments(cx: Checker, at: { start: number; end: number }, name: string, params: readonly Param[], args: readonly ast.Argument[]): (ast.Argument | null)[] | null {
  const bound: (ast.Argument | null)[] = params.map(() => null);
  const named = args.filter((a) => a.name !== null);
  if (named.length > 0 && named.length < args.length) {
    const first = args.find((a) => a.name === null) as ast.Argument;
    cx.error('NamedArguments', first.span, 'either all arguments must be named or none');
    return null;
  }
  if (named.length > 0) {
    for (const a of args) {
      const id = a.name as ast.Ident;
      const i = params.findIndex((p) => p.name === id.name);
      if (i < 0) {
        cx.error('NamedArguments', id.span, `'${name}' has no parameter named '${id.name}'`);
        return null;
      }
      if (bound[i] !== null) {
        cx.error('NamedArguments', id.span, `parameter '${id.name}' is given twice`);
        return null;
      }
      bound[i] = a;
    }
  } else {
    if (args.length > params.length) {
      cx.error('ArgumentCount', args[params.length].span, `'${name}' takes ${params.length} argument(s), got ${args.length}`);
      return null;
    }
    for (let i = 0; i < args.length; i++) bound[i] = args[i];
  }
  for (let i = 0; i < params.length; i++) {
    if (bound[i] === null && !params[i].hasDefault) {
      const required = params.filter((p) => !p.hasDefault).length;
      cx.error('ArgumentCount', at, `'${name}' needs ${required === params.length ? '' : 'at least '}${required} argument(s), got ${args.length} (missing '${params[i].name}')`);
      return null;
    }
  }
  return bound;
}

/**
 * Checks the arguments of a call against a signature: binding, type inference, implicit casts,
 * directions. Records inferred type arguments on `node`. Returns the substitution (or null).
 */
export function checkArguments(cx: Checker, node: ast.Node, at: { start: number; end: number }, sig: Signature, args: readonly ast.Argument[], explicitTypeArgs: readonly ast.TypeRef[], subst: Subst, actionCall = false): Subst | null {
  const vars = new Set<number>(sig.typeParams.map((v) => v.id));
  if (explicitTypeArgs.length > 0) {
    const targs = explicitTypeArgs.map((r) => resolveType(cx, r));
    if (targs.length !== sig.typeParams.length) {
      cx.error('TypeArgumentCount', at, `'${sig.name}' expects ${sig.typeParams.length} type argument(s), got ${targs.length}`);
    } else {
      for (let i = 0; i < targs.length; i++) if (targs[i].kind !== 'dontCare') subst.set(sig.typeParams[i].id, targs[i]);
    }
  }
  const bound = bindArguments(cx, at, sig.name, sig.params, args);
  if (bound === null) {
    checkArgsLoosely(cx, args);
    return null;
  }
  const deferred: number[] = [];
  for (let i = 0; i < sig.params.length; i++) {
    const a = bound[i];
    if (a === null) continue;
    const p = sig.params[i];
    const formal = substitute(p.type, subst);
    const free = vars.size > 0 && hasFreeVars(formal, vars, subst);
    if (a.value.kind === 'DontCareExpression' || a.value.kind === 'DotsExpression') {
      checkExpr(cx, a.value, null);
      if (a.value.kind === 'DontCareExpression' && p.direction !== 'out') {
        cx.error('DirectionMismatch', a.value.span, `'_' can only be passed for an out parameter ('${p.name}' is ${p.direction === 'none' ? 'directionless' : p.direction})`);
      }
      continue;
    }
    if (free) {
      const at2 = checkExpr(cx, a.value, null);
      if (at2.kind === 'int') {
        deferred.push(i);
        continue;
      }
      if (!unify(formal, at2, vars, subst)) {
        cx.error('TypeMismatch', a.value.span, `argument of type ${typeToString(at2)} does not match parameter '${p.name}' of type ${typeToString(formal)}`);
      }
    } else {
      const at2 = checkExpr(cx, a.value, formal);
      argumentCompatible(cx, a.value, at2, formal, p);
    }
    checkDirection(cx, a.value, p, actionCall);
  }
  for (const i of deferred) {
    const a = bound[i] as ast.Argument;
    const p = sig.params[i];
    const formal = substitute(p.type, subst);
    const at2 = cx.result.types.get(a.value) ?? unknownType;
    if (formal.kind === 'typeVar' && hasFreeVars(formal, vars, subst) && p.direction !== 'none') {
      // Spec: int values are compile-time known and only passed directionless; a width is needed.
      cx.error('CannotInferType', a.value.span, `cannot infer a width for this argument: parameter '${p.name}' has direction '${p.direction}' and cannot have type int (give the value a width, e.g. 8w2)`);
      continue;
    }
    if (hasFreeVars(formal, vars, subst)) {
      if (!unify(formal, at2, vars, subst)) {
        cx.error('TypeMismatch', a.value.span, `argument of type ${typeToString(at2)} does not match parameter '${p.name}' of type ${typeToString(formal)}`);
      }
    } else {
      argumentCompatible(cx, a.value, at2, formal, p);
    }
    checkDirection(cx, a.value, p, actionCall);
  }
  if (sig.typeParams.length > 0) {
    cx.result.typeArgs.set(node, sig.typeParams.map((v) => subst.get(v.id) ?? unknownType));
  }
  return subst;
}

function hasFreeVars(t: Type, vars: ReadonlySet<number>, s: Subst): boolean {
  if (!hasTypeVars(t)) return false;
  switch (t.kind) {
    case 'typeVar': return vars.has(t.id) && !s.has(t.id);
    case 'header': case 'union': case 'struct': case 'extern': return t.args.some((a) => hasFreeVars(a, vars, s));
    case 'stack': return hasFreeVars(t.element, vars, s);
    case 'tuple': return t.elements.some((e) => hasFreeVars(e, vars, s));
    case 'list': case 'set': return hasFreeVars(t.element, vars, s);
    case 'parser': case 'control': case 'package': return t.params.some((p) => hasFreeVars(p.type, vars, s));
    default: return false;
  }
}

function argumentCompatible(cx: Checker, e: ast.Expression, actual: Type, formal: Type, p: Param): void {
  if (p.direction === 'out' || p.direction === 'inout') {
    if (actual.kind === 'unknown' || formal.kind === 'unknown' || formal.kind === 'typeVar') return;
    if (!sameType(actual, formal)) {
      cx.error('TypeMismatch', e.span, `argument of type ${typeToString(actual)} does not match ${p.direction} parameter '${p.name}' of type ${typeToString(formal)}`);
    }
    return;
  }
  coerce(cx, e, actual, formal);
}

function checkDirection(cx: Checker, e: ast.Expression, p: Param, _actionCall: boolean): void {
  if (p.direction === 'out' || p.direction === 'inout') checkLValue(cx, e, 'DirectionMismatch');
}

/** Checks a call against a signature and computes its result type. */
export function applySignature(cx: Checker, call: ast.CallExpression, sig: Signature, expected: Type | null, base: Subst = new Map(), actionCall = false): Type {
  const s = checkArguments(cx, call, call.span, sig, call.args, call.typeArgs, new Map(base), actionCall);
  if (s === null) return hasTypeVars(sig.ret) ? unknownType : substitute(sig.ret, base);
  for (const p of sig.params) {
    // Spec (run-time parameters): parsers, controls and packages cannot be passed at run time,
    // also not through a type parameter.
    if (p.type.kind !== 'typeVar') continue;
    const t = substitute(p.type, s);
    if (t.kind === 'parser' || t.kind === 'control' || t.kind === 'package') {
      cx.error('TypeMismatch', call.span, `'${sig.name}' cannot take ${t.kind} ${typeToString(t)} as run-time argument '${p.name}'`);
    }
  }
  let ret = substitute(sig.ret, s);
  if (sig.typeParams.length > 0) {
    const vars = new Set<number>(sig.typeParams.map((v) => v.id));
    if (hasFreeVars(ret, vars, s)) {
      if (expected !== null && expected.kind !== 'unknown' && unify(ret, expected, vars, s)) {
        ret = substitute(sig.ret, s);
        cx.result.typeArgs.set(call, sig.typeParams.map((v) => s.get(v.id) ?? unknownType));
      } else {
        cx.error('CannotInferType', call.span, `cannot infer the type arguments of '${sig.name}'; give them explicitly`);
        return unknownType;
      }
    }
  }
  return ret;
}

function checkApplyContext(cx: Checker, kind: 'parser' | 'control' | 'table', at: ast.Ident): void {
  const w = cx.ctx.where;
  if (kind === 'parser') {
    if (w !== 'state') cx.error('NotAllowedHere', at.span, 'a parser can only be applied in a parser state');
  } else if (w !== 'apply' || cx.ctx.block !== 'control') {
    cx.error('NotAllowedHere', at.span, `a ${kind} can only be applied in the apply block of a control`);
  }
}

function methodCall(cx: Checker, call: ast.CallExpression, m: ast.MemberExpression, ot: Type, expected: Type | null): Type {
  const name = m.member.name;
  const noArgs = (): boolean => {
    if (call.args.length > 0) {
      cx.error('ArgumentCount', call.args[0].span, `'${name}' takes no arguments`);
      checkArgsLoosely(cx, call.args);
      return false;
    }
    return true;
  };
  if (sizeMethods.has(name) && (ot.kind === 'header' || ot.kind === 'struct' || ot.kind === 'union' || ot.kind === 'stack')) {
    noArgs();
    cx.result.calls.set(call, { kind: 'builtin', name, objectType: ot });
    const v = sizeMethodValue(name, ot);
    if (v !== undefined) cx.result.constants.set(call, v);
    return intType;
  }
  switch (ot.kind) {
    case 'header': case 'union':
      if (headerMethods.has(name) && (ot.kind === 'header' || name === 'isValid')) {
        noArgs();
        cx.result.calls.set(call, { kind: 'builtin', name, objectType: ot });
        if (name === 'isValid') return boolType;
        checkLValue(cx, m.object, 'NotLValue');
        return voidType;
      }
      break;
    case 'stack':
      if (name === 'push_front' || name === 'pop_front') {
        cx.result.calls.set(call, { kind: 'builtin', name, objectType: ot });
        if (call.args.length !== 1) {
          cx.error('ArgumentCount', call.span, `'${name}' takes one argument`);
          checkArgsLoosely(cx, call.args);
          return voidType;
        }
        const a = call.args[0].value;
        const at = checkExpr(cx, a, null);
        const v = intValue(constantOf(cx, a));
        const nv = numericView(at);
        if (nv.kind !== 'int' && nv.kind !== 'bits' && nv.kind !== 'unknown') {
          cx.error('TypeMismatch', a.span, `the count of '${name}' must be an integer`);
        } else if (v === undefined && nv.kind !== 'unknown') {
          cx.error('NotConstant', a.span, `the count of '${name}' must be compile-time known`);
        } else if (v !== undefined && v < 0n) {
          cx.error('InvalidOperand', a.span, `the count of '${name}' cannot be negative`);
        }
        if (at.kind === 'int') applyContext(cx, a, { kind: 'bits', width: 32, signed: false }, true);
        checkLValue(cx, m.object, 'NotLValue');
        return voidType;
      }
      break;
    case 'extern': {
      const methods = ot.methods.filter((x) => x.name === name);
      if (methods.length === 0) {
        cx.error('UnknownMember', m.member.span, `extern ${ot.name} has no method '${name}'`);
        checkArgsLoosely(cx, call.args);
        return unknownType;
      }
      const sig = pickOverload(cx, call.span, name, methods, call.args);
      if (sig === null) {
        checkArgsLoosely(cx, call.args);
        return unknownType;
      }
      cx.result.calls.set(call, { kind: 'method', objectType: ot, method: sig });
      const base = bindArgs(ot.typeParams, ot.args.map((a) => (a.kind === 'typeVar' && ot.typeParams.some((v) => v.id === a.id) ? unknownType : a)));
      const params = sig.params.map((p) => substParam(p, base));
      return applySignature(cx, call, { name, typeParams: sig.typeParams, params, ret: substitute(sig.ret, base) }, expected);
    }
    case 'table':
      if (name === 'apply') {
        noArgs();
        checkApplyContext(cx, 'table', m.member);
        cx.result.calls.set(call, { kind: 'apply', objectType: ot });
        return { kind: 'tableResult', table: ot.node };
      }
      break;
    case 'parser': case 'control':
      if (name === 'apply') {
        checkApplyContext(cx, ot.kind, m.member);
        cx.result.calls.set(call, { kind: 'apply', objectType: ot });
        return applySignature(cx, call, { name: 'apply', typeParams: [], params: ot.params, ret: voidType }, expected);
      }
      break;
    case 'unknown': case 'typeVar':
      checkArgsLoosely(cx, call.args);
      return unknownType;
    default:
      break;
  }
  cx.error('UnknownMember', m.member.span, `a value of type ${typeToString(ot)} has no method '${name}'`);
  checkArgsLoosely(cx, call.args);
  return unknownType;
}

/** `T.apply(args);` with T a parser or control declaration. */
export function checkDirectApply(cx: Checker, s: ast.DirectApplyStatement): void {
  const base = s.type.kind === 'SpecializedTypeRef' ? s.type.base : s.type;
  const ts = cx.lookupType(base.name.name, base.global);
  if (ts === undefined) {
    cx.error('UndeclaredName', base.name.span, `undeclared type '${base.name.name}'`);
    checkArgsLoosely(cx, s.args);
    return;
  }
  cx.result.refs.set(base, ts);
  const t = ts.type;
  if ((t.kind !== 'parser' && t.kind !== 'control') || !ts.instantiable) {
    cx.error('BadInstantiation', base.name.span, `'${ts.name}' cannot be applied directly`);
    checkArgsLoosely(cx, s.args);
    return;
  }
  if (t.ctorParams !== null && t.ctorParams.some((p) => !p.hasDefault)) {
    cx.error('BadInstantiation', base.name.span, `'${ts.name}' has constructor parameters; instantiate it before applying it`);
  }
  checkApplyContext(cx, t.kind, base.name);
  cx.result.calls.set(s, { kind: 'apply', objectType: t });
  checkArguments(cx, s, s.span, { name: 'apply', typeParams: [], params: t.params, ret: voidType }, s.args, [], new Map());
}

export type { ValueSym };
