// A generic rewriter over IR statements and expressions, used by the passes: applies `expr` to
// every expression bottom-up and `stmt` to every statement after its children were rewritten.
import type { Expr, Loc, Stmt } from '../ir/ir.js';

export interface Rewriter {
  expr?(e: Expr): Expr;
  /** Returns the statements that replace `s` (possibly none). */
  stmt?(s: Stmt): Stmt[];
}

export function rewriteExpr(e: Expr, r: Rewriter): Expr {
  let out: Expr;
  switch (e.k) {
    case 'un': case 'cast': case 'slice': out = { ...e, a: rewriteExpr(e.a, r) }; break;
    case 'bin': case 'concat': out = { ...e, a: rewriteExpr(e.a, r), b: rewriteExpr(e.b, r) }; break;
    case 'cond': out = { ...e, c: rewriteExpr(e.c, r), a: rewriteExpr(e.a, r), b: rewriteExpr(e.b, r) }; break;
    case 'read': out = { ...e, loc: rewriteLoc(e.loc, r) }; break;
    case 'call': out = { ...e, args: e.args.map((x) => rewriteExpr(x, r)) }; break;
    default: out = e;
  }
  return r.expr ? r.expr(out) : out;
}

function rewriteLoc(l: Loc, r: Rewriter): Loc {
  return l.dyn === null ? l : { ...l, dyn: { ...l.dyn, index: rewriteExpr(l.dyn.index, r) } };
}

export function rewriteStmts(list: readonly Stmt[], r: Rewriter): Stmt[] {
  const out: Stmt[] = [];
  for (const s of list) out.push(...rewriteStmt(s, r));
  return out;
}

function rewriteStmt(s: Stmt, r: Rewriter): Stmt[] {
  const x = (e: Expr): Expr => rewriteExpr(e, r);
  let n: Stmt;
  switch (s.k) {
    case 'assign': n = { ...s, dst: rewriteLoc(s.dst, r), src: x(s.src) }; break;
    case 'if': n = { ...s, c: x(s.c), then: rewriteStmts(s.then, r), else: rewriteStmts(s.else, r) }; break;
    case 'block': n = { ...s, body: rewriteStmts(s.body, r) }; break;
    case 'loop': n = { ...s, c: x(s.c), body: rewriteStmts(s.body, r), update: rewriteStmts(s.update, r) }; break;
    case 'switch': n = { ...s, e: x(s.e), cases: s.cases.map((c) => ({ values: c.values, body: rewriteStmts(c.body, r) })) }; break;
    case 'table': n = { ...s, keys: s.keys.map(x), actions: s.actions.map((a) => ({ actionId: a.actionId, body: rewriteStmts(a.body, r) })) }; break;
    case 'extract': n = { ...s, varbitBits: s.varbitBits === null ? null : x(s.varbitBits) }; break;
    case 'advance': n = { ...s, bits: x(s.bits) }; break;
    case 'verify': n = { ...s, c: x(s.c) }; break;
    case 'extern': n = { ...s, args: s.args.map(x), list: s.list === null ? null : s.list.map((i) => ('e' in i ? { ...i, e: x(i.e) } : i)) }; break;
    default: n = s;
  }
  return r.stmt ? r.stmt(n) : [n];
}
