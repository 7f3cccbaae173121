// openTeeGate: the enclave boundary the pipeline calls through (TeeGate of api.ts) for one backend
// (none | isolate | process) and transition (sync | batch | switchless). Loads the modules, starts the
// enclave from its sealed state, numbers the functions, and on call() moves the staged records across
// (one crossing), counting crossings, records, bytes and time. A crash or hang is detected (exit
// event, Fault reply, or no reply within timeoutMs): calls fail closed, onEvent says so, and the
// enclave restarts in the background from its last sealed state. Also parses `--tee` values.
import { clockMs as now, clockMsInto } from '../runtime/core/clock.js';
import {
  ISOLATION_TEXT,
  TEE_BACKENDS,
  TEE_TRANSITIONS,
  TeeStatus,
  type EnclaveModuleInstance,
  type OpenTeeGateOptions,
  type TeeBackendName,
  type TeeEvent,
  type TeeGateHandle,
  type TeeGateStats,
  type TeeModuleInfo,
  type TeeSpec,
  type TeeTransitionName,
} from './api.js';
import { builtinModuleNames, loadModules, type LoadedModule } from './registry.js';
import { SealStore } from './seal.js';
import { defaultPlatformSecretPath, ephemeralPlatformSecret, loadPlatformSecret, type PlatformSecret } from './platform.js';
import { AdaptiveSpin, Op, Reply, S_FN, S_IN_LEN, S_N, S_OUT_LEN, S_STATUS, E_SLEEPS, copyBytes, type RequestRing } from './ring.js';
import { cpuAffinity } from '../runtime/core/affinity.js';
import { writeBootArea, type EnclaveConfig } from './backends/enclave-loop.js';
import { createInline, sealInline } from './backends/none.js';
import { startIsolate } from './backends/isolate.js';
import { startProcess } from './backends/process.js';
import type { EnclaveRealm } from './backends/remote.js';
import { pollUntil } from './wait.js';

const SLOTS = 4;
const MIN_SLOT_BYTES = 256 * 1024;
const DEFAULTS = { stagingBytes: 1 << 16, maxRecords: 256, timeoutMs: 50, spinUs: 100, sealIntervalMs: 10_000, startTimeoutMs: 15_000 };

/** Parses a `--tee` value: extern:BACKEND[:TRANSITION] (transition default sync) or pipeline:BACKEND. */
export function parseTeeSpec(text: string): TeeSpec | { error: string } {
  const parts = text.trim().split(':');
  const usage = 'expected extern:BACKEND:TRANSITION or pipeline:BACKEND (backends none|isolate|process, transitions sync|batch|switchless)';
  const backend = parts[1] as TeeBackendName;
  if (parts.length < 2 || !TEE_BACKENDS.includes(backend)) return { error: `bad --tee value '${text}': ${usage}` };
  if (parts[0] === 'pipeline' && parts.length === 2) return { mode: 'pipeline', backend };
  if (parts[0] === 'extern' && parts.length <= 3) {
    const transition = (parts[2] ?? 'sync') as TeeTransitionName;
    if (!TEE_TRANSITIONS.includes(transition)) return { error: `bad --tee value '${text}': unknown transition '${parts[2]}'; ${usage}` };
    return { mode: 'extern', backend, transition };
  }
  return { error: `bad --tee value '${text}': ${usage}` };
}

/** Busy-waits ns nanoseconds: the emulated cost of one crossing. */
function spinNs(ns: number): void {
  const end = now() + ns * 1e-6;
  while (now() < end) {
    // emulation: burn the time a hardware transition would take
  }
}

type Boot = { counter: number; blob: Uint8Array | null };
type BootResult = { restored: number[] } | { error: string; permanent: boolean };

interface GateSetup {
  readonly options: OpenTeeGateOptions;
  readonly modules: LoadedModule[];
  readonly secret: PlatformSecret;
  readonly sealDir: string | null;
}

/** What both gate kinds share: function table, staging buffers, stats, sealing, restart. */
abstract class GateBase implements TeeGateHandle {
  readonly backend: TeeBackendName;
  readonly transition: TeeTransitionName;
  readonly inBuf: Uint8Array;
  readonly outBuf: Uint8Array;
  readonly modules: readonly TeeModuleInfo[];
  readonly maxRecords: number;
  protected readonly loaded: LoadedModule[];
  protected readonly fnCount: number;
  protected readonly fnIn: Int32Array;
  protected readonly fnOut: Int32Array;
  protected readonly fnModule: Int32Array;
  protected readonly fnLocal: Int32Array;
  private readonly names = new Map<string, number>();
  protected readonly stores: SealStore[];
  protected readonly secret: PlatformSecret;
  protected readonly sealDir: string | null;
  protected readonly timeoutMs: number;
  /** Configured spin budget (ms) of switchless; 0 for sync/batch or when both sides share one CPU. */
  protected readonly spinMs: number;
  /** Why switchless does not spin here (null when it does, or is not switchless). */
  protected readonly spinNote: string | null = null;
  /** The caller side's adaptive spin (switchless), else null. */
  protected readonly spin: AdaptiveSpin | null;
  protected readonly transitionNs: number;
  protected readonly startTimeoutMs: number;
  private readonly restartEnabled: boolean;
  private readonly sealIntervalMs: number;
  private readonly onEvent: ((e: TeeEvent) => void) | undefined;
  /**
   * Clock reads of call() (start, end). call() is too big for V8 to inline clockMs() into, and a
   * double returned from a call that is not inlined is boxed: 16 bytes per read, per crossing.
   */
  protected readonly clock = new Float64Array(2);
  private sealTimer: ReturnType<typeof setInterval> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  protected up = false;
  protected closing = false;
  protected incarnation = 0;
  private restartFailed: string | null = null;

  // Counters (see TeeGateStats).
  protected calls = 0;
  protected crossings = 0;
  protected records = 0;
  protected bytesIn = 0;
  protected bytesOut = 0;
  protected crossingNs = 0;
  protected blockingWaits = 0;
  protected wakeups = 0;
  protected fallbacks = 0;
  protected failedCalls = 0;
  protected timeouts = 0;
  protected crashes = 0;
  protected restarts = 0;
  protected controlCrossings = 0;
  protected seals = 0;
  protected emulatedNs = 0;

  constructor(setup: GateSetup) {
    const o = setup.options;
    this.backend = o.backend;
    this.transition = o.transition;
    this.maxRecords = o.maxRecords ?? DEFAULTS.maxRecords;
    this.loaded = setup.modules;
    this.secret = setup.secret;
    this.sealDir = setup.sealDir;
    this.timeoutMs = o.timeoutMs ?? DEFAULTS.timeoutMs;
    let spinMs = o.transition === 'switchless' ? (o.spinUs ?? DEFAULTS.spinUs) / 1000 : 0;
    // Switchless needs the enclave worker on another CPU than the caller. The enclave inherits the
    // caller's CPU affinity: pinned to one CPU, each side's spin only keeps the other off it.
    const cpus = spinMs > 0 && o.backend !== 'none' ? cpuAffinity() : null;
    if (cpus !== null && cpus.length === 1) {
      this.spinNote = `switchless without spinning: the caller and the enclave worker are both pinned to CPU ${cpus[0]} (its affinity), so a spin would only keep the other side off the CPU; both block at once, like sync`;
      spinMs = 0;
    }
    this.spinMs = spinMs;
    this.spin = spinMs > 0 ? new AdaptiveSpin(spinMs) : null;
    this.transitionNs = o.transitionNs ?? 0;
    this.startTimeoutMs = o.startTimeoutMs ?? DEFAULTS.startTimeoutMs;
    this.restartEnabled = o.restart !== false;
    this.sealIntervalMs = o.sealIntervalMs ?? DEFAULTS.sealIntervalMs;
    this.onEvent = o.onEvent;
    const infos: TeeModuleInfo[] = [];
    const fIn: number[] = [];
    const fOut: number[] = [];
    const fMod: number[] = [];
    const fLoc: number[] = [];
    let sumIn = 0;
    let sumOut = 0;
    for (let i = 0; i < setup.modules.length; i++) {
      const m = setup.modules[i];
      infos.push({
        name: m.def.name,
        version: m.def.version,
        path: m.path,
        measurement: Buffer.from(m.measurement).toString('hex'),
        functions: m.def.functions.map((f) => ({ name: f.name, inputBytes: f.inputBytes, outputBytes: f.outputBytes })),
        firstFn: fIn.length,
      });
      m.def.functions.forEach((f, j) => {
        this.names.set(`${m.def.name}\u0000${f.name}`, fIn.length);
        fIn.push(f.inputBytes);
        fOut.push(f.outputBytes);
        fMod.push(i);
        fLoc.push(j);
        sumIn += f.inputBytes;
        sumOut += f.outputBytes;
      });
    }
    this.modules = infos;
    this.fnCount = fIn.length;
    this.fnIn = Int32Array.from(fIn);
    this.fnOut = Int32Array.from(fOut);
    this.fnModule = Int32Array.from(fMod);
    this.fnLocal = Int32Array.from(fLoc);
    // Room to stage every function once per record of a full batch, and at least stagingBytes
    // (the pipeline stages a whole batch per call site, several sites may call one function).
    const staging = o.stagingBytes ?? DEFAULTS.stagingBytes;
    this.inBuf = new Uint8Array(Math.max(staging, this.maxRecords * sumIn));
    this.outBuf = new Uint8Array(Math.max(staging, this.maxRecords * sumOut));
    this.stores = setup.modules.map((m) => new SealStore(setup.sealDir, m.def.name));
  }

  resolve(moduleName: string, functionName: string): number {
    return this.names.get(`${moduleName}\u0000${functionName}`) ?? -1;
  }

  inputBytes(fn: number): number {
    return fn >= 0 && fn < this.fnCount ? this.fnIn[fn] : 0;
  }

  outputBytes(fn: number): number {
    return fn >= 0 && fn < this.fnCount ? this.fnOut[fn] : 0;
  }

  abstract call(fn: number, inOff: number, outOff: number, n: number): number;
  abstract enclaveInfo(): { pid: number | null; threadId: number | null; incarnation: number; up: boolean };
  abstract kill(): void;
  /** Starts a new enclave (realm or inline instances) from the boot blobs and installs it. */
  protected abstract boot(boots: Boot[]): Promise<BootResult>;
  protected abstract sealNow(version: number): Uint8Array[] | { error: string };
  protected abstract controlNow(moduleIndex: number, line: string): string;
  /** Drops the current enclave abruptly after a failure. */
  protected abstract killRealm(): void;
  protected abstract stopRealm(): Promise<void>;
  protected abstract enclaveSleeps(): number;

  /** True when call() checks pass: fn known, n in range, records inside the staging buffers. */
  protected badCall(fn: number, inOff: number, outOff: number, n: number): boolean {
    if (!(fn >= 0 && fn < this.fnCount) || !(n >= 0 && n <= this.maxRecords)) return true;
    return inOff < 0 || outOff < 0 || inOff + n * this.fnIn[fn] > this.inBuf.length || outOff + n * this.fnOut[fn] > this.outBuf.length;
  }

  protected emit(kind: TeeEvent['kind'], message: string): void {
    if (this.onEvent !== undefined) this.onEvent({ kind, message, incarnation: this.incarnation });
  }

  private loadBoots(): Boot[] | { error: string } {
    const boots: Boot[] = [];
    for (const s of this.stores) {
      const b = s.load();
      if ('error' in b) return { error: b.error };
      boots.push(b);
    }
    return boots;
  }

  private describeRestored(restored: number[]): string {
    if (restored.every((v) => v === 0)) return 'no sealed state (fresh)';
    return `sealed state ${restored.map((v, i) => `${this.loaded[i].def.name} v${v}`).join(', ')}`;
  }

  private afterBoot(restored: number[]): void {
    restored.forEach((v, i) => {
      if (v > 0) this.stores[i].raiseCounter(v);
    });
  }

  /** First start; an error when the enclave does not come up. */
  async start(): Promise<{ error: string } | null> {
    const boots = this.loadBoots();
    if ('error' in boots) return boots;
    const r = await this.boot(boots);
    if ('error' in r) return { error: r.error };
    this.afterBoot(r.restored);
    this.incarnation = 1;
    this.up = true;
    this.emit('info', `enclave up: ${ISOLATION_TEXT[this.backend]}, transition ${this.transition}; ${this.describeRestored(r.restored)}`);
    if (this.spinNote !== null) this.emit('info', this.spinNote);
    if (this.sealIntervalMs > 0) {
      this.sealTimer = setInterval(() => {
        if (this.up) this.seal();
      }, this.sealIntervalMs);
      this.sealTimer.unref();
    }
    return null;
  }

  /** The enclave crashed or hung: fail closed, say so, restart in the background. */
  protected fail(kind: 'crash' | 'hang', message: string): void {
    if (!this.up) return;
    this.up = false;
    if (kind === 'crash') this.crashes++;
    this.killRealm();
    const what = kind === 'hang' ? 'hung' : 'crashed';
    const next = this.restartEnabled && !this.closing ? 'restarting it from its last sealed state' : 'restart disabled';
    this.emit(kind, `enclave ${what} (${this.backend} backend, incarnation ${this.incarnation}): ${message}; calls fail closed (drop) meanwhile; ${next}`);
    if (this.restartEnabled && !this.closing) this.scheduleRestart(0);
  }

  private scheduleRestart(attempt: number): void {
    const delay = attempt === 0 ? 0 : Math.min(1000, 25 * 2 ** attempt);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.restartOnce(attempt);
    }, delay);
  }

  private async restartOnce(attempt: number): Promise<void> {
    if (this.closing) return;
    const boots = this.loadBoots();
    const r: BootResult = 'error' in boots ? { error: boots.error, permanent: true } : await this.boot(boots);
    if (this.closing) {
      if (!('error' in r)) await this.stopRealm();
      return;
    }
    if ('error' in r) {
      if (r.permanent || attempt >= 5) {
        this.restartFailed = r.error;
        this.emit('restart-failed', `enclave could not be restarted: ${r.error}; calls keep failing closed`);
        return;
      }
      this.emit('info', `enclave restart attempt ${attempt + 1} failed: ${r.error}; retrying`);
      this.scheduleRestart(attempt + 1);
      return;
    }
    this.afterBoot(r.restored);
    this.incarnation++;
    this.restarts++;
    this.up = true;
    this.emit('restart', `enclave restarted (${this.backend} backend, incarnation ${this.incarnation}) from ${this.describeRestored(r.restored)}`);
  }

  isUp(): boolean {
    return this.up;
  }

  whenUp(timeoutMs: number): Promise<boolean> {
    return pollUntil(() => this.up, () => this.closing || this.restartFailed !== null, timeoutMs);
  }

  control(moduleName: string, line: string): string {
    const mi = this.loaded.findIndex((m) => m.def.name === moduleName);
    if (mi < 0) return `error: no enclave module '${moduleName}' (loaded: ${this.loaded.map((m) => m.def.name).join(', ')})`;
    if (!this.up) return `error: enclave is down${this.restartFailed !== null ? ` (${this.restartFailed})` : ' (restarting)'}`;
    const reply = this.controlNow(mi, line);
    // State changed by a command is sealed at once (stats lines change nothing).
    if (this.up && !reply.startsWith('error:') && !/^\s*stats\b/.test(line)) this.seal();
    return reply;
  }

  seal(): { version: number; message: string } | { error: string } {
    if (!this.up) return { error: 'enclave is down; nothing sealed' };
    let version = 0;
    for (const s of this.stores) {
      const c = s.counter();
      if (typeof c !== 'number') return this.sealError(c.error);
      if (c > version) version = c;
    }
    version++;
    const blobs = this.sealNow(version);
    if ('error' in blobs) return this.sealError(blobs.error);
    for (let i = 0; i < blobs.length; i++) {
      const e = this.stores[i].store(blobs[i], version);
      if (e !== null) return this.sealError(e.error);
    }
    this.seals++;
    return { version, message: `sealed ${blobs.length} module state(s) as version ${version} ${this.sealDir === null ? 'in memory' : `in ${this.sealDir}`}` };
  }

  private sealError(message: string): { error: string } {
    this.emit('seal-error', `sealing failed: ${message}`);
    return { error: message };
  }

  stats(): TeeGateStats {
    return {
      backend: this.backend,
      transition: this.transition,
      isolation: ISOLATION_TEXT[this.backend],
      up: this.up,
      incarnation: this.incarnation,
      calls: this.calls,
      crossings: this.crossings,
      records: this.records,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      crossingNs: Math.round(this.crossingNs),
      blockingWaits: this.blockingWaits,
      wakeups: this.wakeups,
      fallbacks: this.fallbacks,
      enclaveSleeps: this.enclaveSleeps(),
      failedCalls: this.failedCalls,
      timeouts: this.timeouts,
      crashes: this.crashes,
      restarts: this.restarts,
      controlCrossings: this.controlCrossings,
      seals: this.seals,
      transitionNs: this.transitionNs,
      emulatedNs: this.emulatedNs,
      emulation: this.transitionNs > 0 ? `emulated transition cost: ${this.transitionNs} ns busy-wait per crossing (not measured)` : null,
      spinMaxUs: this.spinMs * 1000,
      spinBudgetUs: this.spin !== null ? this.spin.budgetMs * 1000 : 0,
      spinCaught: this.spin !== null ? this.spin.caught : 0,
      spinMissed: this.spin !== null ? this.spin.missed : 0,
      spinNote: this.spinNote,
    };
  }

  resetStats(): void {
    this.calls = this.crossings = this.records = this.bytesIn = this.bytesOut = this.crossingNs = 0;
    this.blockingWaits = this.wakeups = this.fallbacks = this.failedCalls = this.timeouts = 0;
    this.crashes = this.restarts = this.controlCrossings = this.seals = this.emulatedNs = 0;
    if (this.spin !== null) this.spin.caught = this.spin.missed = 0;
    this.resetSleeps();
  }

  protected abstract resetSleeps(): void;

  async close(): Promise<void> {
    if (this.closing) return;
    if (this.up && this.sealDir !== null) this.seal();
    this.closing = true;
    this.up = false;
    if (this.sealTimer !== null) clearInterval(this.sealTimer);
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    await this.stopRealm();
  }
}

/** `none`: modules run inline on the staging buffers; no copies. */
class InlineGate extends GateBase {
  private instances: EnclaveModuleInstance[] = [];
  private fnInst: EnclaveModuleInstance[] = [];

  call(fn: number, inOff: number, outOff: number, n: number): number {
    this.calls++;
    if (!this.up) {
      this.failedCalls++;
      return TeeStatus.Down;
    }
    if (this.badCall(fn, inOff, outOff, n)) {
      this.failedCalls++;
      return TeeStatus.BadCall;
    }
    clockMsInto(this.clock, 0);
    const t0 = this.clock[0];
    if (this.transitionNs > 0) {
      spinNs(this.transitionNs);
      this.emulatedNs += this.transitionNs;
    }
    try {
      this.fnInst[fn].invoke(this.fnLocal[fn], this.inBuf, inOff, this.outBuf, outOff, n);
    } catch (e) {
      this.failedCalls++;
      this.fail('crash', `module threw: ${e instanceof Error ? e.message : String(e)}`);
      return TeeStatus.Fault;
    }
    this.crossings++;
    this.records += n;
    clockMsInto(this.clock, 1);
    this.crossingNs += (this.clock[1] - t0) * 1e6;
    return TeeStatus.Ok;
  }

  protected async boot(boots: Boot[]): Promise<BootResult> {
    const r = createInline(this.loaded, boots, this.secret.secret);
    if ('error' in r) return { error: r.error, permanent: true };
    this.instances = r.instances;
    this.fnInst = Array.from(this.fnModule, (mi) => r.instances[mi]);
    return { restored: r.restored };
  }

  protected sealNow(version: number): Uint8Array[] | { error: string } {
    return sealInline(this.loaded, this.instances, this.secret.secret, version);
  }

  protected controlNow(moduleIndex: number, line: string): string {
    this.controlCrossings++;
    try {
      return this.instances[moduleIndex].control(line);
    } catch (e) {
      return `error: module control threw: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  protected killRealm(): void {
    this.instances = [];
    this.fnInst = [];
  }

  protected async stopRealm(): Promise<void> {
    this.killRealm();
  }

  protected enclaveSleeps(): number {
    return 0;
  }

  protected resetSleeps(): void {}

  enclaveInfo(): { pid: number | null; threadId: number | null; incarnation: number; up: boolean } {
    return { pid: process.pid, threadId: null, incarnation: this.incarnation, up: this.up };
  }

  kill(): void {
    this.fail('crash', 'killed (fault injection)');
  }
}

/** `isolate` / `process`: the enclave runs in another realm behind a request ring. */
class RemoteGate extends GateBase {
  private realm: EnclaveRealm | null = null;
  private ring: RequestRing | null = null;
  private readonly slotBytes: number;
  private sleepsBase = 0;
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();

  constructor(setup: GateSetup) {
    super(setup);
    let maxRec = 1;
    for (let f = 0; f < this.fnCount; f++) maxRec = Math.max(maxRec, this.fnIn[f], this.fnOut[f]);
    this.slotBytes = Math.max(MIN_SLOT_BYTES, this.maxRecords * maxRec);
  }

  call(fn: number, inOff: number, outOff: number, n: number): number {
    this.calls++;
    const ring = this.ring;
    if (!this.up || ring === null) {
      this.failedCalls++;
      return TeeStatus.Down;
    }
    if (this.badCall(fn, inOff, outOff, n)) {
      this.failedCalls++;
      return TeeStatus.BadCall;
    }
    clockMsInto(this.clock, 0);
    const t0 = this.clock[0];
    if (this.transitionNs > 0) {
      spinNs(this.transitionNs);
      this.emulatedNs += this.transitionNs;
    }
    const inLen = n * this.fnIn[fn];
    const outLen = n * this.fnOut[fn];
    const words = ring.words;
    const slot = ring.nextSlot();
    const w = ring.slotWord(slot);
    const d = ring.slotData(slot);
    words[w + S_FN] = fn;
    words[w + S_N] = n;
    words[w + S_IN_LEN] = inLen;
    words[w + S_STATUS] = -1;
    // Copy in: the pipeline's staging area -> the shared request slot.
    copyBytes(this.inBuf, inOff, ring.bytes, d, inLen);
    const wk = ring.wakeups;
    const bw = ring.blockingWaits;
    const seq = ring.publish();
    const reply = ring.awaitDone(seq, this.spin, this.timeoutMs);
    if (reply !== Reply.Done) {
      this.failedCalls++;
      if (reply === Reply.Dead) {
        this.fail('crash', 'the enclave exited during a call');
        return TeeStatus.Down;
      }
      this.timeouts++;
      this.fail('hang', `no reply within ${this.timeoutMs} ms`);
      return TeeStatus.Timeout;
    }
    const dw = ring.wakeups - wk;
    const db = ring.blockingWaits - bw;
    this.wakeups += dw;
    this.blockingWaits += db;
    if (this.spinMs > 0 && dw + db > 0) this.fallbacks++;
    const status = words[w + S_STATUS];
    if (status !== TeeStatus.Ok) {
      this.failedCalls++;
      if (status === TeeStatus.Fault) this.fail('crash', this.decoder.decode(ring.bytes.slice(d, d + words[w + S_OUT_LEN])));
      return status === TeeStatus.Fault ? TeeStatus.Fault : TeeStatus.BadCall;
    }
    // Copy out: the shared slot -> the pipeline's staging area.
    copyBytes(ring.bytes, d, this.outBuf, outOff, outLen);
    this.crossings++;
    this.records += n;
    this.bytesIn += inLen;
    this.bytesOut += outLen;
    clockMsInto(this.clock, 1);
    this.crossingNs += (this.clock[1] - t0) * 1e6;
    return TeeStatus.Ok;
  }

  /** One control-plane request through the ring; null when it timed out (the enclave is then failed). */
  private request(op: number, aux: number, input: Uint8Array): { status: number; out: Uint8Array } | null {
    this.controlCrossings++;
    const r = (this.ring as RequestRing).request(op, aux, input, Math.max(this.timeoutMs, 2000));
    if (r.reply !== Reply.Done) {
      if (r.reply === Reply.Dead) this.fail('crash', 'the enclave exited during a control request');
      else {
        this.timeouts++;
        this.fail('hang', 'no reply to a control request within the timeout');
      }
      return null;
    }
    return r;
  }

  protected controlNow(moduleIndex: number, line: string): string {
    const r = this.request(Op.Control, moduleIndex, this.encoder.encode(line));
    if (r === null) return 'error: enclave failed during the request; restarting it';
    return this.decoder.decode(r.out);
  }

  protected sealNow(version: number): Uint8Array[] | { error: string } {
    const r = this.request(Op.Seal, version, new Uint8Array(0));
    if (r === null) return { error: 'enclave failed while sealing' };
    if (r.status !== TeeStatus.Ok) return { error: `enclave could not seal its state (status ${r.status})` };
    const v = new DataView(r.out.buffer, r.out.byteOffset, r.out.byteLength);
    const blobs: Uint8Array[] = [];
    let p = 0;
    for (let i = 0; i < this.loaded.length; i++) {
      if (p + 4 > r.out.length) return { error: 'enclave returned a short seal reply' };
      const len = v.getUint32(p, true);
      blobs.push(r.out.slice(p + 4, p + 4 + len));
      p += 4 + len;
    }
    return blobs;
  }

  protected async boot(boots: Boot[]): Promise<BootResult> {
    const config: EnclaveConfig = {
      modulePaths: this.loaded.map((m) => m.path),
      platformSecretPath: this.secret.path,
      maxRecords: this.maxRecords,
      spinMs: this.spinMs,
    };
    const inline = this.secret.path === null ? this.secret.secret : null;
    const fill = (ring: RequestRing): string | null => writeBootArea(ring, inline, boots);
    const start = this.backend === 'isolate' ? startIsolate : startProcess;
    const realm = start(config, SLOTS, this.slotBytes, fill, this.startTimeoutMs);
    if ('error' in realm) return { error: realm.error, permanent: true };
    realm.onUnexpectedExit((message) => {
      if (this.realm === realm) this.fail('crash', message);
    });
    const r = await realm.ready;
    if ('error' in r || this.closing) {
      realm.kill();
      return 'error' in r ? r : { error: 'gate closed', permanent: true };
    }
    if (this.ring !== null) this.sleepsBase += Atomics.load(this.ring.ctrl, E_SLEEPS);
    this.realm = realm;
    this.ring = realm.ring;
    return r;
  }

  protected killRealm(): void {
    const realm = this.realm;
    if (realm === null) return;
    this.realm = null;
    if (this.ring !== null) this.sleepsBase += Atomics.load(this.ring.ctrl, E_SLEEPS);
    this.ring = null;
    realm.kill();
  }

  protected async stopRealm(): Promise<void> {
    const realm = this.realm;
    if (realm === null) return;
    this.realm = null;
    this.ring = null;
    await realm.stop(2000);
  }

  protected enclaveSleeps(): number {
    return this.sleepsBase + (this.ring !== null ? Atomics.load(this.ring.ctrl, E_SLEEPS) : 0);
  }

  protected resetSleeps(): void {
    this.sleepsBase = this.ring !== null ? -Atomics.load(this.ring.ctrl, E_SLEEPS) : 0;
  }

  enclaveInfo(): { pid: number | null; threadId: number | null; incarnation: number; up: boolean } {
    return { pid: this.realm?.pid ?? null, threadId: this.realm?.threadId ?? null, incarnation: this.incarnation, up: this.up };
  }

  kill(): void {
    const realm = this.realm;
    if (realm === null) return;
    // Abrupt end behind the gate's back: the gate must notice by itself (exit event or timeout).
    realm.crash();
  }
}

/** Opens a gate: loads the modules, starts the enclave (from sealed state when there is some). */
export async function openTeeGate(options: OpenTeeGateOptions): Promise<TeeGateHandle | { error: string }> {
  if (!TEE_BACKENDS.includes(options.backend)) return { error: `unknown TEE backend '${options.backend}' (none, isolate, process)` };
  if (!TEE_TRANSITIONS.includes(options.transition)) return { error: `unknown TEE transition '${options.transition}' (sync, batch, switchless)` };
  const maxRecords = options.maxRecords ?? DEFAULTS.maxRecords;
  if (!Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 65536) return { error: `maxRecords ${maxRecords} must be an integer in 1..65536` };
  for (const [k, v] of [['timeoutMs', options.timeoutMs], ['transitionNs', options.transitionNs], ['spinUs', options.spinUs], ['sealIntervalMs', options.sealIntervalMs], ['stagingBytes', options.stagingBytes]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) return { error: `${k} must be a number >= 0` };
  }
  const modules = await loadModules(options.modules ?? builtinModuleNames());
  if ('error' in modules) return modules;
  if (modules.length === 0) return { error: 'no enclave modules given' };
  const sealDir = options.sealDir ?? null;
  let secret: PlatformSecret | { error: string };
  if (options.platformSecretPath !== undefined) secret = loadPlatformSecret(options.platformSecretPath);
  else if (sealDir !== null) secret = loadPlatformSecret(defaultPlatformSecretPath());
  else secret = ephemeralPlatformSecret();
  if ('error' in secret) return secret;
  const setup: GateSetup = { options, modules, secret, sealDir };
  const gate = options.backend === 'none' ? new InlineGate(setup) : new RemoteGate(setup);
  const started = await gate.start();
  if (started !== null) {
    await gate.close();
    return started;
  }
  return gate;
}

export function isTeeGateError(g: TeeGateHandle | { error: string }): g is { error: string } {
  return 'error' in g;
}
