// Parser declarations: parameters and constructor parameters, local declarations, states
// (`start` required, `accept`/`reject` reserved, duplicates), transitions to existing states,
// select expressions with keysets typed against the selected expressions (tuple arity, masks,
// ranges, default/_, value sets), and a warning for states unreachable from `start`.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import { newTypeVar, unknownType } from './types.js';
import type { BlockType, Param, Type, TypeVar } from './types.js';
import { checkExpr, checkKeyset } from './expressions.js';
import { checkDeclaration, checkParamKinds, checkTypeParamClash, declareParams, resolveParams } from './declarations.js';
import { checkStatement } from './statements.js';

/** Declares the type parameters, parameters and constructor parameters of a parser or control. */
export function blockSignature(cx: Checker, d: ast.ParserDeclaration | ast.ControlDeclaration): { typeParams: TypeVar[]; params: Param[]; ctorParams: Param[] } {
  const typeParams: TypeVar[] = [];
  if (d.typeParameters.length > 0) {
    cx.error('BadDeclaration', d.typeParameters[0].span, `a ${d.kind === 'ParserDeclaration' ? 'parser' : 'control'} declaration cannot have type parameters`);
  }
  for (const id of d.typeParameters) {
    const tv = newTypeVar(id.name);
    typeParams.push(tv);
    cx.declareType({ name: id.name, node: id, type: tv, typeParams: [], instantiable: false }, id);
  }
  const params = resolveParams(cx, d.parameters);
  const ctorParams = resolveParams(cx, d.constructorParameters);
  const owner = d.kind === 'ParserDeclaration' ? 'parser' : 'control';
  checkTypeParamClash(cx, d.typeParameters, d.parameters);
  checkParamKinds(cx, params, owner, false);
  checkParamKinds(cx, ctorParams, owner, true);
  for (const p of ctorParams) {
    if (p.direction !== 'none' && p.node !== null) {
      cx.error('BadDeclaration', p.node.span, 'constructor parameters cannot have a direction');
    }
  }
  return { typeParams, params, ctorParams };
}

/**
 * The opening shared by parser and control declarations: the block's type, declared in the enclosing
 * scope `outer` (so the block can be named after its body), and its parameters in the current scope.
 */
export function openBlock(cx: Checker, d: ast.ParserDeclaration | ast.ControlDeclaration, kind: 'parser' | 'control', outer: Checker['scope']): void {
  const sig = blockSignature(cx, d);
  const t: BlockType = { kind, name: d.name.name, typeParams: sig.typeParams, params: sig.params, ctorParams: sig.ctorParams, node: d };
  cx.result.declTypes.set(d, t);
  const inner = cx.scope;
  cx.scope = outer;
  cx.declareType({ name: d.name.name, node: d, type: t, typeParams: sig.typeParams, instantiable: true }, d.name);
  cx.scope = inner;
  declareParams(cx, sig.params, 'plain');
  declareParams(cx, sig.ctorParams, 'ctorParam');
}

export function checkParser(cx: Checker, d: ast.ParserDeclaration): void {
  if (cx.ctx.where !== 'top') cx.error('NotAllowedHere', d.name.span, 'parsers can only be declared at the top level');
  const saved = cx.scope;
  cx.inScope(() => {
    openBlock(cx, d, 'parser', saved);
    cx.inProgress.add(d);
    cx.withCtx({ where: 'parser', block: 'parser', returnType: null, inLoop: false }, () => {
      for (const l of d.locals) {
        switch (l.kind) {
          case 'ConstantDeclaration': case 'VariableDeclaration': case 'InstantiationDeclaration': case 'ValueSetDeclaration':
          case 'ErrorDeclarationNode':
            checkDeclaration(cx, l);
            break;
          case 'ParserState':
            break;
          default:
            cx.error('NotAllowedHere', l.span, 'this declaration is not allowed in a parser');
        }
      }
      checkStates(cx, d);
    });
    cx.inProgress.delete(d);
  });
}

function checkStates(cx: Checker, d: ast.ParserDeclaration): void {
  const states = new Map<string, ast.ParserState>();
  const all = [...d.states, ...d.locals.filter((l): l is ast.ParserState => l.kind === 'ParserState')];
  for (const s of all) {
    const name = s.name.name;
    if (name === 'accept' || name === 'reject') {
      cx.error('ReservedState', s.name.span, `state '${name}' is predefined and cannot be declared`);
      continue;
    }
    const prev = states.get(name);
    if (prev !== undefined) {
      cx.error('DuplicateDeclaration', s.name.span, `duplicate state '${name}'`, prev.name.span);
      continue;
    }
    states.set(name, s);
  }
  if (!states.has('start')) {
    cx.error('MissingStartState', d.name.span, `parser '${d.name.name}' has no 'start' state`);
  }
  const edges = new Map<ast.ParserState, ast.ParserState[]>();
  const target = (id: ast.Ident, from: ast.ParserState): void => {
    const n = id.name;
    if (n === 'accept' || n === 'reject') {
      cx.result.states.set(id, null);
      return;
    }
    const s = states.get(n);
    if (s === undefined) {
      if (cx.lookupValues(n, false) !== undefined || cx.lookupType(n, false) !== undefined) {
        cx.error('BadTransition', id.span, `'${n}' is not a parser state`);
      } else {
        cx.error('UnknownState', id.span, `unknown parser state '${n}'`);
      }
      return;
    }
    cx.result.states.set(id, s);
    edges.get(from)?.push(s);
  };
  for (const s of all) {
    if (s.name.name === 'accept' || s.name.name === 'reject') continue;
    edges.set(s, []);
    cx.inScope(() => {
      cx.withCtx({ where: 'state' }, () => {
        for (const st of s.statements) checkStatement(cx, st);
        const tr = s.transition;
        if (tr === null) return;
        if (tr.kind === 'DirectTransition') {
          target(tr.state, s);
          return;
        }
        const types: Type[] = tr.expressions.map((e) => checkExpr(cx, e, null));
        for (let i = 0; i < types.length; i++) {
          const t = types[i];
          if (t.kind === 'int') {
            // Spec (select): each selected expression has a fixed-width type (bit<W>, int<W>, ...).
            cx.error('BadSelect', tr.expressions[i].span, 'cannot select on a value of type int; give it a width (e.g. 8w1)');
            types[i] = unknownType;
          } else if (!selectable(t)) {
            cx.error('BadSelect', tr.expressions[i].span, 'cannot select on this expression');
          }
        }
        for (const c of tr.cases) {
          checkSelectCase(cx, c, types);
          target(c.state, s);
        }
      });
    });
  }
  const start = states.get('start');
  if (start !== undefined) {
    const seen = new Set<ast.ParserState>([start]);
    const work = [start];
    while (work.length > 0) {
      const s = work.pop() as ast.ParserState;
      for (const n of edges.get(s) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          work.push(n);
        }
      }
    }
    for (const s of states.values()) {
      if (!seen.has(s)) cx.warn('UnreachableState', s.name.span, `state '${s.name.name}' is unreachable from 'start'`);
    }
  }
}

function selectable(t: Type): boolean {
  switch (t.kind) {
    case 'bits': case 'bool': case 'enum': case 'error': case 'newtype': case 'unknown': case 'typeVar': case 'varbit':
      return true;
    case 'tuple':
      return t.elements.every(selectable);
    default:
      return false;
  }
}

function checkSelectCase(cx: Checker, c: ast.SelectCase, types: readonly Type[]): void {
  const ks = c.keysets;
  if (ks.length === 1 && (ks[0].kind === 'DefaultExpression' || ks[0].kind === 'DontCareExpression')) {
    checkKeyset(cx, ks[0], types.length === 1 ? types[0] : { kind: 'tuple', elements: [...types] }, true);
    return;
  }
  if (ks.length === 1 && types.length > 1) {
    const k = ks[0];
    if (k.kind === 'PathExpression') {
      const syms = cx.lookupValues(k.name.name, k.global);
      if (syms !== undefined && syms[0].kind === 'valueSet') {
        checkKeyset(cx, k, { kind: 'tuple', elements: [...types] }, true);
        return;
      }
    }
  }
  if (ks.length !== types.length) {
    cx.error('BadSelect', c.span, `this case has ${ks.length} keyset element(s) but the select has ${types.length} expression(s)`);
    for (const k of ks) {
      if (k.kind !== 'DefaultExpression' && k.kind !== 'DontCareExpression' && k.kind !== 'MaskExpression' && k.kind !== 'RangeExpression') checkExpr(cx, k, null);
    }
    return;
  }
  for (let i = 0; i < ks.length; i++) checkKeyset(cx, ks[i], types[i], true);
}
