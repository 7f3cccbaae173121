// The `isolate` backend: the enclave runs in a worker thread with its own V8 heap. The boundary is
// a SharedArrayBuffer request ring: inputs are copied into it by the caller and into the worker's
// own memory by the enclave loop, outputs the same way back. Software isolation only: the worker
// shares the OS process (and its address space) with the pipeline.
import { Worker } from 'node:worker_threads';
import type { EnclaveConfig } from './enclave-loop.js';
import { H_STOP, C_WRITE, RequestRing, initRing, ringRegionBytes } from '../ring.js';
import { threadWaiter } from './process.js';
import { awaitReady, type EnclaveRealm } from './remote.js';

export function startIsolate(
  config: EnclaveConfig,
  slots: number,
  slotBytes: number,
  fillBoot: (ring: RequestRing) => string | null,
  startTimeoutMs: number,
): EnclaveRealm | { error: string } {
  const sab = new SharedArrayBuffer(ringRegionBytes(slots, slotBytes));
  initRing(sab, slots, slotBytes);
  const { waiter, futex } = threadWaiter();
  const ring = new RequestRing(sab, waiter);
  const bootError = fillBoot(ring);
  if (bootError !== null) return { error: bootError };
  let worker: Worker;
  try {
    worker = new Worker(new URL('./isolate-entry.js', import.meta.url), { workerData: { region: sab, config, futex }, execArgv: [] });
  } catch (e) {
    return { error: `cannot start the enclave worker: ${e instanceof Error ? e.message : String(e)}` };
  }
  // A gate left open must not keep the host alive on its own.
  worker.unref();
  let exitText: string | null = null;
  let lastError = '';
  let expected = false;
  let unexpected: ((message: string) => void) | null = null;
  worker.on('error', (e) => {
    lastError = e instanceof Error ? e.message : String(e);
  });
  worker.on('exit', (code) => {
    exitText = `worker exited with code ${code}${lastError ? ` (${lastError})` : ''}`;
    if (!expected && unexpected !== null) unexpected(exitText);
  });
  const realm: EnclaveRealm = {
    ring,
    pid: process.pid,
    threadId: worker.threadId,
    ready: awaitReady(ring, () => exitText, startTimeoutMs),
    onUnexpectedExit(cb) {
      unexpected = cb;
    },
    kill() {
      expected = true;
      void worker.terminate();
    },
    crash() {
      void worker.terminate();
    },
    async stop(timeoutMs) {
      expected = true;
      Atomics.store(ring.ctrl, H_STOP, 1);
      ring.waiter.wake(ring.ctrl, C_WRITE);
      if (exitText !== null) return;
      const timer = setTimeout(() => void worker.terminate(), timeoutMs);
      await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      clearTimeout(timer);
    },
  };
  return realm;
}
