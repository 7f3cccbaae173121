// Which headers the deparser may leave in place. Input: the lowered program. Output: the headers
// emitted at a fixed place, of fixed size, outside any stack, whose fields no statement of the
// program ever writes except their extraction, and which of their fields nothing ever reads. The
// generated parser records where in the packet such a header was extracted (and skips storing the
// unread fields); the deparser leaves its bytes alone when it lands at that same place in the
// packet's own buffer, and otherwise copies them from there.
import type { Expr, HeaderLayout, HeaderRef, IrProgram, Loc, Stmt } from '../ir/ir.js';

const wordsOf = (w: number): number => (w <= 32 ? 1 : (w + 31) >>> 5);

/** True when the deparser only emits fixed-size headers at fixed places (its output length is then known beforehand). */
export function simpleDeparser(ir: IrProgram): boolean {
  return ir.deparser.body.every((st) => st.k === 'emit' && st.header.dyn === null && st.header.h.fields.every((f) => f.varbitLength === null));
}

export interface InPlaceHeader {
  readonly h: HeaderLayout;
  /** Offsets of the fields nothing reads: extraction need not store them. */
  readonly unread: ReadonlySet<number>;
}

/** The headers that may stay in place, given what the program writes and reads. */
export function inPlaceHeaders(ir: IrProgram): InPlaceHeader[] {
  if (!simpleDeparser(ir)) return [];
  // Word ranges [lo, hi) some statement may write (other than extraction into a fixed header), and may read.
  const ranges: [number, number][] = [];
  const reads: [number, number][] = [];
  const span = (l: Loc): [number, number] => {
    const n = wordsOf(l.ty.width);
    return l.dyn === null ? [l.offset, l.offset + n] : [l.offset, l.offset + (l.dyn.count - 1) * l.dyn.stride + n];
  };
  const loc = (l: Loc | null): void => {
    if (l === null || l.space !== 'phv') return;
    ranges.push(span(l));
    if (l.dyn !== null) ex(l.dyn.index);
  };
  const hdr = (h: HeaderRef): void => {
    const extra = h.dyn !== null ? (h.dyn.count - 1) * h.dyn.stride : h.stack !== null ? (h.stack.count - 1) * h.stack.stride : 0;
    reads.push([h.h.start, h.h.start + h.h.words + extra]);
    if (h.dyn !== null) ex(h.dyn.index);
  };
  const ex = (e: Expr | null): void => {
    if (e === null) return;
    switch (e.k) {
      case 'read':
        if (e.loc.space === 'phv') reads.push(span(e.loc));
        if (e.loc.dyn !== null) ex(e.loc.dyn.index);
        break;
      case 'un': case 'cast': case 'slice': ex(e.a); break;
      case 'bin': case 'concat': ex(e.a); ex(e.b); break;
      case 'cond': ex(e.c); ex(e.a); ex(e.b); break;
      case 'call': for (const a of e.args) ex(a); break;
      default: break;
    }
  };
  const walk = (list: readonly Stmt[]): void => {
    for (const s of list) {
      switch (s.k) {
        case 'assign': loc(s.dst); ex(s.src); break;
        case 'if': ex(s.c); walk(s.then); walk(s.else); break;
        case 'block': walk(s.body); break;
        case 'loop': ex(s.c); walk(s.body); walk(s.update); break;
        case 'switch': ex(s.e); for (const c of s.cases) walk(c.body); break;
        case 'table': for (const k of s.keys) ex(k); loc(s.hit); loc(s.run); for (const a of s.actions) walk(a.body); break;
        case 'extern':
          loc(s.out);
          for (const a of s.args) ex(a);
          for (const it of s.list ?? []) {
            if ('header' in it) hdr(it.header);
            else { ex(it.e); if (it.valid) reads.push(span(it.valid)); }
          }
          break;
        case 'validity': if (s.header.dyn !== null) ex(s.header.dyn.index); for (const h of s.siblings) if (h.dyn !== null) ex(h.dyn.index); break;
        case 'advance': ex(s.bits); break;
        case 'verify': ex(s.c); break;
        case 'emit': hdr(s.header); break;
        case 'stackShift': ranges.push([s.first.start, s.first.start + s.count * s.stride]); break;
        case 'extract': {
          const h = s.header;
          ex(s.varbitBits);
          if (h.dyn !== null) ex(h.dyn.index);
          if (h.dyn !== null || h.stack !== null || h.h.fields.some((f) => f.varbitLength !== null)) {
            const span = h.dyn !== null ? (h.dyn.count - 1) * h.dyn.stride : h.stack !== null ? (h.stack.count - 1) * h.stack.stride : 0;
            ranges.push([h.h.start, h.h.start + h.h.words + span]);
          }
          break;
        }
        default: break;
      }
    }
  };
  for (const st of ir.parser.states) {
    walk(st.body);
    if (st.transition.k === 'select') for (const k of st.transition.keys) ex(k);
  }
  // The architecture reads the preserved field lists.
  for (const l of ir.fieldLists) for (const f of l.fields) reads.push([f.offset, f.offset + f.words]);
  walk(ir.verifyChecksum.body);
  walk(ir.ingress.body);
  walk(ir.egress.body);
  walk(ir.computeChecksum.body);
  const out: InPlaceHeader[] = [];
  const seen = new Set<number>();
  for (const st of ir.deparser.body) {
    if (st.k !== 'emit') continue;
    const h = st.header.h;
    if (seen.has(h.validOffset)) continue;
    seen.add(h.validOffset);
    const written = h.fields.some((f) => {
      const lo = f.offset;
      const hi = f.offset + wordsOf(f.ty.width);
      return ranges.some(([a, b]) => a < hi && lo < b);
    });
    if (written || h.width % 8 !== 0) continue;
    const unread = new Set<number>();
    for (const f of h.fields) {
      const lo = f.offset;
      const hi = f.offset + wordsOf(f.ty.width);
      if (!reads.some(([a, b]) => a < hi && lo < b)) unread.add(f.offset);
    }
    out.push({ h, unread });
  }
  return out;
}
