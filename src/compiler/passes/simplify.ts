// Pass `simplify`: removes what constant folding made dead: `if` on a constant condition keeps
// one branch, empty `if`s and labelled blocks that nothing breaks out of are flattened, and
// statements after an unconditional exit/break in the same list are dropped.
import type { IrProgram, Stmt } from '../ir/ir.js';
import { rewriteStmts } from './walk.js';
import type { Rewriter } from './walk.js';

/** Applies a rewriter to every block of the program. */
export function mapBlocks(ir: IrProgram, r: Rewriter): IrProgram {
  return {
    ...ir,
    parser: {
      ...ir.parser,
      states: ir.parser.states.map((s) => ({
        ...s,
        body: rewriteStmts(s.body, r),
        transition: s.transition.k === 'select' && r.expr
          ? { ...s.transition, keys: s.transition.keys.map((k) => rewriteExprTop(k, r)) }
          : s.transition,
      })),
    },
    verifyChecksum: { ...ir.verifyChecksum, body: rewriteStmts(ir.verifyChecksum.body, r) },
    ingress: { ...ir.ingress, body: rewriteStmts(ir.ingress.body, r) },
    egress: { ...ir.egress, body: rewriteStmts(ir.egress.body, r) },
    computeChecksum: { ...ir.computeChecksum, body: rewriteStmts(ir.computeChecksum.body, r) },
    deparser: { ...ir.deparser, body: rewriteStmts(ir.deparser.body, r) },
  };
}

import { rewriteExpr } from './walk.js';
function rewriteExprTop(e: Parameters<typeof rewriteExpr>[0], r: Rewriter): ReturnType<typeof rewriteExpr> {
  return rewriteExpr(e, r);
}

function usedLabels(list: readonly Stmt[], out: Set<string>): Set<string> {
  for (const s of list) {
    switch (s.k) {
      case 'break': case 'continue': out.add(s.label); break;
      case 'loop': out.add(s.label); usedLabels(s.body, out); usedLabels(s.update, out); break;
      case 'if': usedLabels(s.then, out); usedLabels(s.else, out); break;
      case 'block': usedLabels(s.body, out); break;
      case 'switch': for (const c of s.cases) usedLabels(c.body, out); break;
      case 'table': for (const a of s.actions) usedLabels(a.body, out); break;
      default: break;
    }
  }
  return out;
}

function trimAfterJump(list: Stmt[]): Stmt[] {
  const i = list.findIndex((s) => s.k === 'exit' || s.k === 'break' || s.k === 'continue');
  return i < 0 ? list : list.slice(0, i + 1);
}

export function simplify(ir: IrProgram): IrProgram {
  const all = new Set<string>();
  for (const b of [ir.verifyChecksum, ir.ingress, ir.egress, ir.computeChecksum, ir.deparser]) usedLabels(b.body, all);
  for (const s of ir.parser.states) usedLabels(s.body, all);
  const r: Rewriter = {
    stmt(s: Stmt): Stmt[] {
      switch (s.k) {
        case 'if':
          if (s.c.k === 'const') return trimAfterJump(s.c.value !== 0n ? s.then : s.else);
          if (s.then.length === 0 && s.else.length === 0) return [];
          return [{ ...s, then: trimAfterJump(s.then), else: trimAfterJump(s.else) }];
        case 'block': {
          const body = trimAfterJump(s.body);
          if (!all.has(s.label)) return body;
          // A trailing `break` to this very block is a no-op.
          const last = body[body.length - 1];
          if (last !== undefined && last.k === 'break' && last.label === s.label) return [{ ...s, body: body.slice(0, -1) }];
          return [{ ...s, body }];
        }
        default: return [s];
      }
    },
  };
  return mapBlocks(ir, r);
}
