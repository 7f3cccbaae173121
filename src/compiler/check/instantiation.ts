// Instantiation: `T(args) name;` declarations and constructor calls `T(args)` of externs
// (constructor overloads by arity), parsers, controls and packages. Constructor arguments must be
// compile-time known (constants or other instances). Package arguments are matched against the
// package's parameter types with type-argument inference (V1Switch<H, M>). Records `main`.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { TypeSym } from './scope.js';
import { substitute, typeToString, unknownType, voidType } from './types.js';
import type { ExternType, MethodSig, Param, Subst, Type } from './types.js';
import { checkExpr, constantOf } from './expressions.js';
import { checkArguments, pickOverload } from './calls.js';
import { checkExternTypeArgs, checkFunction, resolveType } from './declarations.js';

/** The type symbol named by a NamedTypeRef/SpecializedTypeRef, reporting undeclared names. */
function typeSymOf(cx: Checker, ref: ast.TypeRef): { sym: TypeSym; args: readonly ast.TypeRef[] } | null {
  const base = ref.kind === 'SpecializedTypeRef' ? ref.base : ref.kind === 'NamedTypeRef' ? ref : null;
  if (base === null) {
    const t = resolveType(cx, ref);
    if (t.kind !== 'unknown') cx.error('BadInstantiation', ref.span, `cannot instantiate type ${typeToString(t)}`);
    return null;
  }
  const name = base.name.name;
  const sym = cx.lookupType(name, base.global);
  if (sym === undefined) {
    if (cx.lookupValues(name, base.global) !== undefined) cx.error('NotAType', base.name.span, `'${name}' is not a type`);
    else cx.error('UndeclaredName', base.name.span, `undeclared type '${name}'`);
    return null;
  }
  cx.result.refs.set(base, sym);
  return { sym, args: ref.kind === 'SpecializedTypeRef' ? ref.args : [] };
}

/** `Type(args)` as an expression. */
export function checkConstructorCall(cx: Checker, e: ast.ConstructorCallExpression): Type {
  const r = typeSymOf(cx, e.type);
  if (r === null) {
    for (const a of e.args) checkExpr(cx, a.value, null);
    return unknownType;
  }
  return constructorCall(cx, e, r.sym, r.args, e.args, e.type.span);
}

/** Instantiates the type of `sym` with constructor arguments; returns the instance type. */
export function constructorCall(
  cx: Checker, node: ast.CallExpression | ast.ConstructorCallExpression | ast.InstantiationDeclaration, sym: TypeSym,
  typeArgRefs: readonly ast.TypeRef[], args: readonly ast.Argument[], at: { start: number; end: number },
): Type {
  const t = sym.type;
  switch (t.kind) {
    case 'extern': {
      let ctor: MethodSig | null = null;
      if (t.ctors.length === 0) {
        // An extern object without a constructor (e.g. packet_in) cannot be instantiated in P4.
        cx.error('BadInstantiation', at, `extern ${t.name} has no constructor; it cannot be instantiated`);
        for (const a of args) checkExpr(cx, a.value, null);
        return unknownType;
      } else {
        ctor = pickOverload(cx, at, t.name, t.ctors, args);
        if (ctor === null) {
          for (const a of args) checkExpr(cx, a.value, null);
          return unknownType;
        }
      }
      if (node.kind !== 'InstantiationDeclaration') cx.result.calls.set(node, { kind: 'constructor', type: t, ctor });
      const s: Subst = new Map();
      const sig = { name: t.name, typeParams: t.typeParams, params: ctor === null ? [] : ctor.params, ret: voidType };
      checkArguments(cx, node, at, sig, args, typeArgRefs, s);
      checkConstructorArgs(cx, args);
      const inst: ExternType = { ...t, args: t.typeParams.map((v) => s.get(v.id) ?? unknownType) };
      if (t.typeParams.length > 0 && !checkExternTypeArgs(cx, t, s, at)) return unknownType;
      if (t.typeParams.length > 0) cx.result.typeArgs.set(node, [...inst.args]);
      return inst;
    }
    case 'parser': case 'control': {
      if (!sym.instantiable) {
        cx.error('BadInstantiation', at, `'${sym.name}' is a ${t.kind} type, not a ${t.kind}; it cannot be instantiated`);
        for (const a of args) checkExpr(cx, a.value, null);
        return unknownType;
      }
      if (cx.inProgress.has(sym.node)) {
        // The enclosing parser or control would contain itself: recursion is not allowed.
        cx.error('BadInstantiation', at, `${t.kind} '${sym.name}' cannot instantiate itself`);
        for (const a of args) checkExpr(cx, a.value, null);
        return unknownType;
      }
      if (node.kind !== 'InstantiationDeclaration') cx.result.calls.set(node, { kind: 'constructor', type: t, ctor: null });
      const s: Subst = new Map();
      checkArguments(cx, node, at, { name: t.name, typeParams: t.typeParams, params: t.ctorParams ?? [], ret: voidType }, args, typeArgRefs, s);
      checkConstructorArgs(cx, args);
      return s.size > 0 ? substitute(t, s) : t;
    }
    case 'package': {
      if (node.kind !== 'InstantiationDeclaration') cx.result.calls.set(node, { kind: 'constructor', type: t, ctor: null });
      const s: Subst = new Map();
      checkArguments(cx, node, at, { name: t.name, typeParams: t.typeParams, params: t.params, ret: voidType }, args, typeArgRefs, s);
      checkConstructorArgs(cx, args);
      const params: Param[] = t.params.map((p) => ({ ...p, type: substitute(p.type, s) }));
      return { ...t, params, typeParams: [] };
    }
    case 'unknown':
      for (const a of args) checkExpr(cx, a.value, null);
      return unknownType;
    default:
      cx.error('BadInstantiation', at, `type ${typeToString(t)} cannot be instantiated`);
      for (const a of args) checkExpr(cx, a.value, null);
      return unknownType;
  }
}

/** Constructor arguments must be compile-time known: constants, instances or constructor calls. */
function checkConstructorArgs(cx: Checker, args: readonly ast.Argument[]): void {
  for (const a of args) {
    const e = a.value;
    const t = cx.result.types.get(e);
    if (t === undefined || t.kind === 'unknown' || t.kind === 'dontCare') continue;
    if (t.kind === 'extern' || t.kind === 'parser' || t.kind === 'control' || t.kind === 'package') continue;
    if (constantOf(cx, e) !== undefined) continue;
    if (e.kind === 'PathExpression') {
      const sym = cx.result.refs.get(e);
      if (sym !== undefined && 'kind' in sym && sym.kind === 'parameter' && sym.role === 'ctorParam') continue;
    }
    if (isConstructorParamExpr(cx, e)) continue;
    cx.error('BadConstructorArgument', e.span, 'constructor arguments must be compile-time known');
  }
}

/** Expressions built only from constants and constructor parameters (known at instantiation). */
function isConstructorParamExpr(cx: Checker, e: ast.Expression): boolean {
  switch (e.kind) {
    case 'PathExpression': {
      const sym = cx.result.refs.get(e);
      return sym !== undefined && 'kind' in sym && ((sym.kind === 'parameter' && sym.role === 'ctorParam') || sym.kind === 'constant');
    }
    case 'IntegerLiteral': case 'BoolLiteral': case 'StringLiteral':
      return true;
    case 'CastExpression': return isConstructorParamExpr(cx, e.operand);
    case 'UnaryExpression': return isConstructorParamExpr(cx, e.operand);
    case 'BinaryExpression': return isConstructorParamExpr(cx, e.left) && isConstructorParamExpr(cx, e.right);
    case 'ListExpression': return e.elements.every((x) => isConstructorParamExpr(cx, x));
    case 'StructExpression': return e.fields.every((x) => isConstructorParamExpr(cx, x.value));
    default:
      return constantOf(cx, e) !== undefined;
  }
}

/** `Type(args) name;` and `Type(args) name = { abstract method implementations };`. */
export function checkInstantiation(cx: Checker, d: ast.InstantiationDeclaration): void {
  const w = cx.ctx.where;
  if (w !== 'top' && w !== 'parser' && w !== 'control') {
    cx.error('NotAllowedHere', d.name.span, 'instantiations are only allowed at the top level and in parser and control declarations');
  }
  const r = typeSymOf(cx, d.type);
  let t: Type = unknownType;
  if (r === null) {
    for (const a of d.args) checkExpr(cx, a.value, null);
  } else {
    const k = r.sym.type.kind;
    if ((k === 'parser' || k === 'control') && r.sym.instantiable) {
      const where = cx.ctx.block;
      if (w === 'top') {
        cx.error('BadInstantiation', d.type.span, `a ${k} cannot be instantiated at the top level`);
      } else if (where !== null && where !== k) {
        cx.error('BadInstantiation', d.type.span, `a ${k} cannot be instantiated inside a ${where}`);
      }
    }
    t = constructorCall(cx, d, r.sym, r.args, d.args, d.type.span);
    cx.result.typeRefs.set(d.type, t);
  }
  cx.result.declTypes.set(d, t);
  if (t.kind === 'extern') {
    const abstracts = t.methods.filter((m) => m.abstract);
    const given = d.initializer ?? [];
    if (abstracts.length === 0 && d.initializer !== null) {
      cx.error('AbstractMethod', d.name.span, `extern ${t.name} has no abstract methods; instance '${d.name.name}' cannot have an initializer block`);
    } else if (abstracts.length > 0 && d.initializer === null) {
      cx.error('AbstractMethod', d.name.span, `instance '${d.name.name}' must implement the abstract method(s) ${abstracts.map((m) => `'${m.name}'`).join(', ')}`);
    } else if (d.initializer !== null) {
      for (const m of abstracts) {
        if (!given.some((g) => g.kind === 'FunctionDeclaration' && g.name.name === m.name)) {
          cx.error('AbstractMethod', d.name.span, `instance '${d.name.name}' does not implement the abstract method '${m.name}'`);
        }
      }
      for (const g of given) {
        if (g.kind !== 'FunctionDeclaration') continue;
        const m = t.methods.find((x) => x.abstract && x.name === g.name.name && x.params.length === g.parameters.length)
          ?? t.methods.find((x) => x.abstract && x.name === g.name.name);
        if (m === undefined) {
          cx.error('AbstractMethod', g.name.span, `'${g.name.name}' is not an abstract method of ${t.name}`);
          continue;
        }
        if (m.params.length !== g.parameters.length) {
          cx.error('AbstractMethod', g.name.span, `'${g.name.name}' must have ${m.params.length} parameter(s), as declared`);
          continue;
        }
        for (let i = 0; i < m.params.length; i++) {
          if (m.params[i].direction !== g.parameters[i].direction) {
            cx.error('DirectionMismatch', g.parameters[i].span, `parameter '${g.parameters[i].name.name}' must have direction '${m.params[i].direction}' as in the declaration of '${m.name}'`);
          }
        }
      }
    }
  } else if (d.initializer !== null && t.kind !== 'unknown') {
    cx.error('AbstractMethod', d.name.span, `type ${typeToString(t)} has no abstract methods to implement`);
  }
  if (d.initializer !== null) {
    cx.inScope(() => {
      cx.withCtx({ where: 'method', thisType: t }, () => {
        for (const g of d.initializer ?? []) {
          if (g.kind === 'FunctionDeclaration') checkFunction(cx, g);
          else checkInstantiation(cx, g);
        }
      });
    });
  }
  cx.declareValue({ kind: 'instance', name: d.name.name, type: t, node: d, direction: 'none', value: undefined, role: 'plain' }, d.name);
  if (w === 'top' && d.name.name === 'main' && t.kind === 'package') {
    cx.result.main = { node: d, package: t };
  }
}
