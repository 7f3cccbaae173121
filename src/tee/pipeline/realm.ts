// Host side of the secure pipeline's realms: the shared packet area (a SharedArrayBuffer for
// `isolate`, a native shm region for `process`; it outlives enclave restarts) and one enclave
// incarnation (a worker thread on isolate-entry.js, or a child process on process-entry.js) with
// its own ring region (one slot per batch in flight). Mirrors backends/isolate.ts and backends/process.ts, which start the module
// enclave's entry scripts and cannot be pointed at these.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { nativeErrorText, type NativeAddon, type NativeHandle } from '../../runtime/io/native.js';
import { futexWaiter, processBackendNative, threadWaiter } from '../backends/process.js';
import { C_WRITE, EnclaveState, H_MSG_LEN, H_STATE, H_STOP, RequestRing, initRing, ringRegionBytes } from '../ring.js';
import type { PipelineEnclaveConfig } from './protocol.js';

export type PipelineBackend = 'isolate' | 'process';

/** The packet area both sides map: the host pool's bytes. */
export interface SharedArea {
  readonly bytes: Uint8Array;
  /** isolate: the buffer handed to each worker. */
  readonly sab: SharedArrayBuffer | null;
  /** process: the shm name each child attaches. */
  readonly shmName: string | null;
  free(): void;
}

export interface PipelineRealm {
  readonly ring: RequestRing;
  readonly pid: number | null;
  readonly threadId: number | null;
  /** Boot reply text (JSON), or why the enclave did not start. */
  readonly ready: Promise<{ reply: string } | { error: string; permanent: boolean }>;
  onUnexpectedExit(cb: (message: string) => void): void;
  /** Abrupt end the host asked for. */
  kill(): void;
  /** Fault injection: the same abrupt end, reported through onUnexpectedExit like a real crash. */
  crash(): void;
  stop(timeoutMs: number): Promise<void>;
}

let sequence = 0;
const live = new Set<ChildProcess>();
const areas = new Set<string>();
let exitHook = false;

/** Children and shm names die with the host, whichever way it exits (short of SIGKILL). */
function hookExit(native: NativeAddon | null): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
    if (native !== null) for (const n of areas) { try { native.shmUnlink(n); } catch { /* gone */ } }
  });
}

/** Creates the shared packet area of `bytes` bytes for a backend. */
export function createSharedArea(backend: PipelineBackend, bytes: number): SharedArea | { error: string } {
  if (backend === 'isolate') {
    const sab = new SharedArrayBuffer(bytes);
    return { bytes: new Uint8Array(sab), sab, shmName: null, free: () => {} };
  }
  const found = processBackendNative();
  if ('error' in found) return { error: found.error.replace('the process TEE backend', 'the secure pipeline on the process backend') };
  const native = found.addon;
  const name = `p4tee-pipe-area-${process.pid}-${++sequence}-${randomBytes(4).toString('hex')}`;
  let region: { buffer: ArrayBuffer; handle: NativeHandle };
  try {
    region = native.shmOpen(name, bytes, 0);
  } catch (e) {
    return { error: `cannot create the shared packet area: ${nativeErrorText(e)}` };
  }
  areas.add(name);
  hookExit(native);
  let freed = false;
  return {
    bytes: new Uint8Array(region.buffer),
    sab: null,
    shmName: name,
    free() {
      if (freed) return;
      freed = true;
      areas.delete(name);
      try { native.shmUnlink(name); } catch { /* already gone */ }
      native.shmClose(region.handle, region.buffer);
    },
  };
}

/** Polls the ring's state word until ready or failed, the realm exits, or time runs out. */
function awaitBoot(ring: RequestRing, exited: () => string | null, timeoutMs: number): Promise<{ reply: string } | { error: string; permanent: boolean }> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const poll = (): void => {
      const state = Atomics.load(ring.ctrl, H_STATE);
      if (state === EnclaveState.Ready || state === EnclaveState.Failed) {
        const base = ring.slotData(0);
        const msg = new TextDecoder().decode(ring.bytes.slice(base, base + ring.ctrl[H_MSG_LEN]));
        resolve(state === EnclaveState.Failed ? { error: `enclave refused to start: ${msg}`, permanent: true } : { reply: msg });
        return;
      }
      const ex = exited();
      if (ex !== null) return resolve({ error: `enclave exited while starting: ${ex}`, permanent: false });
      if (Date.now() > deadline) return resolve({ error: `enclave did not start within ${timeoutMs} ms`, permanent: false });
      setTimeout(poll, 5);
    };
    poll();
  });
}

/**
 * Starts one enclave incarnation: fresh ring of `ringSlots` slots (a power of two) of `slotBytes`
 * each (boot area in slot 0, filled by fillBoot), then the realm.
 */
export function startPipelineRealm(
  backend: PipelineBackend,
  config: PipelineEnclaveConfig,
  area: SharedArea,
  ringSlots: number,
  slotBytes: number,
  fillBoot: (ring: RequestRing) => string | null,
  startTimeoutMs: number,
): PipelineRealm | { error: string } {
  return backend === 'isolate'
    ? startWorker(config, area, ringSlots, slotBytes, fillBoot, startTimeoutMs)
    : startChild(config, area, ringSlots, slotBytes, fillBoot, startTimeoutMs);
}

function startWorker(config: PipelineEnclaveConfig, area: SharedArea, ringSlots: number, slotBytes: number, fillBoot: (ring: RequestRing) => string | null, startTimeoutMs: number): PipelineRealm | { error: string } {
  const sab = new SharedArrayBuffer(ringRegionBytes(ringSlots, slotBytes));
  initRing(sab, ringSlots, slotBytes);
  const { waiter, futex } = threadWaiter();
  const ring = new RequestRing(sab, waiter);
  const bootError = fillBoot(ring);
  if (bootError !== null) return { error: bootError };
  let worker: Worker;
  try {
    worker = new Worker(new URL('./isolate-entry.js', import.meta.url), { workerData: { region: sab, packets: area.sab, config, futex } });
  } catch (e) {
    return { error: `cannot start the enclave worker: ${e instanceof Error ? e.message : String(e)}` };
  }
  worker.unref();
  let exitText: string | null = null;
  let lastError = '';
  let expected = false;
  let unexpected: ((message: string) => void) | null = null;
  worker.on('error', (e) => {
    lastError = e instanceof Error ? e.message : String(e);
  });
  const exited = new Promise<void>((resolve) => {
    worker.on('exit', (code) => {
      exitText = `enclave worker exited with code ${code}${lastError ? ` (${lastError})` : ''}`;
      if (!expected && unexpected !== null) unexpected(exitText);
      resolve();
    });
  });
  return {
    ring,
    pid: process.pid,
    threadId: worker.threadId,
    ready: awaitBoot(ring, () => exitText, startTimeoutMs),
    onUnexpectedExit(cb) { unexpected = cb; },
    kill() {
      expected = true;
      void worker.terminate();
    },
    crash() { void worker.terminate(); },
    async stop(timeoutMs) {
      expected = true;
      Atomics.store(ring.ctrl, H_STOP, 1);
      ring.waiter.wake(ring.ctrl, C_WRITE);
      if (exitText !== null) return;
      const timer = setTimeout(() => void worker.terminate(), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function startChild(config: PipelineEnclaveConfig, area: SharedArea, ringSlots: number, slotBytes: number, fillBoot: (ring: RequestRing) => string | null, startTimeoutMs: number): PipelineRealm | { error: string } {
  const found = processBackendNative();
  if ('error' in found) return found;
  const native = found.addon;
  if (area.shmName === null) return { error: 'the process backend needs a shm packet area' };
  const name = `p4tee-pipe-ring-${process.pid}-${++sequence}-${randomBytes(4).toString('hex')}`;
  let region: { buffer: ArrayBuffer; handle: NativeHandle };
  try {
    region = native.shmOpen(name, ringRegionBytes(ringSlots, slotBytes), 0);
  } catch (e) {
    return { error: `cannot create the enclave's ring region: ${nativeErrorText(e)}` };
  }
  let closed = false;
  let unlinked = false;
  const unlink = (): void => {
    if (unlinked) return;
    unlinked = true;
    try { native.shmUnlink(name); } catch { /* gone */ }
  };
  const free = (): void => {
    if (closed) return;
    closed = true;
    unlink();
    native.shmClose(region.handle, region.buffer);
  };
  initRing(region.buffer, ringSlots, slotBytes);
  const ring = new RequestRing(region.buffer, futexWaiter(native));
  const bootError = fillBoot(ring);
  if (bootError !== null) {
    free();
    return { error: bootError };
  }
  const entry = fileURLToPath(new URL('./process-entry.js', import.meta.url));
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [entry, name, area.shmName, JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    free();
    return { error: `cannot start the enclave process: ${e instanceof Error ? e.message : String(e)}` };
  }
  hookExit(native);
  live.add(child);
  child.unref();
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { stderrTail = (stderrTail + d).slice(-2000); });
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  let exitText: string | null = null;
  let expected = false;
  let unexpected: ((message: string) => void) | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      const lastLine = stderrTail.trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
      exitText = `enclave process ${child.pid} exited (${signal !== null ? `signal ${signal}` : `code ${code}`})${lastLine ? `: ${lastLine.trim()}` : ''}`;
      // The mapping stays valid for a host still reading a reply; it is unmapped once the host drops the realm.
      unlink();
      if (!expected && unexpected !== null) unexpected(exitText);
      resolve();
    });
  });
  child.once('error', (e) => { exitText = `enclave process failed: ${e.message}`; });
  const ready = awaitBoot(ring, () => exitText, startTimeoutMs).then((r) => {
    unlink();
    return r;
  });
  return {
    ring,
    get pid() { return child.pid ?? null; },
    threadId: null,
    ready,
    onUnexpectedExit(cb) { unexpected = cb; },
    kill() {
      expected = true;
      child.kill('SIGKILL');
      void exited.then(free);
    },
    crash() { child.kill('SIGKILL'); },
    async stop(timeoutMs) {
      expected = true;
      if (exitText === null) {
        Atomics.store(ring.ctrl, H_STOP, 1);
        ring.waiter.wake(ring.ctrl, C_WRITE);
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
      free();
    },
  };
}
