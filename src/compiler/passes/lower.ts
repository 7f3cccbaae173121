// Pass `lower`: checked AST -> IR for a v1model program. Finds the six blocks of `main`
// (V1Switch), lays out hdr / meta / standard_metadata and every local in the per-packet state,
// and lowers statements and expressions using the checker's side tables (never re-parsing).
// Calls are inlined as they are lowered (sub-parsers, sub-controls, functions and directly called
// actions bind their parameters to locations: pass `inlineCalls`); tables, actions and extern
// instances become ProgramInfo entries. Unsupported constructs are reported as P4E0801.
import type * as ast from '../syntax/ast.js';
import type { CheckResult } from '../check/checker.js';
import type { ValueSym, TypeSym } from '../check/scope.js';
import type { Value } from '../check/constants.js';
import type * as T from '../check/types.js';
import type { Diagnostics } from '../source/diagnostics.js';
import type { SourceMap, Span } from '../source/span.js';
import type {
  ActionInfo, EntryInfo, ExternInfo, ExternKind, KeyFieldInfo, KeyMatch, MatchKindValue, ProgramInfo, TableInfo,
  TeeFunctionInfo,
} from '../../runtime/abi.js';
import { MatchKind, wordsFor } from '../../runtime/abi.js';
import { hasTypeVars, substitute } from '../check/types.js';
import type {
  ControlBlock, DigestInfo, Dyn, Expr, FieldList, HeaderLayout, HeaderRef, IrProgram, Keyset, ListItem, Loc, ParserState,
  SelectCase, StandardSlots, Stmt, SwitchCase, TableAction, Transition, Ty,
} from '../ir/ir.js';
import { boolTy, constOf, readOf, ty, u32 } from '../ir/ir.js';
import { Allocator, scalarTy, scalarsOf, shiftStore } from './layout.js';
import type { Store } from './layout.js';
import { reorderedStateAccesses } from './tee-split.js';

type Binding =
  | { readonly k: 'ref'; readonly r: Ref }
  | { readonly k: 'value'; readonly e: Expr }
  | { readonly k: 'packet' }
  | { readonly k: 'extern'; readonly id: number }
  | { readonly k: 'block'; readonly decl: ast.ParserDeclaration | ast.ControlDeclaration; readonly prefix: string; readonly env: Env }
  | { readonly k: 'ignore' };

/** A reference to storage: a store plus an optional run-time stack index. */
interface Ref {
  readonly s: Store;
  readonly dyn: Dyn | null;
  readonly stack: { readonly nextOffset: number; readonly count: number; readonly stride: number } | null;
  readonly mode: 'fixed' | 'next';
}

class Env {
  readonly parent: Env | null;
  readonly map = new Map<ast.Node, Binding>();
  constructor(parent: Env | null) { this.parent = parent; }
  get(n: ast.Node): Binding | undefined {
    for (let e: Env | null = this; e !== null; e = e.parent) {
      const b = e.map.get(n);
      if (b !== undefined) return b;
    }
    return undefined;
  }
}

interface Cx {
  readonly env: Env;
  /** Instance path used to name tables, actions and externs (e.g. `MyIngress`). */
  readonly prefix: string;
  /** Label to break to on `return` (null: leave the v1model block). */
  readonly ret: string | null;
  /** Where a function's return value goes. */
  readonly retStore: Ref | null;
  /** Action data locations are valid (inside a table's action). */
  readonly inParser: boolean;
}

const v1Blocks = ['parser', 'verifyChecksum', 'ingress', 'egress', 'computeChecksum', 'deparser'] as const;

export class UnsupportedError extends Error {}

export interface LowerInput {
  readonly file: string;
  readonly program: ast.Program;
  readonly checked: CheckResult;
  readonly map: SourceMap;
  readonly diags: Diagnostics;
}

/** Lowers a checked v1model program; null (with diagnostics) when it cannot be lowered. */
export function lowerProgram(input: LowerInput): IrProgram | null {
  const l = new Lowerer(input);
  try {
    return l.run();
  } catch (e) {
    if (e instanceof UnsupportedError) {
      if (!l.reported) input.diags.error('BackendUnsupported', l.at, `not supported by the back end yet: ${e.message}`);
      return null;
    }
    throw e;
  }
}

class Lowerer {
  readonly in: LowerInput;
  readonly c: CheckResult;
  readonly a = new Allocator();
  readonly sources: string[] = [];
  readonly sourceIndex = new Map<string, number>();
  readonly tables: TableInfo[] = [];
  readonly actions: ActionInfo[] = [];
  readonly externs: ExternInfo[] = [];
  readonly errors: string[] = [];
  readonly digests: DigestInfo[] = [];
  readonly tableIds = new Map<string, number>();
  readonly actionIds = new Map<string, number>();
  readonly externIds = new Map<string, number>();
  readonly externNodes = new Map<ast.Node, number>();
  readonly directMeterTable = new Map<number, number>();
  readonly strings: string[] = [];
  out: Stmt[] = [];
  /** Labels of the enclosing loops (innermost last). */
  loops: string[] = [];
  /** Type-variable bindings of the generic functions being inlined. */
  subst = new Map<number, T.Type>();
  labelCount = 0;
  tempCount = 0;
  hdr!: Ref;
  meta!: Ref;
  sm!: Ref;
  smSlots!: StandardSlots;
  noAction: ast.ActionDeclaration | null = null;

  constructor(input: LowerInput) {
    this.in = input;
    this.c = input.checked;
  }

  // ----------------------------------------------------------------------------- helpers

  /** The statement being lowered (where an unsupported construct is reported). */
  at: Span = { start: 0, end: 0 };
  reported = false;

  fail(span: Span, message: string): never {
    this.in.diags.error('BackendUnsupported', span, message);
    this.reported = true;
    throw new UnsupportedError(message);
  }

  line(span: Span): number {
    const loc = this.in.map.locate(span);
    const file = loc.file.replace(/^.*\//, '');
    const key = `${file}:${loc.line}`;
    let i = this.sourceIndex.get(key);
    if (i === undefined) {
      i = this.sources.length;
      this.sources.push(key);
      this.sourceIndex.set(key, i);
    }
    return i;
  }

  typeOf(e: ast.Expression): T.Type {
    const t = this.c.types.get(e);
    if (t === undefined) this.fail(e.span, 'internal: expression without a type');
    return this.subst.size > 0 && hasTypeVars(t) ? substitute(t, this.subst) : t;
  }

  temp(t: Ty, name = ''): Loc {
    const off = this.a.alloc(wordsFor(t.width));
    return { space: 'phv', offset: off, ty: t, dyn: null, name: name || `$t${this.tempCount++}` };
  }

  tempRef(t: T.Type, name: string): Ref {
    const s = this.a.layout(t, name, false);
    if (s === null) throw new UnsupportedError(name);
    return { s, dyn: null, stack: null, mode: 'fixed' };
  }

  label(): string {
    return `L${this.labelCount++}`;
  }

  emit(s: Stmt): void {
    this.out.push(s);
  }

  /** Runs `f` collecting the statements it emits. */
  collect(f: () => void): Stmt[] {
    const saved = this.out;
    this.out = [];
    f();
    const r = this.out;
    this.out = saved;
    return r;
  }

  // ----------------------------------------------------------------------------- program

  run(): IrProgram {
    const prog = this.in.program;
    for (const d of prog.declarations) {
      if (d.kind === 'ErrorDeclaration') for (const m of d.members) if (!this.errors.includes(m.name)) this.errors.push(m.name);
      if (d.kind === 'ActionDeclaration' && d.name.name === 'NoAction') this.noAction = d;
    }
    const main = this.c.main;
    if (main === null) this.fail(prog.span, "the program has no 'main' package instance");
    if (main.package.name !== 'V1Switch') {
      this.in.diags.error('ArchitectureMismatch', main.node.span, `only the v1model architecture (V1Switch) is supported, not '${main.package.name}'`);
      this.reported = true;
      throw new UnsupportedError('architecture');
    }
    const args = main.node.args;
    if (args.length !== 6) this.fail(main.node.span, 'V1Switch needs six blocks');
    const blocks = args.map((a) => this.blockOf(a.value));
    const parserDecl = blocks[0].decl;
    if (parserDecl.kind !== 'ParserDeclaration') this.fail(args[0].span, 'the first V1Switch argument must be a parser');
    // Layout: hdr, meta, standard_metadata from the parser's parameters.
    const pp = parserDecl.parameters;
    if (pp.length < 4) this.fail(parserDecl.span, 'the v1model parser takes four parameters');
    const tyOf = (p: ast.Parameter): T.Type => {
      const t = this.c.declTypes.get(p) ?? this.c.typeRefs.get(p.type);
      if (t === undefined) this.fail(p.span, 'internal: parameter without a type');
      return t;
    };
    const mk = (t: T.Type, name: string): Ref => {
      const s = this.a.layout(t, name, true);
      if (s === null) this.fail(parserDecl.span, `cannot lay out ${name}`);
      return { s, dyn: null, stack: null, mode: 'fixed' };
    };
    this.checkHeaderWidths(tyOf(pp[1]));
    this.hdr = mk(tyOf(pp[1]), 'hdr');
    this.meta = mk(tyOf(pp[2]), 'meta');
    this.sm = mk(tyOf(pp[3]), 'standard_metadata');
    this.smSlots = this.standardSlots();
    const fieldLists = this.fieldLists(tyOf(pp[2]));

    const lowered: (ControlBlock | { name: string; states: ParserState[] })[] = [];
    for (let i = 0; i < 6; i++) {
      const b = blocks[i];
      const d = b.decl;
      const env = new Env(b.env);
      const roots = [this.hdr, this.meta, this.sm];
      // Bind parameters by position: packet_in/out, then hdr, meta, standard_metadata as the block type has them.
      let r = 0;
      for (const p of d.parameters) {
        const t = tyOf(p);
        if (t.kind === 'extern') env.map.set(p, { k: 'packet' });
        else env.map.set(p, { k: 'ref', r: roots[r++] });
      }
      const cx: Cx = { env, prefix: d.name.name, ret: null, retStore: null, inParser: d.kind === 'ParserDeclaration' };
      if (i === 0) {
        if (d.kind !== 'ParserDeclaration') this.fail(d.span, 'expected a parser');
        lowered.push({ name: d.name.name, states: this.lowerParser(d, cx, 'accept', '') });
      } else {
        if (d.kind !== 'ControlDeclaration') this.fail(d.span, `V1Switch argument ${i + 1} must be a control`);
        const body = this.collect(() => this.lowerControlBody(d, cx));
        lowered.push({ name: d.name.name, body });
      }
    }
    void v1Blocks;
    const parserBody = (lowered[0] as { states: ParserState[] }).states.flatMap((st) => st.body);
    this.checkTeePlacement([
      { name: 'the parser', body: parserBody },
      { name: 'verifyChecksum', body: (lowered[1] as ControlBlock).body },
      { name: 'ingress', body: (lowered[2] as ControlBlock).body },
      { name: 'egress', body: (lowered[3] as ControlBlock).body },
      { name: 'computeChecksum', body: (lowered[4] as ControlBlock).body },
      { name: 'the deparser', body: (lowered[5] as ControlBlock).body },
    ]);
    this.checkTeeState([{ name: 'ingress', body: (lowered[2] as ControlBlock).body }, { name: 'egress', body: (lowered[3] as ControlBlock).body }]);
    const info: ProgramInfo = {
      program: this.in.file.replace(/^.*\//, ''),
      arch: 'v1model',
      phvWords: this.a.words,
      fields: this.a.fields,
      tables: this.tables,
      actions: this.actions,
      externs: this.externs,
      errors: this.errors,
    };
    const p = lowered[0] as { name: string; states: ParserState[] };
    return {
      file: this.in.file,
      info,
      parser: { name: p.name, states: p.states },
      verifyChecksum: lowered[1] as ControlBlock,
      ingress: lowered[2] as ControlBlock,
      egress: lowered[3] as ControlBlock,
      computeChecksum: lowered[4] as ControlBlock,
      deparser: lowered[5] as ControlBlock,
      headers: this.a.headers,
      fieldLists,
      digests: this.digests,
      sm: this.smSlots,
      stateWords: this.a.words,
      sources: this.sources,
      strings: this.strings,
      directMeterTable: this.directMeterTable,
    } as IrProgram;
  }

  /** Header types already checked by checkHeaderWidths. */
  readonly checkedHeaders = new Set<T.Type>();

  /**
   * Headers reachable from `t` (the parser's headers, a local header) that are not a multiple of 8
   * bits wide (varbit fields at their maximum) get warning P4W0009 at their declaration, once per
   * type: the reference compiler and BMv2 accept them (public STF tests use a 41-bit header), but
   * how the trailing partial byte is extracted and emitted is target-specific.
   */
  checkHeaderWidths(t: T.Type): void {
    if (this.checkedHeaders.has(t)) return;
    this.checkedHeaders.add(t);
    switch (t.kind) {
      case 'header': {
        const w = flatWidths(t).reduce((a, b) => a + b, 0);
        if (w % 8 !== 0) {
          const span = t.node?.name.span ?? this.at;
          this.in.diags.warning('HeaderNotByteAligned', span, `header '${t.name}' is ${w} bits wide, not a multiple of 8: the bits after its last whole byte are target-specific`);
        }
        return;
      }
      case 'struct': case 'union': for (const f of t.fields) this.checkHeaderWidths(f.type); return;
      case 'stack': this.checkHeaderWidths(t.element); return;
      case 'tuple': for (const e of t.elements) this.checkHeaderWidths(e); return;
      default: return;
    }
  }

  standardSlots(): StandardSlots {
    const f = (name: string): number => {
      const s = this.sm.s.k === 'struct' ? this.sm.s.fields.get(name) : undefined;
      if (s !== undefined && s.k === 'scalar') return s.loc.offset;
      return this.a.alloc(1);
    };
    return {
      ingress_port: f('ingress_port'), egress_spec: f('egress_spec'), egress_port: f('egress_port'),
      instance_type: f('instance_type'), packet_length: f('packet_length'), enq_timestamp: f('enq_timestamp'),
      enq_qdepth: f('enq_qdepth'), deq_timedelta: f('deq_timedelta'), deq_qdepth: f('deq_qdepth'),
      ingress_global_timestamp: f('ingress_global_timestamp'), egress_global_timestamp: f('egress_global_timestamp'),
      mcast_grp: f('mcast_grp'), egress_rid: f('egress_rid'), checksum_error: f('checksum_error'),
      parser_error: f('parser_error'), priority: f('priority'),
      clone_session: this.a.alloc(1), clone_list: this.a.alloc(1), resubmit: this.a.alloc(1), recirculate: this.a.alloc(1),
      truncate: this.a.alloc(1), parsed_bytes: this.a.alloc(1),
    };
  }

  /** Metadata fields tagged @field_list(i, ...), grouped by index. */
  fieldLists(metaType: T.Type): FieldList[] {
    const lists = new Map<number, { offset: number; words: number }[]>();
    const walk = (t: T.Type, s: Store, inherited: number[]): void => {
      if ((t.kind !== 'struct' && t.kind !== 'header') || (s.k !== 'struct' && s.k !== 'header')) return;
      for (const f of t.fields) {
        const idx = [...inherited];
        for (const a of f.node?.annotations ?? []) {
          if (a.name.name !== 'field_list') continue;
          if (a.body.kind === 'expressions') {
            for (const e of a.body.items) if (e.kind === 'IntegerLiteral') idx.push(Number(e.value));
          } else if (a.body.kind === 'unstructured') {
            for (const tok of a.body.tokens) if (/^\d+$/.test(tok.text)) idx.push(Number(tok.text));
          }
        }
        const fs = s.fields.get(f.name);
        if (fs === undefined) continue;
        if (fs.k === 'struct' || fs.k === 'header') {
          if (idx.length > 0) for (const i of idx) { const l = lists.get(i) ?? []; scalarsOf(fs, l); lists.set(i, l); }
          else walk(f.type, fs, idx);
        } else if (idx.length > 0) {
          for (const i of idx) { const l = lists.get(i) ?? []; scalarsOf(fs, l); lists.set(i, l); }
        }
      }
    };
    walk(metaType, this.meta.s, []);
    return [...lists].map(([index, fields]) => ({ index, fields }));
  }

  /** The parser/control declaration a V1Switch argument instantiates, with its constructor bindings. */
  blockOf(e: ast.Expression): { decl: ast.ParserDeclaration | ast.ControlDeclaration; env: Env } {
    const root = new Env(null);
    if (e.kind === 'ConstructorCallExpression') {
      const base = e.type.kind === 'NamedTypeRef' ? e.type : e.type.base;
      const ts = this.c.refs.get(base) as TypeSym | undefined;
      const d = ts?.node;
      if (d === undefined || (d.kind !== 'ParserDeclaration' && d.kind !== 'ControlDeclaration')) this.fail(e.span, 'expected a parser or control');
      this.bindCtorArgs(d, e.args, root);
      return { decl: d, env: root };
    }
    if (e.kind === 'PathExpression') {
      const sym = this.c.refs.get(e) as ValueSym | undefined;
      const n = sym?.node;
      if (n !== undefined && n.kind === 'InstantiationDeclaration') {
        const base = n.type.kind === 'NamedTypeRef' ? n.type : n.type.kind === 'SpecializedTypeRef' ? n.type.base : null;
        const ts = base === null ? undefined : (this.c.refs.get(base) as TypeSym | undefined);
        const d = ts?.node;
        if (d !== undefined && (d.kind === 'ParserDeclaration' || d.kind === 'ControlDeclaration')) {
          this.bindCtorArgs(d, n.args, root);
          return { decl: d, env: root };
        }
      }
    }
    this.fail(e.span, 'unsupported V1Switch argument');
  }

  bindCtorArgs(d: ast.ParserDeclaration | ast.ControlDeclaration, args: readonly ast.Argument[], env: Env): void {
    const bound = bindParams(d.constructorParameters, args);
    d.constructorParameters.forEach((p, i) => {
      const a = bound[i];
      const v = a !== null ? a.value : p.defaultValue;
      if (v === null) return;
      const val = this.c.constants.get(v);
      const t = this.c.declTypes.get(p) ?? this.c.typeRefs.get(p.type);
      const st = t === undefined ? null : scalarTy(t);
      if (val !== undefined && st !== null) {
        env.map.set(p, { k: 'value', e: constOf(st, this.numeric(val)) });
        return;
      }
      // An instance passed as a constructor argument (extern or sub-block).
      if (v.kind === 'PathExpression') {
        const sym = this.c.refs.get(v) as ValueSym | undefined;
        if (sym !== undefined) {
          const b = this.instanceBinding(sym.node, env, sym.name);
          if (b !== null) env.map.set(p, b);
        }
      } else if (v.kind === 'ConstructorCallExpression') {
        const b = this.ctorBinding(v, env, p.name.name);
        if (b !== null) env.map.set(p, b);
      }
    });
  }

  // ----------------------------------------------------------------------------- values

  numeric(v: Value): bigint {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'object') {
      if (v.kind === 'errorMember') {
        const i = this.errors.indexOf(v.name);
        return BigInt(i < 0 ? 0 : i);
      }
      if (v.kind === 'enumMember') {
        if (v.type.underlying !== null) return v.type.values.get(v.member) ?? 0n;
        return BigInt(Math.max(0, v.type.members.indexOf(v.member)));
      }
      if (v.kind === 'matchKindMember') return 0n;
    }
    return 0n;
  }

  /** Wraps a constant into a type's bit pattern (two's complement for signed). */
  pattern(v: bigint, t: Ty): bigint {
    if (t.width === 0) return 0n;
    return BigInt.asUintN(t.width, v);
  }

  // ----------------------------------------------------------------------------- instances

  instanceBinding(node: ast.Node, env: Env, name: string): Binding | null {
    const b = env.get(node);
    if (b !== undefined) return b;
    if (node.kind === 'InstantiationDeclaration') {
      const t = this.c.declTypes.get(node);
      if (t !== undefined && t.kind === 'extern') {
        const id = this.externInstance(node, t, name, node.args, node.annotations);
        return id < 0 ? { k: 'ignore' } : { k: 'extern', id };
      }
      const base = node.type.kind === 'NamedTypeRef' ? node.type : node.type.kind === 'SpecializedTypeRef' ? node.type.base : null;
      const ts = base === null ? undefined : (this.c.refs.get(base) as TypeSym | undefined);
      const d = ts?.node;
      if (d !== undefined && (d.kind === 'ParserDeclaration' || d.kind === 'ControlDeclaration')) {
        const e = new Env(env);
        this.bindCtorArgs(d, node.args, e);
        return { k: 'block', decl: d, prefix: name, env: e };
      }
    }
    if (node.kind === 'ValueSetDeclaration') {
      const key = `${name}`;
      let id = this.externIds.get(key);
      if (id === undefined) {
        const size = Number(this.numeric(this.c.constants.get(node.size) ?? 0n));
        const et = this.c.typeRefs.get(node.elementType);
        // BMv2's compressed width: the element's fields back to back.
        const width = et === undefined ? 0 : flatWidths(et).reduce((a, b) => a + b, 0);
        id = this.addExtern({ name: key, kind: 'value_set', size, type: '', width, algorithm: null, tables: [] });
      }
      return { k: 'extern', id };
    }
    return null;
  }

  ctorBinding(e: ast.ConstructorCallExpression, env: Env, name: string): Binding | null {
    const target = this.c.calls.get(e);
    if (target !== undefined && target.kind === 'constructor') {
      const t = target.type;
      if (t.kind === 'extern') {
        const inst = (this.c.types.get(e) ?? t) as T.Type;
        const id = this.externInstance(e, inst.kind === 'extern' ? inst : t, name, e.args, []);
        return id < 0 ? { k: 'ignore' } : { k: 'extern', id };
      }
      const base = e.type.kind === 'NamedTypeRef' ? e.type : e.type.base;
      const ts = this.c.refs.get(base) as TypeSym | undefined;
      const d = ts?.node;
      if (d !== undefined && (d.kind === 'ParserDeclaration' || d.kind === 'ControlDeclaration')) {
        const ne = new Env(env);
        this.bindCtorArgs(d, e.args, ne);
        return { k: 'block', decl: d, prefix: name, env: ne };
      }
    }
    return null;
  }

  addExtern(x: Omit<ExternInfo, 'id'>): number {
    const id = this.externs.length;
    this.externs.push({ id, ...x });
    this.externIds.set(x.name, id);
    return id;
  }

  externInstance(node: ast.Node, t: T.ExternType, name: string, args: readonly ast.Argument[], annotations: readonly ast.Annotation[]): number {
    const nm = nameAnnotation(annotations) ?? name;
    const known = this.externIds.get(nm);
    if (known !== undefined) return known;
    const cv = (i: number): Value | undefined => (i < args.length ? this.c.constants.get(args[i].value) : undefined);
    const num = (i: number): number => { const v = cv(i); return v === undefined ? 0 : Number(this.numeric(v)); };
    const enumName = (i: number): string => { const v = cv(i); return typeof v === 'object' && v.kind === 'enumMember' ? v.member : ''; };
    let kind: ExternKind;
    let size = 0;
    let type = '';
    let width = 0;
    let algorithm: string | null = null;
    let tee: TeeFunctionInfo | undefined;
    switch (t.name) {
      case 'counter': kind = 'counter'; size = num(0); type = enumName(1); break;
      case 'direct_counter': kind = 'direct_counter'; type = enumName(0); break;
      case 'meter': kind = 'meter'; size = num(0); type = enumName(1); break;
      case 'direct_meter': kind = 'direct_meter'; type = enumName(0); break;
      case 'register': {
        kind = 'register'; size = num(0);
        const et = t.args.length > 0 ? scalarTy(t.args[0]) : null;
        width = et?.width ?? 32; type = String(width);
        break;
      }
      case 'action_profile': kind = 'action_profile'; size = num(0); break;
      case 'action_selector': kind = 'action_selector'; algorithm = enumName(0); size = num(1); width = num(2); break;
      case 'Checksum16': kind = 'checksum'; break;
      case 'TeeFunction': {
        // include tee.p4: the record layouts of I and O (the checker made sure they are bit<N> fields).
        kind = 'tee';
        const str = (i: number): string => { const v = cv(i); return typeof v === 'string' ? v : ''; };
        const iw = t.args.length > 0 ? flatWidths(t.args[0]) : [];
        const ow = t.args.length > 1 ? flatWidths(t.args[1]) : [];
        const bytes = (ws: number[]): number => (ws.reduce((a, b) => a + b, 0) + 7) >>> 3;
        tee = { module: str(0), function: str(1), inputWidths: iw, outputWidths: ow, inputBytes: bytes(iw), outputBytes: bytes(ow) };
        type = `${tee.module}.${tee.function}`;
        break;
      }
      default:
        // An extern this back end does not know: calls to it become run-time no-ops (E.unsupported).
        this.in.diags.warning('UnsupportedExtern', node.span, `extern '${t.name}' is not implemented by the v1model runtime; its methods do nothing`);
        return -1;
    }
    const id = this.addExtern(tee === undefined ? { name: nm, kind, size, type, width, algorithm, tables: [] } : { name: nm, kind, size, type, width, algorithm, tables: [], tee });
    this.externNodes.set(node, id);
    return id;
  }

  // ----------------------------------------------------------------------------- parser

  /** Lowers a parser's states; `accept` leads to `onAccept` (a continuation state for sub-parsers). */
  lowerParser(d: ast.ParserDeclaration, cx: Cx, onAccept: string, statePrefix: string): ParserState[] {
    const states: ParserState[] = [];
    this.lowerLocals(d.locals, cx);
    const sname = (n: string): string => {
      if (n === 'accept') return onAccept;
      if (n === 'reject') return 'reject';
      return statePrefix + n;
    };
    const startFirst = [...d.states].sort((a, b) => (a.name.name === 'start' ? -1 : b.name.name === 'start' ? 1 : 0));
    for (const st of startFirst) {
      let name = sname(st.name.name);
      let piece = 0;
      let body: Stmt[] = [];
      const saved = this.out;
      this.out = body;
      for (const s of st.statements) {
        const sub = this.subParserApply(s, cx);
        if (sub !== null) {
          // Split the state: run the sub-parser, continue in a fresh state after it accepts.
          const cont = `${statePrefix}${st.name.name}$${++piece}`;
          const subStates = this.lowerParser(sub.decl, sub.cx, cont, `${sub.cx.prefix}.`);
          states.push({ name, body, transition: { k: 'goto', state: subStates[0].name }, line: this.line(st.span) });
          states.push(...subStates);
          name = cont;
          body = [];
          this.out = body;
          for (const post of sub.post) this.emit(post);
          continue;
        }
        this.stmt(s, cx);
      }
      let tr: Transition;
      const t = st.transition;
      if (t === null) tr = { k: 'goto', state: 'reject' };
      else if (t.kind === 'DirectTransition') tr = { k: 'goto', state: sname(t.state.name) };
      else tr = this.select(t, cx, sname);
      this.out = saved;
      states.push({ name, body, transition: tr, line: this.line(st.span) });
    }
    return states;
  }

  subParserApply(s: ast.Statement, cx: Cx): { decl: ast.ParserDeclaration; cx: Cx; post: Stmt[] } | null {
    let call: ast.CallExpression | null = null;
    let direct: ast.DirectApplyStatement | null = null;
    if (s.kind === 'MethodCallStatement') call = s.call;
    else if (s.kind === 'DirectApplyStatement') direct = s;
    else return null;
    const target = this.c.calls.get(call ?? (direct as ast.DirectApplyStatement));
    if (target === undefined || target.kind !== 'apply' || target.objectType.kind !== 'parser') return null;
    let b: Binding | null;
    if (call !== null) {
      if (call.callee.kind !== 'MemberExpression') return null;
      b = this.bindingOfCallee(call.callee.object, cx);
    } else {
      const dd = direct as ast.DirectApplyStatement;
      const base = dd.type.kind === 'NamedTypeRef' ? dd.type : dd.type.base;
      const ts = this.c.refs.get(base) as TypeSym | undefined;
      const decl = ts?.node;
      if (decl === undefined || decl.kind !== 'ParserDeclaration') return null;
      b = { k: 'block', decl, prefix: `${cx.prefix}.${decl.name.name}`, env: new Env(null) };
    }
    if (b === null || b.k !== 'block' || b.decl.kind !== 'ParserDeclaration') this.fail(s.span, 'cannot resolve the applied parser');
    const env = new Env(b.env);
    const post = this.bindCallParams(b.decl.parameters, call !== null ? call.args : (direct as ast.DirectApplyStatement).args, cx, env, s.span);
    return { decl: b.decl, cx: { env, prefix: b.prefix, ret: null, retStore: null, inParser: true }, post };
  }

  select(t: ast.SelectTransition, cx: Cx, sname: (n: string) => string): Transition {
    const keys = t.expressions.map((e) => this.expr(e, cx));
    const cases: SelectCase[] = [];
    for (const c of t.cases) {
      let ks: Keyset[];
      if (c.keysets.length === 1 && keys.length > 1) {
        const k0 = c.keysets[0];
        if (k0.kind === 'DefaultExpression' || k0.kind === 'DontCareExpression') ks = keys.map(() => ({ k: 'default' }));
        else ks = this.keysetTuple(k0, keys, cx);
      } else {
        ks = c.keysets.map((k, i) => this.keyset(k, keys[i]?.ty ?? u32, cx));
      }
      cases.push({ keysets: ks, state: sname(c.state.name) });
    }
    return { k: 'select', keys, cases, line: this.line(t.span) };
  }

  keysetTuple(e: ast.Expression, keys: readonly Expr[], cx: Cx): Keyset[] {
    const v = this.c.constants.get(e);
    if (v !== undefined && typeof v === 'object' && v.kind === 'tuple') {
      return v.elements.map((x, i) => ({ k: 'value', value: this.pattern(this.numeric(x), keys[i].ty) }));
    }
    if (e.kind === 'ListExpression') return e.elements.map((x, i) => this.keyset(x, keys[i]?.ty ?? u32, cx));
    // A value set of a struct matches all the keys at once (its fields against the keys, in order).
    const vs = this.valueSetOf(e, cx);
    if (vs !== null) {
      const x = this.externs[vs];
      const total = keys.reduce((a, k) => a + k.ty.width, 0);
      if (x.width !== total) this.fail(e.span, `the value set's fields (${x.width} bits) do not line up with the select keys (${total} bits)`);
      return keys.map((_, i): Keyset => (i === 0 ? { k: 'valueSet', extern: vs, keys: keys.length } : { k: 'default' }));
    }
    return this.fail(e.span, 'unsupported select keyset');
  }

  keyset(e: ast.Expression, t: Ty, cx: Cx): Keyset {
    if (e.kind === 'DefaultExpression' || e.kind === 'DontCareExpression') return { k: 'default' };
    if (e.kind === 'MaskExpression') {
      return { k: 'mask', value: this.pattern(this.constValue(e.value), t), mask: this.pattern(this.constValue(e.mask), t) };
    }
    if (e.kind === 'RangeExpression') {
      return { k: 'range', lo: this.constValue(e.lo), hi: this.constValue(e.hi) };
    }
    const v = this.c.constants.get(e);
    if (v !== undefined) return { k: 'value', value: this.pattern(this.numeric(v), t) };
    const vs = this.valueSetOf(e, cx);
    if (vs !== null) return { k: 'valueSet', extern: vs };
    return this.fail(e.span, 'select keysets must be compile-time known');
  }

  /** The extern id of the value set a keyset names, or null. */
  valueSetOf(e: ast.Expression, cx: Cx): number | null {
    if (e.kind !== 'PathExpression') return null;
    const sym = this.c.refs.get(e) as ValueSym | undefined;
    if (sym === undefined || sym.kind !== 'valueSet') return null;
    const b = this.instanceBinding(sym.node, cx.env, `${cx.prefix}.${sym.name}`);
    return b !== null && b.k === 'extern' ? b.id : null;
  }

  constValue(e: ast.Expression): bigint {
    const v = this.c.constants.get(e);
    if (v === undefined) this.fail(e.span, 'expected a compile-time known value');
    return this.numeric(v);
  }

  // ----------------------------------------------------------------------------- controls

  lowerLocals(locals: readonly ast.Declaration[], cx: Cx): void {
    for (const d of locals) {
      switch (d.kind) {
        case 'VariableDeclaration': this.variable(d, cx); break;
        case 'ConstantDeclaration': this.constant(d, cx); break;
        case 'InstantiationDeclaration': {
          const b = this.instanceBinding(d, cx.env, `${cx.prefix}.${d.name.name}`);
          if (b !== null) cx.env.map.set(d, b);
          break;
        }
        case 'ValueSetDeclaration': {
          const b = this.instanceBinding(d, cx.env, `${cx.prefix}.${d.name.name}`);
          if (b !== null) cx.env.map.set(d, b);
          break;
        }
        default: break;
      }
    }
  }

  lowerControlBody(d: ast.ControlDeclaration, cx: Cx): void {
    this.lowerLocals(d.locals, cx);
    for (const s of d.body.statements) this.stmt(s, cx);
  }

  variable(d: ast.VariableDeclaration, cx: Cx): void {
    let t = this.c.declTypes.get(d) ?? this.c.typeRefs.get(d.type);
    if (t !== undefined && t.kind === 'typeVar') t = this.subst.get(t.id) ?? t;
    if (t === undefined) this.fail(d.span, 'internal: variable without a type');
    this.checkHeaderWidths(t);
    const s = this.a.layout(t, `${d.name.name}`, false);
    if (s === null) this.fail(d.span, `cannot store a value of this type`);
    const r: Ref = { s, dyn: null, stack: null, mode: 'fixed' };
    cx.env.map.set(d, { k: 'ref', r });
    if (d.initializer !== null && d.initializer.kind !== 'DotsExpression') this.assignTo(r, t, d.initializer, cx, this.line(d.span));
    else this.zeroInit(r, this.line(d.span));
  }

  /** Scalars to 0, headers invalid: the value of an uninitialized (or `...`) variable here. */
  zeroInit(r: Ref, line: number): void {
    for (const l of scalarsOfRef(r)) this.emit({ k: 'assign', dst: l, src: constOf(l.ty, 0n), line });
    this.invalidateHeaders(r.s, line);
  }

  invalidateHeaders(s: Store, line: number): void {
    const one = (h: HeaderLayout): void => this.emit({ k: 'assign', dst: { space: 'phv', offset: h.validOffset, ty: boolTy, dyn: null, name: `${h.name}.$valid` }, src: constOf(boolTy, 0n), line });
    switch (s.k) {
      case 'header': one(s.h); break;
      case 'struct': case 'union': for (const f of s.fields.values()) this.invalidateHeaders(f, line); break;
      case 'stack':
        for (let i = 0; i < s.count; i++) this.invalidateHeaders(shiftStore(s.elem, i * s.stride, `${s.name}[${i}]`), line);
        this.emit({ k: 'assign', dst: { space: 'phv', offset: s.nextOffset, ty: u32, dyn: null, name: `${s.name}.$next` }, src: constOf(u32, 0n), line });
        break;
      default: break;
    }
  }

  constant(d: ast.ConstantDeclaration, cx: Cx): void {
    const v = this.c.declValues.get(d);
    const t = this.c.declTypes.get(d) ?? this.c.typeRefs.get(d.type);
    const st = t === undefined ? null : scalarTy(t);
    if (v !== undefined && st !== null) cx.env.map.set(d, { k: 'value', e: constOf(st, this.pattern(this.numeric(v), st)) });
    else if (t !== undefined) {
      // A constant of an aggregate type: materialise it in the state.
      const s = this.a.layout(t, d.name.name, false);
      if (s === null) return;
      const r: Ref = { s, dyn: null, stack: null, mode: 'fixed' };
      cx.env.map.set(d, { k: 'ref', r });
      this.assignTo(r, t, d.value, cx, this.line(d.span));
    }
  }

  // ----------------------------------------------------------------------------- statements

  stmt(s: ast.Statement, cx: Cx): void {
    const line = this.line(s.span);
    this.at = s.span;
    switch (s.kind) {
      case 'AssignmentStatement': this.assignment(s, cx, line); return;
      case 'MethodCallStatement': this.callStmt(s.call, cx, line); return;
      case 'DirectApplyStatement': {
        const base = s.type.kind === 'NamedTypeRef' ? s.type : s.type.base;
        const ts = this.c.refs.get(base) as TypeSym | undefined;
        const d = ts?.node;
        if (d === undefined || d.kind !== 'ControlDeclaration') this.fail(s.span, 'only controls can be applied here');
        this.applyBlock({ k: 'block', decl: d, prefix: `${cx.prefix}.${d.name.name}`, env: new Env(null) }, s.args, cx, s.span);
        return;
      }
      case 'IfStatement': {
        const c = this.expr(s.condition, cx);
        const th = this.collect(() => this.stmt(s.then, cx));
        const el = s.else === null ? [] : this.collect(() => this.stmt(s.else as ast.Statement, cx));
        this.emit({ k: 'if', c, then: th, else: el, line });
        return;
      }
      case 'BlockStatement': {
        const inner: Cx = { ...cx, env: new Env(cx.env) };
        for (const x of s.statements) this.stmt(x, inner);
        return;
      }
      case 'EmptyStatement': return;
      case 'ReturnStatement': {
        if (s.value !== null && cx.retStore !== null) {
          const t = this.typeOf(s.value);
          this.assignTo(cx.retStore, t, s.value, cx, line);
        }
        if (cx.ret === null) this.emit({ k: 'exit' });
        else this.emit({ k: 'break', label: cx.ret });
        return;
      }
      case 'ExitStatement': this.emit({ k: 'exit' }); return;
      case 'SwitchStatement': this.switchStmt(s, cx, line); return;
      case 'VariableDeclaration': this.variable(s, cx); return;
      case 'ConstantDeclaration': this.constant(s, cx); return;
      case 'InstantiationDeclaration': {
        const b = this.instanceBinding(s, cx.env, `${cx.prefix}.${s.name.name}`);
        if (b !== null) cx.env.map.set(s, b);
        return;
      }
      case 'ErrorStatement': return;
      case 'ForStatement': {
        const inner: Cx = { ...cx, env: new Env(cx.env) };
        for (const x of s.init) this.stmt(x, inner);
        const label = this.label();
        const c = this.expr(s.condition, inner);
        const saved = this.loops;
        this.loops = [...saved, label];
        const body = this.collect(() => this.stmt(s.body, inner));
        this.loops = saved;
        const update = this.collect(() => { for (const x of s.update) this.stmt(x, inner); });
        this.emit({ k: 'loop', label, c, body, update, line });
        return;
      }
      case 'ForInStatement': {
        if (s.collection.kind !== 'RangeExpression' && this.typeOf(s.collection).kind !== 'stack') {
          this.forInValues(s, cx, line);
          return;
        }
        if (s.collection.kind !== 'RangeExpression') {
          // Over a header stack: unrolled, the loop variable names each element in turn.
          const coll = this.ref(s.collection, cx);
          if (coll.s.k !== 'stack' || coll.dyn !== null) this.fail(s.span, 'for-in over this collection is not supported by the back end yet');
          const label = this.label();
          const st = coll.s;
          const body = this.collect(() => {
            for (let i = 0; i < st.count; i++) {
              const inner: Cx = { ...cx, env: new Env(cx.env) };
              inner.env.map.set(s, { k: 'ref', r: { s: shiftStore(st.elem, i * st.stride, `${st.name}[${i}]`), dyn: null, stack: null, mode: 'fixed' } });
              const saved = this.loops;
              this.loops = [...saved, label];
              const one = this.collect(() => this.stmt(s.body, inner));
              this.loops = saved;
              this.emit({ k: 'block', label: `${label}c`, body: one });
            }
          });
          // `break` leaves all iterations: the iterations sit in one labelled block per element.
          this.emit({ k: 'block', label, body: body.map((b) => b) });
          return;
        }
        const inner: Cx = { ...cx, env: new Env(cx.env) };
        const t = this.c.declTypes.get(s) ?? this.c.typeRefs.get(s.type);
        const st = t === undefined ? null : scalarTy(t);
        if (st === null) this.fail(s.span, 'unsupported loop variable type');
        const v = this.temp(st, s.name.name);
        inner.env.map.set(s, { k: 'ref', r: { s: { k: 'scalar', loc: v }, dyn: null, stack: null, mode: 'fixed' } });
        const hi = this.temp(st, '$hi');
        this.emit({ k: 'assign', dst: v, src: this.expr(s.collection.lo, cx), line });
        this.emit({ k: 'assign', dst: hi, src: this.expr(s.collection.hi, cx), line });
        const label = this.label();
        const saved = this.loops;
        this.loops = [...saved, label];
        const body = this.collect(() => this.stmt(s.body, inner));
        this.loops = saved;
        const done = this.temp(boolTy, '$done');
        // Stop after the iteration with v == hi (no wrap-around past the type's maximum).
        const update: Stmt[] = [
          { k: 'assign', dst: done, src: this.binary('==', readOf(v), readOf(hi), boolTy), line },
          { k: 'assign', dst: v, src: this.binary('+', readOf(v), constOf(st, 1n), st), line },
        ];
        this.emit({ k: 'assign', dst: done, src: this.binary(st.signed ? '>' : '>', readOf(v), readOf(hi), boolTy), line });
        this.emit({ k: 'loop', label, c: { k: 'un', op: '!', ty: boolTy, a: readOf(done) }, body, update, line });
        return;
      }
      case 'BreakStatement': this.emit({ k: 'break', label: this.loops[this.loops.length - 1] ?? '' }); return;
      case 'ContinueStatement': this.emit({ k: 'break', label: `${this.loops[this.loops.length - 1] ?? ''}c` }); return;
    }
  }

  /**
   * Spec 12.x (for statement): `for (T x in e)` over a list expression, a tuple or a list constant.
   * The elements are evaluated once, before the first iteration (into temporaries of type T); the
   * loop is unrolled, x holding a copy of each element in turn. `break` leaves the outer block,
   * `continue` the iteration's block (as for header stacks).
   */
  forInValues(s: ast.ForInStatement, cx: Cx, line: number): void {
    const vt = this.c.declTypes.get(s) ?? this.c.typeRefs.get(s.type);
    if (vt === undefined) this.fail(s.span, 'internal: loop variable without a type');
    const st = scalarTy(vt);
    const coll = s.collection;
    const items: Ref[] = [];
    const cv = this.c.constants.get(coll);
    if (coll.kind === 'ListExpression') {
      for (const el of coll.elements) {
        const r = this.tempRef(vt, '$item');
        if (st !== null && r.s.k === 'scalar') this.emit({ k: 'assign', dst: r.s.loc, src: this.convert(this.expr(el, cx), st), line });
        else this.assignTo(r, vt, el, cx, line);
        items.push(r);
      }
    } else if (cv !== undefined && typeof cv === 'object' && cv.kind === 'tuple') {
      for (const v of cv.elements) {
        const r = this.tempRef(vt, '$item');
        this.assignConst(r, v, line);
        items.push(r);
      }
    } else {
      const r = this.ref(coll, cx);
      if (r.s.k !== 'struct' || this.typeOf(coll).kind !== 'tuple') this.fail(coll.span, 'for-in over this collection is not supported by the back end yet');
      for (const f of r.s.fields.values()) {
        const t = this.tempRef(vt, '$item');
        if (st !== null && f.k === 'scalar' && t.s.k === 'scalar') this.emit({ k: 'assign', dst: t.s.loc, src: this.convert(readOf({ ...f.loc, dyn: r.dyn }), st), line });
        else this.copyRef(t, { ...r, s: f }, line);
        items.push(t);
      }
    }
    const x = this.tempRef(vt, s.name.name);
    const label = this.label();
    const body = this.collect(() => {
      for (const it of items) {
        const inner: Cx = { ...cx, env: new Env(cx.env) };
        inner.env.map.set(s, { k: 'ref', r: x });
        const saved = this.loops;
        this.loops = [...saved, label];
        const one = this.collect(() => {
          this.copyRef(x, it, line);
          this.stmt(s.body, inner);
        });
        this.loops = saved;
        this.emit({ k: 'block', label: `${label}c`, body: one });
      }
    });
    this.emit({ k: 'block', label, body });
  }

  /** A scalar value as type `t`: constants re-wrapped, other widths cast. */
  convert(e: Expr, t: Ty): Expr {
    if (e.k === 'const') return constOf(t, this.pattern(signedValue(e), t));
    if (e.ty.width === t.width && e.ty.signed === t.signed && e.ty.bool === t.bool) return e;
    return { k: 'cast', ty: t, a: e };
  }

  assignment(s: ast.AssignmentStatement, cx: Cx, line: number): void {
    const t = this.typeOf(s.target);
    if (s.target.kind === 'SliceExpression') {
      // x[hi:lo] = v  ==>  x = x[W-1:hi+1] ++ v ++ x[lo-1:0]
      const tg = s.target;
      const base = this.ref(tg.object, cx);
      const loc = this.scalarLoc(base, tg.span);
      if (tg.plusWidth && this.c.constants.get(tg.hi) === undefined) {
        this.assignDynSlice(loc, this.expr(tg.hi, cx), Number(this.constValue(tg.lo)), s, cx, line);
        return;
      }
      let hi = Number(this.constValue(tg.hi));
      let lo = Number(this.constValue(tg.lo));
      if (tg.plusWidth) { lo = hi; hi = lo + Number(this.constValue(tg.lo)) - 1; }
      const W = loc.ty.width;
      const st = ty(hi - lo + 1);
      let v = this.expr(s.value, cx);
      if (s.op !== '=') v = this.binary(s.op.slice(0, -1) as T_BinOp, { k: 'slice', ty: st, a: readOf(loc), hi, lo }, v, st);
      let acc: Expr = v;
      if (lo > 0) acc = { k: 'concat', ty: ty(hi + 1), a: acc, b: { k: 'slice', ty: ty(lo), a: readOf(loc), hi: lo - 1, lo: 0 } };
      if (hi < W - 1) acc = { k: 'concat', ty: ty(W), a: { k: 'slice', ty: ty(W - 1 - hi), a: readOf(loc), hi: W - 1, lo: hi + 1 }, b: acc };
      if (loc.ty.signed) acc = { k: 'cast', ty: loc.ty, a: acc };
      this.emit({ k: 'assign', dst: loc, src: acc, line });
      return;
    }
    if (s.op === '=') {
      const r = this.ref(s.target, cx);
      this.assignTo(r, t, s.value, cx, line);
      return;
    }
    const st = scalarTy(t);
    if (st === null) this.fail(s.span, 'compound assignment needs a scalar');
    const r = this.ref(s.target, cx);
    const loc = this.scalarLoc(r, s.target.span);
    const op = s.op.slice(0, -1) as T_BinOp;
    const rhs = this.expr(s.value, cx);
    this.emit({ k: 'assign', dst: loc, src: this.binary(op, readOf(loc), rhs, st), line });
  }

  /**
   * Spec 8.5 (slices): `x[L +: W] = v` with a run-time L sets the W bits of x from bit L up and leaves
   * the others; bits that would fall past the top of x are not written (L past the top: no change).
   * x = (x & ~(ones(W) << L)) | (v << L), computed in x's width (unsigned).
   */
  assignDynSlice(loc: Loc, base: Expr, width: number, s: ast.AssignmentStatement, cx: Cx, line: number): void {
    const W = loc.ty.width;
    const uw = ty(W);
    const st = ty(width);
    const x: Expr = loc.ty.signed ? { k: 'cast', ty: uw, a: readOf(loc) } : readOf(loc);
    let v = this.expr(s.value, cx);
    if (s.op !== '=') v = this.binary(s.op.slice(0, -1) as T_BinOp, this.dynSlice(readOf(loc), base, width), v, st);
    const vx: Expr = width === W ? v : width < W ? { k: 'cast', ty: uw, a: v } : { k: 'slice', ty: uw, a: v, hi: W - 1, lo: 0 };
    const ones = constOf(uw, (1n << BigInt(Math.min(width, W))) - 1n);
    const keep = this.binary('&', x, { k: 'un', op: '~', ty: uw, a: this.binary('<<', ones, base, uw) }, uw);
    let acc: Expr = this.binary('|', keep, this.binary('<<', vx, base, uw), uw);
    if (loc.ty.signed) acc = { k: 'cast', ty: loc.ty, a: acc };
    this.emit({ k: 'assign', dst: loc, src: acc, line });
  }

  /** `a[L +: W]` with a run-time L: `a >> L` cut to W bits (bits past the top of `a` read as 0). */
  dynSlice(a: Expr, base: Expr, width: number): Expr {
    const uw = ty(a.ty.width);
    const ua: Expr = a.ty.signed ? { k: 'cast', ty: uw, a } : a;
    const sh = this.binary('>>', ua, base, uw);
    if (width === uw.width) return sh;
    if (width < uw.width) return { k: 'slice', ty: ty(width), a: sh, hi: width - 1, lo: 0 };
    return { k: 'cast', ty: ty(width), a: sh };
  }

  /** Assigns the value of AST expression `v` (of the target's type `t`) to the storage `r`. */
  assignTo(r: Ref, t: T.Type, v: ast.Expression, cx: Cx, line: number): void {
    const st = scalarTy(t);
    if (st !== null && (r.s.k === 'scalar')) {
      this.emit({ k: 'assign', dst: this.scalarLoc(r, v.span), src: this.expr(v, cx), line });
      return;
    }
    if (r.s.k === 'varbit') {
      if (v.kind === 'PathExpression' || v.kind === 'MemberExpression' || v.kind === 'IndexExpression') {
        const src = this.ref(v, cx);
        this.copyRef(r, src, line);
        return;
      }
      this.fail(v.span, 'unsupported varbit assignment');
    }
    // Aggregates.
    if (v.kind === 'CastExpression' && (v.operand.kind === 'InvalidHeaderExpression' || v.operand.kind === 'StructExpression' || v.operand.kind === 'ListExpression')) {
      this.assignTo(r, t, v.operand, cx, line);
      return;
    }
    if (v.kind === 'InvalidHeaderExpression') {
      this.setAllValidity(r, false, line);
      return;
    }
    if (v.kind === 'StructExpression' || v.kind === 'ListExpression') {
      this.assignFields(r, t, v, cx, line);
      return;
    }
    if (v.kind === 'CallExpression') {
      const target = this.c.calls.get(v);
      if (target !== undefined && target.kind === 'method' && target.method.name === 'lookahead') {
        this.lookaheadInto(r, line);
        return;
      }
      if (target !== undefined && target.kind === 'function') {
        const res = this.tempRef(t, '$ret');
        this.inlineCall(target.sym.node as ast.FunctionDeclaration, v.args, cx, res, v.span);
        this.copyRef(r, res, line);
        return;
      }
    }
    const cv = this.c.constants.get(v);
    if (cv !== undefined && typeof cv === 'object' && (cv.kind === 'struct' || cv.kind === 'tuple')) {
      this.assignConst(r, cv, line);
      return;
    }
    const src = this.ref(v, cx);
    this.copyRef(r, src, line);
  }

  assignConst(r: Ref, v: Value, line: number): void {
    if (r.s.k === 'scalar') {
      const loc = this.scalarLoc(r, { start: 0, end: 0 });
      this.emit({ k: 'assign', dst: loc, src: constOf(loc.ty, this.pattern(this.numeric(v), loc.ty)), line });
      return;
    }
    if (typeof v !== 'object' || (v.kind !== 'struct' && v.kind !== 'tuple')) return;
    const fields = r.s.k === 'header' || r.s.k === 'struct' || r.s.k === 'union' ? [...r.s.fields] : [];
    if (r.s.k === 'header') this.setValidity(this.headerRef(r), true, line);
    fields.forEach(([name, fs], i) => {
      const fv = v.kind === 'struct' ? v.fields.get(name) : v.elements[i];
      if (fv !== undefined) this.assignConst({ ...r, s: fs }, fv, line);
    });
  }

  assignFields(r: Ref, t: T.Type, v: ast.StructExpression | ast.ListExpression, cx: Cx, line: number): void {
    if (r.s.k !== 'header' && r.s.k !== 'struct' && r.s.k !== 'union') this.fail(v.span, 'unsupported initializer');
    const fieldTypes: T.Field[] = t.kind === 'header' || t.kind === 'struct' || t.kind === 'union' ? t.fields
      : t.kind === 'tuple' ? t.elements.map((e, i) => ({ name: String(i), type: e, node: null })) : [];
    if (r.s.k === 'header') this.setValidity(this.headerRef(r), true, line);
    if (v.kind === 'ListExpression') {
      v.elements.forEach((e, i) => {
        const f = fieldTypes[i];
        const fs = f === undefined ? undefined : r.s.k === 'scalar' ? undefined : (r.s as { fields: ReadonlyMap<string, Store> }).fields.get(f.name);
        if (f !== undefined && fs !== undefined) this.assignTo({ ...r, s: fs }, f.type, e, cx, line);
      });
    } else {
      for (const kv of v.fields) {
        const f = fieldTypes.find((x) => x.name === kv.key.name);
        const fs = (r.s as { fields: ReadonlyMap<string, Store> }).fields.get(kv.key.name);
        if (f !== undefined && fs !== undefined) this.assignTo({ ...r, s: fs }, f.type, kv.value, cx, line);
      }
    }
  }

  /** Copies every scalar of `src` into `dst` (same shape). */
  copyRef(dst: Ref, src: Ref, line: number): void {
    const d = dst.s;
    const s = src.s;
    if (d.k === 'scalar' && s.k === 'scalar') {
      const dl = this.scalarLoc(dst, { start: 0, end: 0 });
      const sl = this.scalarLoc(src, { start: 0, end: 0 });
      this.emit({ k: 'assign', dst: dl, src: readOf(sl), line });
      return;
    }
    if (d.k === 'varbit' && s.k === 'varbit') {
      this.emit({ k: 'assign', dst: { ...d.loc, dyn: dst.dyn }, src: readOf({ ...s.loc, dyn: src.dyn }), line });
      this.emit({ k: 'assign', dst: { space: 'phv', offset: d.lenOffset, ty: u32, dyn: dst.dyn, name: `${d.loc.name}.$len` }, src: readOf({ space: 'phv', offset: s.lenOffset, ty: u32, dyn: src.dyn, name: `${s.loc.name}.$len` }), line });
      return;
    }
    if (d.k === 'header' && s.k === 'header') {
      this.emit({ k: 'assign', dst: validLoc(d.h, dst.dyn), src: readOf(validLoc(s.h, src.dyn)), line });
      for (const [name, f] of d.fields) {
        const g = s.fields.get(name);
        if (g !== undefined) this.copyRef({ ...dst, s: f }, { ...src, s: g }, line);
      }
      return;
    }
    if ((d.k === 'struct' || d.k === 'union') && (s.k === 'struct' || s.k === 'union')) {
      const sf = [...s.fields.values()];
      let i = 0;
      for (const [name, f] of d.fields) {
        const g = s.fields.get(name) ?? sf[i];
        i++;
        if (g !== undefined) this.copyRef({ ...dst, s: f }, { ...src, s: g }, line);
      }
      return;
    }
    if (d.k === 'stack' && s.k === 'stack') {
      if (dst.dyn !== null || src.dyn !== null) throw new UnsupportedError('stack copy');
      for (let i = 0; i < Math.min(d.count, s.count); i++) {
        this.copyRef({ ...dst, s: shiftStore(d.elem, i * d.stride, `${d.name}[${i}]`) }, { ...src, s: shiftStore(s.elem, i * s.stride, `${s.name}[${i}]`) }, line);
      }
      this.emit({ k: 'assign', dst: { space: 'phv', offset: d.nextOffset, ty: u32, dyn: null, name: `${d.name}.$next` }, src: readOf({ space: 'phv', offset: s.nextOffset, ty: u32, dyn: null, name: `${s.name}.$next` }), line });
      return;
    }
    throw new UnsupportedError(`copy ${d.k} <- ${s.k}`);
  }

  setAllValidity(r: Ref, valid: boolean, line: number): void {
    if (r.s.k === 'header') this.setValidity(this.headerRef(r), valid, line);
    else if (r.s.k === 'union') for (const f of r.s.fields.values()) this.setAllValidity({ ...r, s: f }, valid, line);
  }

  setValidity(h: HeaderRef, valid: boolean, line: number, siblings: HeaderRef[] = []): void {
    this.emit({ k: 'validity', header: h, valid, siblings, line });
  }

  lookaheadInto(r: Ref, line: number): void {
    let skip = 0;
    const walk = (s: Store): void => {
      if (s.k === 'scalar') {
        const loc = { ...s.loc, dyn: r.dyn };
        this.emit({ k: 'assign', dst: loc, src: { k: 'lookahead', ty: loc.ty, skip }, line });
        skip += loc.ty.width;
      } else if (s.k === 'header') {
        this.emit({ k: 'assign', dst: validLoc(s.h, r.dyn), src: constOf(boolTy, 1n), line });
        for (const f of s.fields.values()) walk(f);
      } else if (s.k === 'struct') for (const f of s.fields.values()) walk(f);
      else throw new UnsupportedError('lookahead of this type');
    };
    walk(r.s);
  }

  switchStmt(s: ast.SwitchStatement, cx: Cx, line: number): void {
    const t = this.typeOf(s.expression);
    let e: Expr;
    let labelValue: (l: ast.Expression) => bigint;
    if (t.kind === 'actionEnum') {
      const sx = s.expression;
      if (sx.kind !== 'MemberExpression' || sx.object.kind !== 'CallExpression') this.fail(sx.span, 'unsupported switch expression');
      const res = this.applyTableCall(sx.object, cx, line);
      e = readOf(res.run);
      labelValue = (l) => {
        const sym = this.c.refs.get(l as ast.PathExpression) as ValueSym | undefined;
        if (sym === undefined || sym.node.kind !== 'ActionDeclaration') this.fail(l.span, 'switch label must name an action');
        return BigInt(this.actionId(sym.node, res.prefix));
      };
    } else {
      e = this.expr(s.expression, cx);
      labelValue = (l) => this.pattern(this.constValue(l), e.ty);
    }
    const cases: SwitchCase[] = [];
    let pending: bigint[] = [];
    for (const c of s.cases) {
      const isDefault = c.label.kind === 'DefaultExpression';
      if (!isDefault) pending.push(labelValue(c.label));
      if (c.body === null) continue;
      const body = this.collect(() => this.stmt(c.body as ast.BlockStatement, cx));
      cases.push({ values: isDefault ? [] : pending, body });
      pending = [];
    }
    this.emit({ k: 'switch', e, cases, line });
  }

  // ----------------------------------------------------------------------------- calls

  bindingOfCallee(obj: ast.Expression, cx: Cx): Binding | null {
    if (obj.kind === 'PathExpression') {
      const sym = this.c.refs.get(obj) as ValueSym | undefined;
      if (sym === undefined) return null;
      const b = cx.env.get(sym.node);
      if (b !== undefined) return b;
      // A top-level instance is one object, shared by every block that names it (BMv2 too).
      if (this.in.program.declarations.includes(sym.node as ast.Declaration)) return this.topInstance(sym);
      return this.instanceBinding(sym.node, cx.env, `${cx.prefix}.${sym.name}`) ?? this.topInstance(sym);
    }
    return null;
  }

  topInstance(sym: ValueSym): Binding | null {
    // A top-level extern instance (declared outside any block).
    if (sym.node.kind === 'InstantiationDeclaration') return this.instanceBinding(sym.node, new Env(null), sym.name);
    return null;
  }

  callStmt(call: ast.CallExpression, cx: Cx, line: number): void {
    const target = this.c.calls.get(call);
    if (target === undefined) this.fail(call.span, 'internal: unresolved call');
    switch (target.kind) {
      case 'builtin': this.builtinCall(call, target.name, cx, line); return;
      case 'apply': {
        if (target.objectType.kind === 'table') {
          this.applyTableCall(call, cx, line, false);
          return;
        }
        if (call.callee.kind !== 'MemberExpression') this.fail(call.span, 'unsupported apply');
        const b = this.bindingOfCallee(call.callee.object, cx);
        if (b === null || b.k !== 'block') this.fail(call.span, 'cannot resolve the applied control');
        this.applyBlock(b, call.args, cx, call.span);
        return;
      }
      case 'action': case 'function':
        this.inlineCall(target.sym.node as ast.ActionDeclaration | ast.FunctionDeclaration, call.args, cx, null, call.span);
        return;
      case 'externFunction': this.externFunction(call, target.sym.name, cx, line); return;
      case 'method': this.methodCall(call, target.objectType, target.method.name, cx, line); return;
      default: this.fail(call.span, 'unsupported call');
    }
  }

  /** Inlines a control instance's apply. */
  applyBlock(b: Extract<Binding, { k: 'block' }>, args: readonly ast.Argument[], cx: Cx, span: Span): void {
    const d = b.decl;
    if (d.kind !== 'ControlDeclaration') this.fail(span, 'a parser can only be applied in a parser state');
    const env = new Env(b.env);
    const label = this.label();
    const body = this.collect(() => {
      const post = this.bindCallParams(d.parameters, args, cx, env, span);
      const inner: Cx = { env, prefix: b.prefix, ret: label, retStore: null, inParser: false };
      const main = this.collect(() => this.lowerControlBody(d, inner));
      this.emit({ k: 'block', label, body: main });
      for (const p of post) this.emit(p);
    });
    for (const s of body) this.emit(s);
  }

  /** Inlines a function or action call; the return value (if any) goes to `result`. */
  inlineCall(d: ast.ActionDeclaration | ast.FunctionDeclaration, args: readonly ast.Argument[], cx: Cx, result: Ref | null, span: Span): void {
    const env = new Env(this.declEnv(d, cx));
    const label = this.label();
    const post = this.bindCallParams(d.parameters, args, cx, env, span);
    const inner: Cx = { env, prefix: cx.prefix, ret: label, retStore: result, inParser: cx.inParser };
    const main = this.collect(() => {
      for (const s of d.body.statements) this.stmt(s, inner);
    });
    this.emit({ k: 'block', label, body: main });
    for (const p of post) this.emit(p);
  }

  /** The environment a declaration's body sees (its enclosing block's bindings). */
  declEnv(_d: ast.Node, cx: Cx): Env {
    return cx.env;
  }

  /**
   * Binds call arguments to parameters: in (and directionless) by copy (constants by value),
   * out/inout by reference when the argument has a fixed location, else copy-in/copy-out.
   * Returns the copy-out statements to run after the body.
   */
  bindCallParams(params: readonly ast.Parameter[], args: readonly ast.Argument[], cx: Cx, env: Env, span: Span): Stmt[] {
    const bound = bindParams(params, args);
    const post: Stmt[] = [];
    params.forEach((p, i) => {
      let pt = this.c.declTypes.get(p) ?? this.c.typeRefs.get(p.type);
      if (pt === undefined) this.fail(p.span, 'internal: parameter without a type');
      const given = bound[i];
      if (pt.kind === 'typeVar') {
        const at = given === null ? undefined : this.c.types.get(given.value);
        if (at !== undefined && at.kind !== 'int') { this.subst.set(pt.id, at); pt = at; }
        else { const sb = this.subst.get(pt.id); if (sb !== undefined) pt = sb; }
      }
      if (pt.kind === 'extern') {
        const a = bound[i];
        if (a !== null) {
          const b = a.value.kind === 'PathExpression' ? this.bindingOfCallee(a.value, cx) : null;
          env.map.set(p, b ?? { k: 'packet' });
        }
        return;
      }
      const a = bound[i];
      const av = a !== null ? a.value : p.defaultValue;
      const line = this.line(av?.span ?? span);
      if (av === null || av.kind === 'DontCareExpression') {
        const r = this.tempRef(pt, p.name.name);
        env.map.set(p, { k: 'ref', r });
        if (p.direction === 'out') this.invalidateHeaders(r.s, line);
        return;
      }
      const st = scalarTy(pt);
      if (p.direction === 'in' || p.direction === 'none') {
        const cv = this.c.constants.get(av);
        if (st !== null && cv !== undefined) {
          env.map.set(p, { k: 'value', e: constOf(st, this.pattern(this.numeric(cv), st)) });
          return;
        }
        const r = this.tempRef(pt, p.name.name);
        this.assignTo(r, pt, av, cx, line);
        env.map.set(p, { k: 'ref', r });
        return;
      }
      const r = this.ref(av, cx);
      if (r.dyn === null) {
        env.map.set(p, { k: 'ref', r });
        if (p.direction === 'out') this.invalidateHeaders(r.s, line);
        return;
      }
      const tmp = this.tempRef(pt, p.name.name);
      if (p.direction === 'inout') this.copyRef(tmp, r, line);
      env.map.set(p, { k: 'ref', r: tmp });
      post.push(...this.collect(() => this.copyRef(r, tmp, line)));
    });
    return post;
  }

  builtinCall(call: ast.CallExpression, name: string, cx: Cx, line: number): void {
    if (call.callee.kind !== 'MemberExpression') this.fail(call.span, 'unsupported built-in call');
    const obj = call.callee.object;
    switch (name) {
      case 'setValid': case 'setInvalid': {
        const r = this.ref(obj, cx);
        const h = this.headerRef(r);
        const siblings = name === 'setValid' ? this.unionSiblings(obj, cx) : [];
        this.setValidity(h, name === 'setValid', line, siblings);
        return;
      }
      case 'push_front': case 'pop_front': {
        const r = this.ref(obj, cx);
        if (r.s.k !== 'stack') this.fail(obj.span, 'expected a header stack');
        const by = Number(this.constValue(call.args[0].value));
        const first = r.s.elem;
        if (first.k !== 'header' && first.k !== 'union') this.fail(obj.span, 'stacks of this element type are not supported');
        const fh = first.k === 'header' ? first.h : unionAsHeader(first);
        this.emit({ k: 'stackShift', op: name, first: fh, nextOffset: r.s.nextOffset, count: r.s.count, stride: r.s.stride, by, line });
        return;
      }
      case 'isValid': return;
      default: this.fail(call.span, `unsupported built-in '${name}'`);
    }
  }

  /** The other members of the union a header belongs to (setValid invalidates them). */
  unionSiblings(obj: ast.Expression, cx: Cx): HeaderRef[] {
    if (obj.kind !== 'MemberExpression') return [];
    const ot = this.c.types.get(obj.object);
    if (ot === undefined || ot.kind !== 'union') return [];
    const u = this.ref(obj.object, cx);
    if (u.s.k !== 'union') return [];
    const out: HeaderRef[] = [];
    for (const [name, f] of u.s.fields) if (name !== obj.member.name && f.k === 'header') out.push({ h: f.h, dyn: u.dyn, stack: null, mode: 'fixed' });
    return out;
  }

  headerRef(r: Ref): HeaderRef {
    if (r.s.k !== 'header') throw new UnsupportedError('expected a header');
    return { h: r.s.h, dyn: r.dyn, stack: r.stack, mode: r.mode };
  }

  methodCall(call: ast.CallExpression, ot: T.Type, name: string, cx: Cx, line: number): void {
    if (ot.kind !== 'extern') this.fail(call.span, 'unsupported method call');
    const args = call.args;
    const obj = call.callee.kind === 'MemberExpression' ? call.callee.object : null;
    switch (ot.name) {
      case 'packet_in':
        if (name === 'extract') {
          const a0 = args[0].value;
          let r: Ref;
          if (a0.kind === 'DontCareExpression') {
            const ta = this.c.typeArgs.get(call)?.[0];
            if (ta === undefined) this.fail(a0.span, 'cannot tell which header to skip');
            r = this.tempRef(ta, '$skip');
          } else r = this.ref(a0, cx);
          const bits = args.length > 1 ? this.expr(args[1].value, cx) : null;
          this.emit({ k: 'extract', header: this.headerRef(r), varbitBits: bits, line });
          return;
        }
        if (name === 'advance') {
          this.emit({ k: 'advance', bits: this.expr(args[0].value, cx), line });
          return;
        }
        if (name === 'lookahead') {
          // Result unused, but a lookahead past the end still fails with PacketTooShort.
          this.lookaheadInto(this.tempRef(this.typeOf(call), '$look'), line);
          return;
        }
        if (name === 'length') return;
        break;
      case 'packet_out':
        if (name === 'emit') {
          this.emitData(this.ref(args[0].value, cx), line);
          return;
        }
        break;
      default: {
        const b = obj === null ? null : this.bindingOfCallee(obj, cx);
        if (b !== null && b.k === 'ignore') {
          this.emit({ k: 'extern', name: `${ot.name}.${name}`, extern: -1, args: [], out: null, list: null, line });
          return;
        }
        if (b === null || b.k !== 'extern') this.fail(call.span, `cannot resolve the extern instance of '${name}'`);
        this.externMethod(call, b.id, name, cx, line);
        return;
      }
    }
    this.fail(call.span, `unsupported method '${ot.name}.${name}'`);
  }

  emitData(r: Ref, line: number): void {
    const s = r.s;
    switch (s.k) {
      case 'header': this.emit({ k: 'emit', header: this.headerRef(r), line }); return;
      case 'struct': case 'union': for (const f of s.fields.values()) this.emitData({ ...r, s: f }, line); return;
      case 'stack':
        for (let i = 0; i < s.count; i++) this.emitData({ ...r, s: shiftStore(s.elem, i * s.stride, `${s.name}[${i}]`) }, line);
        return;
      default: return;
    }
  }

  externMethod(call: ast.CallExpression, id: number, name: string, cx: Cx, line: number): void {
    const at = this.out.length;
    this.externMethodStmt(call, id, name, cx, line);
    // Spans of stateful accesses, for the batch transition's reordering check (checkTeeState).
    for (let i = at; i < this.out.length; i++) if (this.out[i].k === 'extern') this.externSpans.set(this.out[i], call.span);
  }

  /** Source spans of lowered extern method calls. */
  readonly externSpans = new Map<Stmt, Span>();

  externMethodStmt(call: ast.CallExpression, id: number, name: string, cx: Cx, line: number): void {
    const x = this.externs[id];
    const args = call.args;
    const ex = (i: number): Expr => this.expr(args[i].value, cx);
    const outLoc = (i: number): Loc => this.scalarLoc(this.ref(args[i].value, cx), args[i].span);
    switch (`${x.kind}.${name}`) {
      case 'counter.count': this.emit({ k: 'extern', name: 'counter.count', extern: id, args: [ex(0)], out: null, list: null, line }); return;
      case 'direct_counter.count': return; // direct counters count on every hit of their table
      case 'checksum.get': return; // Checksum16.get with its result unused: no effect
      case 'meter.execute_meter': this.emit({ k: 'extern', name: 'meter.execute', extern: id, args: [ex(0)], out: outLoc(1), list: null, line }); return;
      case 'direct_meter.read': this.emit({ k: 'extern', name: 'direct_meter.read', extern: id, args: [], out: outLoc(0), list: null, line }); return;
      case 'register.read': this.emit({ k: 'extern', name: 'register.read', extern: id, args: [ex(1)], out: outLoc(0), list: null, line }); return;
      case 'register.write': this.emit({ k: 'extern', name: 'register.write', extern: id, args: [ex(0), ex(1)], out: null, list: null, line }); return;
      case 'tee.call': this.teeCall(call, id, cx, line); return;
      default:
        this.emit({ k: 'extern', name: `${x.kind}.${name}`, extern: id, args: [], out: null, list: null, line });
    }
  }

  /**
   * TeeFunction.call(input, output): one `tee.call` extern statement whose arguments are the
   * input record's fields in order (the runtime packs them), then one assignment per output field
   * from `teeOut(bit offset)`, the enclave's answer (and setValid for a header output). The call
   * statement is where the batch transition splits the control (codegen/emit.ts).
   */
  teeCall(call: ast.CallExpression, id: number, cx: Cx, line: number): void {
    const x = this.externs[id];
    const tee = x.tee;
    if (tee === undefined || call.args.length !== 2) this.fail(call.span, 'malformed TeeFunction call');
    const items = this.list(call.args[0].value, cx);
    const inputs: Expr[] = [];
    for (const it of items) if ('e' in it) inputs.push(it.e);
    if (inputs.length !== tee.inputWidths.length) this.fail(call.args[0].span, `the input has ${inputs.length} fields, the record type ${tee.inputWidths.length}`);
    const args = inputs.map((e, i): Expr => {
      const w = tee.inputWidths[i];
      return e.ty.width === w && !e.ty.bool && !e.ty.signed ? e : { k: 'cast', ty: ty(w), a: e };
    });
    const stmt: Stmt = { k: 'extern', name: 'tee.call', extern: id, args, out: null, list: null, line };
    this.teeCalls.push({ stmt, span: call.span });
    this.emit(stmt);
    const r = this.ref(call.args[1].value, cx);
    let bit = 0;
    const outs: Loc[] = [];
    const walk = (st: Store): void => {
      if (st.k === 'scalar') outs.push(r.dyn === null ? st.loc : { ...st.loc, dyn: r.dyn });
      else if (st.k === 'header' || st.k === 'struct') for (const f of st.fields.values()) walk(f);
      else this.fail(call.args[1].span, 'TeeFunction output must be a struct or header of bit<N> fields');
    };
    walk(r.s);
    if (outs.length !== tee.outputWidths.length) this.fail(call.args[1].span, `the output has ${outs.length} fields, the record type ${tee.outputWidths.length}`);
    for (const loc of outs) {
      this.emit({ k: 'assign', dst: loc, src: { k: 'call', ty: loc.ty, name: 'teeOut', args: [constOf(u32, BigInt(bit))], extern: id }, line });
      bit += loc.ty.width;
    }
    if (r.s.k === 'header') this.emit({ k: 'validity', header: { h: r.s.h, dyn: r.dyn, stack: null, mode: 'fixed' }, valid: true, siblings: [], line });
  }

  /** The TeeFunction call statements lowered so far, with their source spans (placement checks in run()). */
  readonly teeCalls: { readonly stmt: Stmt; readonly span: Span }[] = [];

  /**
   * A TeeFunction call may sit only in ingress or egress, outside loops and table actions: there the
   * batch transition can split the control at it (codegen/emit.ts). Anywhere else is an error.
   */
  checkTeePlacement(blocks: readonly { name: string; body: readonly Stmt[] }[]): void {
    if (this.teeCalls.length === 0) return;
    const spanOf = new Map(this.teeCalls.map((c) => [c.stmt, c.span] as const));
    const visit = (list: readonly Stmt[], block: string, splittable: boolean, where: string): void => {
      for (const st of list) {
        const span = spanOf.get(st);
        if (span !== undefined) {
          if (block !== 'ingress' && block !== 'egress') this.in.diags.error('TeeCallBlock', span, `a TeeFunction call can only be made in the ingress or egress control, not in ${block}`);
          else if (!splittable) this.in.diags.error('TeeCallPlacement', span, `a TeeFunction call cannot be in ${where}: the batch transition cannot split the control there`);
          continue;
        }
        switch (st.k) {
          case 'if': visit(st.then, block, splittable, where); visit(st.else, block, splittable, where); break;
          case 'block': visit(st.body, block, splittable, where); break;
          case 'switch': for (const c of st.cases) visit(c.body, block, splittable, where); break;
          case 'loop': visit(st.body, block, false, 'a loop'); visit(st.update, block, false, 'a loop'); break;
          case 'table': for (const a of st.actions) visit(a.body, block, false, 'a table action'); break;
          default: break;
        }
      }
    };
    for (const b of blocks) visit(b.body, b.name, true, '');
  }

  /**
   * With the batch transition, each piece of ingress/egress between TeeFunction calls runs for the
   * whole batch before the next one: a register or meter used in two pieces, and written in one,
   * would see its accesses in another order than packet by packet. Refused, so that every
   * transition gives the same results.
   */
  checkTeeState(blocks: readonly { name: string; body: readonly Stmt[] }[]): void {
    if (this.teeCalls.length === 0) return;
    const writes = (s: Extract<Stmt, { k: 'extern' }>): boolean => s.name === 'register.write' || s.name === 'meter.execute' || s.name === 'direct_meter.read';
    for (const b of blocks) {
      for (const s of reorderedStateAccesses(b.body, writes)) {
        const x = this.externs[s.extern];
        const span = this.externSpans.get(s) ?? this.teeCalls[0].span;
        this.in.diags.error('TeeStateSplit', span, `${x?.kind ?? 'extern'} '${x?.name ?? s.extern}' is used both before and after a TeeFunction call in ${b.name} and written there: the batch transition, which runs each part for the whole batch, would change the order of its accesses`);
      }
    }
  }

  /** Flattens a field list argument (struct, tuple, header, or a scalar) into expressions. */
  list(e: ast.Expression, cx: Cx): ListItem[] {
    const t = this.typeOf(e);
    if (scalarTy(t) !== null && t.kind !== 'int') {
      // A field of a header: left out of the list when the header is invalid (BMv2's rule).
      let valid: Loc | null = null;
      if (e.kind === 'MemberExpression') {
        const ot = this.c.types.get(e.object);
        if (ot !== undefined && ot.kind === 'header') {
          const r = this.ref(e.object, cx);
          if (r.s.k === 'header') valid = validLoc(r.s.h, r.dyn);
        }
      }
      return [{ e: this.expr(e, cx), valid }];
    }
    if (e.kind === 'ListExpression') return e.elements.flatMap((x) => this.list(x, cx));
    if (e.kind === 'StructExpression') return e.fields.flatMap((x) => this.list(x.value, cx));
    const r = this.ref(e, cx);
    const out: ListItem[] = [];
    // A varbit field named directly: still left out when its header is invalid.
    let top: Loc | null = null;
    if (r.s.k === 'varbit' && e.kind === 'MemberExpression') {
      const ot = this.c.types.get(e.object);
      if (ot !== undefined && ot.kind === 'header') {
        const h = this.ref(e.object, cx);
        if (h.s.k === 'header') top = validLoc(h.s.h, h.dyn);
      }
    }
    const walk = (s: Store, valid: Loc | null): void => {
      if (s.k === 'scalar') out.push({ e: readOf({ ...s.loc, dyn: r.dyn }), valid });
      else if (s.k === 'header') for (const f of s.fields.values()) walk(f, validLoc(s.h, r.dyn));
      else if (s.k === 'struct' || s.k === 'union') for (const f of s.fields.values()) walk(f, valid);
      else if (s.k === 'varbit') {
        const varbitLength: Loc = { space: 'phv', offset: s.lenOffset, ty: u32, dyn: r.dyn, name: `${s.loc.name}.$length` };
        out.push({ e: readOf({ ...s.loc, dyn: r.dyn }), valid, varbitLength });
      } else if (s.k === 'stack') for (let i = 0; i < s.count; i++) walk(shiftStore(s.elem, i * s.stride, `${s.name}[${i}]`), valid);
    };
    walk(r.s, top);
    return out;
  }

  enumArg(e: ast.Expression): number {
    return Number(this.numeric(this.c.constants.get(e) ?? 0n));
  }

  externFunction(call: ast.CallExpression, name: string, cx: Cx, line: number): void {
    const args = call.args;
    const a = (i: number): ast.Expression => args[i].value;
    const sm = this.smSlots;
    const set = (off: number, v: Expr): void => this.emit({ k: 'assign', dst: { space: 'phv', offset: off, ty: u32, dyn: null, name: `$${off}` }, src: v, line });
    const smLoc = (off: number, w: number, nm: string): Loc => ({ space: 'phv', offset: off, ty: ty(w), dyn: null, name: `standard_metadata.${nm}` });
    const ext = (nm: string, xs: Expr[], out: Loc | null, list: ListItem[] | null): void =>
      this.emit({ k: 'extern', name: nm, extern: -1, args: xs, out, list, line });
    const bool = (i: number): Expr => this.expr(a(i), cx);
    switch (name) {
      case 'mark_to_drop':
        this.emit({ k: 'assign', dst: smLoc(sm.egress_spec, 9, 'egress_spec'), src: constOf(ty(9), 511n), line });
        this.emit({ k: 'assign', dst: smLoc(sm.mcast_grp, 16, 'mcast_grp'), src: constOf(ty(16), 0n), line });
        return;
      case 'verify': {
        const v = this.c.constants.get(a(1));
        this.emit({ k: 'verify', c: this.expr(a(0), cx), error: Number(this.numeric(v ?? 0n)), line });
        return;
      }
      case 'static_assert': return;
      case 'random': ext('random', [this.expr(a(1), cx), this.expr(a(2), cx)], this.scalarLoc(this.ref(a(0), cx), a(0).span), null); return;
      case 'hash': {
        const out = this.scalarLoc(this.ref(a(0), cx), a(0).span);
        ext('hash', [constOf(u32, BigInt(this.enumArg(a(1)))), this.expr(a(2), cx), this.expr(a(4), cx)], out, this.list(a(3), cx));
        return;
      }
      case 'verify_checksum': case 'verify_checksum_with_payload': case 'update_checksum': case 'update_checksum_with_payload': {
        const target = this.scalarLoc(this.ref(a(2), cx), a(2).span);
        const algo = constOf(u32, BigInt(this.enumArg(a(3))));
        const update = name.startsWith('update');
        ext(name, [bool(0), algo, readOf(target), constOf(u32, BigInt(sm.checksum_error))], update ? target : null, this.list(a(1), cx));
        return;
      }
      case 'clone':
        set(sm.clone_session, this.expr(a(1), cx));
        set(sm.clone_list, constOf(u32, 1n));
        return;
      case 'clone3':
        set(sm.clone_session, this.expr(a(1), cx));
        set(sm.clone_list, constOf(u32, 1n));
        return;
      case 'clone_preserving_field_list':
        set(sm.clone_session, this.expr(a(1), cx));
        set(sm.clone_list, constOf(u32, 2n + this.constValue(a(2))));
        return;
      case 'resubmit': set(sm.resubmit, constOf(u32, 0x1000n)); return;
      case 'resubmit_preserving_field_list': set(sm.resubmit, constOf(u32, 1n + this.constValue(a(0)))); return;
      case 'recirculate': set(sm.recirculate, constOf(u32, 0x1000n)); return;
      case 'recirculate_preserving_field_list': set(sm.recirculate, constOf(u32, 1n + this.constValue(a(0)))); return;
      case 'truncate': set(sm.truncate, this.binary('|', this.expr(a(0), cx), constOf(u32, 0x80000000n), u32)); return;
      case 'assert': case 'assume': ext(name, [bool(0)], null, null); return;
      case 'log_msg': {
        const msg = this.c.constants.get(a(0));
        const id = this.strings.length;
        this.strings.push(typeof msg === 'string' ? msg : '');
        ext('log_msg', [constOf(u32, BigInt(id))], null, args.length > 1 ? this.list(a(1), cx) : []);
        return;
      }
      case 'digest': {
        const items = this.list(a(1), cx);
        const t = this.typeOf(a(1));
        const id = this.digests.length;
        const names = t.kind === 'struct' ? t.fields.map((f) => f.name) : items.map((_, i) => `f${i}`);
        this.digests.push({ id, name: t.kind === 'struct' ? t.name : `digest${id}`, fields: items.map((it, i) => ({ name: names[i] ?? `f${i}`, width: 'e' in it ? it.e.ty.width : 0 })) });
        ext('digest', [constOf(u32, BigInt(id)), this.expr(a(0), cx)], null, items);
        return;
      }
      default:
        this.in.diags.warning('UnsupportedExtern', call.span, `extern function '${name}' is not implemented by the v1model runtime; the call does nothing`);
        ext(name, [], null, null);
    }
  }

  // ----------------------------------------------------------------------------- tables

  tableKey(decl: ast.TableDeclaration, prefix: string): string {
    return `${prefix}.${decl.name.name}@${decl.span.start}`;
  }

  actionId(decl: ast.ActionDeclaration, prefix: string, annotations: readonly ast.Annotation[] = []): number {
    const global = decl === this.noAction || this.in.program.declarations.includes(decl);
    const name = nameAnnotation(decl.annotations) ?? (global ? decl.name.name : `${prefix}.${decl.name.name}`);
    const key = `${name}@${decl.span.start}`;
    let id = this.actionIds.get(key);
    if (id === undefined) {
      id = this.actions.length;
      const params = decl.parameters.filter((p) => p.direction === 'none').map((p) => {
        const t = this.c.declTypes.get(p) ?? this.c.typeRefs.get(p.type);
        return { name: p.name.name, width: t === undefined ? 0 : (scalarTy(t)?.width ?? 0) };
      });
      this.actions.push({ id, name, params, defaultOnly: false, tableOnly: false });
      this.actionIds.set(key, id);
    }
    const has = (n: string): boolean => annotations.some((a) => a.name.name === n);
    if (has('defaultonly') || has('tableonly')) {
      const a = this.actions[id];
      this.actions[id] = { ...a, defaultOnly: a.defaultOnly || has('defaultonly'), tableOnly: a.tableOnly || has('tableonly') };
    }
    return id;
  }

  /** Applies a table (the call `t.apply()`): emits the table statement, returns result locations. */
  applyTableCall(call: ast.CallExpression, cx: Cx, line: number, results = true): { hit: Loc; run: Loc; prefix: string } {
    if (call.callee.kind !== 'MemberExpression' || call.callee.object.kind !== 'PathExpression') this.fail(call.span, 'unsupported table apply');
    const sym = this.c.refs.get(call.callee.object) as ValueSym | undefined;
    if (sym === undefined || sym.node.kind !== 'TableDeclaration') this.fail(call.span, 'cannot resolve the table');
    const decl = sym.node;
    const hit = this.temp(boolTy, `${decl.name.name}.$hit`);
    const run = this.temp(u32, `${decl.name.name}.$action`);
    this.applyTable(decl, cx, line, results ? hit : null, results ? run : null);
    return { hit, run, prefix: cx.prefix };
  }

  applyTable(decl: ast.TableDeclaration, cx: Cx, line: number, hit: Loc | null, run: Loc | null): void {
    const name = nameAnnotation(decl.annotations) ?? `${cx.prefix}.${decl.name.name}`;
    const key = this.tableKey(decl, cx.prefix);
    let keyProp: ast.KeyElement[] = [];
    let actionRefs: readonly ast.ActionRef[] = [];
    let defaultProp: Extract<ast.TableProperty, { kind: 'ValueProperty' }> | null = null;
    let entriesProp: Extract<ast.TableProperty, { kind: 'EntriesProperty' }> | null = null;
    const values = new Map<string, Extract<ast.TableProperty, { kind: 'ValueProperty' }>>();
    for (const p of decl.properties) {
      if (p.kind === 'KeyProperty') keyProp = [...p.elements];
      else if (p.kind === 'ActionsProperty') actionRefs = p.actions;
      else if (p.kind === 'EntriesProperty') entriesProp = p;
      else if (p.name.name === 'default_action') defaultProp = p;
      else values.set(p.name.name, p);
    }
    const keys = keyProp.map((k) => this.expr(k.expression, cx));
    let id = this.tableIds.get(key);
    // Action bodies, lowered with the table's bindings.
    const acts: TableAction[] = [];
    const actionIds: number[] = [];
    for (const r of actionRefs) {
      const sym = this.c.refs.get(r) as ValueSym | undefined;
      if (sym === undefined || sym.node.kind !== 'ActionDeclaration') this.fail(r.span, 'cannot resolve the action');
      const ad = sym.node;
      const aid = this.actionId(ad, cx.prefix, r.annotations);
      actionIds.push(aid);
      const body = this.collect(() => this.tableAction(ad, r.args ?? [], cx));
      acts.push({ actionId: aid, body });
    }
    let defaultActionId = -1;
    let defaultArgs: bigint[] = [];
    if (defaultProp !== null) {
      const v = defaultProp.value;
      const path = v.kind === 'CallExpression' ? v.callee : v;
      const sym = this.c.refs.get(path as ast.PathExpression) as ValueSym | undefined;
      if (sym !== undefined && sym.node.kind === 'ActionDeclaration') {
        const ad = sym.node;
        defaultActionId = this.actionId(ad, cx.prefix);
        if (v.kind === 'CallExpression') {
          const bound = bindParams(ad.parameters, v.args);
          defaultArgs = ad.parameters.flatMap((p, i) => {
            if (p.direction !== 'none') return [];
            const a = bound[i];
            const cv = a === null ? undefined : this.c.constants.get(a.value);
            const w = this.actions[defaultActionId].params.find((x) => x.name === p.name.name)?.width ?? 0;
            return [BigInt.asUintN(Math.max(w, 1), cv === undefined ? 0n : this.numeric(cv))];
          });
          // Directional arguments of the default action bind like a table action's.
          const idx = actionIds.indexOf(defaultActionId);
          if (idx < 0 || ad.parameters.some((p) => p.direction !== 'none')) {
            const body = this.collect(() => this.tableAction(ad, v.args.filter((_, i) => ad.parameters[i]?.direction !== 'none'), cx));
            if (idx < 0) { actionIds.push(defaultActionId); acts.push({ actionId: defaultActionId, body }); }
          }
        }
      }
    }
    if (defaultActionId < 0) {
      if (this.noAction === null) this.fail(decl.span, "table without default_action needs NoAction (core.p4)");
      defaultActionId = this.actionId(this.noAction, '');
      if (!actionIds.includes(defaultActionId)) {
        actionIds.push(defaultActionId);
        acts.push({ actionId: defaultActionId, body: [] });
      }
    }
    if (id === undefined) {
      const keyInfos: KeyFieldInfo[] = keyProp.map((k, i) => ({
        name: nameAnnotation(k.annotations) ?? exprText(k.expression),
        match: matchKindOf(k.matchKind.name),
        width: keys[i].ty.width,
      }));
      const sizeProp = values.get('size');
      const size = sizeProp === undefined ? 1024 : Number(this.numeric(this.c.constants.get(sizeProp.value) ?? 1024n));
      const lpw = values.get('largest_priority_wins');
      const largestPriorityWins = lpw === undefined ? true : this.c.constants.get(lpw.value) !== false;
      const implementation = this.tableExtern(values.get('implementation'), cx, `${name}`, name);
      const directCounter = this.tableExtern(values.get('counters'), cx, `${name}_counter`, name);
      const directMeter = this.tableExtern(values.get('meters'), cx, `${name}_meter`, name);
      id = this.tables.length;
      const pd = values.get('priority_delta');
      const priorityDelta = pd === undefined ? 1 : Number(this.numeric(this.c.constants.get(pd.value) ?? 1n));
      const entries = entriesProp === null ? [] : this.entries(entriesProp, keyInfos, actionIds, cx, largestPriorityWins, priorityDelta);
      const info: TableInfo = {
        id, name, keys: keyInfos, actionIds, defaultActionId, defaultArgs,
        defaultConst: defaultProp?.isConst ?? false, size, constEntries: entriesProp?.isConst ?? false,
        entries, implementation, directCounter, directMeter, largestPriorityWins,
      };
      this.tables.push(info);
      this.tableIds.set(key, id);
      if (directMeter !== null) {
        const mid = this.externIds.get(directMeter);
        if (mid !== undefined) this.directMeterTable.set(mid, id);
      }
    }
    this.emit({ k: 'table', table: id, keys, actions: acts, hit, run, line });
  }

  tableExtern(p: Extract<ast.TableProperty, { kind: 'ValueProperty' }> | undefined, cx: Cx, hint: string, table: string): string | null {
    if (p === undefined) return null;
    let b: Binding | null = null;
    if (p.value.kind === 'PathExpression') b = this.bindingOfCallee(p.value, cx);
    else if (p.value.kind === 'ConstructorCallExpression') b = this.ctorBinding(p.value, cx.env, hint);
    if (b === null || b.k !== 'extern') return null;
    const x = this.externs[b.id];
    if (!x.tables.includes(table)) this.externs[b.id] = { ...x, tables: [...x.tables, table] };
    if (x.kind === 'direct_counter' || x.kind === 'direct_meter') {
      if (x.size === 0) this.externs[b.id] = { ...this.externs[b.id], size: 0 };
    }
    return x.name;
  }

  /** An action as a table runs it: directional params bound to the listed args, the rest to action data. */
  tableAction(ad: ast.ActionDeclaration, listedArgs: readonly ast.Argument[], cx: Cx): void {
    const env = new Env(cx.env);
    const label = this.label();
    let dataWord = 0;
    let argIndex = 0;
    const post: Stmt[] = [];
    const directional = ad.parameters.filter((p) => p.direction !== 'none');
    const dirPost = this.bindCallParams(directional, listedArgs.slice(0, directional.length), cx, env, ad.span);
    post.push(...dirPost);
    for (const p of ad.parameters) {
      if (p.direction !== 'none') { argIndex++; continue; }
      const t = this.c.declTypes.get(p) ?? this.c.typeRefs.get(p.type);
      const st = t === undefined ? null : scalarTy(t);
      if (st === null) this.fail(p.span, 'action data must be a bit string, bool or enum');
      const loc: Loc = { space: 'data', offset: dataWord, ty: st, dyn: null, name: p.name.name };
      dataWord += wordsFor(st.width);
      env.map.set(p, { k: 'ref', r: { s: { k: 'scalar', loc }, dyn: null, stack: null, mode: 'fixed' } });
    }
    void argIndex;
    const inner: Cx = { env, prefix: cx.prefix, ret: label, retStore: null, inParser: false };
    const main = this.collect(() => { for (const s of ad.body.statements) this.stmt(s, inner); });
    this.emit({ k: 'block', label, body: main });
    for (const s of post) this.emit(s);
  }

  // P4_16 spec, "Entries" (table property `entries`): the priority of each entry, from `priority =`,
  // the table's largest_priority_wins and priority_delta. The legacy `@priority(N)` entry annotation
  // follows p4c's BMv2 back end instead: N, else the entry's 1-based position, and the smallest wins.
  entryPriorities(p: Extract<ast.TableProperty, { kind: 'EntriesProperty' }>, largestWins: boolean, delta: number): number[] {
    const n = p.entries.length;
    const legacy = p.entries.map((e) => {
      const a = e.annotations.find((x) => x.name.name === 'priority');
      if (a === undefined) return null;
      const text = a.body.kind === 'unstructured' ? a.body.text
        : a.body.kind === 'expressions' && a.body.items[0]?.kind === 'IntegerLiteral' ? String((a.body.items[0] as ast.IntegerLiteral).value) : '';
      const m = /^\s*(\d+)\s*$/.exec(text);
      return m === null ? null : Number(m[1]);
    });
    if (p.entries.every((e) => e.priority === null) && legacy.some((v) => v !== null)) {
      // BMv2 numbers: smaller wins. Turn them around when the table uses the largest-wins convention.
      const bm = legacy.map((v, j) => v ?? j + 1);
      const top = Math.max(...bm) + 1;
      return largestWins ? bm.map((v) => top - v) : bm;
    }
    const prio: number[] = new Array<number>(n).fill(0);
    if (p.entries.every((e) => e.priority === null)) {
      let q = 1;
      if (largestWins) for (let j = n - 1; j >= 0; j--) { prio[j] = q; q += delta; }
      else for (let j = 0; j < n; j++) { prio[j] = q; q += delta; }
      return prio;
    }
    let q = 0;
    p.entries.forEach((e, j) => {
      if (e.priority !== null) q = Number(this.constValue(e.priority));
      else q = largestWins ? q - delta : q + delta;
      prio[j] = q;
    });
    return prio;
  }

  entries(p: Extract<ast.TableProperty, { kind: 'EntriesProperty' }>, keys: readonly KeyFieldInfo[], actionIds: readonly number[], cx: Cx, largestWins = true, delta = 1): EntryInfo[] {
    void cx;
    const out: EntryInfo[] = [];
    const priorities = this.entryPriorities(p, largestWins, delta);
    p.entries.forEach((e, idx) => {
      const kms: KeyMatch[] = [];
      const ks = e.keys.length === 1 && keys.length > 1 ? keys.map(() => e.keys[0]) : e.keys;
      ks.forEach((k, i) => {
        const kf = keys[i];
        if (kf === undefined) return;
        kms.push(this.keyMatch(k, kf));
      });
      const sym = this.c.refs.get(e.action) as ValueSym | undefined;
      if (sym === undefined || sym.node.kind !== 'ActionDeclaration') this.fail(e.span, 'cannot resolve the entry action');
      const ad = sym.node;
      const aid = this.actionId(ad, cx.prefix);
      void actionIds;
      const data = ad.parameters.filter((q) => q.direction === 'none');
      const args = e.action.args ?? [];
      const dataArgs = args.length === data.length ? args : args.filter((_, i) => ad.parameters[i]?.direction === 'none');
      const vals = dataArgs.map((a, i) => {
        const w = this.actions[aid].params[i]?.width ?? 0;
        return BigInt.asUintN(Math.max(w, 1), this.numeric(this.c.constants.get(a.value) ?? 0n));
      });
      const priority = priorities[idx];
      out.push({ keys: kms, priority, actionId: aid, args: vals });
    });
    return out;
  }

  keyMatch(k: ast.Expression, kf: KeyFieldInfo): KeyMatch {
    const w = kf.width;
    const full = (1n << BigInt(w)) - 1n;
    const pat = (v: bigint): bigint => BigInt.asUintN(w, v);
    const wildcard = k.kind === 'DefaultExpression' || k.kind === 'DontCareExpression';
    switch (kf.match) {
      case MatchKind.Exact:
        return { kind: 'exact', value: pat(this.constValue(k)) };
      case MatchKind.Lpm: {
        if (wildcard) return { kind: 'lpm', value: 0n, prefixLength: 0 };
        if (k.kind === 'MaskExpression') {
          const m = pat(this.constValue(k.mask));
          let len = 0;
          for (let i = w - 1; i >= 0 && ((m >> BigInt(i)) & 1n) === 1n; i--) len++;
          return { kind: 'lpm', value: pat(this.constValue(k.value)) & m, prefixLength: len };
        }
        return { kind: 'lpm', value: pat(this.constValue(k)), prefixLength: w };
      }
      case MatchKind.Ternary: case MatchKind.Selector:
        if (wildcard) return { kind: 'ternary', value: 0n, mask: 0n };
        if (k.kind === 'MaskExpression') {
          const m = pat(this.constValue(k.mask));
          return { kind: 'ternary', value: pat(this.constValue(k.value)) & m, mask: m };
        }
        return { kind: 'ternary', value: pat(this.constValue(k)), mask: full };
      case MatchKind.Range:
        if (wildcard) return { kind: 'range', low: 0n, high: full };
        if (k.kind === 'RangeExpression') return { kind: 'range', low: pat(this.constValue(k.lo)), high: pat(this.constValue(k.hi)) };
        { const v = pat(this.constValue(k)); return { kind: 'range', low: v, high: v }; }
      case MatchKind.Optional:
        if (wildcard) return { kind: 'optional', value: 0n, wildcard: true };
        return { kind: 'optional', value: pat(this.constValue(k)), wildcard: false };
    }
    return { kind: 'exact', value: 0n };
  }

  // ----------------------------------------------------------------------------- references

  scalarLoc(r: Ref, span: Span): Loc {
    if (r.s.k === 'scalar') return r.dyn === null ? r.s.loc : { ...r.s.loc, dyn: r.dyn };
    if (r.s.k === 'varbit') return { ...r.s.loc, dyn: r.dyn };
    return this.fail(span, 'expected a scalar location');
  }

  /** The storage an l-value (or aggregate r-value) expression denotes. */
  ref(e: ast.Expression, cx: Cx): Ref {
    switch (e.kind) {
      case 'PathExpression': {
        const sym = this.c.refs.get(e) as ValueSym | undefined;
        if (sym === undefined) this.fail(e.span, `unresolved name '${e.name.name}'`);
        const b = cx.env.get(sym.node);
        if (b !== undefined && b.k === 'ref') return b.r;
        if (b !== undefined && b.k === 'value') {
          const loc = this.temp(b.e.ty, sym.name);
          this.emit({ k: 'assign', dst: loc, src: b.e, line: this.line(e.span) });
          return { s: { k: 'scalar', loc }, dyn: null, stack: null, mode: 'fixed' };
        }
        if (sym.kind === 'constant') {
          // A global aggregate constant: materialise it.
          const t = this.typeOf(e);
          const r = this.tempRef(t, sym.name);
          const v = this.c.constants.get(e) ?? sym.value;
          if (v !== undefined) this.assignConst(r, v, this.line(e.span));
          return r;
        }
        return this.fail(e.span, `'${e.name.name}' has no storage here`);
      }
      case 'MemberExpression': {
        const ot = this.typeOf(e.object);
        const name = e.member.name;
        if (ot.kind === 'stack') {
          const r = this.ref(e.object, cx);
          if (r.s.k !== 'stack') this.fail(e.span, 'expected a header stack');
          const st = r.s;
          const next: Loc = { space: 'phv', offset: st.nextOffset, ty: u32, dyn: null, name: `${st.name}.$next` };
          const stack = { nextOffset: st.nextOffset, count: st.count, stride: st.stride };
          if (name === 'next') return { s: st.elem, dyn: { index: readOf(next), stride: st.stride, count: st.count }, stack, mode: 'next' };
          if (name === 'last') {
            return { s: st.elem, dyn: { index: this.binary('-', readOf(next), constOf(u32, 1n), u32), stride: st.stride, count: st.count }, stack, mode: 'fixed' };
          }
          this.fail(e.span, `unsupported stack member '${name}'`);
        }
        if (ot.kind === 'header' || ot.kind === 'struct' || ot.kind === 'union') {
          const r = this.ref(e.object, cx);
          if (r.s.k !== 'header' && r.s.k !== 'struct' && r.s.k !== 'union') this.fail(e.span, 'expected an aggregate');
          const f = r.s.fields.get(name);
          if (f === undefined) this.fail(e.span, `no storage for field '${name}'`);
          return { s: f, dyn: r.dyn, stack: r.stack, mode: r.mode };
        }
        return this.fail(e.span, 'unsupported member reference');
      }
      case 'IndexExpression': {
        const ot = this.typeOf(e.object);
        if (ot.kind === 'tuple') {
          // Spec 8.12: a tuple is indexed with a compile-time known index.
          const i = Number(this.constValue(e.index));
          const tr = this.ref(e.object, cx);
          const f = tr.s.k === 'struct' ? tr.s.fields.get(String(i)) : undefined;
          if (f === undefined) this.fail(e.index.span, `index ${i} is out of the tuple's bounds`);
          return { ...tr, s: f };
        }
        const r = this.ref(e.object, cx);
        if (r.s.k !== 'stack') this.fail(e.span, 'only header stacks can be indexed');
        const st = r.s;
        const stack = { nextOffset: st.nextOffset, count: st.count, stride: st.stride };
        const cv = this.c.constants.get(e.index);
        if (cv !== undefined) {
          const i = Number(this.numeric(cv));
          if (i < 0 || i >= st.count) this.fail(e.index.span, `index ${i} is out of the stack's bounds`);
          return { s: shiftStore(st.elem, i * st.stride, `${st.name}[${i}]`), dyn: null, stack, mode: 'fixed' };
        }
        return { s: st.elem, dyn: { index: this.expr(e.index, cx), stride: st.stride, count: st.count }, stack, mode: 'fixed' };
      }
      case 'CallExpression': {
        const target = this.c.calls.get(e);
        const t = this.typeOf(e);
        if (target !== undefined && target.kind === 'function') {
          const res = this.tempRef(t, '$ret');
          this.inlineCall(target.sym.node as ast.FunctionDeclaration, e.args, cx, res, e.span);
          return res;
        }
        if (target !== undefined && target.kind === 'method' && target.method.name === 'lookahead') {
          const res = this.tempRef(t, '$look');
          this.lookaheadInto(res, this.line(e.span));
          return res;
        }
        break;
      }
      case 'CastExpression': {
        // `(T){ ... }` and `(T)x` of an aggregate type: the value with T's layout.
        const t = this.typeOf(e);
        if (scalarTy(t) !== null) break;
        const op = e.operand;
        if (op.kind !== 'StructExpression' && op.kind !== 'ListExpression' && op.kind !== 'InvalidHeaderExpression') return this.ref(op, cx);
        const res = this.tempRef(t, '$agg');
        this.assignTo(res, t, e, cx, this.line(e.span));
        return res;
      }
      case 'StructExpression': case 'ListExpression': {
        const t = this.typeOf(e);
        const res = this.tempRef(t, '$agg');
        this.assignTo(res, t, e, cx, this.line(e.span));
        return res;
      }
      default: break;
    }
    const t = this.c.types.get(e);
    if (t !== undefined && scalarTy(t) !== null) {
      const v = this.expr(e, cx);
      const loc = this.temp(v.ty);
      this.emit({ k: 'assign', dst: loc, src: v, line: this.line(e.span) });
      return { s: { k: 'scalar', loc }, dyn: null, stack: null, mode: 'fixed' };
    }
    return this.fail(e.span, `unsupported reference expression '${e.kind}'`);
  }

  // ----------------------------------------------------------------------------- expressions

  binary(op: T_BinOp, a: Expr, b: Expr, t: Ty): Expr {
    return { k: 'bin', op, ty: t, a, b };
  }

  expr(e: ast.Expression, cx: Cx): Expr {
    const t = this.typeOf(e);
    let st = scalarTy(t);
    const cv = this.c.constants.get(e);
    if (cv !== undefined && st !== null && (typeof cv !== 'object' || cv.kind === 'enumMember' || cv.kind === 'errorMember')) {
      if (t.kind === 'int') st = ty(Math.max(32, bitLength(this.numeric(cv)) + 1), true);
      return constOf(st, this.pattern(this.numeric(cv), st));
    }
    if (st === null) this.fail(e.span, 'expected a scalar expression');
    switch (e.kind) {
      case 'PathExpression': {
        const sym = this.c.refs.get(e) as ValueSym | undefined;
        if (sym === undefined) this.fail(e.span, `unresolved name '${e.name.name}'`);
        const b = cx.env.get(sym.node);
        if (b !== undefined && b.k === 'value') return b.e;
        if (b !== undefined && b.k === 'ref') return readOf(this.scalarLoc(b.r, e.span));
        if (sym.value !== undefined) return constOf(st, this.pattern(this.numeric(sym.value), st));
        return this.fail(e.span, `'${e.name.name}' has no value here`);
      }
      case 'MemberExpression': {
        const ot = this.typeOf(e.object);
        if (ot.kind === 'tableResult' && e.object.kind === 'CallExpression') {
          const res = this.applyTableCall(e.object, cx, this.line(e.span));
          if (e.member.name === 'hit') return readOf(res.hit);
          if (e.member.name === 'miss') return { k: 'un', op: '!', ty: boolTy, a: readOf(res.hit) };
          return readOf(res.run);
        }
        if (ot.kind === 'stack' && e.member.name === 'lastIndex') {
          const r = this.ref(e.object, cx);
          if (r.s.k !== 'stack') this.fail(e.span, 'expected a stack');
          return this.binary('-', readOf({ space: 'phv', offset: r.s.nextOffset, ty: u32, dyn: null, name: `${r.s.name}.$next` }), constOf(u32, 1n), u32);
        }
        return readOf(this.scalarLoc(this.ref(e, cx), e.span));
      }
      case 'IndexExpression': {
        // An element of a constant tuple is a constant.
        const tv = this.c.constants.get(e.object);
        const iv = this.c.constants.get(e.index);
        if (tv !== undefined && typeof tv === 'object' && tv.kind === 'tuple' && iv !== undefined) {
          const ev = tv.elements[Number(this.numeric(iv))];
          if (ev !== undefined) return constOf(st, this.pattern(this.numeric(ev), st));
        }
        return readOf(this.scalarLoc(this.ref(e, cx), e.span));
      }
      case 'SliceExpression': {
        const a = this.expr(e.object, cx);
        if (e.plusWidth && this.c.constants.get(e.hi) === undefined) return this.dynSlice(a, this.expr(e.hi, cx), Number(this.constValue(e.lo)));
        let hi = Number(this.constValue(e.hi));
        let lo = Number(this.constValue(e.lo));
        if (e.plusWidth) { const base = hi; lo = base; hi = base + Number(this.constValue(e.lo)) - 1; }
        return { k: 'slice', ty: ty(hi - lo + 1), a, hi, lo };
      }
      case 'UnaryExpression': {
        const a = this.expr(e.operand, cx);
        switch (e.op) {
          case '!': return { k: 'un', op: '!', ty: boolTy, a };
          case '~': return { k: 'un', op: '~', ty: st, a };
          case '-': return { k: 'un', op: 'neg', ty: st, a };
          case '+': return a;
        }
        break;
      }
      case 'BinaryExpression': {
        if (e.op === '++') return { k: 'concat', ty: st, a: this.expr(e.left, cx), b: this.expr(e.right, cx) };
        const lt = this.typeOf(e.left);
        if ((e.op === '==' || e.op === '!=') && scalarTy(lt) === null) return this.aggregateEquals(e, cx);
        let a = this.expr(e.left, cx);
        let b = this.expr(e.right, cx);
        // Shifts keep the left operand's type; the amount is any unsigned value.
        if (e.op !== '<<' && e.op !== '>>') {
          if (a.k === 'const' && b.k !== 'const') a = constOf(b.ty, this.pattern(signedValue(a), b.ty));
          if (b.k === 'const' && a.k !== 'const') b = constOf(a.ty, this.pattern(signedValue(b), a.ty));
        }
        return this.binary(e.op, a, b, st);
      }
      case 'TernaryExpression': {
        const c = this.expr(e.condition, cx);
        const then = this.collect(() => undefined);
        void then;
        return { k: 'cond', ty: st, c, a: this.expr(e.then, cx), b: this.expr(e.else, cx) };
      }
      case 'CastExpression': {
        const a = this.expr(e.operand, cx);
        return { k: 'cast', ty: st, a };
      }
      case 'CallExpression': return this.callExpr(e, st, cx);
      default: break;
    }
    return this.fail(e.span, `unsupported expression '${e.kind}'`);
  }

  aggregateEquals(e: ast.BinaryExpression, cx: Cx): Expr {
    const invalid = (x: ast.Expression): boolean => x.kind === 'InvalidHeaderExpression' || (x.kind === 'CastExpression' && x.operand.kind === 'InvalidHeaderExpression');
    if (invalid(e.left) || invalid(e.right)) {
      // h == {#}: h is invalid (a union: all its members are).
      const other = invalid(e.left) ? e.right : e.left;
      const r = this.ref(other, cx);
      const hs: Loc[] = r.s.k === 'header' ? [validLoc(r.s.h, r.dyn)] : r.s.k === 'union' ? [...r.s.fields.values()].flatMap((f) => (f.k === 'header' ? [validLoc(f.h, r.dyn)] : [])) : [];
      let anyValid: Expr = constOf(boolTy, 0n);
      hs.forEach((l, i) => { anyValid = i === 0 ? readOf(l) : this.binary('||', anyValid, readOf(l), boolTy); });
      return e.op === '==' ? { k: 'un', op: '!', ty: boolTy, a: anyValid } : anyValid;
    }
    const a = this.ref(e.left, cx);
    const b = this.ref(e.right, cx);
    const acc = this.storeEquals(a.s, a.dyn, b.s, b.dyn);
    return e.op === '==' ? acc : { k: 'un', op: '!', ty: boolTy, a: acc };
  }

  /**
   * Spec 8.9/8.11/8.18 equality of two values of the same type: varbits compare length and value;
   * two headers are equal when both are invalid, or both valid with equal fields; structs, unions
   * and stacks compare member by member.
   */
  storeEquals(a: Store, ad: Dyn | null, b: Store, bd: Dyn | null): Expr {
    const and = (x: Expr | null, y: Expr): Expr => (x === null ? y : this.binary('&&', x, y, boolTy));
    if (a.k === 'scalar' && b.k === 'scalar') return this.binary('==', readOf({ ...a.loc, dyn: ad }), readOf({ ...b.loc, dyn: bd }), boolTy);
    if (a.k === 'varbit' && b.k === 'varbit') {
      const len = (s: typeof a, d: Dyn | null): Expr => readOf({ space: 'phv', offset: s.lenOffset, ty: u32, dyn: d, name: `${s.loc.name}.$len` });
      return and(this.binary('==', len(a, ad), len(b, bd), boolTy), this.binary('==', readOf({ ...a.loc, dyn: ad }), readOf({ ...b.loc, dyn: bd }), boolTy));
    }
    if (a.k === 'header' && b.k === 'header') {
      const va = readOf(validLoc(a.h, ad));
      let fields: Expr | null = null;
      for (const [name, f] of a.fields) {
        const g = b.fields.get(name);
        if (g !== undefined) fields = and(fields, this.storeEquals(f, ad, g, bd));
      }
      const sameValid = this.binary('==', va, readOf(validLoc(b.h, bd)), boolTy);
      if (fields === null) return sameValid;
      return and(sameValid, { k: 'cond', ty: boolTy, c: va, a: fields, b: constOf(boolTy, 1n) });
    }
    if ((a.k === 'struct' || a.k === 'union') && (b.k === 'struct' || b.k === 'union')) {
      let acc: Expr | null = null;
      const bf = [...b.fields.values()];
      let i = 0;
      for (const [name, f] of a.fields) {
        const g = b.fields.get(name) ?? bf[i];
        i++;
        if (g !== undefined) acc = and(acc, this.storeEquals(f, ad, g, bd));
      }
      return acc ?? constOf(boolTy, 1n);
    }
    if (a.k === 'stack' && b.k === 'stack') {
      let acc: Expr | null = null;
      for (let i = 0; i < Math.min(a.count, b.count); i++) {
        acc = and(acc, this.storeEquals(shiftStore(a.elem, i * a.stride, `${a.name}[${i}]`), ad, shiftStore(b.elem, i * b.stride, `${b.name}[${i}]`), bd));
      }
      return acc ?? constOf(boolTy, 1n);
    }
    return constOf(boolTy, 0n);
  }

  callExpr(e: ast.CallExpression, st: Ty, cx: Cx): Expr {
    const target = this.c.calls.get(e);
    if (target === undefined) this.fail(e.span, 'internal: unresolved call');
    if (target.kind === 'builtin' && target.name === 'isValid' && e.callee.kind === 'MemberExpression') {
      const r = this.ref(e.callee.object, cx);
      if (r.s.k === 'header') return readOf(validLoc(r.s.h, r.dyn));
      if (r.s.k === 'union') {
        let acc: Expr | null = null;
        for (const f of r.s.fields.values()) {
          if (f.k !== 'header') continue;
          const v = readOf(validLoc(f.h, r.dyn));
          acc = acc === null ? v : this.binary('||', acc, v, boolTy);
        }
        return acc ?? constOf(boolTy, 0n);
      }
      this.fail(e.span, 'isValid on a non-header');
    }
    if (target.kind === 'method' && target.objectType.kind === 'extern') {
      const n = target.method.name;
      if (target.objectType.name === 'packet_in' && n === 'lookahead') return { k: 'lookahead', ty: st, skip: 0 };
      if (target.objectType.name === 'packet_in' && n === 'length') return { k: 'call', ty: u32, name: 'packetLength', args: [], extern: -1 };
    }
    if (target.kind === 'function' || target.kind === 'action') {
      const t = this.typeOf(e);
      const res = this.tempRef(t, '$ret');
      this.inlineCall(target.sym.node as ast.FunctionDeclaration, e.args, cx, res, e.span);
      return readOf(this.scalarLoc(res, e.span));
    }
    if (target.kind === 'apply' && target.objectType.kind === 'table') {
      const res = this.applyTableCall(e, cx, this.line(e.span));
      return readOf(res.hit);
    }
    if (target.kind === 'externFunction' && target.sym.name === 'static_assert') return constOf(boolTy, 1n);
    if (target.kind === 'method' && target.objectType.kind === 'extern' && target.objectType.name === 'Checksum16' && target.method.name === 'get'
      && e.callee.kind === 'MemberExpression' && e.args.length === 1) {
      // v1model's deprecated Checksum16.get(data): BMv2's csum16 of the data (ones' complement sum, complemented).
      const b = this.bindingOfCallee(e.callee.object, cx);
      const out = this.temp(ty(16), '$csum16');
      this.emit({ k: 'extern', name: 'checksum16.get', extern: b !== null && b.k === 'extern' ? b.id : -1, args: [], out, list: this.list(e.args[0].value, cx), line: this.line(e.span) });
      return readOf(out);
    }
    if (target.kind === 'method' || target.kind === 'externFunction') {
      // A value-returning extern the runtime does not implement: a no-op call yielding 0.
      const name = target.kind === 'method' ? `${target.objectType.kind === 'extern' ? target.objectType.name : '?'}.${target.method.name}` : target.sym.name;
      this.in.diags.warning('UnsupportedExtern', e.span, `'${name}' is not implemented by the v1model runtime; it returns 0`);
      this.emit({ k: 'extern', name, extern: -1, args: [], out: null, list: null, line: this.line(e.span) });
      return constOf(st, 0n);
    }
    return this.fail(e.span, 'unsupported call in an expression');
  }
}

type T_BinOp = Extract<Expr, { k: 'bin' }>['op'];

function signedValue(c: Extract<Expr, { k: 'const' }>): bigint {
  return c.ty.signed ? BigInt.asIntN(c.ty.width, c.value) : c.value;
}

/** Widths of the scalar fields of a type, flattened in declaration order (a scalar: its own width). */
function flatWidths(t: T.Type): number[] {
  if (t.kind === 'struct' || t.kind === 'header') return t.fields.flatMap((f) => flatWidths(f.type));
  if (t.kind === 'tuple') return t.elements.flatMap(flatWidths);
  if (t.kind === 'varbit') return [t.width];
  const st = scalarTy(t);
  return st === null ? [] : [st.width];
}

function bitLength(v: bigint): number {
  let n = 0;
  let x = v < 0n ? -v : v;
  while (x > 0n) { n++; x >>= 1n; }
  return n;
}

export function validLoc(h: HeaderLayout, dyn: Dyn | null): Loc {
  return { space: 'phv', offset: h.validOffset, ty: boolTy, dyn, name: `${h.name}.$valid` };
}

function unionAsHeader(u: Extract<Store, { k: 'union' }>): HeaderLayout {
  // Stacks of unions: shifting treats the whole element as one block of words.
  let start = Infinity;
  let end = 0;
  for (const f of u.fields.values()) if (f.k === 'header') { start = Math.min(start, f.h.start); end = Math.max(end, f.h.start + f.h.words); }
  return { name: u.name, type: 'union', validOffset: start, fields: [], width: 0, start, words: end - start };
}

function scalarsOfRef(r: Ref): Loc[] {
  const out: Loc[] = [];
  const walk = (s: Store): void => {
    if (s.k === 'scalar') out.push({ ...s.loc, dyn: r.dyn });
    else if (s.k === 'header') {
      out.push(validLoc(s.h, r.dyn));
      for (const f of s.fields.values()) walk(f);
    } else if (s.k === 'struct' || s.k === 'union') for (const f of s.fields.values()) walk(f);
  };
  walk(r.s);
  return out;
}

function nameAnnotation(anns: readonly ast.Annotation[]): string | null {
  for (const a of anns) {
    if (a.name.name !== 'name') continue;
    if (a.body.kind === 'expressions' && a.body.items[0]?.kind === 'StringLiteral') return (a.body.items[0] as ast.StringLiteral).value.replace(/^\./, '');
    if (a.body.kind === 'unstructured') {
      const m = /"([^"]*)"/.exec(a.body.text);
      if (m !== null) return m[1].replace(/^\./, '');
    }
  }
  return null;
}

function matchKindOf(name: string): MatchKindValue {
  switch (name) {
    case 'exact': return MatchKind.Exact;
    case 'lpm': return MatchKind.Lpm;
    case 'ternary': return MatchKind.Ternary;
    case 'range': return MatchKind.Range;
    case 'optional': return MatchKind.Optional;
    case 'selector': return MatchKind.Selector;
    default: return MatchKind.Exact;
  }
}

/** A short source form of a key expression (`hdr.ipv4.dstAddr`). */
function exprText(e: ast.Expression): string {
  switch (e.kind) {
    case 'PathExpression': return e.name.name;
    case 'MemberExpression': return `${exprText(e.object)}.${e.member.name}`;
    case 'IndexExpression': return `${exprText(e.object)}[${exprText(e.index)}]`;
    case 'IntegerLiteral': return e.text;
    case 'SliceExpression': return `${exprText(e.object)}[${exprText(e.hi)}:${exprText(e.lo)}]`;
    case 'CallExpression': return `${exprText(e.callee)}()`;
    case 'CastExpression': return exprText(e.operand);
    default: return e.kind;
  }
}

/** Binds arguments (positional or named) to parameters; missing ones are null. */
function bindParams(params: readonly ast.Parameter[], args: readonly ast.Argument[]): (ast.Argument | null)[] {
  const out: (ast.Argument | null)[] = params.map(() => null);
  if (args.some((a) => a.name !== null)) {
    for (const a of args) {
      const i = params.findIndex((p) => p.name.name === (a.name as ast.Ident).name);
      if (i >= 0) out[i] = a;
    }
  } else {
    for (let i = 0; i < args.length && i < params.length; i++) out[i] = args[i];
  }
  return out;
}
