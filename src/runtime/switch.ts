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
import { ArchEnv, V1Model } from './arch/v1model.js';
import type { ArchProgram, Blocks } from './arch/v1model.js';
import { helpers } from './arch/helpers.js';
import type { ControlTarget } from './control/target.js';
import { executeCommand } from './control/commands.js';

export interface SwitchOptions {
  seed?: number;
  trace?: (line: string) => void;
  /** Packet pool slots (default 1024). */
  poolSlots?: number;
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
    this.arch = new V1Model(program, this.traced ?? blocks, pre, mirroring, env, { poolSlots: options.poolSlots, seed: options.seed });
    this.target = { info, tables, profiles, counters, meters, registers, pre, mirroring, hashes, valueSets };
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
    return { ok: false, diagnostics: [`${p4file}: internal error while building the switch: ${e instanceof Error ? e.message : String(e)}`] };
  }
}
