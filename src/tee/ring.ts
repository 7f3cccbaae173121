// The request ring at the enclave boundary: a shared region (SharedArrayBuffer for `isolate`, a
// native shm mapping for `process`) holding a header, a single-producer/single-consumer ring of
// request slots and their data areas. The caller fills slot (write & mask), publishes `write`, and
// waits until `done` catches up; the enclave side takes requests in order and publishes `done`.
// Either side spins first (switchless) or sleeps at once (sync/batch); a sleeping side sets its flag
// so the other wakes it (Atomics.notify or a futex): no lost wake-ups, since each side stores its
// index before reading the other's flag. Layout, little-endian int32 words:
//   header bytes 0..63, caller line 64..127 (write, callerSleeping), enclave line 128..191 (done,
//   enclaveSleeping, enclaveSleeps), slots from 256: 64-byte slot header + data.
import { clockMs as now, clockMsInto } from '../runtime/core/clock.js';

export const RING_MAGIC = 0x50345452; // 'P4TR'
export const RING_VERSION = 1;

// Header words.
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_SLOTS = 2;
export const H_SLOT_BYTES = 3;
/** Enclave state: see EnclaveState. */
export const H_STATE = 4;
export const H_PID = 5;
/** Length of the message in slot 0's data after a boot failure / the boot reply. */
export const H_MSG_LEN = 6;
/** Set by the host to ask the enclave to stop. */
export const H_STOP = 7;
// Caller line.
export const C_WRITE = 16;
export const C_SLEEPING = 17;
// Enclave line.
export const E_DONE = 32;
export const E_SLEEPING = 33;
export const E_SLEEPS = 34;

const HEADER_BYTES = 256;
const SLOT_HEADER_BYTES = 64;
// Slot header words (relative to the slot's first word).
export const S_FN = 0;
export const S_N = 1;
export const S_IN_LEN = 2;
export const S_OUT_LEN = 3;
export const S_STATUS = 4;
export const S_AUX = 5;

/** Dead: the enclave realm is exiting without having been asked (set from its exit handler). */
export const EnclaveState = { Starting: 0, Ready: 1, Failed: 2, Stopped: 3, Dead: 4 } as const;

/** What awaitDone saw. */
export const Reply = { Done: 0, Timeout: 1, Dead: 2 } as const;

/** Request codes below 0 (function indices are >= 0). */
export const Op = { Control: -1, Seal: -2 } as const;

/** Blocking wait/wake on an int32 of the region: Atomics for SharedArrayBuffer, futex for shm mappings. */
export interface Waiter {
  /** Sleeps while i32[index] === expected, at most timeoutMs. */
  wait(i32: Int32Array, index: number, expected: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out';
  wake(i32: Int32Array, index: number): void;
}

/** Atomics.wait / Atomics.notify (SharedArrayBuffer only; allowed on Node's main thread). */
export const atomicsWaiter: Waiter = {
  wait: (i32, index, expected, timeoutMs) => Atomics.wait(i32, index, expected, timeoutMs),
  wake: (i32, index) => {
    Atomics.notify(i32, index, 1);
  },
};

/** Adaptive spin: below this budget (ms) a side stops spinning and blocks at once. */
const SPIN_FLOOR_MS = 0.001;
/** Adaptive spin: a side that stopped spinning tries a short spin (ms) once every SPIN_PROBE_EVERY waits. */
const SPIN_PROBE_MS = 0.002;
const SPIN_PROBE_EVERY = 64;

/**
 * The spin budget of one side of a switchless ring, adapted to whether spinning pays off: halved
 * whenever a spin ran out without seeing the other side (it then blocked anyway), doubled (up to
 * the configured maximum) whenever the other side answered during the spin. When the two sides
 * share a CPU, the other side cannot run while this one spins, every spin is wasted, and the
 * budget reaches 0 after a few misses: the ring then behaves like blocking calls, trying a short
 * spin once every 64 waits in case a core became free. Like SGX switchless calls' fallback, but
 * without a fixed retry count.
 */
export class AdaptiveSpin {
  /** Current budget in ms (0 = block at once). */
  budgetMs: number;
  readonly maxMs: number;
  /** Spins that saw the other side, spins that ran out. */
  caught = 0;
  missed = 0;
  private sinceProbe = 0;

  constructor(maxMs: number) {
    this.maxMs = maxMs > 0 ? maxMs : 0;
    this.budgetMs = this.maxMs;
  }

  /** The budget of the next wait: the current one, or a probe now and then once it reached 0. */
  take(): number {
    if (this.budgetMs > 0 || this.maxMs === 0) return this.budgetMs;
    if (++this.sinceProbe < SPIN_PROBE_EVERY) return 0;
    this.sinceProbe = 0;
    return SPIN_PROBE_MS < this.maxMs ? SPIN_PROBE_MS : this.maxMs;
  }

  /** The other side answered during the spin. */
  hit(): void {
    this.caught++;
    const b = this.budgetMs * 2;
    this.budgetMs = b < SPIN_PROBE_MS ? SPIN_PROBE_MS : b > this.maxMs ? this.maxMs : b;
  }

  /** The spin ran out: this side blocks. */
  miss(): void {
    this.missed++;
    const b = this.budgetMs / 2;
    this.budgetMs = b < SPIN_FLOOR_MS ? 0 : b;
  }
}

/** E_DONE value d means request seq completed: d is seq or a later request (sequence numbers wrap). */
function doneAt(d: number, seq: number): boolean {
  return ((d - seq) | 0) >= 0;
}

const COPY_LOOP_BYTES = 512;

function align64(n: number): number {
  return (n + 63) & ~63;
}

/**
 * Copies len bytes; a plain loop up to COPY_LOOP_BYTES, the records of a per-packet call or of a
 * whole batch (32 records of up to 16 bytes): set() needs a subarray object per copy, two per
 * batch crossing, which kept an extern:process:batch switch allocating ~8 MB/s at 1.8 Mpps (heap
 * sampling profile) and scavenging every 1-2 s. Larger copies (control requests, sealing) use set().
 */
export function copyBytes(src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number, len: number): void {
  if (len <= COPY_LOOP_BYTES) {
    for (let i = 0; i < len; i++) dst[dstOff + i] = src[srcOff + i];
  } else {
    dst.set(src.subarray(srcOff, srcOff + len), dstOff);
  }
}

/** Bytes of a region with `slots` slots of `slotBytes` data each. */
export function ringRegionBytes(slots: number, slotBytes: number): number {
  return HEADER_BYTES + slots * (SLOT_HEADER_BYTES + align64(slotBytes));
}

/** Writes a fresh header (magic last). */
export function initRing(buffer: ArrayBuffer | SharedArrayBuffer, slots: number, slotBytes: number): void {
  if (slots < 1 || (slots & (slots - 1)) !== 0) throw new RangeError(`ring slots ${slots} is not a power of two`);
  if (buffer.byteLength < ringRegionBytes(slots, slotBytes)) throw new RangeError('ring region too small');
  const h = new Int32Array(buffer, 0, HEADER_BYTES / 4);
  h.fill(0);
  h[H_VERSION] = RING_VERSION;
  h[H_SLOTS] = slots;
  h[H_SLOT_BYTES] = align64(slotBytes);
  Atomics.store(h, H_MAGIC, RING_MAGIC);
}

/** One side's view of a ring region. */
export class RequestRing {
  readonly ctrl: Int32Array;
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  readonly slots: number;
  readonly slotBytes: number;
  readonly mask: number;
  readonly waiter: Waiter;
  /** Caller side: blocking waits and wake-ups made (read by the gate's stats). */
  blockingWaits = 0;
  wakeups = 0;
  /** Clock scratch of awaitDone (ms). */
  private readonly clk = new Float64Array(1);

  constructor(buffer: ArrayBuffer | SharedArrayBuffer, waiter: Waiter) {
    const h = new Int32Array(buffer, 0, HEADER_BYTES / 4);
    if (Atomics.load(h, H_MAGIC) !== RING_MAGIC || h[H_VERSION] !== RING_VERSION) throw new Error('not a p4tee enclave ring region');
    this.ctrl = h;
    this.slots = h[H_SLOTS];
    this.slotBytes = h[H_SLOT_BYTES];
    this.mask = this.slots - 1;
    this.words = new Int32Array(buffer, 0, buffer.byteLength >>> 2);
    this.bytes = new Uint8Array(buffer);
    this.waiter = waiter;
  }

  /** First int32 word of slot s's header. */
  slotWord(s: number): number {
    return (HEADER_BYTES + s * (SLOT_HEADER_BYTES + this.slotBytes)) >>> 2;
  }

  /** Byte offset of slot s's data area. */
  slotData(s: number): number {
    return HEADER_BYTES + s * (SLOT_HEADER_BYTES + this.slotBytes) + SLOT_HEADER_BYTES;
  }

  // ---- caller side ----

  /** Slot of the next request (only one request is in flight: call() waits for it). */
  nextSlot(): number {
    return this.ctrl[C_WRITE] & this.mask;
  }

  /** Writes a request's header (function or op, record count, aux word, input length, status pending) into slot s. */
  stage(s: number, fn: number, n: number, aux: number, inLen: number): void {
    const w = this.slotWord(s);
    const words = this.words;
    words[w + S_FN] = fn;
    words[w + S_N] = n;
    words[w + S_AUX] = aux;
    words[w + S_IN_LEN] = inLen;
    words[w + S_STATUS] = -1;
  }

  /**
   * One control-plane request (not on the packet path): copies `input` into the next slot, stages
   * op and aux, publishes, blocks for the reply. Returns the reply kind, and on Done the status and
   * a copy of the output.
   */
  request(op: number, aux: number, input: Uint8Array, timeoutMs: number): { reply: number; status: number; out: Uint8Array } {
    const slot = this.nextSlot();
    const w = this.slotWord(slot);
    const d = this.slotData(slot);
    const len = Math.min(input.length, this.slotBytes);
    this.bytes.set(input.subarray(0, len), d);
    this.stage(slot, op, 0, aux, len);
    const reply = this.awaitDone(this.publish(), null, timeoutMs);
    if (reply !== Reply.Done) return { reply, status: -1, out: new Uint8Array(0) };
    return { reply, status: this.words[w + S_STATUS], out: this.bytes.slice(d, d + this.words[w + S_OUT_LEN]) };
  }

  /** Publishes the filled slot; wakes the enclave side only when it sleeps. Returns the sequence to wait for. */
  publish(): number {
    const seq = this.publishQuiet();
    this.wakeIfSleeping();
    return seq;
  }

  /**
   * Publishes the filled slot without waking the enclave side (several requests in flight: the
   * caller wakes it later with wakeIfSleeping(), before it waits). Returns the sequence to wait for.
   */
  publishQuiet(): number {
    const c = this.ctrl;
    const seq = (c[C_WRITE] + 1) | 0;
    Atomics.store(c, C_WRITE, seq);
    return seq;
  }

  /**
   * Wakes the enclave side if it sleeps. After publishQuiet(): the store of C_WRITE came before this
   * read of E_SLEEPING, and the enclave stores E_SLEEPING before it reads C_WRITE, so none is lost.
   */
  wakeIfSleeping(): void {
    const c = this.ctrl;
    if (Atomics.load(c, E_SLEEPING) !== 0) {
      this.wakeups++;
      this.waiter.wake(c, C_WRITE);
    }
  }

  /** True when the enclave side completed request `seq` or a later one (sequence numbers wrap). */
  reached(seq: number): boolean {
    return doneAt(Atomics.load(this.ctrl, E_DONE), seq);
  }

  /**
   * Waits until the enclave side completed request `seq` (or a later one, with several in flight):
   * spins for the adaptive budget of `spin` (null = no spin), then blocks.
   * Returns Reply.Timeout after timeoutMs without a reply, Reply.Dead when the enclave said it exits.
   */
  awaitDone(seq: number, spin: AdaptiveSpin | null, timeoutMs: number): number {
    const c = this.ctrl;
    // Clock reads into a typed array: awaitDone is inlined into big callers (the gate's call()),
    // where clockMs() itself is not, and its boxed double result would allocate per crossing.
    const clk = this.clk;
    clockMsInto(clk, 0);
    const t0 = clk[0];
    const spinMs = spin !== null ? spin.take() : 0;
    if (spinMs > 0) {
      let k = 0;
      while (!doneAt(Atomics.load(c, E_DONE), seq)) {
        if ((++k & 63) === 0) {
          clockMsInto(clk, 0);
          if (clk[0] - t0 > spinMs || Atomics.load(c, H_STATE) === EnclaveState.Dead) break;
        }
      }
      if (doneAt(Atomics.load(c, E_DONE), seq)) {
        (spin as AdaptiveSpin).hit();
        return Reply.Done;
      }
      (spin as AdaptiveSpin).miss();
    }
    this.blockingWaits++;
    Atomics.store(c, C_SLEEPING, 1);
    const deadline = t0 + timeoutMs;
    let result: number = Reply.Done;
    for (;;) {
      const d = Atomics.load(c, E_DONE);
      if (doneAt(d, seq)) break;
      if (Atomics.load(c, H_STATE) === EnclaveState.Dead) {
        result = Reply.Dead;
        break;
      }
      clockMsInto(clk, 0);
      const left = deadline - clk[0];
      if (left <= 0) {
        result = Reply.Timeout;
        break;
      }
      // Whole ms as an int32 (a Smi): a double argument to Atomics.wait is boxed, an allocation per wait.
      this.waiter.wait(c, E_DONE, d, Math.ceil(left < 1e9 ? left : 1e9) | 0);
    }
    Atomics.store(c, C_SLEEPING, 0);
    return result;
  }

  /** Enclave side, from its exit handler: says it is going away and wakes a waiting caller. */
  markDead(): void {
    const c = this.ctrl;
    // Only a serving enclave: a boot refusal (Failed) or an orderly stop keeps its state.
    if (Atomics.compareExchange(c, H_STATE, EnclaveState.Ready, EnclaveState.Dead) !== EnclaveState.Ready) return;
    this.waiter.wake(c, E_DONE);
  }

  // ---- enclave side ----

  /**
   * Waits for request number `taken + 1`: spins for the adaptive budget of `spin` (null = none), then sleeps (waking every pollMs to run
   * `alive`). Returns false when the host asked to stop or alive() says the host is gone.
   */
  awaitRequest(taken: number, spin: AdaptiveSpin | null, pollMs: number, alive: () => boolean): boolean {
    const c = this.ctrl;
    const spinMs = spin !== null ? spin.take() : 0;
    if (spinMs > 0) {
      const t0 = now();
      let k = 0;
      while (Atomics.load(c, C_WRITE) === taken) {
        if ((++k & 63) === 0 && (now() - t0 > spinMs || Atomics.load(c, H_STOP) !== 0)) break;
      }
      if (Atomics.load(c, C_WRITE) !== taken) (spin as AdaptiveSpin).hit();
      else (spin as AdaptiveSpin).miss();
    }
    if (Atomics.load(c, C_WRITE) !== taken) return Atomics.load(c, H_STOP) === 0;
    Atomics.store(c, E_SLEEPING, 1);
    Atomics.add(c, E_SLEEPS, 1);
    // alive() may cost a system call (the process backend reads its parent pid): asked only after
    // a wait that timed out, not on every crossing.
    let idle = false;
    while (Atomics.load(c, C_WRITE) === taken) {
      if (Atomics.load(c, H_STOP) !== 0 || (idle && !alive())) {
        Atomics.store(c, E_SLEEPING, 0);
        return false;
      }
      idle = this.waiter.wait(c, C_WRITE, taken, pollMs) === 'timed-out';
    }
    Atomics.store(c, E_SLEEPING, 0);
    return Atomics.load(c, H_STOP) === 0;
  }

  /** Publishes completion of request `seq`; wakes the caller only when it sleeps. */
  complete(seq: number): void {
    const c = this.ctrl;
    Atomics.store(c, E_DONE, seq);
    if (Atomics.load(c, C_SLEEPING) !== 0) this.waiter.wake(c, E_DONE);
  }

  /**
   * Publishes completion of request `seq`; wakes a sleeping caller only when no later request is
   * queued (C_WRITE === seq). For a caller with several requests in flight: it then sleeps once
   * while the enclave side runs everything queued, instead of being woken after each request. A
   * caller that sleeps publishes nothing, so the queue empties and the wake-up comes.
   */
  completeLazy(seq: number): void {
    const c = this.ctrl;
    Atomics.store(c, E_DONE, seq);
    if (Atomics.load(c, C_SLEEPING) !== 0 && Atomics.load(c, C_WRITE) === seq) this.waiter.wake(c, E_DONE);
  }
}
