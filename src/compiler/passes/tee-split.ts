// Where the batch transition cuts ingress and egress: at each TeeFunction call (an `extern`
// statement named `tee.call`). Input: a control block's IR statements. Output: the call sites in
// program order, the continuation after a site (what code generation emits as teeCont<k>), and
// the stateful extern statements whose accesses the cut would reorder across packets (lowering
// refuses those, so every transition gives the same results).
import type { Stmt } from '../ir/ir.js';

export type ExternStmt = Extract<Stmt, { k: 'extern' }>;

export function isTeeCall(s: Stmt): s is ExternStmt {
  return s.k === 'extern' && s.name === 'tee.call';
}

/** The TeeFunction call statements of a block, in program (pre-)order. */
export function teeCallSites(list: readonly Stmt[], out: ExternStmt[] = []): ExternStmt[] {
  for (const st of list) {
    switch (st.k) {
      case 'extern': if (isTeeCall(st)) out.push(st); break;
      case 'if': teeCallSites(st.then, out); teeCallSites(st.else, out); break;
      case 'block': teeCallSites(st.body, out); break;
      case 'switch': for (const c of st.cases) teeCallSites(c.body, out); break;
      case 'loop': teeCallSites(st.body, out); teeCallSites(st.update, out); break;
      case 'table': for (const a of st.actions) teeCallSites(a.body, out); break;
      default: break;
    }
  }
  return out;
}

/**
 * What runs after `target` in `list`: the rest of each enclosing statement list from the inside
 * out, labelled blocks kept (a `break` in the rest still leaves them); null when `target` is not
 * in `list`. Loops and table actions are never entered (lowering refuses calls there).
 */
export function continuation(list: readonly Stmt[], target: Stmt): Stmt[] | null {
  for (let i = 0; i < list.length; i++) {
    const st = list[i];
    if (st === target) return list.slice(i + 1);
    let inner: Stmt[] | null = null;
    switch (st.k) {
      case 'if': inner = continuation(st.then, target) ?? continuation(st.else, target); break;
      case 'block': {
        const c = continuation(st.body, target);
        inner = c === null ? null : [{ k: 'block', label: st.label, body: c }];
        break;
      }
      case 'switch':
        for (const c of st.cases) {
          inner = continuation(c.body, target);
          if (inner !== null) break;
        }
        break;
      default: break;
    }
    if (inner !== null) return [...inner, ...list.slice(i + 1)];
  }
  return null;
}

/** The extern statements a split piece may run (a list ends at its first TeeFunction call). */
function externsOf(list: readonly Stmt[], out: ExternStmt[]): void {
  for (const st of list) {
    switch (st.k) {
      case 'extern': if (!isTeeCall(st)) out.push(st); break;
      case 'if': externsOf(st.then, out); externsOf(st.else, out); break;
      case 'block': externsOf(st.body, out); break;
      case 'switch': for (const c of st.cases) externsOf(c.body, out); break;
      case 'loop': externsOf(st.body, out); externsOf(st.update, out); break;
      case 'table': for (const a of st.actions) externsOf(a.body, out); break;
      default: break;
    }
    if (isTeeCall(st)) return;
  }
}

/**
 * The batch transition runs each piece of the block (the start, the continuation of each call
 * site) for every packet of the batch before the next piece. A stateful extern instance used in
 * two pieces would see its accesses in another order than packet by packet; that matters when
 * one of them writes (`writes`). Returns one statement per such instance: its first use in a
 * later piece.
 */
export function reorderedStateAccesses(body: readonly Stmt[], writes: (s: ExternStmt) => boolean): ExternStmt[] {
  const sites = teeCallSites(body);
  if (sites.length === 0) return [];
  const pieces: ExternStmt[][] = [];
  const start: ExternStmt[] = [];
  externsOf(body, start);
  pieces.push(start);
  for (const site of sites) {
    const rest = continuation(body, site);
    const xs: ExternStmt[] = [];
    if (rest !== null) externsOf(rest, xs);
    pieces.push(xs);
  }
  const firstPiece = new Map<number, number>();
  const written = new Set<number>();
  const later = new Map<number, ExternStmt>();
  pieces.forEach((xs, i) => {
    for (const x of xs) {
      if (x.extern < 0) continue;
      if (writes(x)) written.add(x.extern);
      const f = firstPiece.get(x.extern);
      if (f === undefined) firstPiece.set(x.extern, i);
      else if (f !== i && !later.has(x.extern)) later.set(x.extern, x);
    }
  });
  return [...later.entries()].filter(([id]) => written.has(id)).map(([, x]) => x);
}
