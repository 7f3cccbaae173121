// Declarations: resolving written types (TypeRef -> Type) and checking type declarations
// (headers, unions, structs, enums, errors, match kinds, typedefs, externs, parser/control/package
// types), functions, actions, constants and variables. Parsers, controls, tables and
// instantiations have their own files; this one dispatches them.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { TypeSym, ValueSym } from './scope.js';
import { Scope } from './scope.js';
import {
  bits, bindArgs, boolType, dontCareType, errorType, intType, matchKindType, newTypeVar, stringType,
  substitute, typeToString, unknownType, voidType,
} from './types.js';
import type {
  BitsType, BlockType, EnumType, ExternType, Field, FunctionType, MethodSig, PackageType, Param, StructLikeType,
  Subst, Type, TypeVar,
} from './types.js';
import { fits, wrap } from './constants.js';
import { applyContext, checkExpr, coerce, constantOf } from './expressions.js';
import { checkBlockBody, definitelyReturns } from './statements.js';
import { checkParser } from './parsers.js';
import { checkControl } from './controls.js';
import { checkInstantiation } from './instantiation.js';

// ---------------------------------------------------------------------------------------
// Type references

/** Nodes whose type is being resolved (to detect a struct that contains itself). */
const resolving = new WeakSet<ast.Node>();
/** Names of struct-like types whose fields are being resolved. */
const declaringNames: string[] = [];

/** Resolves a written type; reports undeclared names, bad widths and wrong type-argument counts. */
export function resolveType(cx: Checker, ref: ast.TypeRef): Type {
  const t = resolveTypeInner(cx, ref);
  cx.result.typeRefs.set(ref, t);
  return t;
}

function resolveTypeInner(cx: Checker, ref: ast.TypeRef): Type {
  switch (ref.kind) {
    case 'BitTypeRef': {
      if (ref.width === null) return ref.signed ? intType : bits(1);
      const w = constantInt(cx, ref.width, 'a width');
      if (w === null) return unknownType;
      if (w < 0 || (ref.signed && w < 1)) {
        cx.error('BadWidth', ref.width.span, `invalid width ${w} for ${ref.signed ? 'int' : 'bit'}<W>`);
        return unknownType;
      }
      return bits(w, ref.signed);
    }
    case 'VarbitTypeRef': {
      const w = constantInt(cx, ref.width, 'a width');
      if (w === null) return unknownType;
      if (w < 0) {
        cx.error('BadWidth', ref.width.span, `invalid width ${w} for varbit<W>`);
        return unknownType;
      }
      return { kind: 'varbit', width: w };
    }
    case 'BoolTypeRef': return boolType;
    case 'StringTypeRef': return stringType;
    case 'ErrorTypeRef': return errorType;
    case 'MatchKindTypeRef': return matchKindType;
    case 'VoidTypeRef': return voidType;
    case 'DontCareTypeRef': return dontCareType;
    case 'NamedTypeRef': {
      const sym = lookupTypeRef(cx, ref);
      if (sym === null) return unknownType;
      // A generic struct, header, union or extern type must be given its type arguments.
      const k = sym.type.kind;
      if (sym.typeParams.length > 0 && (k === 'struct' || k === 'header' || k === 'union' || k === 'extern')) {
        cx.error('TypeArgumentCount', ref.span, `generic type '${sym.name}' needs ${sym.typeParams.length} type argument(s)`);
        return unknownType;
      }
      return sym.type;
    }
    case 'SpecializedTypeRef': {
      const sym = lookupTypeRef(cx, ref.base);
      const args = ref.args.map((a) => resolveType(cx, a));
      if (sym === null) return unknownType;
      cx.result.typeRefs.set(ref.base, sym.type);
      return specialize(cx, sym, args, ref.span);
    }
    case 'StackTypeRef': {
      const element = resolveType(cx, ref.element);
      const n = constantInt(cx, ref.size, 'an array size');
      if (n === null) return unknownType;
      if (n < 0) {
        cx.error('BadWidth', ref.size.span, `invalid array size ${n}`);
        return unknownType;
      }
      if (!isDataType(element) && element.kind !== 'extern') {
        cx.error('InvalidFieldType', ref.element.span, `type ${typeToString(element)} cannot be an array element`);
      }
      return { kind: 'stack', element, size: n };
    }
    case 'TupleTypeRef': {
      const elements = ref.elements.map((e) => resolveType(cx, e));
      for (let i = 0; i < elements.length; i++) {
        const e = elements[i];
        if (e.kind === 'int' || e.kind === 'void' || e.kind === 'string' || e.kind === 'matchKind' || !isDataType(e)) {
          if (e.kind !== 'unknown' && e.kind !== 'typeVar') {
            cx.error('InvalidFieldType', ref.elements[i].span, `type ${typeToString(e)} cannot be a tuple element`);
          }
        }
      }
      return { kind: 'tuple', elements };
    }
    case 'ListTypeRef':
      return { kind: 'list', element: resolveType(cx, ref.element) };
  }
}

function lookupTypeRef(cx: Checker, ref: ast.NamedTypeRef): TypeSym | null {
  const name = ref.name.name;
  const sym = cx.lookupType(name, ref.global);
  if (sym === undefined) {
    if (declaringNames.includes(name)) cx.error('RecursiveType', ref.name.span, `type '${name}' refers to itself`);
    else if (cx.lookupValues(name, ref.global) !== undefined) cx.error('NotAType', ref.name.span, `'${name}' is not a type`);
    else cx.error('UndeclaredName', ref.name.span, `undeclared type '${name}'`);
    return null;
  }
  if (resolving.has(sym.node)) {
    cx.error('RecursiveType', ref.name.span, `type '${name}' refers to itself`);
    return null;
  }
  cx.result.refs.set(ref, sym);
  return sym;
}

/** Applies type arguments to a generic type. */
export function specialize(cx: Checker, sym: TypeSym, args: Type[], at: { start: number; end: number }): Type {
  if (sym.typeParams.length !== args.length) {
    cx.error('TypeArgumentCount', at, `type '${sym.name}' expects ${sym.typeParams.length} type argument(s), got ${args.length}`);
    return unknownType;
  }
  const s = bindArgs(sym.typeParams, args);
  const t = substitute(sym.type, s);
  if (t.kind === 'struct' || t.kind === 'header' || t.kind === 'union') {
    // The fields of the specialized type must obey the usual field-type rules.
    for (const f of t.fields) {
      const problem = fieldProblem(t.kind, f.type);
      if (problem !== null) {
        cx.error('InvalidFieldType', at, `in ${typeToString(t)}: ${problem}`);
        return unknownType;
      }
    }
  }
  if (t.kind === 'extern' && !checkExternTypeArgs(cx, t, s, at)) return unknownType;
  if (t.kind === 'parser' || t.kind === 'control' || t.kind === 'package') {
    const rest = sym.typeParams.filter((_, i) => args[i].kind === 'dontCare');
    return { ...t, typeParams: rest };
  }
  if (t.kind === 'extern' && t.args.length === 0) return t;
  return t;
}

/** Objects and compile-time-only values given as type arguments cannot reach a method parameter with a direction. */
export function checkExternTypeArgs(cx: Checker, t: ExternType, s: Subst, at: { start: number; end: number }): boolean {
  for (const m of t.methods) {
    for (const p of m.params) {
      if (p.direction === 'none') continue;
      const problem = paramKindProblem(substitute(p.type, s), p.direction, 'extern', false);
      if (problem !== null) {
        const inst: ExternType = { ...t, args: t.typeParams.map((v) => s.get(v.id) ?? v) };
        cx.error('BadDeclaration', at, `in ${typeToString(inst)}, parameter '${p.name}' of method '${m.name}' ${problem}`);
        return false;
      }
    }
  }
  return true;
}

/** Evaluates a compile-time integer (a width, a size); reports NotConstant. */
export function constantInt(cx: Checker, e: ast.Expression, what: string): number | null {
  checkExpr(cx, e, null);
  const v = constantOf(cx, e);
  if (v === undefined) {
    if (cx.result.types.get(e)?.kind !== 'unknown' && e.kind !== 'ErrorExpression') {
      cx.error('NotConstant', e.span, `${what} must be a compile-time known integer`);
    }
    return null;
  }
  if (typeof v !== 'bigint') {
    cx.error('TypeMismatch', e.span, `${what} must be an integer`);
    return null;
  }
  if (v > 1000000000n || v < -1000000000n) {
    cx.error('BadWidth', e.span, `${what} is too large`);
    return null;
  }
  return Number(v);
}

/** Types whose values can be stored in variables and fields. */
export function isDataType(t: Type): boolean {
  switch (t.kind) {
    case 'bits': case 'varbit': case 'bool': case 'error': case 'header': case 'union': case 'struct':
    case 'enum': case 'stack': case 'tuple': case 'list': case 'newtype': case 'typeVar': case 'unknown':
    case 'int': case 'string': case 'matchKind':
      return true;
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// Dispatch

/** Checks one top-level declaration. */
export function checkTopLevel(cx: Checker, d: ast.Declaration): void {
  switch (d.kind) {
    case 'VariableDeclaration':
      cx.error('NotAllowedHere', d.name.span, 'variables cannot be declared at the top level');
      checkVariable(cx, d);
      return;
    case 'ValueSetDeclaration':
      cx.error('NotAllowedHere', d.span, 'value sets can only be declared in parsers');
      checkValueSet(cx, d);
      return;
    case 'TableDeclaration':
      cx.error('NotAllowedHere', d.name.span, 'tables can only be declared in controls');
      return;
    case 'ParserState':
      cx.error('NotAllowedHere', d.name.span, 'parser states can only be declared in parsers');
      return;
    default:
      checkDeclaration(cx, d);
  }
}

/** Checks a declaration allowed in several places (top level, parser/control locals). */
export function checkDeclaration(cx: Checker, d: ast.Declaration): void {
  switch (d.kind) {
    case 'ConstantDeclaration': checkConstant(cx, d); return;
    case 'VariableDeclaration': checkVariable(cx, d); return;
    case 'InstantiationDeclaration': checkInstantiation(cx, d); return;
    case 'ExternDeclaration': checkExtern(cx, d); return;
    case 'ActionDeclaration': checkAction(cx, d); return;
    case 'FunctionDeclaration': checkFunction(cx, d); return;
    case 'ParserDeclaration': checkParser(cx, d); return;
    case 'ControlDeclaration': checkControl(cx, d); return;
    case 'ParserTypeDeclaration': case 'ControlTypeDeclaration': checkBlockType(cx, d); return;
    case 'PackageTypeDeclaration': checkPackageType(cx, d); return;
    case 'HeaderDeclaration': case 'HeaderUnionDeclaration': case 'StructDeclaration': checkStructLike(cx, d); return;
    case 'EnumDeclaration': checkEnum(cx, d); return;
    case 'ErrorDeclaration': checkErrorDecl(cx, d); return;
    case 'MatchKindDeclaration': checkMatchKind(cx, d); return;
    case 'TypedefDeclaration': checkTypedef(cx, d); return;
    case 'ValueSetDeclaration': checkValueSet(cx, d); return;
    case 'TableDeclaration':
      cx.error('NotAllowedHere', d.name.span, 'tables can only be declared in controls');
      return;
    case 'ParserState':
      cx.error('NotAllowedHere', d.name.span, 'parser states can only be declared in parsers');
      return;
    case 'ErrorDeclarationNode':
      return;
  }
}

// ---------------------------------------------------------------------------------------
// Type declarations

function declareTypeVars(cx: Checker, ids: readonly ast.Ident[]): TypeVar[] {
  const vars: TypeVar[] = [];
  for (const id of ids) {
    const tv = newTypeVar(id.name);
    vars.push(tv);
    cx.declareType({ name: id.name, node: id, type: tv, typeParams: [], instantiable: false }, id);
  }
  return vars;
}

/** header / header_union / struct declarations and their field-type rules. */
export function checkStructLike(cx: Checker, d: ast.HeaderDeclaration | ast.HeaderUnionDeclaration | ast.StructDeclaration): StructLikeType {
  const kind = d.kind === 'HeaderDeclaration' ? 'header' : d.kind === 'HeaderUnionDeclaration' ? 'union' : 'struct';
  const fields: Field[] = [];
  let typeParams: TypeVar[] = [];
  const t: StructLikeType = { kind, name: d.name.name, fields, node: d, args: [] };
  resolving.add(d);
  declaringNames.push(d.name.name);
  cx.inScope(() => {
    typeParams = declareTypeVars(cx, d.typeParameters);
    (t as { args: readonly Type[] }).args = typeParams;
    const seen = new Map<string, ast.Ident>();
    let varbits = 0;
    for (const f of d.fields) {
      const ft = resolveType(cx, f.type);
      cx.result.declTypes.set(f, ft);
      const prev = seen.get(f.name.name);
      if (prev !== undefined) {
        cx.error('DuplicateDeclaration', f.name.span, `duplicate field '${f.name.name}'`, prev.span);
        continue;
      }
      seen.set(f.name.name, f.name);
      if (ft.kind === 'varbit') varbits++;
      const problem = fieldProblem(kind, ft);
      if (problem !== null) cx.error('InvalidFieldType', f.type.span, problem);
      else if (kind === 'header' && ft.kind === 'varbit' && varbits > 1) {
        cx.error('InvalidFieldType', f.type.span, 'a header may contain at most one varbit field');
      }
      fields.push({ name: f.name.name, type: ft, node: f });
    }
  });
  resolving.delete(d);
  declaringNames.pop();
  cx.result.declTypes.set(d, t);
  cx.declareType({ name: d.name.name, node: d, type: t, typeParams, instantiable: false }, d.name);
  return t;
}

function fieldProblem(container: 'header' | 'union' | 'struct', t: Type): string | null {
  const where = container === 'union' ? 'header_union' : container;
  const bad = `type ${typeToString(t)} cannot be a field of a ${where}`;
  if (t.kind === 'unknown' || t.kind === 'typeVar') return null;
  if (container === 'union') return t.kind === 'header' ? null : bad;
  if (container === 'header') {
    switch (t.kind) {
      case 'bits': case 'varbit': case 'bool': return null;
      case 'enum': return t.underlying !== null ? null : `enum ${t.name} in a header needs an underlying type`;
      case 'newtype': return fieldProblem('header', t.base) === null ? null : bad;
      case 'struct': return t.fields.every((f) => flatHeaderField(f.type)) ? null : bad;
      case 'stack': return t.element.kind === 'header' || t.element.kind === 'union' ? bad : null;
      default: return bad;
    }
  }
  switch (t.kind) {
    case 'int': case 'void': case 'string': case 'matchKind': return bad;
    default: return isDataType(t) ? null : bad;
  }
}

function flatHeaderField(t: Type): boolean {
  switch (t.kind) {
    case 'bits': case 'bool': case 'unknown': case 'typeVar': return true;
    case 'enum': return t.underlying !== null;
    case 'newtype': return flatHeaderField(t.base);
    case 'struct': return t.fields.every((f) => flatHeaderField(f.type));
    default: return false;
  }
}

/** `enum E { A, B }` and `enum bit<8> E { A = 1 }`. */
export function checkEnum(cx: Checker, d: ast.EnumDeclaration): EnumType {
  let underlying: BitsType | null = null;
  if (d.underlying !== null) {
    const u = resolveType(cx, d.underlying);
    if (u.kind === 'bits') underlying = u;
    else if (u.kind !== 'unknown') cx.error('BadEnum', d.underlying.span, `the underlying type of an enum must be bit<W> or int<W>, not ${typeToString(u)}`);
  }
  const t: EnumType = { kind: 'enum', name: d.name.name, members: [], underlying, values: new Map(), node: d };
  const seen = new Map<string, ast.Ident>();
  for (const m of d.members) {
    const prev = seen.get(m.name.name);
    if (prev !== undefined) {
      cx.error('DuplicateDeclaration', m.name.span, `duplicate enum member '${m.name.name}'`, prev.span);
      continue;
    }
    seen.set(m.name.name, m.name);
    t.members.push(m.name.name);
    if (m.value !== null) {
      const vt = checkExpr(cx, m.value, underlying);
      if (d.underlying === null) {
        cx.error('BadEnum', m.value.span, 'only enums with an underlying type can give members values');
        continue;
      }
      if (underlying === null) continue;
      const v = constantOf(cx, m.value);
      if (typeof v !== 'bigint') {
        if (vt.kind !== 'unknown') cx.error('NotConstant', m.value.span, `the value of '${m.name.name}' must be a compile-time known integer`);
        continue;
      }
      if (vt.kind === 'int') {
        if (!fits(v, underlying)) {
          cx.error('BadEnum', m.value.span, `value ${v} of '${m.name.name}' does not fit in ${typeToString(underlying)}`);
          continue;
        }
        applyContext(cx, m.value, underlying, true);
        t.values.set(m.name.name, wrap(v, underlying));
      } else {
        coerce(cx, m.value, vt, underlying);
        t.values.set(m.name.name, v);
      }
      cx.result.declValues.set(m, t.values.get(m.name.name) as bigint);
    } else if (underlying !== null) {
      cx.error('BadEnum', m.name.span, `member '${m.name.name}' of a serializable enum needs a value`);
    }
  }
  cx.result.declTypes.set(d, t);
  cx.declareType({ name: d.name.name, node: d, type: t, typeParams: [], instantiable: false }, d.name);
  return t;
}

function checkErrorDecl(cx: Checker, d: ast.ErrorDeclaration): void {
  if (cx.ctx.where !== 'top') declareErrors(cx, d);
}

/** Adds the members of an `error { ... }` declaration (collected before checking). */
export function declareErrors(cx: Checker, d: ast.ErrorDeclaration): void {
  for (const m of d.members) {
    const prev = cx.errorMembers.get(m.name);
    if (prev !== undefined) {
      cx.error('DuplicateDeclaration', m.span, `duplicate error '${m.name}'`, prev.span);
      continue;
    }
    cx.errorMembers.set(m.name, m);
  }
}

function checkMatchKind(cx: Checker, d: ast.MatchKindDeclaration): void {
  for (const m of d.members) {
    const sym: ValueSym = {
      kind: 'matchKind', name: m.name, type: matchKindType, node: m, direction: 'none',
      value: { kind: 'matchKindMember', name: m.name }, role: 'plain',
    };
    cx.declareValue(sym, m);
  }
}

function checkTypedef(cx: Checker, d: ast.TypedefDeclaration): void {
  let t: Type;
  switch (d.type.kind) {
    case 'HeaderDeclaration': case 'HeaderUnionDeclaration': case 'StructDeclaration':
      t = checkStructLike(cx, d.type);
      break;
    case 'EnumDeclaration':
      t = checkEnum(cx, d.type);
      break;
    default:
      t = resolveType(cx, d.type);
  }
  if (d.isNewType) {
    if (!newTypeBaseOk(t)) {
      cx.error('BadDeclaration', d.type.span, `'type' cannot introduce a new type based on ${typeToString(t)}`);
    }
    t = { kind: 'newtype', name: d.name.name, base: t, node: d };
  } else if (t.kind === 'void' || t.kind === 'string' || t.kind === 'matchKind') {
    cx.error('BadDeclaration', d.type.span, `typedef of ${typeToString(t)} is not allowed`);
  }
  cx.result.declTypes.set(d, t);
  cx.declareType({ name: d.name.name, node: d, type: t, typeParams: [], instantiable: false }, d.name);
}

function newTypeBaseOk(t: Type): boolean {
  return t.kind === 'bits' || t.kind === 'bool' || t.kind === 'newtype' || t.kind === 'unknown';
}

// ---------------------------------------------------------------------------------------
// Parameters

/** Resolves parameters, declaring nothing; reports duplicate names. */
export function resolveParams(cx: Checker, params: readonly ast.Parameter[]): Param[] {
  const out: Param[] = [];
  const seen = new Map<string, ast.Ident>();
  for (const p of params) {
    const t = resolveType(cx, p.type);
    cx.result.declTypes.set(p, t);
    const prev = seen.get(p.name.name);
    if (prev !== undefined) cx.error('DuplicateDeclaration', p.name.span, `duplicate parameter '${p.name.name}'`, prev.span);
    seen.set(p.name.name, p.name);
    if (t.kind === 'void') cx.error('TypeMismatch', p.type.span, 'a parameter cannot have type void');
    const optional = p.annotations.some((a) => a.name.name === 'optional');
    if (p.defaultValue !== null) checkDefaultValue(cx, p, t, optional);
    out.push({ name: p.name.name, direction: p.direction, type: t, hasDefault: p.defaultValue !== null || optional, node: p });
  }
  return out;
}

// Spec (calling convention): default expressions are only allowed for `in` or directionless
// parameters and must be compile-time known; optional parameters cannot have default values.
function checkDefaultValue(cx: Checker, p: ast.Parameter, t: Type, optional: boolean): void {
  const dv = p.defaultValue as ast.Expression;
  if (p.direction === 'out' || p.direction === 'inout') {
    cx.error('BadDeclaration', p.name.span, `'${p.direction}' parameter '${p.name.name}' cannot have a default value`);
    checkExpr(cx, dv, null);
    return;
  }
  if (optional) cx.error('BadDeclaration', p.name.span, `optional parameter '${p.name.name}' cannot have a default value`);
  const vt = checkExpr(cx, dv, t);
  if (!coerce(cx, dv, vt, t)) return;
  if (dv.kind !== 'DotsExpression' && dv.kind !== 'ErrorExpression' && vt.kind !== 'unknown' && constantOf(cx, dv) === undefined) {
    cx.error('NotConstant', dv.span, `the default value of parameter '${p.name.name}' must be compile-time known`);
  }
}

/** Who owns a parameter list, for the spec's tables of allowed parameter types. */
export type ParamOwner = 'package' | 'parser' | 'control' | 'extern' | 'action' | 'function';

/**
 * Spec appendix (restrictions on compile-time and run-time calls): which object types may be
 * constructor parameters (`ctor`) or run-time parameters of each kind of callable, and the rule
 * that objects and compile-time-only values (int, string, match_kind) are passed directionless.
 */
export function checkParamKinds(cx: Checker, params: readonly Param[], owner: ParamOwner, ctor: boolean): void {
  for (const p of params) {
    if (p.node === null) continue;
    const problem = paramKindProblem(p.type, p.direction, owner, ctor);
    if (problem !== null) cx.error('BadDeclaration', p.node.name.span, `parameter '${p.name}' ${problem}`);
  }
}

function paramKindProblem(t: Type, direction: ast.Direction, owner: ParamOwner, ctor: boolean): string | null {
  const k = t.kind;
  const object = k === 'package' || k === 'parser' || k === 'control' || k === 'extern';
  if (object) {
    const what = k === 'extern' ? `extern type ${typeToString(t)}` : `${k} type ${typeToString(t)}`;
    if (ctor) {
      const ok = k === 'extern' || owner === 'package' || k === owner;
      if (!ok) return `cannot have ${what}: a ${owner} cannot take a ${k} as a constructor parameter`;
    } else if (k !== 'extern' || owner === 'action' || owner === 'function') {
      return `cannot have ${what}: a${owner === 'action' || owner === 'extern' ? 'n' : ''} ${owner} cannot take it as a run-time parameter`;
    }
    if (direction !== 'none') return `of ${what} must be directionless`;
    return null;
  }
  if (direction !== 'none' && (k === 'int' || k === 'string' || k === 'matchKind')) {
    return `of type ${typeToString(t)} must be directionless (its values are compile-time known)`;
  }
  return null;
}

/** A parameter cannot reuse the name of a type parameter of the same declaration. */
export function checkTypeParamClash(cx: Checker, typeParams: readonly ast.Ident[], params: readonly ast.Parameter[]): void {
  for (const p of params) {
    const tp = typeParams.find((t) => t.name === p.name.name);
    if (tp !== undefined) cx.error('DuplicateDeclaration', p.name.span, `parameter '${p.name.name}' has the name of a type parameter`, tp.span);
  }
}

/** Declares parameters as values in the current scope. */
export function declareParams(cx: Checker, params: readonly Param[], role: 'plain' | 'ctorParam' | 'actionData'): void {
  for (const p of params) {
    if (p.node === null) continue;
    const r = role === 'actionData' && p.direction !== 'none' ? 'plain' : role;
    cx.declareValue({ kind: 'parameter', name: p.name, type: p.type, node: p.node, direction: p.direction, value: undefined, role: r }, p.node.name);
  }
}

// ---------------------------------------------------------------------------------------
// Externs, parser/control/package types

function checkMethod(cx: Checker, m: ast.MethodPrototype, externName: string | null): MethodSig {
  let sig: MethodSig | null = null;
  cx.inScope(() => {
    const typeParams = declareTypeVars(cx, m.typeParameters);
    let ret: Type = voidType;
    const isCtor = externName !== null && m.name.name === externName;
    if (m.returnType !== null) {
      ret = resolveType(cx, m.returnType);
      // A method named after its extern is a constructor, which has no return type.
      if (isCtor) cx.error('BadDeclaration', m.name.span, `constructor '${m.name.name}' cannot have a return type`);
    } else if (!isCtor) {
      cx.error('BadDeclaration', m.name.span, `method '${m.name.name}' needs a return type`);
    }
    // A method call is not compile-time known, so it cannot produce an int (Spec: int values are compile-time known).
    if (ret.kind === 'int' && m.returnType !== null) {
      cx.error('BadDeclaration', m.returnType.span, `'${m.name.name}' cannot return int: a call is not a compile-time known value`);
    }
    const params = resolveParams(cx, m.parameters);
    checkTypeParamClash(cx, m.typeParameters, m.parameters);
    checkParamKinds(cx, params, 'extern', isCtor && m.returnType === null);
    sig = { name: m.name.name, typeParams, params, ret, abstract: m.abstract, node: m };
  });
  return sig as unknown as MethodSig;
}

function checkExtern(cx: Checker, d: ast.ExternDeclaration): void {
  if (d.function !== null) {
    const sig = checkMethod(cx, d.function, null);
    const ft: FunctionType = { kind: 'function', name: sig.name, typeParams: sig.typeParams, params: sig.params, ret: sig.ret, isAction: false };
    cx.result.declTypes.set(d, ft);
    cx.declareValue({ kind: 'externFunction', name: sig.name, type: ft, node: d, direction: 'none', value: undefined, role: 'plain' }, d.function.name, ft.params.length);
    return;
  }
  const t: ExternType = { kind: 'extern', name: d.name.name, typeParams: [], args: [], ctors: [], methods: [], node: d };
  const sym: TypeSym = { name: d.name.name, node: d, type: t, typeParams: [], instantiable: true };
  cx.declareType(sym, d.name);
  cx.inScope(() => {
    const typeParams = declareTypeVars(cx, d.typeParameters);
    (t as { typeParams: readonly TypeVar[] }).typeParams = typeParams;
    (t as { args: readonly Type[] }).args = typeParams;
    (sym as { typeParams: readonly TypeVar[] }).typeParams = typeParams;
    for (const m of d.methods ?? []) {
      const sig = checkMethod(cx, m, d.name.name);
      const list = m.returnType === null && m.name.name === d.name.name ? t.ctors : t.methods;
      const dup = list.find((o) => o.name === sig.name && o.params.length === sig.params.length
        && o.params.every((p, i) => p.name === sig.params[i].name));
      if (dup !== undefined && dup.node !== null) {
        cx.error('DuplicateDeclaration', m.name.span, `duplicate method '${sig.name}' with ${sig.params.length} parameter(s)`, dup.node.name.span);
        continue;
      }
      list.push(sig);
    }
  });
  cx.result.declTypes.set(d, t);
}

function checkBlockType(cx: Checker, d: ast.ParserTypeDeclaration | ast.ControlTypeDeclaration): void {
  let typeParams: TypeVar[] = [];
  let params: Param[] = [];
  cx.inScope(() => {
    typeParams = declareTypeVars(cx, d.typeParameters);
    params = resolveParams(cx, d.parameters);
  });
  checkTypeParamClash(cx, d.typeParameters, d.parameters);
  checkParamKinds(cx, params, d.kind === 'ParserTypeDeclaration' ? 'parser' : 'control', false);
  const t: BlockType = {
    kind: d.kind === 'ParserTypeDeclaration' ? 'parser' : 'control', name: d.name.name, typeParams, params, ctorParams: null, node: d,
  };
  cx.result.declTypes.set(d, t);
  cx.declareType({ name: d.name.name, node: d, type: t, typeParams, instantiable: false }, d.name);
}

function checkPackageType(cx: Checker, d: ast.PackageTypeDeclaration): void {
  let typeParams: TypeVar[] = [];
  let params: Param[] = [];
  cx.inScope(() => {
    typeParams = declareTypeVars(cx, d.typeParameters);
    params = resolveParams(cx, d.parameters);
  });
  checkTypeParamClash(cx, d.typeParameters, d.parameters);
  checkParamKinds(cx, params, 'package', true);
  for (const p of params) {
    if (p.direction !== 'none' && p.node !== null) {
      cx.error('BadDeclaration', p.node.span, 'package parameters cannot have a direction');
    }
  }
  const t: PackageType = { kind: 'package', name: d.name.name, typeParams, params, node: d };
  cx.result.declTypes.set(d, t);
  cx.declareType({ name: d.name.name, node: d, type: t, typeParams, instantiable: true }, d.name);
}

// ---------------------------------------------------------------------------------------
// Functions and actions

export function checkFunction(cx: Checker, d: ast.FunctionDeclaration): void {
  if (cx.ctx.where !== 'top' && cx.ctx.where !== 'control' && cx.ctx.where !== 'parser' && cx.ctx.where !== 'method') {
    cx.error('NotAllowedHere', d.name.span, 'functions cannot be declared here');
  }
  const saved = cx.scope;
  cx.scope = new Scope(saved);
  const typeParams = declareTypeVars(cx, d.typeParameters);
  const ret = resolveType(cx, d.returnType);
  const params = resolveParams(cx, d.parameters);
  checkTypeParamClash(cx, d.typeParameters, d.parameters);
  // Abstract method implementations (in an instance initializer) follow the extern method rules.
  checkParamKinds(cx, params, cx.ctx.where === 'method' ? 'extern' : 'function', false);
  const ft: FunctionType = { kind: 'function', name: d.name.name, typeParams, params, ret, isAction: false };
  cx.result.declTypes.set(d, ft);
  const fnScope = cx.scope;
  cx.scope = saved;
  cx.declareValue({ kind: 'function', name: d.name.name, type: ft, node: d, direction: 'none', value: undefined, role: 'plain' }, d.name, params.length);
  cx.scope = fnScope;
  declareParams(cx, params, 'plain');
  cx.inProgress.add(d);
  cx.withCtx({ where: 'function', returnType: ret, inLoop: false }, () => checkBlockBody(cx, d.body));
  cx.inProgress.delete(d);
  cx.scope = saved;
  if (ret.kind !== 'void' && ret.kind !== 'unknown' && !definitelyReturns(d.body)) {
    cx.error('MissingReturn', d.name.span, `function '${d.name.name}' does not return a value on every path`);
  }
}

export function checkAction(cx: Checker, d: ast.ActionDeclaration): void {
  if (cx.ctx.where !== 'top' && cx.ctx.where !== 'control') {
    cx.error('NotAllowedHere', d.name.span, 'actions cannot be declared here');
  }
  let params: Param[] = [];
  cx.inScope(() => {
    params = resolveParams(cx, d.parameters);
  });
  checkParamKinds(cx, params, 'action', false);
  let seenData = false;
  for (const p of params) {
    if (p.type.kind === 'int' && p.node !== null) {
      cx.error('BadDeclaration', p.node.type.span, `action parameter '${p.name}' cannot have type int`);
    }
    if (p.direction === 'none') seenData = true;
    else if (seenData && p.node !== null) {
      cx.error('ActionDataDirection', p.node.span, `parameter '${p.name}' with a direction follows a directionless (action data) parameter`);
    }
  }
  const ft: FunctionType = { kind: 'function', name: d.name.name, typeParams: [], params, ret: voidType, isAction: true };
  cx.result.declTypes.set(d, ft);
  cx.declareValue({ kind: 'action', name: d.name.name, type: ft, node: d, direction: 'none', value: undefined, role: 'plain' }, d.name, params.length);
  cx.inScope(() => {
    declareParams(cx, params, 'actionData');
    cx.inProgress.add(d);
    cx.withCtx({ where: 'action', returnType: null, inLoop: false }, () => checkBlockBody(cx, d.body));
    cx.inProgress.delete(d);
  });
}

// ---------------------------------------------------------------------------------------
// Constants, variables, value sets

export function checkConstant(cx: Checker, d: ast.ConstantDeclaration): void {
  const t = resolveType(cx, d.type);
  cx.result.declTypes.set(d, t);
  const vt = checkExpr(cx, d.value, t);
  coerce(cx, d.value, vt, t);
  const v = constantOf(cx, d.value);
  if (v === undefined && vt.kind !== 'unknown' && t.kind !== 'unknown' && d.value.kind !== 'ErrorExpression') {
    cx.error('NotConstant', d.value.span, `the value of constant '${d.name.name}' must be compile-time known`);
  }
  if (v !== undefined) cx.result.declValues.set(d, v);
  cx.declareValue({ kind: 'constant', name: d.name.name, type: t, node: d, direction: 'none', value: v, role: 'plain' }, d.name);
}

export function checkVariable(cx: Checker, d: ast.VariableDeclaration): void {
  const t = resolveType(cx, d.type);
  cx.result.declTypes.set(d, t);
  // Spec (variables): "it is impossible to declare variables with type int" (nor string, match_kind, ...).
  if (!isDataType(t) || t.kind === 'int' || t.kind === 'void' || t.kind === 'string' || t.kind === 'matchKind') {
    cx.error('BadDeclaration', d.type.span, `cannot declare a variable of type ${typeToString(t)}`);
  }
  if (d.initializer !== null) {
    const vt = checkExpr(cx, d.initializer, t);
    coerce(cx, d.initializer, vt, t);
  }
  cx.declareValue({ kind: 'variable', name: d.name.name, type: t, node: d, direction: 'none', value: undefined, role: 'plain' }, d.name);
}

export function checkValueSet(cx: Checker, d: ast.ValueSetDeclaration): void {
  const el = resolveType(cx, d.elementType);
  constantInt(cx, d.size, 'the size of a value set');
  if (!(el.kind === 'bits' || el.kind === 'tuple' || el.kind === 'struct' || el.kind === 'enum' || el.kind === 'newtype' || el.kind === 'unknown')) {
    cx.error('TypeMismatch', d.elementType.span, `value set elements cannot have type ${typeToString(el)}`);
  }
  const t: Type = { kind: 'set', element: el };
  cx.result.declTypes.set(d, t);
  cx.declareValue({ kind: 'valueSet', name: d.name.name, type: t, node: d, direction: 'none', value: undefined, role: 'plain' }, d.name);
}
