// The `process` backend: the enclave runs in a separate OS process (node on process-entry.js), its
// own address space; the boundary is a shared-memory region (native shm_open + mmap) holding the
// request ring, and blocking waits across the two processes are futexes on that mapping (native
// futexWait/futexWake). Needs the native addon; without it, says what is missing. Software
// isolation only (an OS process boundary, no memory encryption).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadNative, nativeErrorText, nativeStatus, type NativeAddon, type NativeHandle } from '../../runtime/io/native.js';
import type { EnclaveConfig } from './enclave-loop.js';
import { C_WRITE, H_STOP, RequestRing, atomicsWaiter, initRing, ringRegionBytes, type Waiter } from '../ring.js';
import { awaitReady, type EnclaveRealm } from './remote.js';

type FutexWait = (i32: Int32Array, index: number, expected: number, timeoutMs: number) => number;
type FutexWake = (i32: Int32Array, index: number, count: number) => number;

/** The addon when it has shm regions and futexes, else what is missing. */
export function processBackendNative(): { addon: NativeAddon } | { error: string } {
  const native = loadNative();
  if (native === undefined) {
    const s = nativeStatus();
    return { error: `the process TEE backend needs the native addon (shared memory and futexes): ${s.ok ? 'not loaded' : s.reason}` };
  }
  if (typeof native.futexWait !== 'function' || typeof native.futexWake !== 'function') {
    return { error: 'the native addon has no futexWait/futexWake (built before native/futex.c existed); rebuild it: node scripts/build-native.js' };
  }
  return { addon: native };
}

/** Futex waits and wakes on the shared mapping (no FUTEX_PRIVATE_FLAG: the two sides are processes). */
export function futexWaiter(native: NativeAddon): Waiter {
  const fwait = native.futexWait as FutexWait;
  const fwake = native.futexWake as FutexWake;
  return {
    wait(i32, index, expected, timeoutMs) {
      const r = fwait(i32, index, expected, timeoutMs);
      return r === 0 || r === 3 ? 'ok' : r === 1 ? 'not-equal' : 'timed-out';
    },
    wake(i32, index) {
      fwake(i32, index, 1);
    },
  };
}

/**
 * The waiter of a realm in a worker thread (the isolate backend and the isolate secure pipeline):
 * native futexes when the addon loads, else Atomics.wait/notify. Both sides of one ring must use the
 * same kind (a futex wake does not end an Atomics.wait): the host picks, and passes `futex` to the
 * worker, which calls workerWaiter(futex). V8's Atomics.wait goes through a process-wide lock and a
 * condition variable; a crossing with futexes costs about a microsecond less on a shared core.
 */
export function threadWaiter(): { waiter: Waiter; futex: boolean } {
  const found = processBackendNative();
  return 'error' in found ? { waiter: atomicsWaiter, futex: false } : { waiter: futexWaiter(found.addon), futex: true };
}

/** The worker's side of threadWaiter(): throws when the host chose futexes and the addon does not load here. */
export function workerWaiter(futex: boolean): Waiter {
  if (!futex) return atomicsWaiter;
  const found = processBackendNative();
  if ('error' in found) throw new Error(found.error);
  return futexWaiter(found.addon);
}

const live = new Set<ChildProcess>();
let exitHook = false;

/** Children die with the host, whichever way it exits. */
function hookExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

let sequence = 0;

export function startProcess(
  config: EnclaveConfig,
  slots: number,
  slotBytes: number,
  fillBoot: (ring: RequestRing) => string | null,
  startTimeoutMs: number,
): EnclaveRealm | { error: string } {
  const found = processBackendNative();
  if ('error' in found) return found;
  const native = found.addon;
  const name = `p4tee-enclave-${process.pid}-${++sequence}-${randomBytes(4).toString('hex')}`;
  let region: { buffer: ArrayBuffer; handle: NativeHandle };
  try {
    region = native.shmOpen(name, ringRegionBytes(slots, slotBytes), 0);
  } catch (e) {
    return { error: `cannot create the enclave's shared region: ${nativeErrorText(e)}` };
  }
  let closed = false;
  const free = (): void => {
    if (closed) return;
    closed = true;
    try {
      native.shmUnlink(name);
    } catch {
      // already unlinked after boot
    }
    native.shmClose(region.handle, region.buffer);
  };
  initRing(region.buffer, slots, slotBytes);
  const ring = new RequestRing(region.buffer, futexWaiter(native));
  const bootError = fillBoot(ring);
  if (bootError !== null) {
    free();
    return { error: bootError };
  }
  const entry = fileURLToPath(new URL('./process-entry.js', import.meta.url));
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [entry, name, JSON.stringify(config)], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    free();
    return { error: `cannot start the enclave process: ${e instanceof Error ? e.message : String(e)}` };
  }
  hookExit();
  live.add(child);
  // A gate left open must not keep the host alive on its own (the exit hook then kills the child).
  child.unref();
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderrTail = (stderrTail + d).slice(-2000);
  });
  (child.stderr as { unref?: () => void } | null)?.unref?.();
  let exitText: string | null = null;
  let expected = false;
  let unexpected: ((message: string) => void) | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      const lastLine = stderrTail.trim().split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? '';
      exitText = `enclave process ${child.pid} exited (${signal !== null ? `signal ${signal}` : `code ${code}`})${lastLine ? `: ${lastLine.trim()}` : ''}`;
      free();
      if (!expected && unexpected !== null) unexpected(exitText);
      resolve();
    });
  });
  child.once('error', (e) => {
    exitText = `enclave process failed: ${e.message}`;
  });
  const ready = awaitReady(ring, () => exitText, startTimeoutMs).then((r) => {
    // The child has attached: the name is no longer needed (the mappings stay).
    if (!closed) {
      try {
        native.shmUnlink(name);
      } catch {
        // ignore
      }
    }
    return r;
  });
  return {
    ring,
    get pid() {
      return child.pid ?? null;
    },
    threadId: null,
    ready,
    onUnexpectedExit(cb) {
      unexpected = cb;
    },
    kill() {
      expected = true;
      child.kill('SIGKILL');
    },
    crash() {
      child.kill('SIGKILL');
    },
    async stop(timeoutMs) {
      expected = true;
      if (exitText === null && !closed) {
        Atomics.store(ring.ctrl, H_STOP, 1);
        ring.waiter.wake(ring.ctrl, C_WRITE);
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
