// The v1model architecture as BMv2 simple_switch runs it: parser -> verifyChecksum -> ingress ->
// traffic manager (clone I2E, resubmit, multicast through the PRE, drop port 511, unicast) ->
// egress -> clone E2E -> computeChecksum -> deparser -> recirculate or output. Packets are slots
// of a PacketPool; each slot owns a preallocated slice of the per-packet state. Generated block
// functions (codegen/emit.ts) do the per-packet work; this file only moves packets between them.
import type { ProgramInfo, TableRuntime } from '../abi.js';
import { wordsFor } from '../abi.js';
import type { DigestInfo, FieldList, StandardSlots } from '../../compiler/ir/ir.js';
import { PacketPool } from '../core/packet-pool.js';
import { Hasher, finishBits, hashAlgorithmNames, writeBits, writeWideBits } from '../externs/hash.js';
import { Random } from '../externs/random.js';
import { DigestQueue } from '../externs/digest.js';
import { formatLogMessage } from '../externs/log.js';
import type { MulticastEngine } from './pre.js';
import type { MirrorSessions } from './mirroring.js';
import type { TeeFunctionRuntime, TeeTransition } from '../externs/tee-call.js';

/** BMv2's standard_metadata.instance_type values. */
export const InstanceType = { Normal: 0, IngressClone: 1, EgressClone: 2, Coalesced: 3, Recirc: 4, Replication: 5, Resubmit: 6 } as const;

export const DROP_PORT = 511;

/** The block functions generated code returns. */
export interface Blocks {
  parse(s: Uint32Array, b: number, p: Uint8Array, start: number, len: number): number;
  verifyChecksum(s: Uint32Array, b: number): void;
  ingress(s: Uint32Array, b: number): void;
  egress(s: Uint32Array, b: number): void;
  computeChecksum(s: Uint32Array, b: number): void;
  /**
   * Writes the emitted headers to out[at...], returns their length. p / pstart: the packet's
   * buffer and first byte as parse() saw them (headers the program never changes may be copied
   * from there, or, when out is p and deparseLen() said yes, left where they are).
   */
  deparse(s: Uint32Array, b: number, out: Uint8Array, at: number, p: Uint8Array, pstart: number): number;
  /** False when no checksum reads the payload (the architecture then need not say where it is). */
  readonly usesPayload?: boolean;
  /** Bytes deparse() will write for this state, or -1 when only running it tells (then it writes to scratch first). */
  deparseLen?(s: Uint32Array, b: number): number;
  /**
   * The direct batch path's two loops fused for the program (codegen/emit.ts, batch()): ingress of
   * pkts[from, to) up to the traffic manager's unicast decision, and egress to sending of pending
   * packets [from, to); each returns `to`, or the index of the packet that needs the general path.
   */
  batchIngress?(io: BatchIo, pkts: Int32Array, from: number, to: number): number;
  batchEgress?(io: BatchIo, from: number, to: number): number;
  /** The batch transition's split of ingress/egress at TeeFunction calls (codegen/emit.ts teeSplit()); null without calls. */
  readonly tee?: TeeBlocks | null;
}

/**
 * Ingress and egress cut at their TeeFunction call sites. A start or continuation function runs a
 * packet until the end of the block (returns 0) or until call site k (returns k + 1; the packet's
 * input is then written by pack[k]); cont[k] resumes after site k with the output record at r.
 */
export interface TeeBlocks {
  readonly sites: readonly { readonly extern: number; readonly block: 'ingress' | 'egress' }[];
  readonly ingressStart: ((s: Uint32Array, b: number) => number) | null;
  readonly egressStart: ((s: Uint32Array, b: number) => number) | null;
  readonly cont: readonly ((s: Uint32Array, b: number, r: number) => number)[];
  readonly pack: readonly ((s: Uint32Array, b: number, off: number) => void)[];
}

/** What the architecture needs to know about the compiled program besides ProgramInfo. */
export interface ArchProgram {
  readonly info: ProgramInfo;
  readonly sm: StandardSlots;
  readonly fieldLists: readonly FieldList[];
  readonly digests: readonly DigestInfo[];
  readonly strings: readonly string[];
}

/**
 * The environment generated code calls as `E`: field-list serialisation for hash/checksum/digest,
 * randomness, digests, assertions, log_msg and tracing. One per switch; no allocation on the hot path.
 */
export class ArchEnv {
  nowNs = 0;
  readonly buf = new Uint8Array(65536 + 4096);
  bit = 0;
  /** Field values of the current list (narrow values; wide ones as consecutive words) and widths. */
  readonly vals = new Float64Array(1024);
  readonly widths = new Int32Array(1024);
  nvals = 0;
  /** Payload of the current packet for the *_with_payload checksums. */
  pay: Uint8Array = new Uint8Array(0);
  payStart = 0;
  payEnd = 0;
  readonly hashers: Hasher[];
  readonly rng: Random;
  readonly digests = new DigestQueue();
  readonly program: ArchProgram;
  traceFn: ((line: string) => void) | null = null;
  assertions = 0;

  constructor(program: ArchProgram, seed: number) {
    this.program = program;
    this.rng = new Random(seed);
    this.hashers = hashAlgorithmNames.map((_, i) => new Hasher(i, this.rng));
  }

  fl0(): void {
    this.bit = 0;
    this.nvals = 0;
  }

  fl(v: number, w: number): void {
    this.bit = writeBits(this.buf, this.bit, v, w);
    if (this.nvals < 1024) {
      this.vals[this.nvals] = v;
      this.widths[this.nvals++] = w;
    }
  }

  flw(s: Uint32Array, off: number, w: number): void {
    if (w <= 0) return; // an empty varbit contributes nothing
    this.bit = writeWideBits(this.buf, this.bit, s, off, w);
    const n = wordsFor(w);
    for (let j = 0; j < n && this.nvals < 1024; j++) {
      this.vals[this.nvals] = s[off + j];
      this.widths[this.nvals++] = j === 0 ? -w : 0;
    }
  }

  /** v1model hash(): base + H % max (max 0: base); the caller masks to the result width. */
  hash(algo: number, base: number, max: number): number {
    const len = finishBits(this.buf, this.bit);
    const h = this.hashers[algo];
    return h === undefined ? base : h.withBase(this.buf, len, base, max);
  }

  /** H itself (selector member choice). */
  hashRaw(algo: number): number {
    const len = finishBits(this.buf, this.bit);
    const h = this.hashers[algo];
    return h === undefined ? 0 : h.compute(this.buf, len);
  }

  /** Checksum of the current list (and the payload when asked). */
  csum(algo: number, withPayload: boolean): number {
    let len = finishBits(this.buf, this.bit);
    if (withPayload) {
      const n = Math.min(this.payEnd - this.payStart, this.buf.length - len);
      for (let i = 0; i < n; i++) this.buf[len + i] = this.pay[this.payStart + i];
      len += n;
    }
    const h = this.hashers[algo];
    return h === undefined ? 0 : h.compute(this.buf, len);
  }

  random(lo: number, hi: number): number {
    return this.rng.randomInRange(lo, hi);
  }

  /** Values of the current list as bigints (digests and log_msg; off the hot path). */
  listValues(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < this.nvals; i++) {
      const w = this.widths[i];
      if (w >= 0) { out.push(BigInt(this.vals[i])); continue; }
      const n = wordsFor(-w);
      let v = 0n;
      for (let j = n - 1; j >= 0; j--) v = (v << 32n) | BigInt(this.vals[i + j]);
      out.push(v);
      i += n - 1;
    }
    return out;
  }

  digest(id: number, receiver: number): void {
    const d = this.program.digests[id];
    this.digests.push(receiver, this.listValues(), d?.name ?? '');
    if (this.traceFn !== null) this.traceFn(`digest ${d?.name ?? id} receiver ${receiver}: ${this.listValues().join(', ')}`);
  }

  assertFail(where: string): void {
    this.assertions++;
    if (this.traceFn !== null) this.traceFn(`assertion failed at ${where}`);
  }

  log(id: number): void {
    if (this.traceFn !== null) this.traceFn(`log_msg: ${formatLogMessage(this.program.strings[id] ?? '', this.listValues())}`);
  }

  /** Calls to externs the runtime does not implement: counted (and traced), otherwise no-ops. */
  unsupportedCalls = 0;
  unsupported(name: string): void {
    this.unsupportedCalls++;
    if (this.traceFn !== null) this.traceFn(`extern ${name} is not implemented: ignored`);
  }

  trace(msg: string): void {
    if (this.traceFn !== null) this.traceFn(msg);
  }

  traceTable(t: TableRuntime): void {
    if (this.traceFn === null) return;
    const info = t.info;
    let kw = 0;
    const keys: string[] = [];
    for (const k of info.keys) {
      const n = wordsFor(k.width);
      let v = 0n;
      for (let j = n - 1; j >= 0; j--) v = (v << 32n) | BigInt(t.key[kw + j]);
      keys.push(`${k.name}=0x${v.toString(16)}`);
      kw += n;
    }
    const action = this.program.info.actions[t.actionId]?.name ?? String(t.actionId);
    this.traceFn(`table ${info.name}: key {${keys.join(', ')}} ${t.hit ? `hit entry ${t.entry}` : 'miss'} -> action ${action}`);
  }
}

/** A queue of packet slot indices (FIFO ring, no allocation). */
class Fifo {
  readonly q: Int32Array;
  head = 0;
  tail = 0;
  /** Capacity - 1; the capacity is a power of two so that an index wraps with a mask. */
  readonly mask: number;
  readonly capacity: number;
  constructor(n: number) {
    let c = 1;
    while (c < n) c *= 2;
    this.q = new Int32Array(c);
    this.mask = c - 1;
    this.capacity = n;
  }
  get size(): number { return this.tail - this.head; }
  push(x: number): boolean {
    if (this.tail - this.head >= this.capacity) return false;
    this.q[this.tail++ & this.mask] = x;
    return true;
  }
  shift(): number {
    if (this.head === this.tail) return -1;
    return this.q[this.head++ & this.mask];
  }
}

export interface V1ModelOptions {
  readonly poolSlots?: number;
  /**
   * A pool built by the caller (e.g. over a zero-copy shm domain, src/runtime/io/shm-zc.ts) used
   * instead of a fresh one; poolSlots is then ignored. Its headroom bounds what the deparser may prepend.
   */
  readonly pool?: PacketPool;
  readonly seed?: number;
  /**
   * TeeFunction calls: how they cross (the gate implements sync and switchless; `batch` makes the
   * direct batch path cross once per batch and call site) and the runtime object of each instance.
   */
  readonly tee?: { readonly transition: TeeTransition; readonly functions: ReadonlyMap<number, TeeFunctionRuntime> };
}

/** Most packets handled by one pass of the direct batch path (the size of the batch state area). */
export const BATCH_MAX = 64;

/**
 * What the fused batch functions of generated code (Blocks.batchIngress / batchEgress) read and
 * write: the state and its batch area, the pool's arrays, the packets waiting for egress (slot and
 * state base; `pending` of them), the sent queue, a deparse scratch buffer, and the packets they
 * dropped for lack of room (`drops`, added to V1Model.overflowDrops).
 */
export class BatchIo {
  readonly state: Uint32Array;
  readonly phv: number;
  readonly base: number;
  readonly pool: PacketPool;
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly start: Int32Array;
  readonly length: Int32Array;
  readonly port: Int32Array;
  readonly slotSize: number;
  readonly loops: Int32Array;
  readonly pendSlot = new Int32Array(BATCH_MAX);
  readonly pendBase = new Int32Array(BATCH_MAX);
  pending = 0;
  readonly sent: Fifo;
  readonly scratch = new Uint8Array(8192);
  drops = 0;
  constructor(state: Uint32Array, phv: number, base: number, pool: PacketPool, loops: Int32Array, sent: Fifo) {
    this.state = state;
    this.phv = phv;
    this.base = base;
    this.pool = pool;
    this.buf = pool.buf;
    this.view = new DataView(pool.buf.buffer, pool.buf.byteOffset, pool.buf.byteLength);
    this.start = pool.start;
    this.length = pool.length;
    this.port = pool.port;
    this.slotSize = pool.slotSize;
    this.loops = loops;
    this.sent = sent;
  }
}

/**
 * The batch transition's working set: the split blocks, per call site its TeeFunction runtime and
 * its own input/output regions in the gate's buffers (BATCH_MAX records each, so a packet can stop
 * at a later site while an earlier site's records are still in use), and per batch position the
 * site a packet stopped at (rp: site + 1, 0 = none) and its state base.
 */
class TeeBatch {
  readonly blocks: TeeBlocks;
  readonly fns: TeeFunctionRuntime[];
  readonly inBase: Int32Array;
  readonly outBase: Int32Array;
  readonly rp = new Int32Array(BATCH_MAX);
  readonly bases = new Int32Array(BATCH_MAX);
  readonly order = new Int32Array(BATCH_MAX);
  constructor(blocks: TeeBlocks, functions: ReadonlyMap<number, TeeFunctionRuntime>) {
    this.blocks = blocks;
    this.fns = blocks.sites.map((site) => {
      const f = functions.get(site.extern);
      if (f === undefined) throw new Error(`TeeFunction extern ${site.extern} has no runtime object`);
      return f;
    });
    this.inBase = new Int32Array(blocks.sites.length);
    this.outBase = new Int32Array(blocks.sites.length);
    let ib = 0;
    let ob = 0;
    this.fns.forEach((f, k) => {
      this.inBase[k] = ib;
      this.outBase[k] = ob;
      ib += BATCH_MAX * f.tee.inputBytes;
      ob += BATCH_MAX * f.tee.outputBytes;
    });
    const g = this.fns[0]?.gate;
    if (g !== undefined && (g.inBuf.length < ib || g.outBuf.length < ob)) {
      throw new Error(`the TEE gate's staging buffers (${g.inBuf.length} / ${g.outBuf.length} bytes) are too small for a batch of ${BATCH_MAX} at every call site (${ib} / ${ob} bytes)`);
    }
  }
}

/** The pipeline of one switch. */
export class V1Model {
  readonly program: ArchProgram;
  readonly pool: PacketPool;
  readonly phv: number;
  /**
   * Per-packet state: slot p's state at p * phv (packets that wait in a queue), then the batch
   * area at batchBase: the state of the i-th packet of a direct batch at batchBase + i * phv.
   */
  readonly state: Uint32Array;
  readonly batchBase: number;
  readonly env: ArchEnv;
  blocks: Blocks;
  readonly pre: MulticastEngine;
  readonly mirroring: MirrorSessions;
  /** Packets waiting for ingress / for egress. */
  private readonly ingressQ: Fifo;
  private readonly egressQ: Fifo;
  /** Packets sent: slot indices (pool.port holds the port) in the order sent. */
  readonly sent: Fifo;
  private readonly deparseBuf = new Uint8Array(8192);
  private readonly copyPorts: Int32Array;
  private readonly copyRids: Int32Array;
  private readonly sm: StandardSlots;
  /** Packets of the current direct batch that passed ingress and wait for egress: slot and state base (the io's arrays). */
  private readonly pendSlot: Int32Array;
  private readonly pendBase: Int32Array;
  /** What the fused batch functions of the generated code work on. */
  private readonly io: BatchIo;
  /** Packets dropped for lack of pool slots or queue room. */
  overflowDrops = 0;
  /** Resubmits and recirculations per packet chain are bounded so a looping program terminates. */
  private readonly loops: Int32Array;
  /** Batch transition with TeeFunction calls: the split blocks, each site's runtime object and staging offsets. */
  private readonly tee: TeeBatch | null;

  constructor(program: ArchProgram, blocks: Blocks, pre: MulticastEngine, mirroring: MirrorSessions, env: ArchEnv, options: V1ModelOptions = {}) {
    this.program = program;
    this.blocks = blocks;
    this.pre = pre;
    this.mirroring = mirroring;
    this.env = env;
    this.pool = options.pool ?? new PacketPool(options.poolSlots ?? 1024, 16384 + 64, 512);
    const slots = this.pool.slots;
    this.phv = Math.max(1, program.info.phvWords);
    this.batchBase = slots * this.phv;
    this.state = new Uint32Array((slots + BATCH_MAX) * this.phv);
    this.ingressQ = new Fifo(slots);
    this.egressQ = new Fifo(slots);
    this.sent = new Fifo(slots);
    this.copyPorts = new Int32Array(4096);
    this.copyRids = new Int32Array(4096);
    this.loops = new Int32Array(slots);
    this.sm = program.sm;
    this.io = new BatchIo(this.state, this.phv, this.batchBase, this.pool, this.loops, this.sent);
    this.pendSlot = this.io.pendSlot;
    this.pendBase = this.io.pendBase;
    this.tee = null;
    const tb = blocks.tee ?? null;
    if (options.tee !== undefined && options.tee.transition === 'batch' && tb !== null && tb.sites.length > 0) {
      this.tee = new TeeBatch(tb, options.tee.functions);
    }
  }

  /** Queues a new packet from `port`; false when the pool is full or the packet too large. */
  inject(port: number, bytes: Uint8Array): boolean {
    const p = this.pool.alloc();
    if (p < 0) { this.overflowDrops++; return false; }
    if (!this.pool.write(p, bytes)) { this.pool.free(p); this.overflowDrops++; return false; }
    this.pool.port[p] = port;
    this.startIngress(p, port, InstanceType.Normal);
    this.loops[p] = 0;
    this.ingressQ.push(p);
    return true;
  }

  /**
   * Batch entry point: slot indices already in the pool (bytes, start, length, port set). When no
   * packet waits in a queue, the batch takes the direct path (batchDirect); what it cannot finish
   * there, and every batch that arrives behind queued work, goes to the queues for run().
   * The packets sent appear in `sent` in the same order as with queues only.
   */
  injectBatch(pkts: Int32Array, n: number): void {
    for (let i = 0; i < n; i += BATCH_MAX) {
      const to = Math.min(n, i + BATCH_MAX);
      if (this.ingressQ.size === 0 && this.egressQ.size === 0) {
        if (this.tee !== null) this.batchTee(this.tee, pkts, i, to);
        else this.batchDirect(pkts, i, to);
        continue;
      }
      for (let j = i; j < to; j++) this.queueIngress(pkts[j]);
    }
  }

  private queueIngress(p: number): void {
    this.startIngress(p, this.pool.port[p], InstanceType.Normal);
    this.loops[p] = 0;
    if (!this.ingressQ.push(p)) { this.pool.free(p); this.overflowDrops++; }
  }

  /**
   * The direct path for pkts[from, to): the states live in the batch area (zeroed by one fill for
   * the whole batch), every packet runs ingress, then every unicast packet runs egress and is
   * deparsed in place, in order: the same order of events as the queues give (all ingress first),
   * without queueing. At the first packet the traffic manager must clone, resubmit or multicast,
   * the batch falls back to the queues: the packets waiting for egress and that packet move to
   * their slots' state and the queues in the order the queues would have had them, the rest of
   * the batch is queued for ingress.
   */
  private batchDirect(pkts: Int32Array, from: number, to: number): void {
    const s = this.state;
    const phv = this.phv;
    const sm = this.sm;
    const pool = this.pool;
    const base = this.batchBase;
    const blocks = this.blocks;
    s.fill(0, base, base + (to - from) * phv);
    let k = 0;
    let stop = to;
    if (blocks.batchIngress !== undefined) {
      stop = blocks.batchIngress(this.io, pkts, from, to);
      k = this.io.pending;
    } else {
      for (let i = from; i < to; i++) {
        const p = pkts[i];
        const b = base + (i - from) * phv;
        s[b + sm.ingress_port] = pool.port[p];
        this.loops[p] = 0;
        this.runIngress(p, b);
        if (s[b + sm.clone_list] !== 0 || s[b + sm.resubmit] !== 0 || s[b + sm.mcast_grp] !== 0) {
          stop = i;
          break;
        }
        const spec = s[b + sm.egress_spec];
        if (spec === DROP_PORT) {
          pool.free(p);
          continue;
        }
        s[b + sm.egress_port] = spec;
        this.pendSlot[k] = p;
        this.pendBase[k++] = b;
      }
    }
    if (stop < to) {
      // Packet `stop` went through ingress and needs the traffic manager's general path.
      for (let j = 0; j < k; j++) {
        const q = this.pendSlot[j];
        s.copyWithin(q * phv, this.pendBase[j], this.pendBase[j] + phv);
        if (!this.egressQ.push(q)) { pool.free(q); this.overflowDrops++; }
      }
      for (let j = stop + 1; j < to; j++) this.queueIngress(pkts[j]);
      const p = pkts[stop];
      const b = base + (stop - from) * phv;
      s.copyWithin(p * phv, b, b + phv);
      this.trafficManager(p, p * phv);
      return;
    }
    if (blocks.batchEgress === undefined) {
      for (let j = 0; j < k; j++) this.egress(this.pendSlot[j], this.pendBase[j]);
      return;
    }
    // The fused egress stops at a packet that must E2E-clone, drop or recirculate, after its egress block.
    let j = 0;
    while (j < k) {
      j = blocks.batchEgress(this.io, j, k);
      if (j < k) { this.finishEgress(this.pendSlot[j], this.pendBase[j]); j++; }
    }
    if (this.io.drops !== 0) { this.overflowDrops += this.io.drops; this.io.drops = 0; }
  }

  /**
   * The direct path with the batch transition: like batchDirect (same order of events as the
   * queues), but ingress and egress run in pieces between their TeeFunction call sites: every
   * packet runs until it finishes the block or stops at a site; then, site by site in program
   * order, the inputs of all packets stopped there are packed one after another, the gate is
   * crossed ONCE for all of them, and each packet resumes with its output record (and may stop at
   * a later site). A failed crossing drops every packet it carried (fail closed, as sync does).
   * Packets the traffic manager must clone, resubmit or multicast continue on the queue path
   * after ingress (they ran it already).
   */
  private batchTee(t: TeeBatch, pkts: Int32Array, from: number, to: number): void {
    const s = this.state;
    const phv = this.phv;
    const sm = this.sm;
    const pool = this.pool;
    const base = this.batchBase;
    const blocks = this.blocks;
    const n = to - from;
    const rp = t.rp;
    s.fill(0, base, base + n * phv);
    for (let i = 0; i < n; i++) {
      const p = pkts[from + i];
      const b = base + i * phv;
      s[b + sm.ingress_port] = pool.port[p];
      s[b + sm.instance_type] = InstanceType.Normal;
      this.loops[p] = 0;
      this.parse(p, b);
      if (blocks.usesPayload !== false) this.setPayload(p, b);
      blocks.verifyChecksum(s, b);
      t.bases[i] = b;
      rp[i] = t.blocks.ingressStart !== null ? t.blocks.ingressStart(s, b) : (blocks.ingress(s, b), 0);
    }
    this.crossSites(t, 'ingress', n);
    // The traffic manager, in order; the first packet that needs the general path sends itself and
    // every later packet (ingress done) through it, after the unicast ones before it.
    let k = 0;
    for (let i = 0; i < n; i++) {
      const p = pkts[from + i];
      const b = base + i * phv;
      if (s[b + sm.clone_list] !== 0 || s[b + sm.resubmit] !== 0 || s[b + sm.mcast_grp] !== 0) {
        for (let j = 0; j < k; j++) {
          const q = this.pendSlot[j];
          s.copyWithin(q * phv, this.pendBase[j], this.pendBase[j] + phv);
          if (!this.egressQ.push(q)) { pool.free(q); this.overflowDrops++; }
        }
        for (let j = i; j < n; j++) {
          const q = pkts[from + j];
          const qb = base + j * phv;
          s.copyWithin(q * phv, qb, qb + phv);
          this.trafficManager(q, q * phv);
        }
        return;
      }
      const spec = s[b + sm.egress_spec];
      if (spec === DROP_PORT) { pool.free(p); continue; }
      s[b + sm.egress_port] = spec;
      this.pendSlot[k] = p;
      this.pendBase[k++] = b;
    }
    for (let j = 0; j < k; j++) {
      const b = this.pendBase[j];
      s[b + sm.egress_spec] = 0;
      s[b + sm.clone_list] = 0;
      s[b + sm.recirculate] = 0;
      t.bases[j] = b;
      rp[j] = t.blocks.egressStart !== null ? t.blocks.egressStart(s, b) : (blocks.egress(s, b), 0);
    }
    this.crossSites(t, 'egress', k);
    for (let j = 0; j < k; j++) this.finishEgress(this.pendSlot[j], this.pendBase[j]);
  }

  /** For each call site of `block` in order: pack the stopped packets' inputs, cross once, resume them. */
  private crossSites(t: TeeBatch, block: 'ingress' | 'egress', n: number): void {
    const s = this.state;
    const sm = this.sm;
    const rp = t.rp;
    const sites = t.blocks.sites;
    for (let k = 0; k < sites.length; k++) {
      if (sites[k].block !== block) continue;
      const f = t.fns[k];
      const inB = f.tee.inputBytes;
      const outB = f.tee.outputBytes;
      const inBase = t.inBase[k];
      const outBase = t.outBase[k];
      const pack = t.blocks.pack[k];
      let c = 0;
      for (let i = 0; i < n; i++) {
        if (rp[i] !== k + 1) continue;
        pack(s, t.bases[i], inBase + c * inB);
        t.order[c++] = i;
      }
      if (c === 0) continue;
      f.calls += c;
      const rc = f.gate.call(f.fn, inBase, outBase, c);
      if (this.env.traceFn !== null) this.env.traceFn(`TeeFunction ${f.info.name}: one crossing for ${c} packet${c === 1 ? '' : 's'}${rc !== 0 ? ' failed: dropped (fail closed)' : ''}`);
      const cont = t.blocks.cont[k];
      for (let q = 0; q < c; q++) {
        const i = t.order[q];
        const b = t.bases[i];
        if (rc !== 0) {
          s[b + sm.egress_spec] = DROP_PORT; s[b + sm.mcast_grp] = 0; s[b + sm.clone_list] = 0; s[b + sm.resubmit] = 0; s[b + sm.recirculate] = 0;
          f.failDrops++;
          rp[i] = 0;
          continue;
        }
        rp[i] = cont(s, b, outBase + q * outB);
      }
    }
  }

  private startIngress(p: number, port: number, instance: number): void {
    const s = this.state;
    const b = p * this.phv;
    s.fill(0, b, b + this.phv);
    s[b + this.sm.ingress_port] = port;
    s[b + this.sm.instance_type] = instance;
  }

  /** Processes every queued packet to completion (clones, resubmits, recirculations, copies). */
  run(): void {
    for (;;) {
      let p = this.ingressQ.shift();
      if (p >= 0) { this.ingress(p); continue; }
      p = this.egressQ.shift();
      if (p >= 0) { this.egress(p, p * this.phv); continue; }
      break;
    }
  }

  /** Runs the parser (and nothing else) on packet p with its state at b. */
  private parse(p: number, b: number): void {
    const s = this.state;
    const pool = this.pool;
    const start = pool.start[p];
    const len = pool.length[p];
    s[b + this.sm.packet_length] = len;
    this.blocks.parse(s, b, pool.buf, start, len);
  }

  /** Payload bounds of packet p (state at b) for the *_with_payload checksums. */
  private setPayload(p: number, b: number): void {
    const env = this.env;
    const pool = this.pool;
    env.pay = pool.buf;
    env.payStart = pool.start[p] + this.state[b + this.sm.parsed_bytes];
    env.payEnd = pool.start[p] + pool.length[p];
  }

  /** Parser, checksum verification and the ingress control of packet p, state at b. */
  private runIngress(p: number, b: number): void {
    const s = this.state;
    const blocks = this.blocks;
    this.parse(p, b);
    if (blocks.usesPayload !== false) this.setPayload(p, b);
    blocks.verifyChecksum(s, b);
    blocks.ingress(s, b);
  }

  private ingress(p: number): void {
    const b = p * this.phv;
    this.runIngress(p, b);
    this.trafficManager(p, b);
  }

  /** After ingress, in BMv2's order: clone, (digest already queued), resubmit, multicast, drop, unicast. */
  private trafficManager(p: number, b: number): void {
    const s = this.state;
    const sm = this.sm;
    if (s[b + sm.clone_list] !== 0) this.cloneIngress(p, b);
    if (s[b + sm.resubmit] !== 0) {
      if (++this.loops[p] > 16) { this.pool.free(p); return; }
      const keep = s[b + sm.resubmit];
      this.restart(p, b, keep, s[b + sm.ingress_port], InstanceType.Resubmit);
      this.ingressQ.push(p);
      return;
    }
    const grp = s[b + sm.mcast_grp];
    if (grp !== 0) {
      this.multicast(p, b, grp, InstanceType.Replication);
      return;
    }
    const spec = s[b + sm.egress_spec];
    if (spec === DROP_PORT) {
      this.pool.free(p);
      return;
    }
    s[b + sm.egress_port] = spec;
    if (!this.egressQ.push(p)) { this.pool.free(p); this.overflowDrops++; }
  }

  /**
   * Zeroes p's slot state except the field list `keep` (resubmit/recirculate encoding), read from
   * the state at b, then starts ingress.
   */
  private restart(p: number, b: number, keep: number, port: number, instance: number): void {
    const list = keep >= 1 && keep <= 256 ? this.program.fieldLists.find((l) => l.index === keep - 1) : undefined;
    const saved = this.saveList(b, list);
    this.startIngress(p, port, instance);
    this.restoreList(p * this.phv, list, saved);
  }

  private readonly saveBuf = new Uint32Array(4096);

  private saveList(b: number, list: FieldList | undefined): number {
    let n = 0;
    if (list === undefined) return 0;
    for (const f of list.fields) for (let j = 0; j < f.words && n < this.saveBuf.length; j++) this.saveBuf[n++] = this.state[b + f.offset + j];
    return n;
  }

  private restoreList(b: number, list: FieldList | undefined, n: number): void {
    if (list === undefined) return;
    let i = 0;
    for (const f of list.fields) for (let j = 0; j < f.words && i < n; j++) this.state[b + f.offset + j] = this.saveBuf[i++];
  }

  /** I2E clone: the packet as it began ingress, re-parsed, with preserved fields, to the session's port(s). */
  private cloneIngress(p: number, b: number): void {
    const s = this.state;
    const sm = this.sm;
    const session = this.mirroring.get(s[b + sm.clone_session]);
    if (session === null) return;
    const code = s[b + sm.clone_list];
    const list = code >= 2 ? this.program.fieldLists.find((l) => l.index === code - 2) : undefined;
    const n = this.saveList(b, list);
    const make = (port: number, rid: number): void => {
      const c = this.pool.copy(p);
      if (c < 0) { this.overflowDrops++; return; }
      const cb = c * this.phv;
      this.startIngress(c, s[b + sm.ingress_port], InstanceType.IngressClone);
      this.restoreList(cb, list, n);
      this.parse(c, cb);
      s[cb + sm.egress_port] = port;
      s[cb + sm.egress_rid] = rid;
      this.loops[c] = this.loops[p];
      if (!this.egressQ.push(c)) { this.pool.free(c); this.overflowDrops++; }
    };
    if (session.port >= 0) make(session.port, 0);
    if (session.group >= 0) {
      const k = this.pre.replicate(session.group, { ports: this.copyPorts, rids: this.copyRids });
      for (let i = 0; i < Math.min(k, this.copyPorts.length); i++) make(this.copyPorts[i], this.copyRids[i]);
    }
  }

  /** Multicast: one copy (packet and all state) per (port, rid) of the group; the original is consumed. */
  private multicast(p: number, b: number, grp: number, instance: number): void {
    const k = Math.min(this.pre.replicate(grp, { ports: this.copyPorts, rids: this.copyRids }), this.copyPorts.length);
    const s = this.state;
    const sm = this.sm;
    for (let i = 0; i < k; i++) {
      const c = i === k - 1 ? p : this.pool.copy(p);
      if (c < 0) { this.overflowDrops++; continue; }
      const cb = c * this.phv;
      if (cb !== b) s.copyWithin(cb, b, b + this.phv);
      this.loops[c] = this.loops[p];
      s[cb + sm.egress_port] = this.copyPorts[i];
      s[cb + sm.egress_rid] = this.copyRids[i];
      s[cb + sm.instance_type] = instance;
      if (!this.egressQ.push(c)) { this.pool.free(c); this.overflowDrops++; }
    }
    if (k === 0) this.pool.free(p);
  }

  /** Egress, E2E clone, checksum update, deparser and output (or recirculation) of packet p, state at b. */
  private egress(p: number, b: number): void {
    const s = this.state;
    const sm = this.sm;
    const blocks = this.blocks;
    s[b + sm.egress_spec] = 0;
    s[b + sm.clone_list] = 0;
    s[b + sm.recirculate] = 0;
    blocks.egress(s, b);
    this.finishEgress(p, b);
  }

  /** What follows the egress control: E2E clone, drop, checksum update, deparser, output or recirculation. */
  private finishEgress(p: number, b: number): void {
    const s = this.state;
    const sm = this.sm;
    const blocks = this.blocks;
    const pool = this.pool;
    if (s[b + sm.clone_list] !== 0) this.cloneEgress(p, b);
    if (s[b + sm.egress_spec] === DROP_PORT) {
      pool.free(p);
      return;
    }
    if (blocks.usesPayload !== false) this.setPayload(p, b);
    blocks.computeChecksum(s, b);
    // The emitted headers replace the parsed ones in front of the unparsed payload. When the
    // deparser's output length is known beforehand, it writes straight into the packet.
    const parsed = s[b + sm.parsed_bytes];
    const known = blocks.deparseLen !== undefined ? blocks.deparseLen(s, b) : -1;
    let hl: number;
    if (known >= 0) {
      hl = known;
      const pstart = pool.start[p];
      if (!pool.adjustFront(p, parsed - hl)) { pool.free(p); this.overflowDrops++; return; }
      blocks.deparse(s, b, pool.buf, pool.start[p], pool.buf, pstart);
    } else {
      hl = blocks.deparse(s, b, this.deparseBuf, 0, pool.buf, pool.start[p]);
      if (!pool.adjustFront(p, parsed - hl)) { pool.free(p); this.overflowDrops++; return; }
      const at = pool.start[p];
      const buf = pool.buf;
      const src = this.deparseBuf;
      for (let i = 0; i < hl; i++) buf[at + i] = src[i];
    }
    s[b + sm.parsed_bytes] = hl;
    const tr = s[b + sm.truncate];
    if (tr !== 0) {
      const n = tr & 0x7fffffff;
      if (n < pool.length[p]) pool.setLength(p, n);
    }
    const rc = s[b + sm.recirculate];
    if (rc !== 0) {
      if (++this.loops[p] > 16) { pool.free(p); return; }
      this.restart(p, b, rc, s[b + sm.ingress_port], InstanceType.Recirc);
      this.ingressQ.push(p);
      return;
    }
    pool.port[p] = s[b + sm.egress_port];
    if (!this.sent.push(p)) { pool.free(p); this.overflowDrops++; }
  }

  /** E2E clone: the packet as it is at the end of egress (state copied, not re-parsed). */
  private cloneEgress(p: number, b: number): void {
    const s = this.state;
    const sm = this.sm;
    const session = this.mirroring.get(s[b + sm.clone_session]);
    if (session === null) return;
    const make = (port: number, rid: number): void => {
      const c = this.pool.copy(p);
      if (c < 0) { this.overflowDrops++; return; }
      const cb = c * this.phv;
      s.copyWithin(cb, b, b + this.phv);
      s[cb + sm.instance_type] = InstanceType.EgressClone;
      s[cb + sm.egress_port] = port;
      s[cb + sm.egress_rid] = rid;
      s[cb + sm.clone_list] = 0;
      this.loops[c] = this.loops[p] + 1;
      if (this.loops[c] > 16) { this.pool.free(c); return; }
      if (!this.egressQ.push(c)) { this.pool.free(c); this.overflowDrops++; }
    };
    if (session.port >= 0) make(session.port, 0);
    if (session.group >= 0) {
      const k = this.pre.replicate(session.group, { ports: this.copyPorts, rids: this.copyRids });
      for (let i = 0; i < Math.min(k, this.copyPorts.length); i++) make(this.copyPorts[i], this.copyRids[i]);
    }
  }

  /** Takes the next sent packet's slot (the caller frees it), or -1. */
  takeSent(): number {
    return this.sent.shift();
  }
}
