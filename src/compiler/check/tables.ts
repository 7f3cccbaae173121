// Tables: key elements with declared match kinds, the actions list (directional arguments bound
// in the list, action data left to the control plane), default_action (in the list, all
// arguments supplied), entries (keysets against key types, actions from the list), size and
// priorities; duplicate properties; architecture-specific properties are checked lightly.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { ValueSym } from './scope.js';
import { boolType, typeToString, unknownType } from './types.js';
import type { Param, TableType, Type } from './types.js';
import { checkExpr, checkKeyset, checkLValue, coerce, constantOf, intValue } from './expressions.js';
import { bindArguments } from './calls.js';
import { printExpression } from '../syntax/printer.js';

interface ListedAction {
  readonly ref: ast.ActionRef;
  readonly sym: ValueSym;
}

export function checkTable(cx: Checker, d: ast.TableDeclaration): void {
  const seen = new Map<string, ast.Node>();
  let keys: ast.KeyElement[] | null = null;
  let actionsProp: { actions: readonly ast.ActionRef[]; span: ast.Node['span'] } | null = null;
  const listed = new Map<string, ListedAction>();
  for (const p of d.properties) {
    const name = p.kind === 'KeyProperty' ? 'key' : p.kind === 'ActionsProperty' ? 'actions' : p.kind === 'EntriesProperty' ? 'entries' : p.name.name;
    const at = p.kind === 'ValueProperty' ? p.name.span : p.span;
    const prev = seen.get(name);
    if (prev !== undefined) {
      cx.error('DuplicateProperty', at, `duplicate table property '${name}'`, prev.span);
      continue;
    }
    seen.set(name, p);
    if (p.kind === 'KeyProperty') keys = [...p.elements];
    if (p.kind === 'ActionsProperty') actionsProp = p;
    // Spec (tables): if present, default_action must appear after the actions property.
    if (name === 'default_action' && p.kind === 'ValueProperty' && !seen.has('actions') && d.properties.some((q) => q.kind === 'ActionsProperty')) {
      cx.error('BadDefaultAction', d.name.span, `table '${d.name.name}': 'default_action' must come after the 'actions' property`, p.name.span);
    }
  }
  // Keys first, then the action list, then everything that refers to them.
  const keyTypes: Type[] = [];
  if (keys !== null) {
    for (const k of keys) {
      const t = checkExpr(cx, k.expression, null);
      keyTypes.push(t);
      if (!keyable(t)) cx.error('TypeMismatch', k.expression.span, `a table key cannot have type ${typeToString(t)}`);
      const syms = cx.lookupValues(k.matchKind.name, false);
      if (syms === undefined || syms[0].kind !== 'matchKind') {
        cx.error('BadMatchKind', k.matchKind.span, `'${k.matchKind.name}' is not a declared match_kind`);
      } else {
        cx.result.refs.set(k.matchKind, syms[0]);
      }
    }
  }
  if (actionsProp === null) {
    cx.error('MissingActions', d.name.span, `table '${d.name.name}' has no 'actions' property`);
  } else {
    for (const r of actionsProp.actions) {
      const sym = resolveAction(cx, r);
      if (sym === null) continue;
      const prev = listed.get(sym.name);
      if (prev !== undefined) {
        cx.error('DuplicateDeclaration', r.name.span, `action '${sym.name}' is listed twice`, prev.ref.name.span);
        continue;
      }
      listed.set(sym.name, { ref: r, sym });
      checkListedArgs(cx, r, sym);
    }
  }
  const actionSyms = new Map<string, ValueSym>();
  for (const [n, l] of listed) actionSyms.set(n, l.sym);
  cx.tableActions.set(d, actionSyms);

  for (const p of d.properties) {
    if (p.kind === 'EntriesProperty') {
      const prio = p.entries.filter((e) => e.priority !== null);
      if (p.isConst && prio.length > 0) {
        cx.error('BadEntry', (prio[0].priority as ast.Expression).span, "entries of 'const entries' cannot have explicit priorities");
      } else if (prio.length > 0 && p.entries[0].priority === null) {
        cx.error('BadEntry', p.entries[0].span, 'when some entries have priorities, the first entry must have one');
      }
      for (const e of p.entries) checkEntry(cx, e, keys, keyTypes, listed, p.isConst || e.isConst);
    } else if (p.kind === 'ValueProperty') {
      checkValueProperty(cx, d, p, listed, keys);
    }
  }
  const t: TableType = { kind: 'table', name: d.name.name, node: d };
  cx.result.declTypes.set(d, t);
  cx.declareValue({ kind: 'table', name: d.name.name, type: t, node: d, direction: 'none', value: undefined, role: 'plain' }, d.name);
}

function keyable(t: Type): boolean {
  switch (t.kind) {
    case 'bits': case 'int': case 'varbit': case 'bool': case 'error': case 'enum': case 'newtype': case 'unknown': case 'typeVar':
      return true;
    default:
      return false;
  }
}

function paramsOf(sym: ValueSym): readonly Param[] {
  return sym.type.kind === 'function' ? sym.type.params : [];
}

/** Resolves an action named in a table; null after an error. */
function resolveAction(cx: Checker, r: ast.ActionRef): ValueSym | null {
  const syms = cx.lookupValues(r.name.name, r.global);
  if (syms === undefined) {
    cx.error('UndeclaredName', r.name.span, `undeclared action '${r.name.name}'`);
    return null;
  }
  const actions = syms.filter((s) => s.kind === 'action');
  if (actions.length === 0) {
    cx.error('BadActionRef', r.name.span, `'${r.name.name}' is not an action`);
    return null;
  }
  const n = r.args === null ? -1 : r.args.length;
  const sym = actions.find((a) => paramsOf(a).length === n) ?? actions[0];
  cx.result.refs.set(r, sym);
  return sym;
}

/** In the actions list, arguments bind the directional parameters; action data stays unbound. */
function checkListedArgs(cx: Checker, r: ast.ActionRef, sym: ValueSym): void {
  const params = paramsOf(sym);
  const directional = params.filter((p) => p.direction !== 'none');
  const args = r.args ?? [];
  if (args.length > directional.length) {
    const a = args[directional.length];
    cx.error('BadActionRef', a.span, `action '${sym.name}' has ${directional.length} directional parameter(s); action data (directionless parameters) is supplied by the control plane`);
    for (const x of args) checkExpr(cx, x.value, null);
    return;
  }
  if (args.length < directional.length && !directional.slice(args.length).every((p) => p.hasDefault)) {
    cx.error('BadActionRef', r.span, `action '${sym.name}' needs arguments for its directional parameter(s) ${directional.slice(args.length).map((p) => `'${p.name}'`).join(', ')}`);
  }
  for (let i = 0; i < args.length; i++) checkArg(cx, args[i], params[i]);
}

function checkArg(cx: Checker, a: ast.Argument, p: Param): void {
  const t = checkExpr(cx, a.value, p.type);
  if (a.value.kind === 'DontCareExpression') return;
  coerce(cx, a.value, t, p.type);
  if (p.direction === 'out' || p.direction === 'inout') checkLValue(cx, a.value, 'DirectionMismatch');
}

function checkValueProperty(
  cx: Checker, d: ast.TableDeclaration, p: Extract<ast.TableProperty, { kind: 'ValueProperty' }>,
  listed: Map<string, ListedAction>, keys: ast.KeyElement[] | null,
): void {
  const name = p.name.name;
  switch (name) {
    case 'default_action':
      checkDefaultAction(cx, p.value, listed);
      return;
    case 'size': {
      const t = checkExpr(cx, p.value, null);
      const v = intValue(constantOf(cx, p.value));
      if (t.kind === 'unknown') return;
      if (v === undefined || v < 0n) cx.error('BadTableProperty', p.value.span, "table 'size' must be a non-negative compile-time known integer");
      return;
    }
    case 'largest_priority_wins': {
      const t = checkExpr(cx, p.value, boolType);
      if (t.kind !== 'bool' && t.kind !== 'unknown') cx.error('BadTableProperty', p.value.span, "'largest_priority_wins' must be a bool");
      return;
    }
    case 'priority_delta': {
      checkExpr(cx, p.value, null);
      if (intValue(constantOf(cx, p.value)) === undefined) cx.error('BadTableProperty', p.value.span, "'priority_delta' must be a compile-time known integer");
      return;
    }
    default:
      if (p.value.kind === 'CallExpression' && p.value.callee.kind === 'PathExpression' && listed.has(p.value.callee.name.name)) {
        // An architecture-specific property naming an action (e.g. a default group action).
        checkDefaultAction(cx, p.value, listed);
        return;
      }
      checkExpr(cx, p.value, null);
      void d;
      void keys;
  }
}

function checkDefaultAction(cx: Checker, v: ast.Expression, listed: Map<string, ListedAction>): void {
  let path: ast.PathExpression;
  let args: readonly ast.Argument[] | null;
  if (v.kind === 'CallExpression' && v.callee.kind === 'PathExpression') {
    path = v.callee;
    args = v.args;
  } else if (v.kind === 'PathExpression') {
    path = v;
    args = null;
  } else {
    if (v.kind !== 'ErrorExpression') cx.error('BadDefaultAction', v.span, 'default_action must name an action');
    return;
  }
  const name = path.name.name;
  const syms = cx.lookupValues(name, path.global);
  if (syms === undefined) {
    cx.error('UndeclaredName', path.name.span, `undeclared action '${name}'`);
    return;
  }
  const l = listed.get(name);
  if (l === undefined || !syms.includes(l.sym)) {
    if (!syms.some((s) => s.kind === 'action')) cx.error('BadDefaultAction', path.name.span, `'${name}' is not an action`);
    else cx.error('BadDefaultAction', path.name.span, `default action '${name}' is not in the table's actions list`);
    return;
  }
  if (l.ref.annotations.some((a) => a.name.name === 'tableonly')) {
    cx.error('BadDefaultAction', path.name.span, `action '${name}' is marked @tableonly and cannot be the default action`);
  }
  const sym = l.sym;
  cx.result.refs.set(path, sym);
  cx.result.types.set(path, sym.type);
  if (v.kind === 'CallExpression') {
    cx.result.calls.set(v, { kind: 'action', sym });
    cx.result.types.set(v, { kind: 'void' });
  }
  const params = paramsOf(sym);
  if (args === null) {
    if (params.some((p) => !p.hasDefault)) {
      cx.error('BadDefaultAction', path.span, `default action '${name}' needs arguments for all its parameters`);
    }
    return;
  }
  const bound = bindDefaultArgs(cx, v.span, name, params, args);
  if (bound === null) return;
  for (let i = 0; i < params.length; i++) {
    const a = bound[i];
    if (a !== null) checkArg(cx, a, params[i]);
  }
  sameAsListed(cx, l.ref, params, bound);
}

/**
 * Spec (tables): the arguments given for parameters with a direction in default_action or an
 * entry must be syntactically identical to those bound in the actions list.
 */
function sameAsListed(cx: Checker, ref: ast.ActionRef, params: readonly Param[], bound: readonly (ast.Argument | null)[]): void {
  const listed = ref.args ?? [];
  if (listed.some((a) => a.name !== null)) return;
  for (let i = 0; i < params.length && i < listed.length; i++) {
    const a = bound[i];
    if (params[i].direction === 'none' || a === null) continue;
    if (printExpression(a.value) !== printExpression(listed[i].value)) {
      cx.error('BadActionRef', a.value.span, `argument for '${params[i].name}' differs from the one bound in the actions list`, listed[i].value.span);
    }
  }
}

function bindDefaultArgs(cx: Checker, at: ast.Node['span'], name: string, params: readonly Param[], args: readonly ast.Argument[]): (ast.Argument | null)[] | null {
  const required = params.filter((p) => !p.hasDefault).length;
  if (args.every((a) => a.name === null) && (args.length < required || args.length > params.length)) {
    cx.error('BadDefaultAction', at, `default action '${name}' takes ${params.length} argument(s), got ${args.length}`);
    for (const a of args) checkExpr(cx, a.value, null);
    return null;
  }
  const bound = bindArguments(cx, at, name, params, args);
  if (bound === null) for (const a of args) checkExpr(cx, a.value, null);
  return bound;
}

function checkEntry(
  cx: Checker, e: ast.TableEntry, keys: ast.KeyElement[] | null, keyTypes: readonly Type[],
  listed: Map<string, ListedAction>, isConst: boolean,
): void {
  if (e.priority !== null) {
    checkExpr(cx, e.priority, null);
    const pv = intValue(constantOf(cx, e.priority));
    if (pv === undefined || pv < 0n) cx.error('BadEntry', e.priority.span, 'an entry priority must be a non-negative compile-time known integer');
  }
  if (keys === null || keys.length === 0) {
    cx.error('BadEntry', e.span, 'a table without a key cannot have entries');
  } else if (e.keys.length === 1 && keyTypes.length > 1 && (e.keys[0].kind === 'DefaultExpression' || e.keys[0].kind === 'DontCareExpression')) {
    checkKeyset(cx, e.keys[0], { kind: 'tuple', elements: [...keyTypes] }, isConst);
  } else if (e.keys.length !== keyTypes.length) {
    cx.error('BadEntry', e.span, `this entry has ${e.keys.length} key(s) but the table has ${keyTypes.length}`);
    for (const k of e.keys) {
      if (k.kind !== 'DefaultExpression' && k.kind !== 'DontCareExpression' && k.kind !== 'MaskExpression' && k.kind !== 'RangeExpression') checkExpr(cx, k, null);
    }
  } else {
    for (let i = 0; i < e.keys.length; i++) {
      const k = e.keys[i];
      const mk = keys[i].matchKind.name;
      if (k.kind === 'MaskExpression' && mk === 'exact') {
        cx.error('BadEntry', k.span, "a mask cannot be used for an 'exact' key");
      } else if (k.kind === 'RangeExpression' && mk !== 'range') {
        cx.error('BadEntry', k.span, `a range can only be used for a 'range' key, not '${mk}'`);
      }
      checkKeyset(cx, k, keyTypes[i], isConst);
    }
  }
  const r = e.action;
  const syms = cx.lookupValues(r.name.name, r.global);
  if (syms === undefined) {
    cx.error('UndeclaredName', r.name.span, `undeclared action '${r.name.name}'`);
    return;
  }
  const l = listed.get(r.name.name);
  if (l === undefined || !syms.includes(l.sym)) {
    cx.error('BadEntry', r.name.span, `action '${r.name.name}' is not in the table's actions list`);
    return;
  }
  cx.result.refs.set(r, l.sym);
  const params = paramsOf(l.sym);
  const args = r.args ?? [];
  const data = params.filter((p) => p.direction === 'none');
  if (args.length !== params.length && args.length !== data.length) {
    const needed = params.filter((p) => !p.hasDefault).length;
    if (args.length < needed || args.length > params.length) {
      cx.error('BadEntry', r.span, `action '${r.name.name}' takes ${params.length} argument(s) in an entry, got ${args.length}`);
      for (const a of args) checkExpr(cx, a.value, null);
      return;
    }
  }
  const target = args.length === data.length && data.length !== params.length ? data : params;
  if (target === params && args.every((a) => a.name === null)) sameAsListed(cx, l.ref, params, args);
  for (let i = 0; i < args.length; i++) {
    const p = target[i];
    const t = checkExpr(cx, args[i].value, p.type);
    coerce(cx, args[i].value, t, p.type);
    if (isConst && p.direction === 'none' && t.kind !== 'unknown' && constantOf(cx, args[i].value) === undefined) {
      cx.error('NotConstant', args[i].value.span, 'action data in a constant entry must be compile-time known');
    }
  }
  void unknownType;
}
