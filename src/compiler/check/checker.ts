// The semantic checker's entry point and shared state. Input: a parsed Program; output: a
// CheckResult of side tables (expression types, name resolutions, constant values, inferred
// type arguments, call targets, the `main` package instance) plus diagnostics. The AST is never
// mutated. Declarations are checked in source order, so declaration-before-use falls out.
import type * as ast from '../syntax/ast.js';
import type { Diagnostics } from '../source/diagnostics.js';
import type { CodeName } from '../source/codes.js';
import type { Span } from '../source/span.js';
import type { Value } from './constants.js';
import type { MethodSig, PackageType, Type } from './types.js';
import { Scope } from './scope.js';
import type { TypeSym, ValueSym } from './scope.js';
import { checkTopLevel, declareErrors } from './declarations.js';
import { checkTeeUses } from './tee.js';
import type { TeeCatalog } from './tee.js';

/** What a call resolved to. */
export type CallTarget =
  | { readonly kind: 'action' | 'function' | 'externFunction'; readonly sym: ValueSym }
  | { readonly kind: 'method'; readonly objectType: Type; readonly method: MethodSig }
  | { readonly kind: 'builtin'; readonly name: string; readonly objectType: Type }
  | { readonly kind: 'apply'; readonly objectType: Type }
  | { readonly kind: 'constructor'; readonly type: Type; readonly ctor: MethodSig | null };

export interface MainInstance {
  readonly node: ast.InstantiationDeclaration;
  readonly package: PackageType;
}

export interface CheckResult {
  /** The type of every checked expression (int literals carry the type of their implicit cast). */
  readonly types: Map<ast.Expression, Type>;
  /** The declaration each name resolves to. */
  readonly refs: Map<ast.PathExpression | ast.NamedTypeRef | ast.ActionRef | ast.Ident, ValueSym | TypeSym>;
  /** The value of every compile-time known expression. */
  readonly constants: Map<ast.Expression, Value>;
  /** Type arguments (explicit or inferred) at each generic call, constructor call and instantiation. */
  readonly typeArgs: Map<ast.Node, Type[]>;
  /** What each call expression calls. */
  readonly calls: Map<ast.CallExpression | ast.ConstructorCallExpression | ast.DirectApplyStatement, CallTarget>;
  /** The type written by each type reference. */
  readonly typeRefs: Map<ast.TypeRef, Type>;
  /** The type of each declared entity (variables, constants, parameters, instances, fields, ...). */
  readonly declTypes: Map<ast.Node, Type>;
  /** The compile-time value of each constant declaration and serializable enum member. */
  readonly declValues: Map<ast.Node, Value>;
  /** The state each transition target names (null for accept/reject). */
  readonly states: Map<ast.Ident, ast.ParserState | null>;
  /** The top-level `main` package instance, when there is one. */
  main: MainInstance | null;
}

/** Where statements and declarations are being checked. */
export type Where = 'top' | 'parser' | 'state' | 'control' | 'apply' | 'action' | 'function' | 'method';

export interface Ctx {
  readonly where: Where;
  /** Enclosing parser or control block. */
  readonly block: 'parser' | 'control' | null;
  /** Return type of the enclosing function (null outside functions). */
  readonly returnType: Type | null;
  readonly inLoop: boolean;
  /** Type of `this` inside an abstract method implementation. */
  readonly thisType: Type | null;
}

export class Checker {
  readonly diags: Diagnostics;
  readonly result: CheckResult;
  readonly root: Scope;
  scope: Scope;
  ctx: Ctx = { where: 'top', block: null, returnType: null, inLoop: false, thisType: null };
  /** Declared error members (first declaration). */
  readonly errorMembers = new Map<string, ast.Ident>();
  /** Functions whose bodies are being checked (for recursion detection). */
  readonly inProgress = new Set<ast.Node>();
  /** The actions listed by each table (for switch on action_run). */
  readonly tableActions = new Map<ast.TableDeclaration, Map<string, ValueSym>>();

  constructor(diags: Diagnostics) {
    this.diags = diags;
    this.root = new Scope(null);
    this.scope = this.root;
    this.result = {
      types: new Map(),
      refs: new Map(),
      constants: new Map(),
      typeArgs: new Map(),
      calls: new Map(),
      typeRefs: new Map(),
      declTypes: new Map(),
      declValues: new Map(),
      states: new Map(),
      main: null,
    };
  }

  error(code: CodeName, s: Span, message: string, related?: Span): void {
    this.diags.error(code, s, message, related);
  }

  warn(code: CodeName, s: Span, message: string): void {
    this.diags.warning(code, s, message);
  }

  /** Runs `f` in a fresh nested scope. */
  inScope<T>(f: () => T): T {
    const saved = this.scope;
    this.scope = new Scope(saved);
    const r = f();
    this.scope = saved;
    return r;
  }

  /** Runs `f` with a modified context. */
  withCtx<T>(patch: Partial<Ctx>, f: () => T): T {
    const saved = this.ctx;
    this.ctx = { ...saved, ...patch };
    const r = f();
    this.ctx = saved;
    return r;
  }

  /** Declares a value in the current scope; reports duplicates unless it is an overload by arity. */
  declareValue(sym: ValueSym, id: ast.Ident, arity: number | null = null): void {
    if (id.name === '' ) return;
    const existing = this.scope.values.get(id.name);
    if (existing !== undefined) {
      const overloadable = arity !== null && existing.every((e) => isOverloadable(e) && arityOf(e) !== arity && e.kind === sym.kind);
      if (!overloadable) {
        this.error('DuplicateDeclaration', id.span, `duplicate declaration '${id.name}'`, declSpan(existing[0]));
        return;
      }
      existing.push(sym);
      return;
    }
    this.scope.values.set(id.name, [sym]);
  }

  /** Declares a type name in the current scope; reports duplicates. */
  declareType(sym: TypeSym, id: ast.Ident): boolean {
    if (id.name === '') return false;
    const existing = this.scope.types.get(id.name);
    if (existing !== undefined) {
      this.error('DuplicateDeclaration', id.span, `duplicate declaration '${id.name}'`, nodeNameSpan(existing.node));
      return false;
    }
    this.scope.types.set(id.name, sym);
    return true;
  }

  lookupValues(name: string, global: boolean): ValueSym[] | undefined {
    return global ? this.root.values.get(name) : this.scope.lookupValues(name);
  }

  lookupType(name: string, global: boolean): TypeSym | undefined {
    return global ? this.root.types.get(name) : this.scope.lookupType(name);
  }

  /** True when the name resolves to a value before any type of the same name. */
  valueIsCloser(name: string, global: boolean): boolean {
    return global ? this.root.values.has(name) : this.scope.valueIsCloser(name);
  }
}

// Spec (name resolution): functions and methods are the only constructs that can be overloaded.
function isOverloadable(s: ValueSym): boolean {
  return s.kind === 'function' || s.kind === 'externFunction';
}

export function arityOf(s: ValueSym): number {
  return s.type.kind === 'function' ? s.type.params.length : -1;
}

function declSpan(s: ValueSym): Span {
  return nodeNameSpan(s.node);
}

/** The span of a declaration's name when it has one, else its whole span. */
export function nodeNameSpan(n: ast.Node): Span {
  const anyNode = n as { name?: unknown; span: Span };
  if (anyNode.name !== undefined && typeof anyNode.name === 'object' && anyNode.name !== null && (anyNode.name as ast.Ident).kind === 'Ident') {
    return (anyNode.name as ast.Ident).span;
  }
  return n.span;
}

/** Checks a whole program. */
export function check(program: ast.Program, diags: Diagnostics, tee: TeeCatalog | null = null): CheckResult {
  const cx = new Checker(diags);
  // Error members form one global type, visible everywhere: collect them first.
  for (const d of program.declarations) if (d.kind === 'ErrorDeclaration') declareErrors(cx, d);
  checkAnnotations(cx, program);
  for (const d of program.declarations) checkTopLevel(cx, d);
  checkTeeUses(cx, program, tee);
  return cx.result;
}

/** A structured annotation may appear at most once on one element. */
function checkAnnotations(cx: Checker, root: ast.Program): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const n = stack.pop();
    if (n === null || typeof n !== 'object') continue;
    if (Array.isArray(n)) {
      for (const x of n) stack.push(x);
      continue;
    }
    const o = n as Record<string, unknown>;
    if (typeof o.kind !== 'string') continue;
    for (const key of ['annotations', 'varAnnotations']) {
      const anns = o[key];
      if (!Array.isArray(anns) || anns.length < 2) continue;
      const seen = new Map<string, ast.Annotation>();
      for (const a of anns as ast.Annotation[]) {
        if (a.body.kind !== 'expressions' && a.body.kind !== 'kvpairs') continue;
        const prev = seen.get(a.name.name);
        if (prev !== undefined) cx.error('BadAnnotation', a.span, `structured annotation '@${a.name.name}' is given twice`, prev.span);
        else seen.set(a.name.name, a);
      }
    }
    for (const key in o) {
      if (key === 'span' || key === 'annotations') continue;
      const v = o[key];
      if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
}
