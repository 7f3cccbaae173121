// A software switch for one v1model program: compiles the .p4 file (front end -> IR -> JS),
// instantiates the generated code with the runtime objects (tables, action profiles, counters,
// meters, registers, value sets, PRE, mirroring sessions), and exposes the control plane
// (simple_switch_CLI commands) and the data plane (inject / run / takeOutput).
// Note: this runtime file imports the compiler (loadSwitch needs it); everything else in the
// runtime only sees the compiler's output.
import vm from 'node:vm';
import type { CommandResult, ProgramInfo, TableRuntime } from './abi.js';
import type { FrontendOptions } from '../compiler/frontend.js';
import { compileFile } from '../compiler/compile.js';
import type { Compiled } from '../compiler/compile.js';
import { Table } from './tables/table.js';
import { ActionProfile, ActionSelector, createProfile } from './tables/action-profile.js';
import { CounterArray } from './externs/counters.js';
import type { CounterKind } from './externs/counters.js';
import { MeterArray } from './externs/meters.js';
import { RegisterArray } from './externs/registers.js';
import { ValueSet } from './externs/value-set.js';
import type { Hasher } from './externs/hash.js';
import { hashAlgorithmNames } from './externs/hash.js';
import type { DigestMessage } from './externs/digest.js';
import { MulticastEngine } from './arch/pre.js';
import { MirrorSessions } from './arch/mirroring.js';
import { ArchEnv, BATCH_MAX, V1Model } from './arch/v1model.js';
import type { ArchProgram, Blocks } from './arch/v1model.js';
import { helpers } from './arch/helpers.js';
import type { ControlTarget } from './control/target.js';
import { executeCommand } from './control/commands.js';
import type { TeeControlTarget } from './control/commands.js';
import { InlineTeeGate, bindTeeFunctions } from './externs/tee-call.js';
import type { TeeFunctionRuntime, TeeGate, TeeModuleResolver, TeeTransition } from './externs/tee-call.js';
import { referenceTeeModules } from './externs/tee-reference-modules.js';
import type { PacketPool } from './core/packet-pool.js';

export interface SwitchOptions {
  seed?: number;
  trace?: (line: string) => void;
  /** Packet pool slots (default 1024). */
  poolSlots?: number;
  /** A packet pool to use instead of a fresh one (zero-copy shm: createShmDomain(...).pool); poolSlots is then ignored. */
  pool?: PacketPool;
  /** The TEE boundary TeeFunction calls cross (src/tee); without it an InlineTeeGate runs the modules in-process. */
  tee?: TeeGate;
  /** Modules for the inline gate when `tee` is not given (default: the reference modules, tee-reference-modules.ts). */
  teeModules?: TeeModuleResolver;
  /** How TeeFunction calls cross (default: the gate's own transition). Outputs are the same in every mode. */
  teeTransition?: TeeTransition;
  /** Handler of `tee_control MODULE LINE` for a gate given in `tee` (the inline gate handles it itself). */
  teeControl?: (moduleName: string, line: string) => string | null;
}

/** A program cannot run with the TEE it was given (unknown enclave function, record sizes that differ). */
export class TeeLoadError extends Error {}

/** The TEE side of a switch: the gate, the transition in use, and each TeeFunction instance by extern id. */
export interface SwitchTee {
  readonly gate: TeeGate;
  readonly transition: TeeTransition;
  readonly functions: ReadonlyMap<number, TeeFunctionRuntime>;
  /** Packets dropped because the enclave did not answer, over all TeeFunction instances. */
  failDrops(): number;
}

export { ValueSet };

/** Instantiates generated code: the function body receives T, X, H, E and returns the blocks. */
export function instantiate(js: string, filename: string, tables: readonly TableRuntime[], externs: readonly unknown[], env: ArchEnv): Blocks {
  const f = vm.compileFunction(js, ['T', 'X', 'H', 'E'], { filename });
  return f(tables, externs, helpers, env) as Blocks;
}

export class Switch {
  readonly info: ProgramInfo;
  readonly target: ControlTarget;
  readonly compiled: Compiled;
  readonly arch: V1Model;
  readonly tables: Table[];
  readonly externs: unknown[];
  /** Null when the program makes no TeeFunction call. */
  readonly tee: SwitchTee | null;
  private readonly traced: Blocks | null;

  constructor(compiled: Compiled, file: string, options: SwitchOptions = {}) {
    this.compiled = compiled;
    const info = compiled.info;
    this.info = info;
    const profiles = new Map<string, ActionProfile | ActionSelector>();
    const counters = new Map<string, CounterArray>();
    const meters = new Map<string, MeterArray>();
    const registers = new Map<string, RegisterArray>();
    const valueSets = new Map<string, ValueSet>();
    const externs: unknown[] = [];
    for (const x of info.externs) {
      if (x.kind === 'action_profile' || x.kind === 'action_selector') {
        const p = createProfile(x, info);
        profiles.set(x.name, p);
        externs[x.id] = p;
      }
    }
    const tables = info.tables.map((t) => new Table(t, info.actions, { profile: t.implementation === null ? null : profiles.get(t.implementation) ?? null }));
    const capacityOf = (names: readonly string[]): number => {
      let c = 1;
      for (const n of names) { const t = tables.find((x) => x.info.name === n); if (t !== undefined) c = Math.max(c, t.capacity); }
      return c;
    };
    for (const x of info.externs) {
      switch (x.kind) {
        case 'counter': { const c = new CounterArray(x.size, counterKind(x.type)); counters.set(x.name, c); externs[x.id] = c; break; }
        case 'direct_counter': {
          const c = new CounterArray(capacityOf(x.tables), counterKind(x.type));
          counters.set(x.name, c);
          externs[x.id] = c;
          for (const t of tables) if (t.info.directCounter === x.name) t.onEntryAdded = (h) => { c.resetIndex(h); };
          break;
        }
        case 'meter': { const m = new MeterArray(x.size, x.type === 'bytes' ? 'bytes' : 'packets'); meters.set(x.name, m); externs[x.id] = m; break; }
        case 'direct_meter': { const m = new MeterArray(capacityOf(x.tables), x.type === 'bytes' ? 'bytes' : 'packets'); meters.set(x.name, m); externs[x.id] = m; break; }
        case 'register': { const r = new RegisterArray(x.size, x.width); registers.set(x.name, r); externs[x.id] = r; break; }
        case 'value_set': { const v = new ValueSet(x.size, x.width); valueSets.set(x.name, v); externs[x.id] = v; break; }
        default: if (externs[x.id] === undefined) externs[x.id] = null;
      }
    }
    // TeeFunction instances: resolved once on the gate (an inline one without a TEE backend).
    let tee: SwitchTee | null = null;
    let teeControl: ((m: string, l: string) => string | null) | undefined = options.teeControl;
    if (info.externs.some((x) => x.kind === 'tee')) {
      const transition = options.teeTransition ?? options.tee?.transition ?? 'sync';
      let gate: TeeGate;
      if (options.tee !== undefined) gate = options.tee;
      else {
        const inline = new InlineTeeGate(options.teeModules ?? referenceTeeModules, transition);
        gate = inline;
        teeControl ??= (m, l) => inline.control(m, l);
      }
      const bound = bindTeeFunctions(info, gate);
      if (!bound.ok) throw new TeeLoadError(bound.error);
      for (const [id, f] of bound.byId) externs[id] = f;
      const functions = bound.byId;
      tee = { gate, transition, functions, failDrops: () => { let n = 0; for (const f of functions.values()) n += f.failDrops; return n; } };
    }
    this.tee = tee;
    this.tables = tables;
    this.externs = externs;
    const pre = new MulticastEngine();
    const mirroring = new MirrorSessions();
    const ir = compiled.ir;
    const program: ArchProgram = { info, sm: ir.sm, fieldLists: ir.fieldLists, digests: ir.digests, strings: ir.strings };
    const env = new ArchEnv(program, options.seed ?? 1);
    const hashes = new Map<string, Hasher>();
    hashAlgorithmNames.forEach((n, i) => { if (env.hashers[i].crc !== null) hashes.set(n, env.hashers[i]); });
    const blocks = instantiate(compiled.js, `${file}.js`, tables, externs, env);
    this.traced = compiled.tracedJs !== null ? instantiate(compiled.tracedJs, `${file}.traced.js`, tables, externs, env) : null;
    if (options.trace !== undefined) env.traceFn = options.trace;
    if (tee !== null && tee.transition === 'batch' && blocks.tee) {
      // The batch transition stages up to BATCH_MAX records per call site, each site in its own region.
      let ib = 0;
      let ob = 0;
      for (const site of blocks.tee.sites) {
        const f = tee.functions.get(site.extern);
        ib += BATCH_MAX * (f?.tee.inputBytes ?? 0);
        ob += BATCH_MAX * (f?.tee.outputBytes ?? 0);
      }
      if (tee.gate.inBuf.length < ib || tee.gate.outBuf.length < ob) {
        throw new TeeLoadError(`the TEE gate's staging buffers (${tee.gate.inBuf.length} / ${tee.gate.outBuf.length} bytes) are too small for the batch transition: ${ib} / ${ob} bytes needed (${BATCH_MAX} records per call site)`);
      }
    }
    this.arch = new V1Model(program, this.traced ?? blocks, pre, mirroring, env, {
      poolSlots: options.poolSlots,
      pool: options.pool,
      seed: options.seed,
      tee: tee === null ? undefined : { transition: tee.transition, functions: tee.functions },
    });
    const target: TeeControlTarget = { info, tables, profiles, counters, meters, registers, pre, mirroring, hashes, valueSets, teeControl };
    this.target = target;
  }

  command(line: string): CommandResult {
    return executeCommand(this.target, line);
  }

  inject(port: number, bytes: Uint8Array): void {
    if (this.arch.env.traceFn !== null) this.arch.env.traceFn(`packet in on port ${port}: ${bytes.length} bytes`);
    this.arch.inject(port, bytes);
  }

  run(): void {
    this.arch.run();
  }

  takeOutput(): { port: number; bytes: Uint8Array }[] {
    const out: { port: number; bytes: Uint8Array }[] = [];
    const pool = this.arch.pool;
    for (;;) {
      const p = this.arch.takeSent();
      if (p < 0) break;
      out.push({ port: pool.port[p], bytes: pool.bytes(p) });
      if (this.arch.env.traceFn !== null) this.arch.env.traceFn(`packet out on port ${pool.port[p]}: ${pool.length[p]} bytes`);
      pool.free(p);
    }
    return out;
  }

  takeDigests(): DigestMessage[] {
    return this.arch.env.digests.take();
  }
}

function counterKind(t: string): CounterKind {
  return t === 'bytes' ? 'bytes' : t === 'packets_and_bytes' ? 'packets_and_bytes' : 'packets';
}

/** Compiles a .p4 file and builds its switch; diagnostics as text when that fails. */
export function loadSwitch(p4file: string, frontendOptions: FrontendOptions, options: SwitchOptions = {}): { ok: true; sw: Switch } | { ok: false; diagnostics: string[] } {
  const r = compileFile(p4file, frontendOptions, { trace: options.trace !== undefined });
  if (!r.ok) return { ok: false, diagnostics: r.diagnostics };
  try {
    return { ok: true, sw: new Switch(r.compiled, p4file, options) };
  } catch (e) {
    if (e instanceof TeeLoadError) return { ok: false, diagnostics: [`${p4file}: error: ${e.message}`] };
    return { ok: false, diagnostics: [`${p4file}: internal error while building the switch: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
