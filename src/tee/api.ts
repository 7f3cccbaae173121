// The enclave boundary's types: what a module running in the (software-isolated) enclave provides,
// the TeeGate the pipeline calls through, and what the gate adds for the switch, the control plane
// and `p4tee bench` (stats, control lines, sealing, events). The first block is the session
// contract, verbatim; everything after it is this module's own addition. Types only (plus a few
// constants): the code lives in gate.ts, registry.ts, backends/ and modules/.

// The contract's interfaces are declared once, in the runtime's extern glue (generated code and
// the v1model architecture call through them; the runtime does not import src/tee). Here they get
// the contract's names.
import type { TeeGate, TeeModuleDef, TeeModuleInstance } from '../runtime/externs/tee-call.js';
export type { TeeGate };
export type EnclaveFunctionDef = TeeModuleDef['functions'][number];
export type EnclaveModuleDef = TeeModuleDef;
export type EnclaveModuleInstance = TeeModuleInstance;

export type TeeBackendName = TeeGate['backend'];
export type TeeTransitionName = TeeGate['transition'];
export const TEE_BACKENDS: readonly TeeBackendName[] = ['none', 'isolate', 'process'];
export const TEE_TRANSITIONS: readonly TeeTransitionName[] = ['sync', 'batch', 'switchless'];

/** What call() returns. Every nonzero value means: fail closed (drop what needed the enclave). */
export const TeeStatus = {
  Ok: 0,
  /** The enclave is down (crashed, hung, restarting, closed). */
  Down: 1,
  /** No reply within the hang timeout: the enclave is declared hung and restarted. */
  Timeout: 2,
  /** The module threw inside the enclave: declared crashed and restarted. */
  Fault: 3,
  /** Unknown function, n out of range, or offsets outside the staging areas. */
  BadCall: 4,
} as const;

/** How each backend isolates the module: always software isolation, never hardware. */
export const ISOLATION_TEXT: Readonly<Record<TeeBackendName, string>> = {
  none: 'none (module runs inline in the pipeline thread; baseline, no isolation)',
  isolate: 'software isolation: worker thread with its own V8 heap (same OS process)',
  process: 'software isolation: separate OS process, own address space (boundary = shared memory)',
};

/** Something the gate wants the operator to know (crash, hang, restart, sealing). */
export interface TeeEvent {
  readonly kind: 'crash' | 'hang' | 'restart' | 'restart-failed' | 'seal-error' | 'info';
  readonly message: string;
  /** Enclave incarnation the event belongs to (1 = first start). */
  readonly incarnation: number;
}

export interface OpenTeeGateOptions {
  readonly backend: TeeBackendName;
  readonly transition: TeeTransitionName;
  /** Modules to load: built-in names ('study-xor', 'monitor') or paths of .js files. Default: all built-ins. */
  readonly modules?: readonly string[];
  /** Largest n of one call (default 256). */
  readonly maxRecords?: number;
  /** Minimum size of each staging buffer, inBuf and outBuf (default 65536; at least maxRecords x the sum of all functions' record sizes). */
  readonly stagingBytes?: number;
  /** Emulated extra cost per crossing in ns (busy-wait on the caller), 0 = none. Reported as emulation. */
  readonly transitionNs?: number;
  /** Hang detection: a crossing without reply for this long fails closed and restarts the enclave (default 50). */
  readonly timeoutMs?: number;
  /** Switchless spin budget in microseconds, for the caller and the enclave-side worker (default 100; the maximum of an adaptive budget, see ring.ts AdaptiveSpin; 0 when both are pinned to one CPU). */
  readonly spinUs?: number;
  /** Directory of sealed blobs and rollback counters; null/undefined = sealed blobs kept in memory only. */
  readonly sealDir?: string | null;
  /** Platform secret file (software); default ~/.p4tee/platform-secret when sealDir is set, else an ephemeral secret. */
  readonly platformSecretPath?: string;
  /** Periodic sealing interval in ms (default 10000; 0 = only on request, after control commands and at close). */
  readonly sealIntervalMs?: number;
  /** Restart after a crash or hang (default true). */
  readonly restart?: boolean;
  /** Time allowed for an enclave to start (default 15000 ms). */
  readonly startTimeoutMs?: number;
  /** Crash, hang, restart and sealing notices. */
  readonly onEvent?: (event: TeeEvent) => void;
}

/** Counters of one gate, a plain object (for telemetry and `p4tee bench`). */
export interface TeeGateStats {
  backend: TeeBackendName;
  transition: TeeTransitionName;
  isolation: string;
  up: boolean;
  incarnation: number;
  /** call() invocations, including failed ones. */
  calls: number;
  /** Successful crossings (calls that reached the module); `none` counts its inline calls. */
  crossings: number;
  /** Records carried by those crossings. */
  records: number;
  /** Bytes copied into / out of the boundary's shared area by the caller (0 for `none`). */
  bytesIn: number;
  bytesOut: number;
  /** Time spent inside call() for successful crossings, ns (includes emulated cost). */
  crossingNs: number;
  /** Caller-side blocking waits (sync/batch: one per crossing; switchless: after the spin budget ran out). */
  blockingWaits: number;
  /** Wake-ups the caller sent to the enclave side (sync/batch: one per crossing; switchless: only when it slept). */
  wakeups: number;
  /** Switchless crossings that needed a blocking wait or a wake-up (fallbacks to the blocking path). */
  fallbacks: number;
  /** Times the enclave-side worker went to sleep after its spin budget (read from the shared area). */
  enclaveSleeps: number;
  /** Calls that returned nonzero (failed closed). */
  failedCalls: number;
  timeouts: number;
  crashes: number;
  restarts: number;
  /** Crossings for control lines and sealing (not counted in `crossings`). */
  controlCrossings: number;
  seals: number;
  /** Emulated cost per crossing (ns) and its total; emulation, not measured boundary cost. */
  transitionNs: number;
  emulatedNs: number;
  emulation: string | null;
  /** Switchless: configured spin budget, the caller's current adaptive budget (µs), its spins that saw the reply / ran out. */
  spinMaxUs: number;
  spinBudgetUs: number;
  spinCaught: number;
  spinMissed: number;
  /** Why switchless does not spin (both sides pinned to one CPU), else null. */
  spinNote: string | null;
}

export interface TeeModuleInfo {
  readonly name: string;
  readonly version: string;
  /** File the enclave loads, and SHA-384 of its bytes (hex): the module measurement. */
  readonly path: string;
  readonly measurement: string;
  readonly functions: readonly EnclaveFunctionDef[];
  /** Index of the module's first function in the gate's function numbering. */
  readonly firstFn: number;
}

/** The gate as the switch holds it: the contract's TeeGate plus management. */
export interface TeeGateHandle extends TeeGate {
  readonly modules: readonly TeeModuleInfo[];
  readonly maxRecords: number;
  /** Whether calls can currently succeed. */
  isUp(): boolean;
  /** Snapshot of the counters (a fresh plain object). */
  stats(): TeeGateStats;
  resetStats(): void;
  /** Sends a control line to a module in the enclave; refusals and failures start with 'error: '. */
  control(moduleName: string, line: string): string;
  /** Seals every module's state now; a one-line result or an error. */
  seal(): { version: number; message: string } | { error: string };
  /** Who runs the enclave now (pid of the child for `process`, thread id for `isolate`). */
  enclaveInfo(): { pid: number | null; threadId: number | null; incarnation: number; up: boolean };
  /** Fault injection: kills the enclave realm abruptly (SIGKILL / terminate) without telling the gate. */
  kill(): void;
  /** Resolves true once the enclave is up (false after timeoutMs or when it stays down). */
  whenUp(timeoutMs: number): Promise<boolean>;
  /** Seals (when sealing works), stops the enclave and frees the region. */
  close(): Promise<void>;
}

/** `--tee` value: extern mode (this runtime) or pipeline mode (the secure pipeline, elsewhere). */
export type TeeSpec =
  | { readonly mode: 'extern'; readonly backend: TeeBackendName; readonly transition: TeeTransitionName }
  | { readonly mode: 'pipeline'; readonly backend: TeeBackendName };
