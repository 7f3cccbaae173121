// The reference interpreter: runs a lowered v1model program (the IR, compiler/ir/ir.ts) on one
// packet by walking the IR directly. Slow and simple on purpose: per-packet state is a map from
// word offset to a bigint bit pattern, operators come from ./values.ts (written from the spec),
// and the architecture (parser -> verifyChecksum -> ingress -> traffic manager -> egress ->
// computeChecksum -> deparser, with clones, resubmit, recirculate and multicast as BMv2's
// simple_switch documents them) is its own small loop. It shares only the runtime objects that are
// tested on their own: tables, action profiles, counters, meters, registers, value sets, hash
// algorithms, the PRE and mirroring sessions. Output: packets (port + bytes), digests and the
// final standard_metadata of each packet.
import type { Expr, IrProgram, Keyset, ListItem, Loc, Stmt, HeaderRef, HeaderLayout, Ty } from '../../compiler/ir/ir.js';
import type { ProgramInfo } from '../abi.js';
import type { Table } from '../tables/table.js';
import type { CounterArray } from '../externs/counters.js';
import type { MeterArray } from '../externs/meters.js';
import type { RegisterArray } from '../externs/registers.js';
import type { Hasher } from '../externs/hash.js';
import type { Random } from '../externs/random.js';
import type { MulticastEngine } from '../arch/pre.js';
import type { MirrorSessions } from '../arch/mirroring.js';
import { BitWriter, binary, bitsOf, cast, concat, fromWords, maskOf, slice, toInt, toWords, unary, wordsOf, wrap } from './values.js';

/** The runtime objects the interpreter uses (built by the same code as the switch's, see harness.ts). */
export interface RefEnv {
  readonly ir: IrProgram;
  readonly info: ProgramInfo;
  /** By TableInfo.id. */
  readonly tables: readonly Table[];
  /** By ExternInfo.id: CounterArray, MeterArray, RegisterArray, a value set ({has(v)}), profiles... */
  readonly externs: readonly unknown[];
  /** By hash algorithm enum value (hash.ts hashAlgorithmNames order). */
  readonly hashers: readonly Hasher[];
  readonly rng: Random;
  readonly pre: MulticastEngine;
  readonly mirroring: MirrorSessions;
}

export interface RefPacket {
  readonly port: number;
  readonly bytes: Uint8Array;
  /** standard_metadata at the end of the packet's last pass, by field name. */
  readonly sm: Readonly<Record<string, bigint>>;
}

export interface RefDigest {
  readonly receiver: number;
  readonly name: string;
  readonly values: readonly bigint[];
}

export interface RefResult {
  readonly outputs: RefPacket[];
  readonly digests: RefDigest[];
  /** standard_metadata of every packet that was dropped (in order). */
  readonly dropped: Readonly<Record<string, bigint>>[];
  readonly assertionFailures: number;
  /** Names of extern calls the interpreter (like the runtime) does not implement. */
  readonly unsupported: string[];
}

/** What the interpreter needs of a TeeFunction instance (runtime/externs/tee-call.ts TeeFunctionRuntime). */
interface TeeCallable {
  readonly gate: { call(fn: number, inOff: number, outOff: number, n: number): number };
  readonly fn: number;
  readonly inBuf: Uint8Array;
  readonly outBuf: Uint8Array;
  readonly tee: { readonly outputBytes: number };
}

/** BMv2 instance_type values. */
const Instance = { Normal: 0n, IngressClone: 1n, EgressClone: 2n, Recirc: 4n, Replication: 5n, Resubmit: 6n } as const;
const DROP_PORT = 511n;
/** Resubmit/recirculate/E2E-clone passes per injected packet chain before it is dropped (as the runtime). */
const MAX_LOOPS = 16;
/** Parser state transitions before the parser gives up (ParserTimeout). */
const MAX_PARSER_STEPS = 10000;
/** `for` loop iterations before the interpreter gives up on the loop. */
const MAX_LOOP_ITERATIONS = 65536;

/** A packet's state: word offset -> bit pattern of the location starting there. */
type State = Map<number, bigint>;

/** Control flow out of a statement list. */
type Flow = null | { readonly k: 'break' | 'continue'; readonly label: string } | { readonly k: 'exit' };

/** The parser stops: `code` is an index into ProgramInfo.errors (or 0 for accept/reject). */
class ParserStop {
  readonly code: number;
  constructor(code: number) { this.code = code; }
}

/** A bit range of the packet that a select key comes from (for building packets that reach a state). */
export interface KeyPatch {
  readonly bit: number;
  readonly width: number;
  readonly value: bigint;
}

type SelectCaseT = Extract<IrProgram['parser']['states'][number]['transition'], { k: 'select' }>['cases'][number];

/** Probe mode (probeParse): where extracted fields came from, and which select to steer. */
interface Probe {
  readonly fieldPos: Map<number, { bit: number; width: number }>;
  readonly depth: number;
  count: number;
  readonly choose: (cases: readonly SelectCaseT[]) => SelectCaseT;
  readonly valueFor: (ks: Keyset, width: number) => bigint | null;
  result: KeyPatch[] | null;
  /** Patches that make failing `verify(field == constant)` calls pass (null: let them fail). */
  fixes: KeyPatch[] | null;
}

class ProbeDone {}

/** Per-block execution context. */
interface Ctx {
  readonly st: State;
  /** Current action data (the applied table's data words). */
  data: Uint32Array;
  dataOffset: number;
  /** Parser only: the packet and the cursor in bytes. */
  readonly pkt: Uint8Array;
  cursor: number;
  readonly inParser: boolean;
  /** Deparser only. */
  readonly out: BitWriter | null;
  /** Bytes after the parsed headers (the *_with_payload checksums). */
  readonly payload: Uint8Array;
}

interface Pkt {
  bytes: Uint8Array;
  st: State;
  loops: number;
}

export class Interpreter {
  readonly env: RefEnv;
  private readonly ir: IrProgram;
  private digests: RefDigest[] = [];
  private assertionFailures = 0;
  private unsupported: string[] = [];
  /** Called at every table apply with the key values (used to build entries that hit). */
  onTable: ((table: number, keys: bigint[]) => void) | null = null;
  private probe: Probe | null = null;
  /** Varbit field value offset -> its length word offset (every stack element included). */
  private readonly varbitLen = new Map<number, number>();

  constructor(env: RefEnv) {
    this.env = env;
    this.ir = env.ir;
    for (const h of env.ir.headers) for (const f of h.fields) if (f.varbitLength !== null) this.varbitLen.set(f.offset, f.varbitLength);
  }

  private errorCode(name: string, fallback: number): number {
    const i = this.env.info.errors.indexOf(name);
    return i < 0 ? fallback : i;
  }

  // ------------------------------------------------------------------ the architecture

  /** Runs one packet arriving on `port` through the whole v1model pipeline. */
  process(port: number, bytes: Uint8Array): RefResult {
    this.digests = [];
    this.assertionFailures = 0;
    this.unsupported = [];
    const outputs: RefPacket[] = [];
    const dropped: Record<string, bigint>[] = [];
    const ingressQ: Pkt[] = [{ bytes: Uint8Array.from(bytes), st: this.fresh(BigInt(port), Instance.Normal), loops: 0 }];
    const egressQ: Pkt[] = [];
    const sm = this.ir.sm;
    const drop = (p: Pkt): void => { dropped.push(this.smOf(p.st)); };
    for (let guard = 0; guard < 10000; guard++) {
      const pi = ingressQ.shift();
      if (pi !== undefined) {
        this.ingressPass(pi, ingressQ, egressQ, drop);
        continue;
      }
      const pe = egressQ.shift();
      if (pe === undefined) break;
      const st = pe.st;
      this.set(st, sm.egress_spec, 0n);
      this.set(st, sm.clone_list, 0n);
      this.set(st, sm.recirculate, 0n);
      this.control(this.ir.egress.body, st, pe.bytes);
      if (this.get(st, sm.clone_list) !== 0n) {
        // E2E clone: the packet as it is at the end of egress, not deparsed, not re-parsed.
        this.forSession(st, (eport, rid) => {
          const c: Pkt = { bytes: pe.bytes, st: new Map(st), loops: pe.loops + 1 };
          this.set(c.st, sm.instance_type, Instance.EgressClone);
          this.set(c.st, sm.egress_port, eport);
          this.set(c.st, sm.egress_rid, rid);
          this.set(c.st, sm.clone_list, 0n);
          if (c.loops > MAX_LOOPS) drop(c);
          else egressQ.push(c);
        });
      }
      if (this.get(st, sm.egress_spec) === DROP_PORT) { drop(pe); continue; }
      const parsed = Number(this.get(st, sm.parsed_bytes));
      const payload = pe.bytes.subarray(Math.min(parsed, pe.bytes.length));
      this.control(this.ir.computeChecksum.body, st, pe.bytes, payload);
      const headers = this.deparse(st);
      let outBytes = new Uint8Array(headers.length + payload.length);
      outBytes.set(headers, 0);
      outBytes.set(payload, headers.length);
      const tr = this.get(st, sm.truncate);
      if (tr !== 0n) {
        const n = Number(tr & 0x7fffffffn);
        if (n < outBytes.length) outBytes = outBytes.slice(0, n);
      }
      if (this.get(st, sm.recirculate) !== 0n) {
        if (pe.loops + 1 > MAX_LOOPS) { drop(pe); continue; }
        const ns = this.restart(st, this.get(st, sm.recirculate), this.get(st, sm.ingress_port), Instance.Recirc);
        ingressQ.push({ bytes: outBytes, st: ns, loops: pe.loops + 1 });
        continue;
      }
      outputs.push({ port: Number(this.get(st, sm.egress_port)), bytes: outBytes, sm: this.smOf(st) });
    }
    return { outputs, digests: this.digests, dropped, assertionFailures: this.assertionFailures, unsupported: this.unsupported };
  }

  /** Parser, verifyChecksum, ingress, then BMv2's traffic manager: clone, resubmit, multicast, drop, unicast. */
  private ingressPass(p: Pkt, ingressQ: Pkt[], egressQ: Pkt[], drop: (p: Pkt) => void): void {
    const sm = this.ir.sm;
    const st = p.st;
    const original = p.bytes;
    this.parse(st, original);
    const payload = original.subarray(Math.min(Number(this.get(st, sm.parsed_bytes)), original.length));
    this.control(this.ir.verifyChecksum.body, st, original, payload);
    this.control(this.ir.ingress.body, st, original, payload);
    const cloneList = this.get(st, sm.clone_list);
    if (cloneList !== 0n) {
      // I2E clone: the packet as it began this ingress pass, parsed again, preserved fields kept.
      const list = cloneList >= 2n ? this.fieldList(Number(cloneList - 2n)) : undefined;
      this.forSession(st, (eport, rid) => {
        const cs = this.fresh(this.get(st, sm.ingress_port), Instance.IngressClone);
        this.copyList(st, cs, list);
        this.parse(cs, original);
        this.set(cs, sm.egress_port, eport);
        this.set(cs, sm.egress_rid, rid);
        egressQ.push({ bytes: original, st: cs, loops: p.loops });
      });
    }
    const resubmit = this.get(st, sm.resubmit);
    if (resubmit !== 0n) {
      if (p.loops + 1 > MAX_LOOPS) { drop(p); return; }
      const ns = this.restart(st, resubmit, this.get(st, sm.ingress_port), Instance.Resubmit);
      ingressQ.push({ bytes: original, st: ns, loops: p.loops + 1 });
      return;
    }
    const grp = this.get(st, sm.mcast_grp);
    if (grp !== 0n) {
      const copies = this.replicate(Number(grp));
      if (copies.length === 0) drop(p);
      for (const [eport, rid] of copies) {
        const cs = new Map(st);
        this.set(cs, sm.egress_port, eport);
        this.set(cs, sm.egress_rid, rid);
        this.set(cs, sm.instance_type, Instance.Replication);
        egressQ.push({ bytes: original, st: cs, loops: p.loops });
      }
      return;
    }
    const spec = this.get(st, sm.egress_spec);
    if (spec === DROP_PORT) { drop(p); return; }
    this.set(st, sm.egress_port, spec);
    egressQ.push(p);
  }

  private replicate(group: number): [bigint, bigint][] {
    const ports = new Int32Array(4096);
    const rids = new Int32Array(4096);
    const n = Math.min(this.env.pre.replicate(group, { ports, rids }), ports.length);
    const out: [bigint, bigint][] = [];
    for (let i = 0; i < n; i++) out.push([BigInt(ports[i]), BigInt(rids[i])]);
    return out;
  }

  /** Calls f(port, rid) for each copy the clone session (clone_session word) asks for. */
  private forSession(st: State, f: (port: bigint, rid: bigint) => void): void {
    const s = this.env.mirroring.get(Number(this.get(st, this.ir.sm.clone_session)));
    if (s === null) return;
    if (s.port >= 0) f(BigInt(s.port), 0n);
    if (s.group >= 0) for (const [port, rid] of this.replicate(s.group)) f(port, rid);
  }

  private fieldList(index: number): { offset: number; words: number }[] | undefined {
    return this.ir.fieldLists.find((l) => l.index === index)?.fields.map((f) => ({ offset: f.offset, words: f.words }));
  }

  /** Copies the state words of a preserved field list (every location starting inside it). */
  private copyList(from: State, to: State, list: { offset: number; words: number }[] | undefined): void {
    if (list === undefined) return;
    for (const f of list) for (const [k, v] of from) if (k >= f.offset && k < f.offset + f.words) to.set(k, v);
  }

  /** A new pass (resubmit / recirculate): fresh state, the preserved field list (code - 1) kept. */
  private restart(st: State, code: bigint, port: bigint, instance: bigint): State {
    const ns = this.fresh(port, instance);
    const list = code >= 1n && code <= 256n ? this.fieldList(Number(code - 1n)) : undefined;
    this.copyList(st, ns, list);
    return ns;
  }

  private fresh(port: bigint, instance: bigint): State {
    const st: State = new Map();
    this.set(st, this.ir.sm.ingress_port, port);
    this.set(st, this.ir.sm.instance_type, instance);
    return st;
  }

  /** standard_metadata by field name. */
  private smOf(st: State): Record<string, bigint> {
    const out: Record<string, bigint> = {};
    for (const [name, off] of Object.entries(this.ir.sm)) out[name] = this.get(st, off as number);
    return out;
  }

  private get(st: State, off: number): bigint {
    return st.get(off) ?? 0n;
  }

  private set(st: State, off: number, v: bigint): void {
    st.set(off, v);
  }

  // ------------------------------------------------------------------ blocks

  private control(body: readonly Stmt[], st: State, pkt: Uint8Array, payload: Uint8Array = new Uint8Array(0)): void {
    const cx: Ctx = { st, data: new Uint32Array(0), dataOffset: 0, pkt, cursor: 0, inParser: false, out: null, payload };
    this.stmts(body, cx);
  }

  private deparse(st: State): Uint8Array {
    const out = new BitWriter();
    const cx: Ctx = { st, data: new Uint32Array(0), dataOffset: 0, pkt: new Uint8Array(0), cursor: 0, inParser: false, out, payload: new Uint8Array(0) };
    this.stmts(this.ir.deparser.body, cx);
    return out.bytes();
  }

  /** The parser state machine; sets parser_error, parsed_bytes and packet_length. */
  private parse(st: State, pkt: Uint8Array): void {
    const sm = this.ir.sm;
    this.set(st, sm.packet_length, BigInt(pkt.length));
    const cx: Ctx = { st, data: new Uint32Array(0), dataOffset: 0, pkt, cursor: 0, inParser: true, out: null, payload: new Uint8Array(0) };
    const states = new Map(this.ir.parser.states.map((s) => [s.name, s]));
    let state = this.ir.parser.states[0];
    let err = 0;
    try {
      for (let steps = 1; ; steps++) {
        if (steps > MAX_PARSER_STEPS) throw new ParserStop(this.errorCode('ParserTimeout', 5));
        const f = this.stmts(state.body, cx);
        if (f !== null && f.k === 'exit') break;
        const next = this.transition(state.transition, cx);
        if (next === 'accept' || next === 'reject') break;
        const s = states.get(next);
        if (s === undefined) break;
        state = s;
      }
    } catch (e) {
      if (!(e instanceof ParserStop)) throw e;
      err = e.code;
    }

    this.set(st, sm.parser_error, BigInt(err));
    this.set(st, sm.parsed_bytes, BigInt(cx.cursor));
  }

  private transition(t: IrProgram['parser']['states'][number]['transition'], cx: Ctx): string {
    if (t.k === 'goto') return t.state;
    const keys = t.keys.map((k) => ({ v: this.eval(k, cx), ty: k.ty }));
    const pr = this.probe;
    if (pr !== null && pr.count++ === pr.depth) {
      const c = pr.choose(t.cases);
      const patch: KeyPatch[] = [];
      // A value set over several keys gives one value for all of them: split it (first key most significant).
      const vals: (bigint | null)[] = t.keys.map(() => null);
      c.keysets.forEach((ks, i) => {
        const n = ks.k === 'valueSet' ? Math.min(ks.keys ?? 1, t.keys.length - i) : 1;
        if (n <= 1) { if (vals[i] === null && t.keys[i] !== undefined) vals[i] = pr.valueFor(ks, t.keys[i].ty.width); return; }
        let rest = pr.valueFor(ks, t.keys.slice(i, i + n).reduce((a, k) => a + k.ty.width, 0));
        if (rest === null) return;
        for (let j = i + n - 1; j >= i; j--) {
          vals[j] = wrap(rest, t.keys[j].ty.width);
          rest >>= BigInt(t.keys[j].ty.width);
        }
      });
      c.keysets.forEach((_ks, i) => {
        const k = t.keys[i];
        if (k === undefined) return;
        const pos = this.posOf(k, cx, pr);
        const v = vals[i];
        if (pos !== null && v !== null && pos.width === k.ty.width) patch.push({ bit: pos.bit, width: pos.width, value: v });
      });
      pr.result = patch;
      throw new ProbeDone();
    }
    for (const c of t.cases) {
      if (c.keysets.every((ks, i) => (ks.k === 'valueSet' ? this.valueSetMatches(ks, keys, i) : this.keysetMatches(ks, keys[i]?.v ?? 0n, keys[i]?.ty)))) return c.state;
    }
    throw new ParserStop(this.errorCode('NoMatch', 2));
  }

  /** Where in the packet the value of a select key comes from, when it is a field, a slice of one, or a lookahead. */
  private posOf(e: Expr, cx: Ctx, pr: Probe): { bit: number; width: number } | null {
    switch (e.k) {
      case 'read': {
        if (e.loc.space !== 'phv') return null;
        const a = this.addr(e.loc, cx);
        const p = a === null ? undefined : pr.fieldPos.get(a);
        return p !== undefined && p.width === e.ty.width ? p : null;
      }
      case 'slice': {
        const p = this.posOf(e.a, cx, pr);
        return p === null ? null : { bit: p.bit + (p.width - 1 - e.hi), width: e.hi - e.lo + 1 };
      }
      case 'lookahead': return { bit: cx.cursor * 8 + e.skip, width: e.ty.width };
      default: return null;
    }
  }

  /**
   * Probe mode: parses `pkt` (fresh state, nothing else runs) and, at the `depth`-th select,
   * asks `choose` for a case and returns the bit patches that make the packet take it; null
   * when the parser ends before that select.
   */
  probeParse(port: number, pkt: Uint8Array, depth: number, choose: Probe['choose'], valueFor: Probe['valueFor'], fixVerify = false): KeyPatch[] | null {
    const pr: Probe = { fieldPos: new Map(), depth, count: 0, choose, valueFor, result: null, fixes: fixVerify ? [] : null };
    this.probe = pr;
    try {
      this.parse(this.fresh(BigInt(port), Instance.Normal), pkt);
    } catch (e) {
      if (!(e instanceof ProbeDone)) throw e;
    } finally {
      this.probe = null;
    }
    if (pr.fixes !== null && pr.fixes.length > 0) return [...pr.fixes, ...(pr.result ?? [])];
    return pr.result;
  }

  /**
   * Probe mode: parses `pkt` and runs verifyChecksum, returning, for every verify_checksum whose
   * checksum is a packet field, the patch that makes the checksum right (payload variants too).
   */
  probeChecksums(port: number, pkt: Uint8Array): KeyPatch[] {
    const pr: Probe = { fieldPos: new Map(), depth: -1, count: 0, choose: (c) => c[0], valueFor: () => null, result: [], fixes: null };
    this.probe = pr;
    try {
      const st = this.fresh(BigInt(port), Instance.Normal);
      this.parse(st, pkt);
      const payload = pkt.subarray(Math.min(Number(this.get(st, this.ir.sm.parsed_bytes)), pkt.length));
      this.control(this.ir.verifyChecksum.body, st, pkt, payload);
    } finally {
      this.probe = null;
    }
    return pr.result ?? [];
  }

  private keysetMatches(ks: Keyset, v: bigint, t: Ty | undefined): boolean {
    const w = t?.width ?? 32;
    switch (ks.k) {
      case 'default': return true;
      case 'value': return v === wrap(ks.value, w);
      case 'mask': return (v & ks.mask) === (wrap(ks.value, w) & ks.mask);
      case 'range': {
        const tt = t ?? { width: 32, signed: false, bool: false };
        const x = toInt(v, tt);
        return x >= toInt(wrap(ks.lo, w), tt) && x <= toInt(wrap(ks.hi, w), tt);
      }
      case 'valueSet': return this.valueSetMatches(ks, [{ v, ty: t ?? { width: 32, signed: false, bool: false } }], 0);
    }
  }

  /** A value set against keys i .. i + ks.keys - 1, concatenated (the first key most significant). */
  private valueSetMatches(ks: Extract<Keyset, { k: 'valueSet' }>, keys: readonly { v: bigint; ty: Ty }[], i: number): boolean {
    const vs = this.env.externs[ks.extern] as { hasValue(v: bigint): boolean } | null | undefined;
    if (vs === null || vs === undefined) return false;
    let v = 0n;
    for (let j = i; j < i + (ks.keys ?? 1) && j < keys.length; j++) v = (v << BigInt(keys[j].ty.width)) | wrap(keys[j].v, keys[j].ty.width);
    return vs.hasValue(v);
  }

  // ------------------------------------------------------------------ statements

  private stmts(list: readonly Stmt[], cx: Ctx): Flow {
    for (const s of list) {
      const f = this.stmt(s, cx);
      if (f !== null) return f;
    }
    return null;
  }

  private stmt(s: Stmt, cx: Ctx): Flow {
    switch (s.k) {
      case 'assign': this.store(s.dst, this.eval(s.src, cx), cx); return null;
      case 'if': return this.eval(s.c, cx) !== 0n ? this.stmts(s.then, cx) : this.stmts(s.else, cx);
      case 'block': {
        const f = this.stmts(s.body, cx);
        return f !== null && f.k === 'break' && f.label === s.label ? null : f;
      }
      case 'break': return { k: 'break', label: s.label };
      case 'continue': return { k: 'continue', label: s.label };
      case 'loop': {
        for (let i = 0; i < MAX_LOOP_ITERATIONS; i++) {
          if (this.eval(s.c, cx) === 0n) break;
          // The body sits in an implicit block labelled `<label>c`: lowering writes `continue` as
          // `break <label>c` (as code generation lays loops out); `continue <label>` means the same.
          const f = this.stmts(s.body, cx);
          if (f !== null) {
            if (f.k === 'break' && f.label === s.label) break;
            const isContinue = (f.k === 'continue' && f.label === s.label) || (f.k === 'break' && f.label === `${s.label}c`);
            if (!isContinue) return f;
          }
          const g = this.stmts(s.update, cx);
          if (g !== null) return g;
        }
        return null;
      }
      case 'exit': return { k: 'exit' };
      case 'switch': {
        const v = this.eval(s.e, cx);
        const c = s.cases.find((x) => x.values.some((y) => wrap(y, s.e.ty.width) === v)) ?? s.cases.find((x) => x.values.length === 0);
        return c === undefined ? null : this.stmts(c.body, cx);
      }
      case 'table': return this.applyTable(s, cx);
      case 'validity': {
        this.setValidity(s.header, s.valid ? 1n : 0n, cx);
        for (const h of s.siblings) this.setValidity(h, 0n, cx);
        return null;
      }
      case 'extract': this.extract(s.header, s.varbitBits, cx); return null;
      case 'advance': {
        const nb = this.eval(s.bits, cx);
        if (nb % 8n !== 0n) throw new ParserStop(this.errorCode('ParserInvalidArgument', 6));
        if (BigInt(cx.cursor) + nb / 8n > BigInt(cx.pkt.length)) throw new ParserStop(this.errorCode('PacketTooShort', 1));
        cx.cursor += Number(nb / 8n);
        return null;
      }
      case 'verify':
        if (this.eval(s.c, cx) === 0n) {
          // Probe mode: most of the time, make `field == constant` hold instead of failing.
          const pr = this.probe;
          if (pr !== null && pr.fixes !== null && s.c.k === 'bin' && s.c.op === '==') {
            const [f, c] = s.c.b.k === 'const' ? [s.c.a, s.c.b] : [s.c.b, s.c.a];
            const pos = c.k === 'const' ? this.posOf(f, cx, pr) : null;
            if (pos !== null && c.k === 'const' && pos.width === f.ty.width) {
              pr.fixes.push({ bit: pos.bit, width: pos.width, value: wrap(c.value, pos.width) });
              return null;
            }
          }
          throw new ParserStop(s.error);
        }
        return null;
      case 'emit': this.emit(s.header, cx); return null;
      case 'stackShift': this.stackShift(s, cx); return null;
      case 'extern':
        if (s.name === 'tee.call') return this.teeCall(s, cx);
        this.extern(s, cx);
        return null;
      case 'error': return null;
    }
  }

  // ------------------------------------------------------------------ storage

  /** The absolute word offset of a location, or null when its run-time stack index is out of range. */
  private addr(loc: Loc, cx: Ctx): number | null {
    if (loc.dyn === null) return loc.offset;
    const i = this.eval(loc.dyn.index, cx);
    if (i >= BigInt(loc.dyn.count)) return null;
    return loc.offset + Number(i) * loc.dyn.stride;
  }

  private load(loc: Loc, cx: Ctx): bigint {
    if (loc.space === 'data') return wrap(fromWords(cx.data, cx.dataOffset + loc.offset, wordsOf(loc.ty.width)), loc.ty.width);
    const a = this.addr(loc, cx);
    // Reading a stack element out of range is undefined in P4; like the runtime we read 0.
    return a === null ? 0n : wrap(this.get(cx.st, a), loc.ty.width);
  }

  private store(loc: Loc, v: bigint, cx: Ctx): void {
    if (loc.space === 'data') throw new Error('reference interpreter: store to action data');
    const a = this.addr(loc, cx);
    // Writing a stack element out of range is undefined in P4; ignored (as the runtime does).
    if (a !== null) this.set(cx.st, a, wrap(v, loc.ty.width));
  }

  /** The base offset shift of a header reference (element index * stride), or null when out of range. */
  private headerShift(h: HeaderRef, cx: Ctx): number | null {
    if (h.dyn === null) return 0;
    const i = this.eval(h.dyn.index, cx);
    return i >= BigInt(h.dyn.count) ? null : Number(i) * h.dyn.stride;
  }

  private setValidity(h: HeaderRef, v: bigint, cx: Ctx): void {
    const sh = this.headerShift(h, cx);
    if (sh !== null) this.set(cx.st, h.h.validOffset + sh, v);
  }

  // ------------------------------------------------------------------ expressions

  eval(e: Expr, cx: Ctx): bigint {
    const W = e.ty.width;
    switch (e.k) {
      case 'const': return e.ty.bool ? (e.value === 0n ? 0n : 1n) : wrap(e.value, W);
      case 'read': return this.load(e.loc, cx);
      case 'un': return unary(e.op, this.eval(e.a, cx), e.ty);
      case 'bin': {
        const a = this.eval(e.a, cx);
        if (e.op === '&&' && a === 0n) return 0n;
        if (e.op === '||' && a !== 0n) return 1n;
        return binary(e.op, a, this.eval(e.b, cx), e.ty, e.a.ty, e.b.ty);
      }
      case 'cast': return cast(this.eval(e.a, cx), e.a.ty, e.ty);
      case 'slice': return slice(this.eval(e.a, cx), e.hi, e.lo);
      case 'concat': return wrap(concat(this.eval(e.a, cx), this.eval(e.b, cx), e.b.ty.width), W);
      case 'cond': return this.eval(e.c, cx) !== 0n ? this.eval(e.a, cx) : this.eval(e.b, cx);
      case 'lookahead': {
        // Spec (packet_in.lookahead): not enough bits left is PacketTooShort.
        if (!cx.inParser) return 0n;
        if (cx.cursor * 8 + e.skip + W > cx.pkt.length * 8) throw new ParserStop(this.errorCode('PacketTooShort', 1));
        return bitsOf(cx.pkt, cx.cursor * 8 + e.skip, W);
      }
      case 'call':
        if (e.name === 'packetLength') return wrap(BigInt(cx.pkt.length), W);
        if (e.name === 'teeOut') return bitsOf(this.teeOutput, Number(e.args[0]?.k === 'const' ? e.args[0].value : 0n), W);
        return 0n;
    }
  }

  // ------------------------------------------------------------------ parser and deparser

  /** packet_in.extract (spec 12.8): checks, then the fields in order, big-endian; sets the header valid. */
  private extract(h: HeaderRef, varbitBits: Expr | null, cx: Ctx): void {
    let shift = 0;
    let nextIndex = -1;
    if (h.mode === 'next' && h.stack !== null) {
      const i = this.get(cx.st, h.stack.nextOffset);
      if (i >= BigInt(h.stack.count)) throw new ParserStop(this.errorCode('StackOutOfBounds', 3));
      shift = Number(i) * h.stack.stride;
      nextIndex = Number(i) + 1;
    } else if (h.dyn !== null) {
      const i = this.eval(h.dyn.index, cx);
      if (i >= BigInt(h.dyn.count)) throw new ParserStop(this.errorCode('StackOutOfBounds', 3));
      shift = Number(i) * h.dyn.stride;
    }
    const L = h.h;
    const vf = L.fields.find((f) => f.varbitLength !== null);
    let vb = 0;
    if (vf !== undefined) {
      const n = varbitBits === null ? 0n : this.eval(varbitBits, cx);
      if (n > BigInt(vf.ty.width)) throw new ParserStop(this.errorCode('HeaderTooShort', 4));
      if (n % 8n !== 0n) throw new ParserStop(this.errorCode('ParserInvalidArgument', 6));
      vb = Number(n);
    }
    const bits = L.fields.reduce((a, f) => a + (f.varbitLength === null ? f.ty.width : 0), 0) + vb;
    const bytes = Math.floor(bits / 8);
    if (cx.cursor + bytes > cx.pkt.length) throw new ParserStop(this.errorCode('PacketTooShort', 1));
    let bit = cx.cursor * 8;
    for (const f of L.fields) {
      const w = f.varbitLength !== null ? vb : f.ty.width;
      this.set(cx.st, f.offset + shift, bitsOf(cx.pkt, bit, w));
      if (this.probe !== null) this.probe.fieldPos.set(f.offset + shift, { bit, width: w });
      if (f.varbitLength !== null) this.set(cx.st, f.varbitLength + shift, BigInt(vb));
      bit += w;
    }
    this.set(cx.st, L.validOffset + shift, 1n);
    if (nextIndex >= 0 && h.stack !== null) this.set(cx.st, h.stack.nextOffset, BigInt(nextIndex));
    cx.cursor += bytes;
  }

  /** packet_out.emit: a valid header's fields, in order, big-endian (varbits at their current length). */
  private emit(h: HeaderRef, cx: Ctx): void {
    const out = cx.out;
    if (out === null) return;
    const sh = this.headerShift(h, cx);
    if (sh === null) return;
    const L: HeaderLayout = h.h;
    if (this.get(cx.st, L.validOffset + sh) === 0n) return;
    for (const f of L.fields) {
      const v = this.get(cx.st, f.offset + sh);
      if (f.varbitLength !== null) {
        const n = Number(this.get(cx.st, f.varbitLength + sh));
        out.put(wrap(v, n), n);
      } else {
        out.put(wrap(v, f.ty.width), f.ty.width);
      }
    }
  }

  /** push_front / pop_front (spec 8.18): shift elements, the vacated ones invalid; nextIndex adjusted. */
  private stackShift(s: Extract<Stmt, { k: 'stackShift' }>, cx: Ctx): void {
    const { first, count, stride, by, nextOffset } = s;
    if (by <= 0) return;
    const st = cx.st;
    const start = first.start;
    // Snapshot of each element's words (relative offset -> value).
    const elems: Map<number, bigint>[] = [];
    for (let i = 0; i < count; i++) {
      const m = new Map<number, bigint>();
      for (const [k, v] of st) if (k >= start + i * stride && k < start + (i + 1) * stride) m.set(k - start - i * stride, v);
      elems.push(m);
    }
    const place = (i: number, m: Map<number, bigint> | null): void => {
      for (const k of [...st.keys()]) if (k >= start + i * stride && k < start + (i + 1) * stride) st.delete(k);
      if (m !== null) for (const [k, v] of m) st.set(start + i * stride + k, v);
    };
    const next = this.get(st, nextOffset);
    for (let i = 0; i < count; i++) {
      const src = s.op === 'push_front' ? i - by : i + by;
      if (src >= 0 && src < count) place(i, elems[src]);
      else {
        // The element becomes invalid (its fields keep what was there: unspecified in P4).
        const m = new Map(elems[i]);
        m.set(first.validOffset - start, 0n);
        place(i, m);
      }
    }
    const n = s.op === 'push_front' ? next + BigInt(by) : next - BigInt(by);
    this.set(st, nextOffset, n < 0n ? 0n : n > BigInt(count) ? BigInt(count) : n);
  }

  // ------------------------------------------------------------------ tables

  private applyTable(s: Extract<Stmt, { k: 'table' }>, cx: Ctx): Flow {
    const t = this.env.tables[s.table];
    const info = t.info;
    let kw = 0;
    s.keys.forEach((k, i) => {
      const width = info.keys[i]?.width ?? k.ty.width;
      const n = wordsOf(width);
      toWords(wrap(this.eval(k, cx), width), t.key, kw, n);
      kw += n;
    });
    if (this.onTable !== null) this.onTable(s.table, s.keys.map((k, i) => wrap(this.eval(k, cx), info.keys[i]?.width ?? k.ty.width)));
    const sel = info.keys.map((k, i) => ({ k, i })).filter((x) => x.k.match === 5);
    if (sel.length > 0 && info.implementation !== null) {
      const x = this.env.info.externs.find((e) => e.name === info.implementation);
      const names = ['crc32', 'crc32_custom', 'crc16', 'crc16_custom', 'random', 'identity', 'csum16', 'xor16'];
      const algo = Math.max(0, names.indexOf(x?.algorithm ?? 'crc16'));
      const data = this.serialize(sel.map((y) => ({ e: s.keys[y.i] })), cx);
      t.selectorHash = this.env.hashers[algo].compute(data, data.length);
    }
    t.lookup();
    if (info.directCounter !== null) {
      const dc = this.env.info.externs.find((x) => x.name === info.directCounter);
      if (dc !== undefined && t.hit) (this.env.externs[dc.id] as CounterArray).count(t.entry, Number(this.get(cx.st, this.ir.sm.packet_length)));
    }
    if (s.hit !== null) this.store(s.hit, t.hit ? 1n : 0n, cx);
    if (s.run !== null) this.store(s.run, BigInt(t.actionId), cx);
    cx.data = t.data;
    cx.dataOffset = t.dataOffset;
    const a = s.actions.find((x) => x.actionId === t.actionId);
    return a === undefined ? null : this.stmts(a.body, cx);
  }

  // ------------------------------------------------------------------ externs

  /**
   * A field list as BMv2 serialises it for hash / checksum: fields in order, MSB first, back to
   * back; fields of invalid headers left out; a varbit at its current length; padded to a byte.
   */
  private serialize(items: readonly ListItem[], cx: Ctx): Uint8Array {
    const w = new BitWriter();
    for (const it of this.listValues(items, cx)) w.put(it.v, it.w);
    return w.bytes();
  }

  private listValues(items: readonly ListItem[], cx: Ctx): { v: bigint; w: number }[] {
    const out: { v: bigint; w: number }[] = [];
    for (const it of items) {
      if (!('e' in it)) continue;
      if (it.valid !== undefined && it.valid !== null && this.load(it.valid, cx) === 0n) continue;
      const e = it.e;
      let width = e.ty.width;
      if (e.k === 'read' && e.loc.space === 'phv') {
        // A varbit field counts with its current length.
        const a = this.addr(e.loc, cx);
        const base = e.loc.offset;
        const lenOff = this.varbitLen.get(base);
        if (lenOff !== undefined && a !== null) width = Number(this.get(cx.st, lenOff + (a - base)));
      }
      out.push({ v: wrap(this.eval(e, cx), width), w: width });
    }
    return out;
  }

  /** The output record of the last TeeFunction call (its fields are read by `teeOut` right after it). */
  private teeOutput = new Uint8Array(0);

  /**
   * TeeFunction.call: the input fields packed big-endian in order (BitWriter), one call of the
   * enclave function through the switch's own gate (env.externs: a TeeCallable), the output record
   * kept for the `teeOut` reads that follow. A failed call drops the packet and leaves the block.
   */
  private teeCall(s: Extract<Stmt, { k: 'extern' }>, cx: Ctx): Flow {
    const f = this.env.externs[s.extern] as TeeCallable | null | undefined;
    const w = new BitWriter();
    for (const a of s.args) w.put(wrap(this.eval(a, cx), a.ty.width), a.ty.width);
    const input = w.bytes();
    const sm = this.ir.sm;
    if (f === null || f === undefined) throw new Error(`TeeFunction extern ${s.extern} has no runtime object`);
    f.inBuf.set(input, 0);
    if (f.gate.call(f.fn, 0, 0, 1) !== 0) {
      for (const [off, v] of [[sm.egress_spec, DROP_PORT], [sm.mcast_grp, 0n], [sm.clone_list, 0n], [sm.resubmit, 0n], [sm.recirculate, 0n]] as const) this.set(cx.st, off, v);
      return { k: 'exit' };
    }
    this.teeOutput = f.outBuf.slice(0, f.tee.outputBytes);
    return null;
  }

  private extern(s: Extract<Stmt, { k: 'extern' }>, cx: Ctx): void {
    const sm = this.ir.sm;
    const x = s.extern >= 0 ? this.env.info.externs[s.extern] : null;
    const obj = s.extern >= 0 ? this.env.externs[s.extern] : null;
    const arg = (i: number): bigint => this.eval(s.args[i], cx);
    const out = (v: bigint): void => { if (s.out !== null) this.store(s.out, wrap(v, s.out.ty.width), cx); };
    const pktLen = (): number => Number(this.get(cx.st, sm.packet_length));
    switch (s.name) {
      case 'counter.count': {
        const i = arg(0);
        if (i < BigInt(x?.size ?? 0)) (obj as CounterArray).count(Number(i), pktLen());
        return;
      }
      case 'meter.execute': {
        const i = arg(0);
        const amount = x?.type === 'bytes' ? pktLen() : 1;
        out(i < BigInt(x?.size ?? 0) ? BigInt((obj as MeterArray).execute(Number(i), amount, 0)) : 0n);
        return;
      }
      case 'direct_meter.read': {
        const t = this.ir.directMeterTable.get(s.extern);
        const amount = x?.type === 'bytes' ? pktLen() : 1;
        if (t === undefined) { out(0n); return; }
        const entry = this.env.tables[t].entry;
        out(entry >= 0 ? BigInt((obj as MeterArray).execute(entry, amount, 0)) : 0n);
        return;
      }
      case 'register.read': {
        const i = arg(0);
        const r = obj as RegisterArray;
        // Out of range: BMv2 leaves the destination unchanged.
        if (i < BigInt(r.size)) out(r.read(Number(i)));
        return;
      }
      case 'register.write': {
        const i = arg(0);
        const r = obj as RegisterArray;
        if (i < BigInt(r.size)) r.write(Number(i), wrap(arg(1), r.width));
        return;
      }
      case 'random': {
        const lo = arg(0);
        const hi = arg(1);
        out(this.env.rng.randomInRangeBig(lo, hi));
        return;
      }
      case 'hash': {
        const algo = Number(arg(0));
        const base = arg(1);
        const max = arg(2);
        const data = this.serialize(s.list ?? [], cx);
        const h = this.env.hashers[algo];
        if (h === undefined) { out(base); return; }
        out(max >= 1n ? base + h.computeBig(data, data.length) % max : base);
        return;
      }
      case 'verify_checksum': case 'verify_checksum_with_payload': {
        if (arg(0) === 0n) return;
        const v = this.checksum(Number(arg(1)), s.list ?? [], s.name.endsWith('payload'), cx);
        const pr = this.probe;
        if (pr !== null && pr.result !== null) {
          const pos = this.posOf(s.args[2], cx, pr);
          if (pos !== null) pr.result.push({ bit: pos.bit, width: pos.width, value: wrap(v, pos.width) });
        }
        if (v !== arg(2)) this.set(cx.st, sm.checksum_error, 1n);
        return;
      }
      case 'update_checksum': case 'update_checksum_with_payload': {
        if (arg(0) === 0n) return;
        out(this.checksum(Number(arg(1)), s.list ?? [], s.name.endsWith('payload'), cx));
        return;
      }
      case 'checksum16.get':
        // Checksum16.get(data): csum16 (hash algorithm 6) of the serialised data.
        out(this.checksum(6, s.list ?? [], false, cx));
        return;
      case 'assert': case 'assume':
        if (arg(0) === 0n) this.assertionFailures++;
        return;
      case 'log_msg':
        return;
      case 'digest': {
        const id = Number(arg(0));
        const d = this.ir.digests[id];
        this.digests.push({ receiver: Number(arg(1)), name: d?.name ?? '', values: this.listValues(s.list ?? [], cx).map((y) => y.v) });
        return;
      }
      default:
        this.unsupported.push(s.name);
    }
  }

  private checksum(algo: number, items: readonly ListItem[], withPayload: boolean, cx: Ctx): bigint {
    const fields = this.serialize(items, cx);
    const data = withPayload ? new Uint8Array(fields.length + cx.payload.length) : fields;
    if (withPayload) { data.set(fields, 0); data.set(cx.payload, fields.length); }
    const h = this.env.hashers[algo];
    return h === undefined ? 0n : h.computeBig(data, data.length);
  }
}

/** Values of a RefResult's standard_metadata that matter to the v1model user (for printing). */
export function describeSm(sm: Readonly<Record<string, bigint>>): string {
  return Object.entries(sm).map(([k, v]) => `${k}=${v}`).join(' ');
}

export { maskOf };
