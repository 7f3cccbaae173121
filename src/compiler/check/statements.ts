// Statements: assignments (l-values, read-only targets), method calls, direct applies, if,
// blocks, return/exit placement, break/continue in loops, switch (on table action_run or on
// integer/enum values), for loops, local declarations. Also the "definitely returns" analysis
// used for MissingReturn.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import { boolType, typeToString, unknownType } from './types.js';
import type { Type } from './types.js';
import { valueKey } from './constants.js';
import { binaryType, checkExpr, checkLValue, coerce, constantOf, numericView } from './expressions.js';
import { checkDirectApply } from './calls.js';
import { checkConstant, checkVariable, isDataType, resolveType } from './declarations.js';
import { checkInstantiation } from './instantiation.js';

/** Checks the statements of a block in a new scope. */
export function checkBlockBody(cx: Checker, b: ast.BlockStatement): void {
  cx.inScope(() => {
    for (const s of b.statements) checkStatement(cx, s);
  });
}

export function checkStatement(cx: Checker, s: ast.Statement): void {
  switch (s.kind) {
    case 'AssignmentStatement': checkAssignment(cx, s); return;
    case 'MethodCallStatement': checkExpr(cx, s.call, null); return;
    case 'DirectApplyStatement': checkDirectApply(cx, s); return;
    case 'IfStatement': {
      const ct = checkExpr(cx, s.condition, boolType);
      if (ct.kind !== 'bool' && ct.kind !== 'unknown') {
        cx.error('TypeMismatch', s.condition.span, `the condition of 'if' must be a bool, not ${typeToString(ct)}`);
      }
      nested(cx, s.then);
      if (s.else !== null) nested(cx, s.else);
      return;
    }
    case 'BlockStatement': checkBlockBody(cx, s); return;
    case 'EmptyStatement': return;
    case 'ReturnStatement': checkReturn(cx, s); return;
    case 'ExitStatement':
      if (cx.ctx.where === 'state') cx.error('BadExit', s.span, "'exit' is not allowed in a parser");
      else if (cx.ctx.where === 'function') cx.error('BadExit', s.span, "'exit' is not allowed in a function");
      return;
    case 'BreakStatement': case 'ContinueStatement':
      if (!cx.ctx.inLoop) cx.error('BadLoop', s.span, `'${s.kind === 'BreakStatement' ? 'break' : 'continue'}' is only allowed in a loop`);
      return;
    case 'SwitchStatement': checkSwitch(cx, s); return;
    case 'ForStatement':
      cx.inScope(() => {
        for (const i of s.init) checkStatement(cx, i);
        const ct = checkExpr(cx, s.condition, boolType);
        if (ct.kind !== 'bool' && ct.kind !== 'unknown') {
          cx.error('TypeMismatch', s.condition.span, `the condition of 'for' must be a bool, not ${typeToString(ct)}`);
        }
        for (const u of s.update) checkStatement(cx, u);
        cx.withCtx({ inLoop: true }, () => nested(cx, s.body));
      });
      return;
    case 'ForInStatement': checkForIn(cx, s); return;
    case 'VariableDeclaration': checkVariable(cx, s); return;
    case 'ConstantDeclaration': checkConstant(cx, s); return;
    case 'InstantiationDeclaration': checkInstantiation(cx, s); return;
    case 'ErrorStatement': return;
  }
}

/** A statement in a branch or loop body gets its own scope. */
function nested(cx: Checker, s: ast.Statement): void {
  if (s.kind === 'BlockStatement') checkBlockBody(cx, s);
  else cx.inScope(() => checkStatement(cx, s));
}

function checkAssignment(cx: Checker, s: ast.AssignmentStatement): void {
  const tt = checkExpr(cx, s.target, null);
  checkLValue(cx, s.target, 'NotLValue');
  if (s.op === '=') {
    const vt = checkExpr(cx, s.value, tt.kind === 'unknown' ? null : tt);
    coerce(cx, s.value, vt, tt);
    return;
  }
  const vt = checkExpr(cx, s.value, null);
  const op = s.op.slice(0, -1) as ast.BinaryOperator;
  // The combined value must have the target's type: `x += 1` is `x = x + 1`.
  const rt = binaryType(cx, s.value, op, s.target, s.value, tt, vt);
  if (rt.kind !== 'unknown' && tt.kind !== 'unknown' && numericView(rt).kind !== numericView(tt).kind) {
    cx.error('TypeMismatch', s.span, `'${s.op}' produces ${typeToString(rt)}, which cannot be assigned to ${typeToString(tt)}`);
  }
}

function checkReturn(cx: Checker, s: ast.ReturnStatement): void {
  const w = cx.ctx.where;
  if (w === 'state' || w === 'parser') {
    cx.error('BadReturn', s.span, "'return' is not allowed in a parser");
    if (s.value !== null) checkExpr(cx, s.value, null);
    return;
  }
  const rt = cx.ctx.returnType;
  if (w === 'function' || w === 'method') {
    if (rt === null) return;
    if (s.value === null) {
      if (rt.kind !== 'void' && rt.kind !== 'unknown') cx.error('BadReturn', s.span, `'return' needs a value of type ${typeToString(rt)}`);
      return;
    }
    if (rt.kind === 'void') {
      checkExpr(cx, s.value, null);
      cx.error('BadReturn', s.value.span, 'a void function cannot return a value');
      return;
    }
    const vt = checkExpr(cx, s.value, rt);
    coerce(cx, s.value, vt, rt);
    return;
  }
  if (s.value !== null) {
    checkExpr(cx, s.value, null);
    cx.error('BadReturn', s.value.span, `'return' in ${w === 'action' ? 'an action' : 'a control'} cannot have a value`);
  }
}

function checkSwitch(cx: Checker, s: ast.SwitchStatement): void {
  if (cx.ctx.block === 'parser') {
    cx.error('NotAllowedHere', s.span, "'switch' is not allowed in a parser");
  }
  const et = checkExpr(cx, s.expression, null);
  const seen = new Map<string, ast.Expression>();
  let defaultSeen: ast.Expression | null = null;
  const last = s.cases.length - 1;
  s.cases.forEach((c, i) => {
    const label = c.label;
    if (label.kind === 'DefaultExpression') {
      if (defaultSeen !== null) cx.error('DuplicateLabel', label.span, "duplicate 'default' label", defaultSeen.span);
      else if (i !== last) cx.error('BadSwitch', label.span, "'default' must be the last switch label");
      defaultSeen = label;
      cx.result.types.set(label, et);
    } else if (et.kind === 'actionEnum') {
      if (label.kind !== 'PathExpression') {
        checkExpr(cx, label, null);
        cx.error('BadSwitch', label.span, 'the labels of a switch on action_run must be action names');
      } else {
        const actions = cx.tableActions.get(et.table);
        const sym = actions?.get(label.name.name);
        if (sym === undefined) {
          if (actions !== undefined) cx.error('BadSwitch', label.span, `'${label.name.name}' is not an action of table '${et.table.name.name}'`);
        } else {
          cx.result.refs.set(label, sym);
          cx.result.types.set(label, et);
        }
        const prev = seen.get(label.name.name);
        if (prev !== undefined) cx.error('DuplicateLabel', label.span, `duplicate switch label '${label.name.name}'`, prev.span);
        else seen.set(label.name.name, label);
      }
    } else {
      const lt = checkExpr(cx, label, et.kind === 'unknown' ? null : et);
      if (switchable(et)) {
        if (coerce(cx, label, lt, et)) {
          const v = constantOf(cx, label);
          if (v === undefined) {
            if (lt.kind !== 'unknown') cx.error('NotConstant', label.span, 'switch labels must be compile-time known');
          } else {
            const k = valueKey(v);
            const prev = seen.get(k);
            if (prev !== undefined) cx.error('DuplicateLabel', label.span, 'duplicate switch label', prev.span);
            else seen.set(k, label);
          }
        }
      }
    }
    if (c.body !== null) checkBlockBody(cx, c.body);
    else if (i === last && label.kind !== 'DefaultExpression') {
      cx.error('BadSwitch', c.span, 'the last switch case needs a body');
    }
  });
  if (!switchable(et) && et.kind !== 'actionEnum' && et.kind !== 'unknown') {
    cx.error('BadSwitch', s.expression.span, `cannot switch on a value of type ${typeToString(et)}`);
  }
}

function switchable(t: Type): boolean {
  const n = numericView(t);
  return n.kind === 'bits' || n.kind === 'enum' || n.kind === 'error' || n.kind === 'int' || n.kind === 'unknown';
}

function checkForIn(cx: Checker, s: ast.ForInStatement): void {
  cx.inScope(() => {
    const vt = resolveType(cx, s.type);
    cx.result.declTypes.set(s, vt);
    if (s.collection.kind === 'RangeExpression') {
      const r = s.collection;
      const lo = checkExpr(cx, r.lo, vt);
      coerce(cx, r.lo, lo, vt);
      const hi = checkExpr(cx, r.hi, vt);
      coerce(cx, r.hi, hi, vt);
      cx.result.types.set(r, { kind: 'set', element: vt });
    } else {
      const ct = checkExpr(cx, s.collection, null);
      let el: Type = unknownType;
      if (ct.kind === 'stack' || ct.kind === 'list') el = ct.element;
      else if (ct.kind === 'tuple' && ct.elements.length > 0) el = ct.elements[0];
      else if (ct.kind !== 'unknown') cx.error('TypeMismatch', s.collection.span, `cannot iterate over a value of type ${typeToString(ct)}`);
      if (el.kind !== 'unknown' && vt.kind !== 'unknown' && !isDataType(vt)) {
        cx.error('TypeMismatch', s.type.span, `invalid loop variable type ${typeToString(vt)}`);
      }
    }
    cx.declareValue({ kind: 'loopVariable', name: s.name.name, type: vt, node: s, direction: 'none', value: undefined, role: 'plain' }, s.name);
    cx.withCtx({ inLoop: true }, () => nested(cx, s.body));
  });
}

/** True when every path through `s` ends in `return` or `exit`. */
export function definitelyReturns(s: ast.Statement): boolean {
  switch (s.kind) {
    case 'ReturnStatement': case 'ExitStatement': return true;
    case 'BlockStatement': return s.statements.some(definitelyReturns);
    case 'IfStatement': return s.else !== null && definitelyReturns(s.then) && definitelyReturns(s.else);
    case 'SwitchStatement':
      return s.cases.some((c) => c.label.kind === 'DefaultExpression') && s.cases.every((c) => c.body === null || definitelyReturns(c.body));
    case 'ErrorStatement': return true;
    default: return false;
  }
}
