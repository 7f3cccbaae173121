// The enclave side of the secure pipeline, inside the backend's realm (worker or child process):
// builds the whole switch (tables, externs, registers, modules called inline) in the realm's own
// memory, restores it from the sealed state in the boot area, then serves the ring's requests in
// order (request k in slot k & mask; several may be queued): a batch's packets are copied from the
// shared packet area (the bounce buffer) into the private pool, processed, and copied back into
// the slots the host offered, one descriptor each.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clockMs as now } from '../../runtime/core/clock.js';
import type { CommandResult } from '../../runtime/abi.js';
import { loadSwitch, type Switch } from '../../runtime/switch.js';
import { InlineTeeGate, type TeeModuleDef } from '../../runtime/externs/tee-call.js';
import { BurstCopier } from '../../runtime/io/shm.js';
import { builtinModuleNames, loadModules, type LoadedModule } from '../registry.js';
import { sealBlob, unsealBlob } from '../seal.js';
import { loadPlatformSecret } from '../platform.js';
import { AdaptiveSpin, EnclaveState, H_MSG_LEN, H_PID, H_STATE, C_WRITE, S_AUX, S_FN, S_IN_LEN, S_N, S_OUT_LEN, S_STATUS, type RequestRing } from '../ring.js';
import { DESC_WORDS, MAX_BATCH, PipeOp, PipeStatus, W_BAD, W_BUSY, W_DROPS, W_MORE, type PipelineEnclaveConfig } from './protocol.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Commands whose effect the canonical state keeps as a replay log (registers, counters and module state are dumped instead). */
const LOGGED = new Set([
  'table_add', 'table_delete', 'table_modify', 'table_clear', 'table_set_default', 'table_reset_default',
  'table_indirect_add', 'table_indirect_add_with_group', 'table_indirect_delete', 'table_indirect_modify',
  'table_indirect_modify_with_group', 'table_indirect_set_default', 'table_indirect_set_default_with_group',
  'table_indirect_reset_default', 'act_prof_create_member', 'act_prof_delete_member', 'act_prof_modify_member',
  'act_prof_create_group', 'act_prof_delete_group', 'act_prof_add_member_to_group', 'act_prof_remove_member_from_group',
  'mc_mgrp_create', 'mc_mgrp_destroy', 'mc_node_create', 'mc_node_update', 'mc_node_destroy', 'mc_node_associate',
  'mc_node_dissociate', 'meter_set_rates', 'meter_array_set_rates', 'mirroring_add', 'mirroring_add_mc',
  'mirroring_delete', 'pvs_add', 'pvs_remove', 'pvs_clear', 'set_crc16_parameters', 'set_crc32_parameters',
]);

/** A command line in canonical form (comment stripped, single spaces), or null when it changes nothing the log keeps. */
export function normaliseCommand(line: string): string | null {
  const hash = line.indexOf('#');
  const words = (hash >= 0 ? line.slice(0, hash) : line).replace(/=>/g, ' => ').trim().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0 || !LOGGED.has(words[0])) return null;
  return words.join(' ');
}

/** The sealed state of a pipeline enclave (JSON, then sealed). */
interface PipelineState {
  readonly format: 1;
  readonly program: string;
  /** Applied control commands that the replay rebuilds tables, groups, sessions and value sets from. */
  readonly commands: string[];
  /** Register contents: base64 of the cells' 32-bit words. */
  readonly registers: Record<string, string>;
  /** Counter contents: base64 of the packet and byte Float64Arrays. */
  readonly counters: Record<string, [string, string]>;
  /** Enclave module states (keys, sketches): base64 of exportState(). */
  readonly modules: Record<string, string>;
}

function b64(a: ArrayBufferView): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

/** Copies base64 bytes into a typed array of exactly that size; false when the sizes differ. */
function fromB64(text: string, into: ArrayBufferView): boolean {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== into.byteLength) return false;
  new Uint8Array(into.buffer, into.byteOffset, into.byteLength).set(bytes);
  return true;
}

/** Writes the boot reply (or refusal) into slot 0 and sets the state word. */
function report(ring: RequestRing, state: number, message: string): void {
  const bytes = encoder.encode(message).subarray(0, ring.slotBytes);
  ring.bytes.set(bytes, ring.slotData(0));
  ring.ctrl[H_MSG_LEN] = bytes.length;
  ring.ctrl[H_PID] = process.pid;
  Atomics.store(ring.ctrl, H_STATE, state);
}

/** The running enclave: the switch, its inline modules, the log, the sealing identity. */
class PipelineEnclave {
  readonly sw: Switch;
  readonly inline: InlineTeeGate;
  readonly modules: Map<string, LoadedModule>;
  readonly measurement: Uint8Array;
  readonly secret: Uint8Array;
  readonly program: string;
  readonly log: string[] = [];
  // Batch scratch (allocated once).
  private readonly priv = new Int32Array(MAX_BATCH);
  private readonly dest = new Int32Array(2 * MAX_BATCH);
  private readonly inPlan = new Int32Array(3 * MAX_BATCH);
  private readonly outPlan = new Int32Array(3 * 2 * MAX_BATCH);
  /** Private slots of the packets sent by the current batch (freed after the copy out). */
  private readonly pendingFree = new Int32Array(2 * MAX_BATCH);
  private readonly copyIn: BurstCopier;
  private readonly copyOut: BurstCopier;
  private seenOverflow = 0;
  /** Sent packets (private slots) waiting for a shared slot, oldest first; inCarry marks them. */
  private readonly carry: Int32Array;
  private carryN = 0;
  private readonly inCarry: Uint8Array;

  get copier(): string {
    return this.copyIn.kind;
  }

  constructor(sw: Switch, inline: InlineTeeGate, modules: Map<string, LoadedModule>, measurement: Uint8Array, secret: Uint8Array, program: string) {
    this.sw = sw;
    this.inline = inline;
    this.modules = modules;
    this.measurement = measurement;
    this.secret = secret;
    this.program = program;
    this.copyIn = new BurstCopier();
    this.copyOut = new BurstCopier();
    this.seenOverflow = sw.arch.overflowDrops;
    this.carry = new Int32Array(sw.arch.pool.slots);
    this.inCarry = new Uint8Array(sw.arch.pool.slots);
  }

  command(line: string): CommandResult {
    let r: CommandResult;
    try {
      r = this.sw.command(line);
    } catch (e) {
      return { ok: false, error: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (r.ok) {
      const n = normaliseCommand(line);
      if (n !== null) this.log.push(n);
    }
    return r;
  }

  /** The canonical state: the replay log, register and counter contents, module states. */
  dump(): PipelineState {
    const t = this.sw.target;
    const registers: Record<string, string> = {};
    for (const name of [...t.registers.keys()].sort()) registers[name] = b64(t.registers.get(name)!.words);
    const counters: Record<string, [string, string]> = {};
    for (const name of [...t.counters.keys()].sort()) {
      const c = t.counters.get(name)!;
      counters[name] = [b64(c.packets), b64(c.bytes)];
    }
    const modules: Record<string, string> = {};
    for (const name of [...this.inline.instances.keys()].sort()) modules[name] = b64(this.inline.instances.get(name)!.exportState());
    return { format: 1, program: this.program, commands: this.log.slice(), registers, counters, modules };
  }

  /** Rebuilds the state from a dump: replays the log, then sets contents and module states. */
  restore(s: PipelineState): string | null {
    if (s.format !== 1 || !Array.isArray(s.commands)) return 'sealed pipeline state has an unknown format';
    for (const line of s.commands) {
      const r = this.command(line);
      if (!r.ok) return `replaying '${line}' failed: ${r.error}`;
    }
    const t = this.sw.target;
    for (const [name, text] of Object.entries(s.registers ?? {})) {
      const r = t.registers.get(name);
      if (r === undefined || !fromB64(text, r.words)) return `sealed register '${name}' does not fit this program`;
    }
    for (const [name, [p, b]] of Object.entries(s.counters ?? {})) {
      const c = t.counters.get(name);
      if (c === undefined || !fromB64(p, c.packets) || !fromB64(b, c.bytes)) return `sealed counter '${name}' does not fit this program`;
    }
    for (const [name, text] of Object.entries(s.modules ?? {})) {
      const m = this.modules.get(name);
      if (m === undefined) return `sealed state names enclave module '${name}', which is not loaded`;
      try {
        this.inline.setInstance(name, m.def.create(new Uint8Array(Buffer.from(text, 'base64'))));
      } catch (e) {
        return `enclave module '${name}' refused its sealed state: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return null;
  }

  /**
   * One batch, in the ring slot whose header starts at word w and data at word dw. Request data: n
   * descriptors (slot, start, length, port) then `spares` slot numbers. Reply data: m descriptors
   * (slot, start, length, egress port), slots taken in the order offered (the inputs' slots first,
   * then the spares). Drops inside the enclave go to W_DROPS.
   */
  batch(ring: RequestRing, w: number, dw: number, shared: Uint8Array, cfg: PipelineEnclaveConfig): void {
    const words = ring.words;
    const n = Math.min(words[w + S_N], MAX_BATCH);
    const spares = Math.min(words[w + S_AUX], MAX_BATCH);
    const arch = this.sw.arch;
    const pool = arch.pool;
    const priv = this.priv;
    const dest = this.dest;
    const plan = this.inPlan;
    const slotSize = cfg.slotSize;
    const slots = cfg.slots;
    const privMax = pool.slotSize - pool.headroom;
    let drops = 0;
    let bad = 0;
    let k = 0;
    let nd = 0;
    // Copy in: shared packet area -> the switch's private pool (checked: the host is untrusted).
    for (let i = 0; i < n; i++) {
      const o = dw + i * DESC_WORDS;
      const slot = words[o];
      const start = words[o + 1];
      const len = words[o + 2];
      if (!(slot >= 0 && slot < slots) || start < slot * slotSize || len < 0 || start + len > (slot + 1) * slotSize) {
        bad++;
        continue;
      }
      dest[nd++] = slot;
      if (len > privMax) { drops++; continue; }
      const p = pool.alloc();
      if (p < 0) { drops++; continue; }
      const ps = p * pool.slotSize + pool.headroom;
      pool.start[p] = ps;
      pool.length[p] = len;
      pool.port[p] = words[o + 3];
      const j = 3 * k;
      plan[j] = start;
      plan[j + 1] = ps;
      plan[j + 2] = len;
      priv[k++] = p;
    }
    const so = dw + n * DESC_WORDS;
    for (let i = 0; i < spares; i++) {
      const s = words[so + i];
      if (s >= 0 && s < slots) dest[nd++] = s;
    }
    this.copyIn.copy(shared, pool.buf, plan, k);
    try {
      arch.injectBatch(priv, k);
      arch.run();
    } catch {
      // A program fault loses this batch's unfinished packets (counted below), as in the plain switch.
      try { arch.run(); } catch { /* what stays queued runs with the next batch */ }
    }
    // Copy out: every sent packet (those carried from before first) into the next offered slot;
    // what finds no slot is carried to the next request.
    const out = this.outPlan;
    const pending = this.pendingFree;
    const carry = this.carry;
    const inCarry = this.inCarry;
    let m = 0;
    let c = 0;
    for (; c < this.carryN && m < nd; c++) {
      const q = carry[c];
      inCarry[q] = 0;
      m = this.emit(q, m, dest[m], words, dw, out, cfg);
      pending[m - 1] = q;
    }
    let left = 0;
    for (; c < this.carryN; c++) carry[left++] = carry[c];
    this.carryN = left;
    for (;;) {
      const q = arch.takeSent();
      if (q < 0) break;
      if (pool.length[q] > slotSize) {
        pool.free(q);
        drops++;
      } else if (m < nd) {
        m = this.emit(q, m, dest[m], words, dw, out, cfg);
        pending[m - 1] = q;
      } else {
        carry[this.carryN++] = q;
        inCarry[q] = 1;
      }
    }
    this.copyOut.copy(pool.buf, shared, out, m);
    for (let i = 0; i < m; i++) pool.free(pending[i]);
    // After a full run() the pipeline holds nothing: a slot of the batch still allocated was lost
    // to a program fault. Free it and count it.
    for (let i = 0; i < k; i++) {
      if (pool.isAllocated(priv[i]) && inCarry[priv[i]] === 0) {
        pool.free(priv[i]);
        drops++;
      }
    }
    const o = arch.overflowDrops;
    drops += o - this.seenOverflow;
    this.seenOverflow = o;
    words[w + S_OUT_LEN] = m;
    words[w + W_DROPS] = drops;
    words[w + W_BAD] = bad;
    words[w + W_MORE] = this.carryN;
  }

  /** Plans the copy of private packet q into shared slot `slot` as output m and writes its descriptor; returns m + 1. */
  private emit(q: number, m: number, slot: number, words: Int32Array, dw: number, out: Int32Array, cfg: PipelineEnclaveConfig): number {
    const pool = this.sw.arch.pool;
    const slotSize = cfg.slotSize;
    const len = pool.length[q];
    const head = cfg.headroom < slotSize - len ? cfg.headroom : slotSize - len;
    const start = slot * slotSize + head;
    const j = 3 * m;
    out[j] = pool.start[q];
    out[j + 1] = start;
    out[j + 2] = len;
    const o = dw + m * DESC_WORDS;
    words[o] = slot;
    words[o + 1] = start;
    words[o + 2] = len;
    words[o + 3] = pool.port[q];
    return m + 1;
  }
}

async function boot(ring: RequestRing, cfg: PipelineEnclaveConfig): Promise<{ enclave: PipelineEnclave; reply: string } | { error: string }> {
  // Boot area (writeBootArea of backends/enclave-loop.ts): secret flag, secret, count 1, counter, blob.
  const base = ring.slotData(0);
  const v = new DataView(ring.bytes.buffer, ring.bytes.byteOffset + base, ring.slotBytes);
  let secret: Uint8Array;
  if (cfg.platformSecretPath === null) {
    if (v.getUint32(0, true) !== 1) return { error: 'no platform secret given to the enclave' };
    secret = ring.bytes.slice(base + 4, base + 36);
  } else {
    const s = loadPlatformSecret(cfg.platformSecretPath, false);
    if ('error' in s) return s;
    secret = s.secret;
  }
  if (v.getUint32(36, true) !== 1) return { error: 'boot area does not hold one pipeline state' };
  const counter = v.getUint32(40, true);
  const blobLen = v.getUint32(44, true);
  const blob = blobLen > 0 ? ring.bytes.slice(base + 48, base + 48 + blobLen) : null;

  const loaded = await loadModules(builtinModuleNames());
  if ('error' in loaded) return loaded;
  const modules = new Map<string, LoadedModule>();
  for (const m of loaded) modules.set(m.def.name, m);
  const resolver = { module: (name: string): TeeModuleDef | null => modules.get(name)?.def ?? null };
  // TeeFunction calls run inline: the whole pipeline is already inside the enclave.
  const inline = new InlineTeeGate(resolver, 'sync');
  const r = loadSwitch(cfg.p4file, { includeDirs: cfg.includeDirs, defines: new Map(cfg.defines) }, {
    poolSlots: cfg.slots,
    tee: inline,
    teeControl: (m, l) => inline.control(m, l),
  });
  if (!r.ok) return { error: r.diagnostics.join('\n') };
  const sw = r.sw;
  // Measurement: this enclave code, the generated program, the module measurements.
  const h = createHash('sha384');
  h.update('p4tee secure pipeline v1\n');
  h.update(readFileSync(fileURLToPath(import.meta.url)));
  h.update(sw.compiled.js);
  for (const name of [...modules.keys()].sort()) h.update(`\n${name}:${Buffer.from(modules.get(name)!.measurement).toString('hex')}`);
  const measurement = new Uint8Array(h.digest());
  const program = basename(cfg.p4file);
  const enclave = new PipelineEnclave(sw, inline, modules, measurement, secret, program);
  let restored = 0;
  if (blob !== null) {
    const u = unsealBlob(blob, secret, measurement, counter);
    if ('error' in u) return { error: `sealed pipeline state: ${u.error}` };
    let state: PipelineState;
    try {
      state = JSON.parse(decoder.decode(u.state)) as PipelineState;
    } catch {
      return { error: 'sealed pipeline state is not valid JSON' };
    }
    if (state.program !== program) return { error: `sealed pipeline state belongs to ${state.program}, not ${program}` };
    const e = enclave.restore(state);
    if (e !== null) return { error: `sealed pipeline state: ${e}` };
    restored = u.version;
  }
  // ProgramInfo holds bigints (constants, const entries): written as {"$bigint": "..."}.
  const reply = JSON.stringify({
    restored,
    commands: enclave.log.length,
    measurement: Buffer.from(measurement).toString('hex'),
    copier: enclave.copier,
    info: sw.info,
  }, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
  return { enclave, reply };
}

/** Boots and serves until stopped; `alive` is polled while idle (the process realm checks its parent). */
export async function runPipelineEnclave(ring: RequestRing, shared: Uint8Array, cfg: PipelineEnclaveConfig, alive: () => boolean): Promise<'stopped' | 'failed'> {
  let b: { enclave: PipelineEnclave; reply: string } | { error: string };
  try {
    b = await boot(ring, cfg);
  } catch (e) {
    b = { error: `enclave boot failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  if ('error' in b) {
    report(ring, EnclaveState.Failed, b.error);
    return 'failed';
  }
  const enclave = b.enclave;
  if (encoder.encode(b.reply).length > ring.slotBytes) {
    report(ring, EnclaveState.Failed, 'program description does not fit the boot reply area');
    return 'failed';
  }
  report(ring, EnclaveState.Ready, b.reply);
  const words = ring.words;
  const bytes = ring.bytes;
  let taken = Atomics.load(ring.ctrl, C_WRITE) | 0;
  const spin = cfg.spinMs > 0 ? new AdaptiveSpin(cfg.spinMs) : null;
  for (;;) {
    // Returns at once while requests are queued: the host may publish several batches before it
    // wakes this side, and they all run in this one wake-up.
    if (!ring.awaitRequest(taken, spin, 100, alive)) break;
    // Request number taken + 1 sits in slot (taken & mask): the host filled slot (write & mask).
    const s = taken & ring.mask;
    const w = ring.slotWord(s);
    const data = ring.slotData(s);
    taken = (taken + 1) | 0;
    const t0 = now();
    const op = words[w + S_FN];
    if (op === PipeOp.Batch) {
      enclave.batch(ring, w, data >>> 2, shared, cfg);
      words[w + S_STATUS] = PipeStatus.Ok;
    } else if (op === PipeOp.Command) {
      const line = decoder.decode(bytes.subarray(data, data + words[w + S_IN_LEN]));
      const out = encoder.encode(JSON.stringify(enclave.command(line))).subarray(0, ring.slotBytes);
      bytes.set(out, data);
      words[w + S_OUT_LEN] = out.length;
      words[w + S_STATUS] = PipeStatus.Ok;
    } else if (op === PipeOp.Seal) {
      let blob: Uint8Array;
      try {
        blob = sealBlob(encoder.encode(JSON.stringify(enclave.dump())), enclave.secret, enclave.measurement, words[w + S_AUX]);
      } catch (e) {
        blob = encoder.encode(`sealing failed: ${e instanceof Error ? e.message : String(e)}`);
        bytes.set(blob.subarray(0, ring.slotBytes), data);
        words[w + S_OUT_LEN] = Math.min(blob.length, ring.slotBytes);
        words[w + S_STATUS] = PipeStatus.Error;
        ring.completeLazy(taken);
        continue;
      }
      if (blob.length > ring.slotBytes) {
        const msg = encoder.encode(`sealed state (${blob.length} bytes) does not fit the reply area (${ring.slotBytes} bytes)`);
        bytes.set(msg, data);
        words[w + S_OUT_LEN] = msg.length;
        words[w + S_STATUS] = PipeStatus.Error;
      } else {
        bytes.set(blob, data);
        words[w + S_OUT_LEN] = blob.length;
        words[w + S_STATUS] = PipeStatus.Ok;
      }
    } else {
      words[w + S_STATUS] = PipeStatus.Error;
      words[w + S_OUT_LEN] = 0;
    }
    words[w + W_BUSY] = Math.min(0x7fffffff, Math.round((now() - t0) * 16000));
    // Wakes a sleeping host only once nothing more is queued (one hand-over for all of them).
    ring.completeLazy(taken);
  }
  Atomics.store(ring.ctrl, H_STATE, EnclaveState.Stopped);
  return 'stopped';
}
