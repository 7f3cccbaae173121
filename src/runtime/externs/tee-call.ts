// The pipeline side of TeeFunction calls (include tee.p4). Input: the program's `tee` externs
// (ExternInfo.tee) and a TeeGate (the boundary, src/tee, session contract); output: one
// TeeFunctionRuntime per instance, which generated code reaches as X[id] (inBuf/outBuf records,
// call1() for the per-packet transitions), plus InlineTeeGate: the default gate that runs enclave
// modules in-process (backend 'none') from whatever TeeModuleResolver the caller provides.
import type { ExternInfo, ProgramInfo, TeeFunctionInfo } from '../abi.js';

/**
 * The boundary as the pipeline sees it (src/tee implements it; src/tee/api.ts re-exports these
 * types under the names of the TEE API). Declared here so that the runtime does not import src/tee.
 */
export interface TeeGate {
  readonly backend: 'none' | 'isolate' | 'process';
  readonly transition: 'sync' | 'batch' | 'switchless';
  readonly inBuf: Uint8Array;
  readonly outBuf: Uint8Array;
  resolve(moduleName: string, functionName: string): number;
  inputBytes(fn: number): number;
  outputBytes(fn: number): number;
  /** n calls of fn on the records at inBuf[inOff..], outputs at outBuf[outOff..]; one crossing; nonzero: failed. */
  call(fn: number, inOff: number, outOff: number, n: number): number;
}

export type TeeTransition = 'sync' | 'batch' | 'switchless';

/** An enclave module (src/tee/api.ts calls it EnclaveModuleDef): named functions with fixed-size records. */
export interface TeeModuleDef {
  readonly name: string;
  readonly version: string;
  readonly functions: readonly { readonly name: string; readonly inputBytes: number; readonly outputBytes: number }[];
  create(state: Uint8Array | null): TeeModuleInstance;
}
export interface TeeModuleInstance {
  invoke(fn: number, inBuf: Uint8Array, inOff: number, outBuf: Uint8Array, outOff: number, n: number): void;
  control(line: string): string;
  exportState(): Uint8Array;
}

/** Finds enclave modules by name (the CLI adapts src/tee/registry.ts to this). */
export interface TeeModuleResolver {
  module(name: string): TeeModuleDef | null;
}

/** Staging bytes a gate should offer: enough for every call site of a batch (64 records each) and then some. */
export const TEE_BUFFER_BYTES = 1 << 16;

/**
 * The default gate without any TEE backend: modules run in-process and a call is a plain function
 * call (the `none` baseline; no isolation at all). Instances are created on first use.
 */
export class InlineTeeGate implements TeeGate {
  readonly backend = 'none' as const;
  readonly transition: TeeTransition;
  readonly inBuf: Uint8Array;
  readonly outBuf: Uint8Array;
  private readonly resolver: TeeModuleResolver;
  /** Resolved functions; `inst` is the module's instance (kept in step with `instances` by setInstance). */
  private readonly fns: { mod: string; index: number; inputBytes: number; outputBytes: number; inst: TeeModuleInstance }[] = [];
  /** Module instances by name; replace one only through setInstance(). */
  readonly instances: ReadonlyMap<string, TeeModuleInstance> = new Map<string, TeeModuleInstance>();
  /** Crossings made (calls of call()). */
  crossings = 0;

  constructor(resolver: TeeModuleResolver, transition: TeeTransition = 'sync', bytes = TEE_BUFFER_BYTES) {
    this.resolver = resolver;
    this.transition = transition;
    this.inBuf = new Uint8Array(bytes);
    this.outBuf = new Uint8Array(bytes);
  }

  resolve(moduleName: string, functionName: string): number {
    const m = this.resolver.module(moduleName);
    if (m === null) return -1;
    const index = m.functions.findIndex((f) => f.name === functionName);
    if (index < 0) return -1;
    const known = this.fns.findIndex((f) => f.mod === moduleName && f.index === index);
    if (known >= 0) return known;
    const inst = this.instances.get(moduleName) ?? this.setInstance(moduleName, m.create(null));
    const f = m.functions[index];
    this.fns.push({ mod: moduleName, index, inputBytes: f.inputBytes, outputBytes: f.outputBytes, inst });
    return this.fns.length - 1;
  }

  inputBytes(fn: number): number { return this.fns[fn]?.inputBytes ?? 0; }
  outputBytes(fn: number): number { return this.fns[fn]?.outputBytes ?? 0; }

  call(fn: number, inOff: number, outOff: number, n: number): number {
    const f = this.fns[fn];
    if (f === undefined) return 1;
    this.crossings++;
    // The instance cached at resolve() (a Map lookup per packet showed in profiles).
    f.inst.invoke(f.index, this.inBuf, inOff, this.outBuf, outOff, n);
    return 0;
  }

  /** Installs (or replaces, e.g. from sealed state) a module's instance; returns it. */
  setInstance(moduleName: string, inst: TeeModuleInstance): TeeModuleInstance {
    (this.instances as Map<string, TeeModuleInstance>).set(moduleName, inst);
    for (const f of this.fns) if (f.mod === moduleName) f.inst = inst;
    return inst;
  }

  /** A module's control command (the `tee_control` command); null when the module is not loaded. */
  control(moduleName: string, line: string): string | null {
    const inst = this.instances.get(moduleName) ?? null;
    if (inst === null) {
      const m = this.resolver.module(moduleName);
      if (m === null) return null;
      return this.setInstance(moduleName, m.create(null)).control(line);
    }
    return inst.control(line);
  }
}

/**
 * One TeeFunction instance at run time (X[id] in generated code): its resolved function and the
 * gate's staging buffers. call1() is the per-packet crossing of the sync and switchless transitions.
 */
export class TeeFunctionRuntime {
  readonly info: ExternInfo;
  readonly tee: TeeFunctionInfo;
  readonly gate: TeeGate;
  readonly fn: number;
  readonly inBuf: Uint8Array;
  readonly outBuf: Uint8Array;
  readonly inView: DataView;
  readonly outView: DataView;
  /** Packets dropped because the enclave did not answer (fail closed). */
  failDrops = 0;
  /** Calls made through this instance (records sent to the enclave). */
  calls = 0;

  constructor(info: ExternInfo, tee: TeeFunctionInfo, gate: TeeGate, fn: number) {
    this.info = info;
    this.tee = tee;
    this.gate = gate;
    this.fn = fn;
    this.inBuf = gate.inBuf;
    this.outBuf = gate.outBuf;
    this.inView = new DataView(gate.inBuf.buffer, gate.inBuf.byteOffset, gate.inBuf.byteLength);
    this.outView = new DataView(gate.outBuf.buffer, gate.outBuf.byteOffset, gate.outBuf.byteLength);
  }

  /** One call with the record at offset 0 of both buffers; nonzero when the enclave failed (counted as a drop). */
  call1(): number {
    this.calls++;
    const r = this.gate.call(this.fn, 0, 0, 1);
    if (r !== 0) this.failDrops++;
    return r;
  }
}

/**
 * Resolves every TeeFunction of the program on the gate (once, at load) and checks the record
 * sizes. Returns the runtime objects by extern id, or the load error to report.
 */
export function bindTeeFunctions(info: ProgramInfo, gate: TeeGate | null): { ok: true; byId: Map<number, TeeFunctionRuntime> } | { ok: false; error: string } {
  const byId = new Map<number, TeeFunctionRuntime>();
  for (const x of info.externs) {
    if (x.kind !== 'tee' || x.tee === undefined) continue;
    const t = x.tee;
    if (gate === null) return { ok: false, error: `TeeFunction ${x.name} needs '${t.module}.${t.function}', but no TEE gate or module resolver was given` };
    const fn = gate.resolve(t.module, t.function);
    if (fn < 0) return { ok: false, error: `TeeFunction ${x.name}: the enclave has no function '${t.module}.${t.function}'` };
    if (gate.inputBytes(fn) !== t.inputBytes || gate.outputBytes(fn) !== t.outputBytes) {
      return { ok: false, error: `TeeFunction ${x.name}: '${t.module}.${t.function}' takes ${gate.inputBytes(fn)} input bytes and returns ${gate.outputBytes(fn)}, the program's records have ${t.inputBytes} and ${t.outputBytes}` };
    }
    byId.set(x.id, new TeeFunctionRuntime(x, t, gate, fn));
  }
  return { ok: true, byId };
}
