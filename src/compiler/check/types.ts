// The checker's representation of P4 types: a discriminated union on `kind`, built from the
// AST's TypeRefs by the checker and recorded in CheckResult for every expression.
// Nominal types (headers, structs, enums, externs, ...) keep their declaring AST node;
// generic ones carry their type arguments. Also: equality, substitution, unification, printing.
import type * as ast from '../syntax/ast.js';

export interface Field {
  readonly name: string;
  readonly type: Type;
  readonly node: ast.StructField | null;
}

export interface Param {
  readonly name: string;
  readonly direction: ast.Direction;
  readonly type: Type;
  readonly hasDefault: boolean;
  readonly node: ast.Parameter | null;
}

export interface BitsType { readonly kind: 'bits'; readonly width: number; readonly signed: boolean }
export interface IntType { readonly kind: 'int' }
export interface VarbitType { readonly kind: 'varbit'; readonly width: number }
export interface BoolType { readonly kind: 'bool' }
export interface StringType { readonly kind: 'string' }
/** The P4 `error` type. */
export interface ErrorType { readonly kind: 'error' }
export interface MatchKindType { readonly kind: 'matchKind' }
export interface VoidType { readonly kind: 'void' }
/** `_` as a type argument, or the type of `_` as an expression. */
export interface DontCareType { readonly kind: 'dontCare' }
/** The recovery type: produced after an error, compatible with everything, suppresses cascades. */
export interface UnknownType { readonly kind: 'unknown' }

export interface StructLikeType {
  readonly kind: 'header' | 'union' | 'struct';
  readonly name: string;
  /** Filled once the declaration's fields are resolved (recursive references see an empty list). */
  fields: Field[];
  readonly node: ast.HeaderDeclaration | ast.HeaderUnionDeclaration | ast.StructDeclaration | null;
  readonly args: readonly Type[];
}
export interface EnumType {
  readonly kind: 'enum';
  readonly name: string;
  readonly members: string[];
  /** Serializable enums: the underlying bit<W>/int<W> type and the member values. */
  readonly underlying: BitsType | null;
  readonly values: Map<string, bigint>;
  readonly node: ast.EnumDeclaration;
}
export interface StackType { readonly kind: 'stack'; readonly element: Type; readonly size: number }
export interface TupleType { readonly kind: 'tuple'; readonly elements: readonly Type[] }
export interface ListType { readonly kind: 'list'; readonly element: Type }
/** A type introduced by `type T N;`. */
export interface NewType { readonly kind: 'newtype'; readonly name: string; readonly base: Type; readonly node: ast.TypedefDeclaration }
export interface TypeVar { readonly kind: 'typeVar'; readonly name: string; readonly id: number }

export interface MethodSig {
  readonly name: string;
  readonly typeParams: readonly TypeVar[];
  readonly params: readonly Param[];
  readonly ret: Type;
  readonly abstract: boolean;
  readonly node: ast.MethodPrototype | null;
}
export interface ExternType {
  readonly kind: 'extern';
  readonly name: string;
  readonly typeParams: readonly TypeVar[];
  readonly args: readonly Type[];
  /** Constructors and methods, with types over `typeParams` (substitute `args` at use). */
  readonly ctors: MethodSig[];
  readonly methods: MethodSig[];
  readonly node: ast.ExternDeclaration | null;
}
/** Parser and control types; for a parser/control declaration also its constructor parameters. */
export interface BlockType {
  readonly kind: 'parser' | 'control';
  readonly name: string;
  readonly typeParams: readonly TypeVar[];
  readonly params: readonly Param[];
  readonly ctorParams: readonly Param[] | null;
  readonly node: ast.ParserDeclaration | ast.ParserTypeDeclaration | ast.ControlDeclaration | ast.ControlTypeDeclaration;
}
export interface PackageType {
  readonly kind: 'package';
  readonly name: string;
  readonly typeParams: readonly TypeVar[];
  readonly params: readonly Param[];
  readonly node: ast.PackageTypeDeclaration;
}
export interface TableType { readonly kind: 'table'; readonly name: string; readonly node: ast.TableDeclaration }
/** The result of `t.apply()`: members hit, miss, action_run. */
export interface TableResultType { readonly kind: 'tableResult'; readonly table: ast.TableDeclaration }
/** The type of `t.apply().action_run`: an enum of the table's actions. */
export interface ActionEnumType { readonly kind: 'actionEnum'; readonly table: ast.TableDeclaration }
/** Actions and functions as values (only callable). */
export interface FunctionType {
  readonly kind: 'function';
  readonly name: string;
  readonly typeParams: readonly TypeVar[];
  readonly params: readonly Param[];
  readonly ret: Type;
  readonly isAction: boolean;
}
/** Keysets: `e &&& m`, `a .. b`, `default`, value sets. */
export interface SetType { readonly kind: 'set'; readonly element: Type }
export interface StateType { readonly kind: 'state' }

export type Type =
  | BitsType | IntType | VarbitType | BoolType | StringType | ErrorType | MatchKindType | VoidType
  | DontCareType | UnknownType | StructLikeType | EnumType | StackType | TupleType | ListType | NewType
  | TypeVar | ExternType | BlockType | PackageType | TableType | TableResultType | ActionEnumType
  | FunctionType | SetType | StateType;

export const intType: IntType = { kind: 'int' };
export const boolType: BoolType = { kind: 'bool' };
export const stringType: StringType = { kind: 'string' };
export const errorType: ErrorType = { kind: 'error' };
export const matchKindType: MatchKindType = { kind: 'matchKind' };
export const voidType: VoidType = { kind: 'void' };
export const dontCareType: DontCareType = { kind: 'dontCare' };
export const unknownType: UnknownType = { kind: 'unknown' };
export const stateType: StateType = { kind: 'state' };

const bitsCache = new Map<number, BitsType>();
export function bits(width: number, signed = false): BitsType {
  const key = signed ? -width - 1 : width;
  let t = bitsCache.get(key);
  if (t === undefined) {
    t = { kind: 'bits', width, signed };
    bitsCache.set(key, t);
  }
  return t;
}

let nextTypeVarId = 1;
export function newTypeVar(name: string): TypeVar {
  return { kind: 'typeVar', name, id: nextTypeVarId++ };
}

/** The printed form used in messages: `bit<8>`, `H`, `tuple<bit<8>, bool>`. */
export function typeToString(t: Type): string {
  switch (t.kind) {
    case 'bits': return `${t.signed ? 'int' : 'bit'}<${t.width}>`;
    case 'int': return 'int';
    case 'varbit': return `varbit<${t.width}>`;
    case 'bool': return 'bool';
    case 'string': return 'string';
    case 'error': return 'error';
    case 'matchKind': return 'match_kind';
    case 'void': return 'void';
    case 'dontCare': return '_';
    case 'unknown': return '<error>';
    case 'header': case 'union': case 'struct': case 'extern':
      return t.args.length > 0 ? `${t.name}<${t.args.map(typeToString).join(', ')}>` : t.name;
    case 'enum': case 'newtype': case 'typeVar': case 'package': case 'parser': case 'control':
      return t.name;
    case 'stack': return `${typeToString(t.element)}[${t.size}]`;
    case 'tuple': return `tuple<${t.elements.map(typeToString).join(', ')}>`;
    case 'list': return `list<${typeToString(t.element)}>`;
    case 'table': return `table ${t.name}`;
    case 'tableResult': return `${t.table.name.name}.apply() result`;
    case 'actionEnum': return `action_list(${t.table.name.name})`;
    case 'function': return `${t.isAction ? 'action' : 'function'} ${t.name}`;
    case 'set': return `set<${typeToString(t.element)}>`;
    case 'state': return 'state';
  }
}

/** True for a type that behaves as a fixed-width integer (bit<W>, int<W>). */
export function isBits(t: Type): t is BitsType {
  return t.kind === 'bits';
}

/** Structural/nominal type equality (unknown equals everything). */
export function sameType(a: Type, b: Type): boolean {
  if (a === b) return true;
  if (a.kind === 'unknown' || b.kind === 'unknown') return true;
  switch (a.kind) {
    case 'bits': return b.kind === 'bits' && a.width === b.width && a.signed === b.signed;
    case 'varbit': return b.kind === 'varbit' && a.width === b.width;
    case 'header': case 'union': case 'struct':
      if (b.kind !== a.kind || a.name !== b.name) return false;
      if (a.node !== null && a.node !== b.node) return false;
      if (a.node === null) return sameFields(a.fields, (b as StructLikeType).fields);
      return sameArgs(a.args, (b as StructLikeType).args);
    case 'extern':
      return b.kind === 'extern' && a.node === b.node && a.name === b.name && sameArgs(a.args, b.args);
    case 'enum': return b.kind === 'enum' && a.node === b.node;
    case 'newtype': return b.kind === 'newtype' && a.node === b.node;
    case 'stack': return b.kind === 'stack' && a.size === b.size && sameType(a.element, b.element);
    case 'tuple': return b.kind === 'tuple' && sameArgs(a.elements, b.elements);
    case 'list': return b.kind === 'list' && sameType(a.element, b.element);
    case 'typeVar': return b.kind === 'typeVar' && a.id === b.id;
    case 'parser': case 'control':
      return b.kind === a.kind && sameParams(a.params, (b as BlockType).params);
    case 'package': return b.kind === 'package' && a.node === b.node;
    case 'table': return b.kind === 'table' && a.node === b.node;
    case 'tableResult': return b.kind === 'tableResult' && a.table === b.table;
    case 'actionEnum': return b.kind === 'actionEnum' && a.table === b.table;
    case 'set': return b.kind === 'set' && sameType(a.element, b.element);
    default: return a.kind === b.kind;
  }
}

function sameArgs(a: readonly Type[], b: readonly Type[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameType(a[i], b[i])) return false;
  return true;
}
function sameFields(a: readonly Field[], b: readonly Field[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].name !== b[i].name || !sameType(a[i].type, b[i].type)) return false;
  return true;
}
function sameParams(a: readonly Param[], b: readonly Param[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].direction !== b[i].direction || !sameType(a[i].type, b[i].type)) return false;
  return true;
}

export type Subst = Map<number, Type>;

/** Replaces type variables by their bindings in `s` (unbound variables stay). */
export function substitute(t: Type, s: Subst): Type {
  if (s.size === 0) return t;
  switch (t.kind) {
    case 'typeVar': {
      const b = s.get(t.id);
      return b === undefined ? t : b;
    }
    case 'header': case 'union': case 'struct': {
      if (t.args.length === 0 && t.node !== null) return t;
      const args = t.args.map((a) => substitute(a, s));
      const fields = t.fields.map((f) => ({ name: f.name, type: substitute(f.type, s), node: f.node }));
      return { kind: t.kind, name: t.name, fields, node: t.node, args };
    }
    case 'stack': return { kind: 'stack', element: substitute(t.element, s), size: t.size };
    case 'tuple': return { kind: 'tuple', elements: t.elements.map((e) => substitute(e, s)) };
    case 'list': return { kind: 'list', element: substitute(t.element, s) };
    case 'set': return { kind: 'set', element: substitute(t.element, s) };
    case 'extern':
      if (t.args.length === 0) return t;
      return { ...t, args: t.args.map((a) => substitute(a, s)) };
    case 'parser': case 'control':
      return { ...t, params: t.params.map((p) => substParam(p, s)), ctorParams: t.ctorParams === null ? null : t.ctorParams.map((p) => substParam(p, s)) };
    case 'package':
      return { ...t, params: t.params.map((p) => substParam(p, s)) };
    case 'function':
      return { ...t, params: t.params.map((p) => substParam(p, s)), ret: substitute(t.ret, s) };
    default: return t;
  }
}

export function substParam(p: Param, s: Subst): Param {
  return { name: p.name, direction: p.direction, type: substitute(p.type, s), hasDefault: p.hasDefault, node: p.node };
}

/** Substitution mapping each type parameter to the matching argument. */
export function bindArgs(params: readonly TypeVar[], args: readonly Type[]): Subst {
  const s: Subst = new Map();
  for (let i = 0; i < params.length && i < args.length; i++) {
    if (args[i].kind !== 'dontCare') s.set(params[i].id, args[i]);
  }
  return s;
}

/**
 * Unifies `formal` (which may mention the variables in `vars`) with `actual`, extending `s`.
 * Returns false when the two cannot be made equal.
 */
export function unify(formal: Type, actual: Type, vars: ReadonlySet<number>, s: Subst): boolean {
  if (formal.kind === 'unknown' || actual.kind === 'unknown') return true;
  if (formal.kind === 'typeVar' && vars.has(formal.id)) {
    const bound = s.get(formal.id);
    if (bound !== undefined) return unify(bound, actual, vars, s) || implicitlyConvertible(actual, bound);
    if (actual.kind === 'dontCare') return true;
    s.set(formal.id, actual);
    return true;
  }
  if (actual.kind === 'typeVar' && vars.has(actual.id)) return unify(actual, formal, vars, s);
  if (formal.kind === 'dontCare' || actual.kind === 'dontCare') return true;
  switch (formal.kind) {
    case 'header': case 'union': case 'struct':
      if (actual.kind !== formal.kind || formal.name !== actual.name) return false;
      if (formal.node !== null && formal.node !== actual.node) return false;
      if (formal.node === null) {
        if (formal.fields.length !== actual.fields.length) return false;
        for (let i = 0; i < formal.fields.length; i++) {
          if (formal.fields[i].name !== actual.fields[i].name) return false;
          if (!unify(formal.fields[i].type, actual.fields[i].type, vars, s)) return false;
        }
        return true;
      }
      return unifyAll(formal.args, actual.args, vars, s);
    case 'extern':
      return actual.kind === 'extern' && formal.node === actual.node && unifyAll(formal.args, actual.args, vars, s);
    case 'stack':
      return actual.kind === 'stack' && formal.size === actual.size && unify(formal.element, actual.element, vars, s);
    case 'tuple':
      return actual.kind === 'tuple' && unifyAll(formal.elements, actual.elements, vars, s);
    case 'list':
      return actual.kind === 'list' && unify(formal.element, actual.element, vars, s);
    case 'set':
      return actual.kind === 'set' && unify(formal.element, actual.element, vars, s);
    case 'parser': case 'control': {
      if (actual.kind !== formal.kind) return false;
      if (formal.params.length !== actual.params.length) return false;
      for (let i = 0; i < formal.params.length; i++) {
        const f = formal.params[i];
        const a = actual.params[i];
        if (f.direction !== a.direction && !(f.direction === 'none' || a.direction === 'none')) return false;
        if (!unify(f.type, a.type, vars, s)) return false;
      }
      return true;
    }
    case 'package':
      return actual.kind === 'package' && formal.node === actual.node;
    default:
      return sameType(formal, actual);
  }
}

function unifyAll(a: readonly Type[], b: readonly Type[], vars: ReadonlySet<number>, s: Subst): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!unify(a[i], b[i], vars, s)) return false;
  return true;
}

/** Conversions P4 applies without a cast: int -> bit<W>/int<W>, serializable enum -> its underlying type. */
export function implicitlyConvertible(from: Type, to: Type): boolean {
  if (sameType(from, to)) return true;
  if (from.kind === 'int' && to.kind === 'bits') return true;
  if (from.kind === 'enum' && from.underlying !== null && sameType(from.underlying, to)) return true;
  return false;
}

/** True when the type mentions a type variable (from any scope). */
export function hasTypeVars(t: Type): boolean {
  switch (t.kind) {
    case 'typeVar': return true;
    case 'header': case 'union': case 'struct': case 'extern': return t.args.some(hasTypeVars);
    case 'stack': return hasTypeVars(t.element);
    case 'tuple': return t.elements.some(hasTypeVars);
    case 'list': case 'set': return hasTypeVars(t.element);
    case 'parser': case 'control': case 'package': return t.params.some((p) => hasTypeVars(p.type));
    case 'function': return hasTypeVars(t.ret) || t.params.some((p) => hasTypeVars(p.type));
    default: return false;
  }
}

/** Width in bits of a fixed-size type, or null when it has none (varbit counts its maximum). */
export function widthOf(t: Type): number | null {
  switch (t.kind) {
    case 'bits': return t.width;
    case 'bool': return 1;
    case 'varbit': return t.width;
    case 'enum': return t.underlying !== null ? t.underlying.width : null;
    case 'newtype': return widthOf(t.base);
    case 'header': case 'struct': case 'union': {
      let w = 0;
      for (const f of t.fields) {
        const fw = widthOf(f.type);
        if (fw === null) return null;
        if (t.kind === 'union') w = Math.max(w, fw);
        else w += fw;
      }
      return w;
    }
    case 'stack': {
      const ew = widthOf(t.element);
      return ew === null ? null : ew * t.size;
    }
    case 'tuple': {
      let w = 0;
      for (const e of t.elements) {
        const ew = widthOf(e);
        if (ew === null) return null;
        w += ew;
      }
      return w;
    }
    default: return null;
  }
}

/** Minimum width (varbit fields count as 0). */
export function minWidthOf(t: Type): number | null {
  switch (t.kind) {
    case 'varbit': return 0;
    case 'header': case 'struct': {
      let w = 0;
      for (const f of t.fields) {
        const fw = minWidthOf(f.type);
        if (fw === null) return null;
        w += fw;
      }
      return w;
    }
    case 'union': {
      let w: number | null = null;
      for (const f of t.fields) {
        const fw = minWidthOf(f.type);
        if (fw === null) return null;
        w = w === null ? fw : Math.min(w, fw);
      }
      return w ?? 0;
    }
    case 'stack': {
      const ew = minWidthOf(t.element);
      return ew === null ? null : ew * t.size;
    }
    default: return widthOf(t);
  }
}

/** Looks up a field of a struct-like type. */
export function fieldOf(t: StructLikeType, name: string): Field | undefined {
  for (const f of t.fields) if (f.name === name) return f;
  return undefined;
}
