// What the gate holds of an enclave running in another realm (worker thread or child process): its
// ring, who runs it, how to stop or kill it, and the wait for its boot reply. Shared by isolate.ts
// and process.ts; the gate sees only this interface.
import { EnclaveState, H_MSG_LEN, H_STATE, type RequestRing } from '../ring.js';

export interface EnclaveRealm {
  readonly ring: RequestRing;
  readonly pid: number | null;
  readonly threadId: number | null;
  /** Boot reply: versions restored per module (0 = fresh), or why the enclave did not start. */
  readonly ready: Promise<{ restored: number[] } | { error: string; permanent: boolean }>;
  /** Called once when the realm ends without being asked to (crash, kill). */
  onUnexpectedExit(cb: (message: string) => void): void;
  /** Abrupt end (SIGKILL / terminate) the gate asked for; frees the region. */
  kill(): void;
  /** Fault injection: the same abrupt end, but reported through onUnexpectedExit like a real crash. */
  crash(): void;
  /** Asks the enclave loop to stop, waits up to timeoutMs, then kills. */
  stop(timeoutMs: number): Promise<void>;
}

/** Polls the ring's state word until the enclave says ready or failed, the realm exits, or time runs out. */
export function awaitReady(
  ring: RequestRing,
  exited: () => string | null,
  timeoutMs: number,
): Promise<{ restored: number[] } | { error: string; permanent: boolean }> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    const poll = (): void => {
      const state = Atomics.load(ring.ctrl, H_STATE);
      if (state === EnclaveState.Ready || state === EnclaveState.Failed) {
        const base = ring.slotData(0);
        const msg = new TextDecoder().decode(ring.bytes.slice(base, base + ring.ctrl[H_MSG_LEN]));
        if (state === EnclaveState.Failed) resolve({ error: `enclave refused to start: ${msg}`, permanent: true });
        else resolve({ restored: msg === '' ? [] : msg.split(',').map(Number) });
        return;
      }
      const ex = exited();
      if (ex !== null) return resolve({ error: `enclave exited while starting: ${ex}`, permanent: false });
      if (Date.now() > deadline) return resolve({ error: `enclave did not start within ${timeoutMs} ms`, permanent: false });
      setTimeout(poll, 2);
    };
    poll();
  });
}
