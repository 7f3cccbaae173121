// The IR validator: checks invariants lowering and the passes must keep (locations inside the
// state, assignment widths, transition targets, table/action/extern ids). A violation is a
// compiler bug, reported through bug(); user errors never reach this point.
import { bug } from '../source/diagnostics.js';
import type { Expr, IrProgram, Loc, Stmt } from './ir.js';

export function validateIr(ir: IrProgram): void {
  const words = ir.stateWords;
  const info = ir.info;
  const loc = (l: Loc, where: string): void => {
    if (l.space === 'phv') bug(l.offset >= 0 && l.offset < words, `${where}: location ${l.name}@${l.offset} outside the state (${words} words)`);
    if (l.dyn !== null) expr(l.dyn.index, where);
  };
  const expr = (e: Expr, where: string): void => {
    switch (e.k) {
      case 'read': loc(e.loc, where); break;
      case 'un': case 'cast': case 'slice': expr(e.a, where); break;
      case 'bin': case 'concat': expr(e.a, where); expr(e.b, where); break;
      case 'cond': expr(e.c, where); expr(e.a, where); expr(e.b, where); break;
      case 'call': for (const a of e.args) expr(a, where); break;
      default: break;
    }
  };
  const stmts = (list: readonly Stmt[], where: string): void => {
    for (const s of list) {
      switch (s.k) {
        case 'assign':
          loc(s.dst, where);
          expr(s.src, where);
          bug(s.dst.ty.width === s.src.ty.width || s.src.ty.bool || s.dst.ty.bool, `${where}: assignment of ${s.src.ty.width} bits to ${s.dst.name} (${s.dst.ty.width} bits)`);
          break;
        case 'if': expr(s.c, where); stmts(s.then, where); stmts(s.else, where); break;
        case 'block': stmts(s.body, where); break;
        case 'loop': expr(s.c, where); stmts(s.body, where); stmts(s.update, where); break;
        case 'switch': expr(s.e, where); for (const c of s.cases) stmts(c.body, where); break;
        case 'table':
          bug(s.table >= 0 && s.table < info.tables.length, `${where}: unknown table ${s.table}`);
          for (const k of s.keys) expr(k, where);
          for (const a of s.actions) {
            bug(a.actionId >= 0 && a.actionId < info.actions.length, `${where}: unknown action ${a.actionId}`);
            stmts(a.body, where);
          }
          break;
        case 'extern':
          bug(s.extern < info.externs.length, `${where}: unknown extern ${s.extern}`);
          for (const a of s.args) expr(a, where);
          if (s.out !== null) loc(s.out, where);
          break;
        default: break;
      }
    }
  };
  const names = new Set(ir.parser.states.map((s) => s.name));
  bug(ir.parser.states.length > 0, 'parser without states');
  for (const st of ir.parser.states) {
    stmts(st.body, `state ${st.name}`);
    const t = st.transition;
    const targets = t.k === 'goto' ? [t.state] : t.cases.map((c) => c.state);
    for (const x of targets) bug(x === 'accept' || x === 'reject' || names.has(x), `state ${st.name}: unknown target ${x}`);
    if (t.k === 'select') for (const k of t.keys) expr(k, `state ${st.name}`);
  }
  for (const b of [ir.verifyChecksum, ir.ingress, ir.egress, ir.computeChecksum, ir.deparser]) stmts(b.body, b.name);
  for (const t of info.tables) bug(t.actionIds.includes(t.defaultActionId), `table ${t.name}: default action not in its actions`);
}
