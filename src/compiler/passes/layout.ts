// Storage layout: assigns every P4 storage location (header fields, validity words, stack
// nextIndex words, metadata, locals) a word slot in the per-packet state, following runtime/abi.ts.
// Input: checker Types; output: Store trees (lowering's view of a variable) and FieldInfo rows.
import type { FieldInfo } from '../../runtime/abi.js';
import { wordsFor } from '../../runtime/abi.js';
import type * as T from '../check/types.js';
import type { FieldLayout, HeaderLayout, Loc, Ty } from '../ir/ir.js';
import { boolTy, ty, u32 } from '../ir/ir.js';

export type Store =
  | { readonly k: 'scalar'; readonly loc: Loc }
  | { readonly k: 'varbit'; readonly loc: Loc; readonly lenOffset: number }
  | { readonly k: 'header'; readonly h: HeaderLayout; readonly fields: ReadonlyMap<string, Store> }
  | { readonly k: 'struct'; readonly name: string; readonly fields: ReadonlyMap<string, Store> }
  | { readonly k: 'union'; readonly name: string; readonly fields: ReadonlyMap<string, Store> }
  | { readonly k: 'stack'; readonly name: string; readonly elem: Store; readonly stride: number; readonly count: number; readonly nextOffset: number };

/** The scalar IR type of a checker type, or null for aggregates and types without a value. */
export function scalarTy(t: T.Type): Ty | null {
  switch (t.kind) {
    case 'bits': return ty(t.width, t.signed);
    case 'bool': return boolTy;
    case 'error': return u32;
    case 'enum': return t.underlying !== null ? ty(t.underlying.width, t.underlying.signed) : u32;
    case 'newtype': return scalarTy(t.base);
    case 'matchKind': return u32;
    case 'int': return ty(32, true);
    case 'actionEnum': return u32;
    default: return null;
  }
}

export class Allocator {
  words = 0;
  readonly fields: FieldInfo[] = [];
  readonly headers: HeaderLayout[] = [];

  alloc(n: number): number {
    const o = this.words;
    this.words += n;
    return o;
  }

  /** Lays out a value of type `t` named `name`; `record` adds FieldInfo rows (for hdr/meta/standard_metadata). */
  layout(t: T.Type, name: string, record: boolean): Store | null {
    switch (t.kind) {
      case 'varbit': {
        const off = this.alloc(wordsFor(t.width));
        const len = this.alloc(1);
        const loc: Loc = { space: 'phv', offset: off, ty: ty(t.width), dyn: null, name };
        if (record) this.fields.push({ name, offset: off, width: t.width, signed: false });
        return { k: 'varbit', loc, lenOffset: len };
      }
      case 'header': {
        const start = this.words;
        const validOffset = this.alloc(1);
        const fl: FieldLayout[] = [];
        const fields = new Map<string, Store>();
        let width = 0;
        if (record) this.fields.push({ name: `${name}.$valid`, offset: validOffset, width: 1, signed: false });
        for (const f of t.fields) {
          const s = this.layout(f.type, `${name}.${f.name}`, record);
          if (s === null) continue;
          fields.set(f.name, s);
          // A struct inside a header contributes its fields in order (they are part of the header's bits).
          const flat = (x: Store, nm: string): void => {
            if (x.k === 'scalar') {
              fl.push({ name: nm, offset: x.loc.offset, ty: x.loc.ty, varbitLength: null });
              width += x.loc.ty.width;
            } else if (x.k === 'varbit') {
              fl.push({ name: nm, offset: x.loc.offset, ty: x.loc.ty, varbitLength: x.lenOffset });
              width += x.loc.ty.width;
            } else if (x.k === 'struct') for (const [k, y] of x.fields) flat(y, `${nm}.${k}`);
          };
          flat(s, f.name);
        }
        const h: HeaderLayout = { name, type: t.name, validOffset, fields: fl, width, start, words: this.words - start };
        if (record) this.headers.push(h);
        return { k: 'header', h, fields };
      }
      case 'struct': case 'union': {
        const fields = new Map<string, Store>();
        for (const f of t.fields) {
          const s = this.layout(f.type, `${name}.${f.name}`, record);
          if (s !== null) fields.set(f.name, s);
        }
        return { k: t.kind, name, fields };
      }
      case 'tuple': {
        const fields = new Map<string, Store>();
        t.elements.forEach((e, i) => {
          const s = this.layout(e, `${name}.${i}`, record);
          if (s !== null) fields.set(String(i), s);
        });
        return { k: 'struct', name, fields };
      }
      case 'stack': {
        const first = this.words;
        let elem: Store | null = null;
        for (let i = 0; i < t.size; i++) {
          const s = this.layout(t.element, `${name}[${i}]`, record);
          if (i === 0) elem = s;
        }
        const stride = t.size > 0 ? (this.words - first) / t.size : 0;
        const nextOffset = this.alloc(1);
        if (record) this.fields.push({ name: `${name}.$next`, offset: nextOffset, width: 32, signed: false });
        if (elem === null) return null;
        return { k: 'stack', name, elem, stride, count: t.size, nextOffset };
      }
      case 'newtype': return this.layout(t.base, name, record);
      default: {
        const st = scalarTy(t);
        if (st === null) return null;
        const off = this.alloc(wordsFor(st.width));
        if (record) this.fields.push({ name, offset: off, width: st.width, signed: st.signed });
        return { k: 'scalar', loc: { space: 'phv', offset: off, ty: st, dyn: null, name } };
      }
    }
  }
}

/** Shifts a store's offsets (element i of a stack is element 0 moved by i * stride). */
export function shiftStore(s: Store, by: number, name: string): Store {
  if (by === 0) return s;
  const mv = (l: Loc): Loc => ({ ...l, offset: l.offset + by, name: l.name.replace(/^[^[]*\[\d+\]/, name) });
  switch (s.k) {
    case 'scalar': return { k: 'scalar', loc: mv(s.loc) };
    case 'varbit': return { k: 'varbit', loc: mv(s.loc), lenOffset: s.lenOffset + by };
    case 'header': {
      const h = s.h;
      const nh: HeaderLayout = {
        ...h, name, validOffset: h.validOffset + by, start: h.start + by,
        fields: h.fields.map((f) => ({ ...f, offset: f.offset + by, varbitLength: f.varbitLength === null ? null : f.varbitLength + by })),
      };
      const fields = new Map<string, Store>();
      for (const [k, v] of s.fields) fields.set(k, shiftStore(v, by, `${name}.${k}`));
      return { k: 'header', h: nh, fields };
    }
    case 'struct': case 'union': {
      const fields = new Map<string, Store>();
      for (const [k, v] of s.fields) fields.set(k, shiftStore(v, by, `${name}.${k}`));
      return { k: s.k, name, fields };
    }
    case 'stack':
      return { ...s, name, elem: shiftStore(s.elem, by, `${name}[0]`), nextOffset: s.nextOffset + by };
  }
}

/** Every scalar location of a store, in declaration order (validity words of headers first in each header). */
export function scalarsOf(s: Store, out: { offset: number; words: number }[] = []): { offset: number; words: number }[] {
  switch (s.k) {
    case 'scalar': out.push({ offset: s.loc.offset, words: wordsFor(s.loc.ty.width) }); break;
    case 'varbit': out.push({ offset: s.loc.offset, words: wordsFor(s.loc.ty.width) }, { offset: s.lenOffset, words: 1 }); break;
    case 'header':
      out.push({ offset: s.h.validOffset, words: 1 });
      for (const f of s.fields.values()) scalarsOf(f, out);
      break;
    case 'struct': case 'union':
      for (const f of s.fields.values()) scalarsOf(f, out);
      break;
    case 'stack':
      for (let i = 0; i < s.count; i++) scalarsOf(shiftStore(s.elem, i * s.stride, `${s.name}[${i}]`), out);
      out.push({ offset: s.nextOffset, words: 1 });
      break;
  }
  return out;
}
