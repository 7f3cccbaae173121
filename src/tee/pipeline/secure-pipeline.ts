// `--tee pipeline:BACKEND`: the whole P4 pipeline (tables, externs, control-plane state, modules)
// runs inside an enclave realm (isolate: worker thread; process: child process), software isolation
// only. The host keeps the packet pool the ports fill, in a shared area (the bounce buffer); a batch
// crosses once: the enclave copies its packets into private memory, runs them, and copies what
// comes out back into slots the host offered. Under the poll loop a crossing carries up to
// `coalesce` packets (several rx bursts when traffic is queued), up to `depth` crossings are in
// flight and the host waits once per `depth` of them (pipelined crossings); STF and offline runs
// cross synchronously. Crash or hang: fail closed, event, restart from sealed state.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { clockMs as now } from '../../runtime/core/clock.js';
import type { CommandResult, ProgramInfo } from '../../runtime/abi.js';
import { PacketPool } from '../../runtime/core/packet-pool.js';
import type { LoopPipeline } from '../../runtime/core/poll-loop.js';
import { ISOLATION_TEXT } from '../api.js';
import { SealStore } from '../seal.js';
import { defaultPlatformSecretPath, ephemeralPlatformSecret, loadPlatformSecret, type PlatformSecret } from '../platform.js';
import { AdaptiveSpin, Reply, S_AUX, S_FN, S_N, S_OUT_LEN, S_STATUS, type RequestRing } from '../ring.js';
import { writeBootArea } from '../backends/enclave-loop.js';
import { DEFAULT_COALESCE, DEFAULT_DEPTH, DESC_WORDS, MAX_BATCH, MAX_DEPTH, PipeOp, PipeStatus, SLOT_BYTES, W_BAD, W_BUSY, W_DROPS, W_MORE, type PipelineEnclaveConfig } from './protocol.js';
import { createSharedArea, startPipelineRealm, type PipelineRealm, type SharedArea } from './realm.js';
import { normaliseCommand } from './enclave.js';
import { pollUntil } from '../wait.js';

export interface SecurePipelineOptions {
  backend: 'isolate' | 'process';
  p4file: string;
  include?: string[];
  defines?: string[];
  commandsFile?: string | null;
  poolSlots?: number;
  burst?: number;
  sealDir?: string | null;
  timeoutMs?: number;
  transitionNs?: number | null;
  onEvent?: (e: { kind: string; message: string }) => void;
  // ---- additions beyond the session contract (all optional) ----
  /** Periodic sealing (ms, default 10000; 0 = only on request, after commands and at close). */
  sealIntervalMs?: number;
  /** Time allowed for the enclave to compile the program and start (default 30000 ms). */
  startTimeoutMs?: number;
  /** Host-side spin before blocking on a reply, and enclave-side spin before sleeping (µs, default 0). */
  spinUs?: number;
  /** Platform secret file (default ~/.p4tee/platform-secret with sealDir, else an ephemeral secret). */
  platformSecretPath?: string;
  /**
   * Batches in flight under the poll loop (1..16, default 1): the host publishes up to `depth`
   * batches before it waits for the enclave, so one hand-over serves several crossings. 1 = one
   * blocking crossing per batch. STF and offline runs always complete each batch.
   */
  depth?: number;
  /**
   * Under the poll loop, packets per crossing (1..1024; default DEFAULT_COALESCE = 128 at depth 1,
   * a burst with depth > 1; 1 = every run() crosses): run() publishes once this many are queued,
   * and fewer wait for the next rx burst or for the loop's next pass that receives nothing
   * (settle()). At low load a crossing thus leaves after one more poll pass; under load it carries
   * several bursts, so the two context switches of a hand-over (and the cache and TLB refills after
   * them) are paid once per `coalesce` packets instead of once per burst. The poll loop's telemetry
   * records one crossing as one batch (see `held`), which keeps the per-batch model valid. STF and
   * offline runs cross once per run().
   */
  coalesce?: number;
}

export interface SecurePipeline {
  readonly arch: LoopPipeline;
  command(line: string): CommandResult;
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}

/** What the secure pipeline offers beyond the contract: STF driving (StfSwitch shape), sealing, fault injection. */
export interface SecurePipelineHandle extends SecurePipeline {
  readonly arch: HostPipeline;
  readonly info: ProgramInfo;
  readonly backend: 'isolate' | 'process';
  /** SHA-384 over the enclave code, the generated program and the module measurements (hex). */
  readonly measurement: string;
  inject(port: number, bytes: Uint8Array): void;
  run(): void;
  takeOutput(): { port: number; bytes: Uint8Array }[];
  seal(): { version: number; message: string } | { error: string };
  isUp(): boolean;
  whenUp(timeoutMs: number): Promise<boolean>;
  enclaveInfo(): { pid: number | null; threadId: number | null; incarnation: number; up: boolean };
  /** Fault injection: ends the enclave abruptly (SIGKILL / terminate) without telling the pipeline. */
  kill(): void;
}

/** Thrown by run()/injectBatch() when a batch failed closed: the poll loop frees its slots and counts them. */
export class EnclaveDownError extends Error {}

/** The host's view of the crossing: what the pipeline object needs from its owner. */
interface Crossing {
  ring(): RequestRing | null;
  onFailure(kind: 'crash' | 'hang', message: string): void;
  readonly timeoutMs: number;
  /** Host-side adaptive spin before blocking on a reply (null = block at once). */
  readonly spin: AdaptiveSpin | null;
  readonly transitionNs: number;
}

/** Ring slots for a depth: the next power of two (one slot per batch in flight). */
export function ringSlotsFor(depth: number): number {
  let s = 1;
  while (s < depth) s <<= 1;
  return s;
}

/**
 * The LoopPipeline of the host: its pool is the shared packet area. injectBatch queues slot
 * indices; run() publishes one crossing for everything queued and, once `depth` batches are in
 * flight (only after setDeferred(true); else at once), waits for the oldest and harvests every
 * completed batch; takeSent() hands out what came back, in order. settle() finishes every batch in
 * flight. Host-side records of each batch in flight (its offered slots) are never read back from
 * the ring, so a batch of a dead enclave can be failed closed without touching its ring.
 */
export class HostPipeline implements LoopPipeline {
  readonly pool: PacketPool;
  overflowDrops = 0;
  /** Batches allowed in flight while deferred (option `depth`; 1 = one blocking crossing per batch). */
  readonly depth: number;
  private deferred = false;
  private readonly x: Crossing;
  private readonly pend = new Int32Array(MAX_BATCH);
  private pendN = 0;
  /**
   * Deferred mode coalesces: run() publishes only once `coalesce` packets are queued (option
   * `coalesce`; DEFAULT_COALESCE at depth 1, a burst at depth > 1); pend[0, pendOld) are packets of earlier run() calls still
   * waiting (the pipeline's own: on a failure it frees them, the caller frees only its current batch).
   */
  readonly coalesce: number;
  private pendOld = 0;
  // Per ring slot: the batch in flight there. Its offered slots (inputs first, then spares),
  // counts, input bytes, and the run() epoch that published it (-1: a drain, no inputs).
  private readonly recMask: number;
  private readonly recOffered: Int32Array[];
  private readonly recIn: Int32Array;
  private readonly recSpares: Int32Array;
  private readonly recBytes: Float64Array;
  private readonly recEpoch: Int32Array;
  /** Per ring slot: how many of its inputs came from earlier run() calls (coalesced; the pipeline's own). */
  private readonly recOld: Int32Array;
  /** Batches in flight, the sequence number of the oldest, and the ring they were published on. */
  private inflight = 0;
  private oldest = 0;
  private inflightRing: RequestRing | null = null;
  /**
   * Advances each time run() returns or throws: batches published in the current epoch hold the
   * caller's current batch, whose input slots stay the caller's when the enclave fails.
   */
  private epoch = 0;
  /** W_MORE of the last harvested batch: packets the enclave still holds. */
  private more = 0;
  /**
   * Spare slots offered with the next batch (for clones and multicast copies): what the last batch
   * produced beyond its inputs, plus what the enclave still holds. 0 for a program that never
   * replicates, so a batch costs no spare alloc/free; a replicating one gets spares from its second
   * batch on (what finds no slot is carried and drained in the same run(), one crossing more).
   */
  private spareHint = 0;
  /** Sent packets: a ring of slot indices (never more than the pool's slots are held). */
  private readonly sentQ: Int32Array;
  private readonly sentMask: number;
  private sentHead = 0;
  private sentTail = 0;
  // Counters.
  crossings = 0;
  /** Times the host had to wait for the enclave (a hand-over of the CPU when both share one). */
  handoffs = 0;
  packetsIn = 0;
  packetsOut = 0;
  /** Spare slots offered to the enclave (for replication; see spareHint). */
  sparesOffered = 0;
  bytesIn = 0;
  bytesOut = 0;
  /** Host time spent on crossings: staging descriptors, publishing, waiting, reading replies. */
  crossingNs = 0;
  enclaveNs = 0;
  emulatedNs = 0;
  failedBatches = 0;
  failClosedDrops = 0;
  enclaveDrops = 0;
  refused = 0;

  constructor(pool: PacketPool, x: Crossing, depth = 1, coalesce = 32) {
    this.pool = pool;
    this.x = x;
    this.depth = depth;
    this.coalesce = Math.max(1, Math.min(MAX_BATCH, coalesce));
    const slots = ringSlotsFor(depth);
    this.recMask = slots - 1;
    this.recOffered = [];
    for (let i = 0; i < slots; i++) this.recOffered.push(new Int32Array(2 * MAX_BATCH));
    this.recIn = new Int32Array(slots);
    this.recSpares = new Int32Array(slots);
    this.recBytes = new Float64Array(slots);
    this.recEpoch = new Int32Array(slots);
    this.recOld = new Int32Array(slots);
    let size = 1;
    while (size < pool.slots) size <<= 1;
    this.sentQ = new Int32Array(size);
    this.sentMask = size - 1;
  }

  injectBatch(pkts: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      if (this.pendN === MAX_BATCH) this.cross();
      this.pend[this.pendN++] = pkts[i];
    }
  }

  run(): void {
    // Deferred (poll loop): fewer than `coalesce` packets wait for the next batches (or settle()).
    if (this.pendN !== 0 && (!this.deferred || this.pendN >= this.coalesce)) this.cross();
    this.pendOld = this.pendN;
    this.epoch = (this.epoch + 1) | 0;
  }

  takeSent(): number {
    if (this.sentHead === this.sentTail) return -1;
    const p = this.sentQ[this.sentHead & this.sentMask];
    this.sentHead++;
    return p;
  }

  /**
   * Lets run() return with up to `depth` batches in flight (on), or makes every run() complete its
   * crossing (off, the default: STF and offline runs). Whoever turns it on calls settle() when it
   * runs out of work (the poll loop does, after a pass that received nothing).
   */
  setDeferred(on: boolean): void {
    if (!on) this.settle();
    this.deferred = on;
  }

  /** Batches in flight plus sent packets not taken yet: nonzero when settle() and a flush have work. */
  get backlog(): number {
    return this.inflight + this.pendN + (this.sentTail - this.sentHead);
  }

  /** Packets queued for a later crossing (coalescing): the poll loop's telemetry merges their batches. */
  get held(): number {
    return this.pendN;
  }

  /** Batches in flight now. */
  get inFlight(): number {
    return this.inflight;
  }

  /**
   * Finishes every batch in flight now (one wait for the newest), and drains what the enclave
   * still holds. Never throws: if the enclave fails meanwhile, the batches fail closed here.
   */
  settle(): void {
    if (this.inflight === 0 && this.pendN === 0) return;
    const t0 = now();
    const ring = this.x.ring();
    if (ring === null || (this.inflight !== 0 && ring !== this.inflightRing)) {
      this.abandon();
      this.dropPending();
    } else {
      if (this.pendN !== 0) {
        // Coalesced packets of earlier run() calls: published as the pipeline's own (not the current epoch).
        const n = this.pendN;
        this.pendN = 0;
        this.pendOld = 0;
        this.publishBatch(ring, n, this.spareHint, (this.epoch - 1) | 0, n);
      }
      if (!this.drain(ring)) this.abandon();
    }
    this.crossingNs += (now() - t0) * 1e6;
  }

  /** Fails closed the coalesced packets still queued (the enclave is down). */
  private dropPending(): void {
    const n = this.pendN;
    if (n === 0) return;
    for (let j = 0; j < n; j++) this.pool.free(this.pend[j]);
    this.failedBatches++;
    this.failClosedDrops += n;
    this.pendN = 0;
    this.pendOld = 0;
  }

  /**
   * Publishes the queued packets as one batch; once `depth` batches are in flight (1 unless
   * deferred), waits for the oldest, harvests every completed batch, and drains held packets.
   */
  private cross(): void {
    const n = this.pendN;
    const old = this.pendOld;
    this.pendN = 0;
    this.pendOld = 0;
    const t0 = now();
    const ring = this.x.ring();
    if (ring === null || (this.inflight !== 0 && ring !== this.inflightRing)) {
      // The enclave went away (seen by its exit event, or restarted since) with batches in flight.
      const left = this.inflight !== 0 ? this.abandon() : 0;
      if (ring === null || left > 0) {
        // Coalesced packets of earlier calls are the pipeline's to free; the rest the caller frees.
        for (let j = 0; j < old; j++) this.pool.free(this.pend[j]);
        this.failClosedDrops += old;
        this.failClosed(left + n - old, 'the secure pipeline enclave is down (restarting); batch dropped (fail closed)', t0);
      }
    }
    const r = ring as RequestRing;
    // Invariant: fewer than `depth` (<= ring slots) batches are in flight here, so slot
    // (write & mask) is free.
    this.publishBatch(r, n, this.spareHint, this.epoch, old);
    if (this.inflight >= (this.deferred ? this.depth : 1)) {
      let ok = this.waitFor(r, this.oldest);
      if (ok && this.more > 0) ok = this.drain(r);
      if (!ok) {
        const left = this.abandon();
        if (left > 0) this.failClosed(left, 'the secure pipeline enclave failed during a batch; batch dropped (fail closed)', t0);
      }
    }
    this.crossingNs += (now() - t0) * 1e6;
  }

  /**
   * Stages a batch in slot (write & mask) and publishes it without waking the enclave: n input
   * descriptors, then as many spare slots as `want` (for clones and multicast copies). Returns
   * false when there is nothing to send (a drain with no free slot to offer).
   */
  private publishBatch(ring: RequestRing, n: number, want: number, epoch: number, old = 0): boolean {
    const pool = this.pool;
    const words = ring.words;
    const r = ring.nextSlot();
    const w = ring.slotWord(r);
    const dw = ring.slotData(r) >>> 2;
    const offered = this.recOffered[r];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const s = this.pend[i];
      const o = dw + i * DESC_WORDS;
      const len = pool.length[s];
      words[o] = s;
      words[o + 1] = pool.start[s];
      words[o + 2] = len;
      words[o + 3] = pool.port[s];
      offered[i] = s;
      bytes += len;
    }
    let spares = 0;
    const so = dw + n * DESC_WORDS;
    const room = want < MAX_BATCH ? want : MAX_BATCH;
    while (spares < room) {
      const s = pool.alloc();
      if (s < 0) break;
      words[so + spares] = s;
      offered[n + spares++] = s;
    }
    if (n === 0 && spares === 0) return false;
    this.sparesOffered += spares;
    words[w + S_FN] = PipeOp.Batch;
    words[w + S_N] = n;
    words[w + S_AUX] = spares;
    words[w + S_STATUS] = -1;
    if (this.x.transitionNs > 0) {
      const end = now() + this.x.transitionNs * 1e-6;
      while (now() < end) { /* emulated transition cost */ }
      this.emulatedNs += this.x.transitionNs;
    }
    const seq = ring.publishQuiet();
    if (this.inflight === 0) {
      this.oldest = seq;
      this.inflightRing = ring;
    }
    this.inflight++;
    this.recIn[r] = n;
    this.recSpares[r] = spares;
    this.recBytes[r] = bytes;
    this.recEpoch[r] = n === 0 ? -1 : epoch;
    this.recOld[r] = old;
    return true;
  }

  /**
   * Waits until request `seq` (or a later one) completed, waking the enclave first if it sleeps,
   * then harvests every completed batch in order. False when the enclave crashed or hung (reported;
   * what is still in flight is the caller's to abandon).
   */
  private waitFor(ring: RequestRing, seq: number): boolean {
    let reply: number = Reply.Done;
    if (!ring.reached(seq)) {
      this.handoffs++;
      ring.wakeIfSleeping();
      reply = ring.awaitDone(seq, this.x.spin, this.x.timeoutMs);
    }
    // What completed before a failure is complete: its outputs go out.
    while (this.inflight !== 0 && ring.reached(this.oldest)) {
      this.harvest(ring, (this.oldest - 1) & this.recMask);
      this.oldest = (this.oldest + 1) | 0;
      this.inflight--;
    }
    if (reply === Reply.Done) return true;
    if (reply === Reply.Dead) this.x.onFailure('crash', 'the enclave exited during a batch');
    else this.x.onFailure('hang', `no reply to a batch within ${this.x.timeoutMs} ms`);
    return false;
  }

  /** Finishes everything in flight, then drains held packets with 0-input crossings (one at a time). */
  private drain(ring: RequestRing): boolean {
    if (this.inflight !== 0 && !this.waitFor(ring, (this.oldest + this.inflight - 1) | 0)) return false;
    while (this.more > 0) {
      // No free slot to offer: they leave with the next crossing.
      if (!this.publishBatch(ring, 0, this.more, -1)) return true;
      if (!this.waitFor(ring, this.oldest)) return false;
    }
    return true;
  }

  /** Reads the reply of the completed batch in ring slot r: outputs to the sent queue, unused slots freed. */
  private harvest(ring: RequestRing, r: number): void {
    const pool = this.pool;
    const words = ring.words;
    const w = ring.slotWord(r);
    const dw = ring.slotData(r) >>> 2;
    const offered = this.recOffered[r];
    const n = this.recIn[r];
    const total = n + this.recSpares[r];
    let m = words[w + S_OUT_LEN];
    if (!(m >= 0 && m <= total)) m = 0;
    const slotSize = pool.slotSize;
    let outBytes = 0;
    let j = 0;
    for (; j < m; j++) {
      const o = dw + j * DESC_WORDS;
      const s = words[o];
      const start = words[o + 1];
      const len = words[o + 2];
      // The enclave takes the offered slots in order and stays inside them.
      if (s !== offered[j] || start < s * slotSize || len < 0 || start + len > (s + 1) * slotSize) {
        pool.free(offered[j]);
        this.refused++;
        continue;
      }
      pool.start[s] = start;
      pool.length[s] = len;
      pool.port[s] = words[o + 3];
      this.sentQ[this.sentTail & this.sentMask] = s;
      this.sentTail++;
      this.packetsOut++;
      outBytes += len;
    }
    for (; j < total; j++) pool.free(offered[j]);
    const drops = words[w + W_DROPS] + words[w + W_BAD];
    this.enclaveDrops += drops;
    this.overflowDrops += drops;
    this.crossings++;
    this.packetsIn += n;
    this.bytesIn += this.recBytes[r];
    this.bytesOut += outBytes;
    this.enclaveNs += words[w + W_BUSY] * 62.5;
    const more = words[w + W_MORE];
    this.more = more > 0 ? more : 0;
    const hint = (m > n ? m - n : 0) + this.more;
    this.spareHint = hint < MAX_BATCH ? hint : MAX_BATCH;
  }

  /**
   * The enclave failed (or was replaced) with batches in flight: they fail closed. Their spare
   * slots come back to the pool, and so do the inputs of every batch but the caller's current
   * one (run() throws for those: the caller frees them). Returns the current batch's inputs.
   */
  private abandon(): number {
    const pool = this.pool;
    let left = 0;
    for (let i = 0; i < this.inflight; i++) {
      const r = (this.oldest + i - 1) & this.recMask;
      const offered = this.recOffered[r];
      const n = this.recIn[r];
      const spares = this.recSpares[r];
      for (let j = 0; j < spares; j++) pool.free(offered[n + j]);
      if (this.recEpoch[r] === this.epoch) {
        // The caller's current batch: its packets are the caller's to free, but for those coalesced from earlier calls.
        const old = this.recOld[r];
        for (let j = 0; j < old; j++) pool.free(offered[j]);
        if (old > 0) this.failClosedDrops += old;
        left += n - old;
      } else if (n > 0) {
        for (let j = 0; j < n; j++) pool.free(offered[j]);
        this.failedBatches++;
        this.failClosedDrops += n;
      }
    }
    this.inflight = 0;
    this.inflightRing = null;
    this.more = 0;
    return left;
  }

  private failClosed(n: number, message: string, t0: number): never {
    this.failedBatches++;
    this.failClosedDrops += n;
    this.crossingNs += (now() - t0) * 1e6;
    // The run() ends here: the next batches belong to a new epoch.
    this.epoch = (this.epoch + 1) | 0;
    this.pendOld = 0;
    // The caller (the poll loop) still owns the batch's slots: it frees and counts them.
    throw new EnclaveDownError(message);
  }
}

type BootOk = { ok: true; realm: PipelineRealm; restored: number; info: ProgramInfo; measurement: string; copier: string };
type BootFail = { ok: false; error: string; permanent: boolean };

function parseDefines(defs: readonly string[]): [string, string][] | { error: string } {
  const out: [string, string][] = [];
  for (const d of defs) {
    const eq = d.indexOf('=');
    const name = eq < 0 ? d : d.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { error: `invalid macro name in -D ${d}` };
    out.push([name, eq < 0 ? '1' : d.slice(eq + 1)]);
  }
  return out;
}

class SecurePipelineImpl implements SecurePipelineHandle, Crossing {
  readonly backend: 'isolate' | 'process';
  readonly arch: HostPipeline;
  info!: ProgramInfo;
  measurement = '';
  readonly timeoutMs: number;
  readonly spinMs: number;
  readonly spin: AdaptiveSpin | null;
  readonly transitionNs: number;
  private readonly config: PipelineEnclaveConfig;
  private readonly area: SharedArea;
  private readonly store: SealStore;
  private readonly secret: PlatformSecret;
  private readonly sealDir: string | null;
  private readonly startTimeoutMs: number;
  private readonly sealIntervalMs: number;
  private readonly onEvent: ((e: { kind: string; message: string }) => void) | undefined;
  private realm: PipelineRealm | null = null;
  private ringRef: RequestRing | null = null;
  private up = false;
  private closing = false;
  private incarnation = 0;
  private restartFailed: string | null = null;
  private sealTimer: ReturnType<typeof setInterval> | null = null;
  private sealSoon: ReturnType<typeof setTimeout> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private copier = '';
  private readonly encoder = new TextEncoder();
  private readonly decoder = new TextDecoder();
  // Counters beside the data path's.
  private controlCrossings = 0;
  private seals = 0;
  private timeouts = 0;
  private crashes = 0;
  private restarts = 0;
  private lastSealVersion = 0;

  constructor(o: SecurePipelineOptions, config: PipelineEnclaveConfig, area: SharedArea, pool: PacketPool, secret: PlatformSecret) {
    this.backend = o.backend;
    this.config = config;
    this.area = area;
    this.secret = secret;
    this.sealDir = o.sealDir ?? null;
    this.store = new SealStore(this.sealDir, `pipeline-${basename(o.p4file).replace(/\.p4$/, '').replace(/[^A-Za-z0-9_.-]/g, '_')}`);
    this.timeoutMs = o.timeoutMs ?? 1000;
    this.spinMs = (o.spinUs ?? 0) / 1000;
    this.spin = this.spinMs > 0 ? new AdaptiveSpin(this.spinMs) : null;
    this.transitionNs = o.transitionNs ?? 0;
    this.startTimeoutMs = o.startTimeoutMs ?? 30_000;
    this.sealIntervalMs = o.sealIntervalMs ?? 10_000;
    this.onEvent = o.onEvent;
    const depth = o.depth ?? DEFAULT_DEPTH;
    this.arch = new HostPipeline(pool, this, depth, o.coalesce ?? (depth > 1 ? (o.burst ?? 32) : DEFAULT_COALESCE));
  }

  ring(): RequestRing | null {
    return this.up ? this.ringRef : null;
  }

  private emit(kind: string, message: string): void {
    if (this.onEvent !== undefined) this.onEvent({ kind, message });
  }

  /** Starts one incarnation from the stored sealed state. */
  private async boot(): Promise<BootOk | BootFail> {
    const b = this.store.load();
    if ('error' in b) return { ok: false, error: b.error, permanent: true };
    const inline = this.secret.path === null ? this.secret.secret : null;
    const fill = (ring: RequestRing): string | null => writeBootArea(ring, inline, [b]);
    const realm = startPipelineRealm(this.backend, this.config, this.area, ringSlotsFor(this.arch.depth), SLOT_BYTES, fill, this.startTimeoutMs);
    if ('error' in realm) return { ok: false, error: realm.error, permanent: true };
    realm.onUnexpectedExit((message) => {
      if (this.realm === realm) this.fail('crash', message);
    });
    const r = await realm.ready;
    if ('error' in r || this.closing) {
      realm.kill();
      return 'error' in r ? { ok: false, error: r.error, permanent: r.permanent } : { ok: false, error: 'secure pipeline closed', permanent: true };
    }
    let parsed: { restored: number; info: ProgramInfo; measurement: string; copier: string };
    try {
      parsed = JSON.parse(r.reply, (_k, v: unknown) => {
        const b = v !== null && typeof v === 'object' ? (v as { $bigint?: unknown }).$bigint : undefined;
        return typeof b === 'string' ? BigInt(b) : v;
      }) as typeof parsed;
    } catch {
      realm.kill();
      return { ok: false, error: 'the enclave sent a malformed boot reply', permanent: true };
    }
    if (parsed.restored > 0) this.store.raiseCounter(parsed.restored);
    return { ok: true, realm, restored: parsed.restored, info: parsed.info, measurement: parsed.measurement, copier: parsed.copier };
  }

  private install(r: BootOk): void {
    this.realm = r.realm;
    this.ringRef = r.realm.ring;
    this.info = r.info;
    this.measurement = r.measurement;
    this.copier = r.copier;
    this.up = true;
  }

  async start(commandsFile: string | null): Promise<{ error: string } | null> {
    const r = await this.boot();
    if (!r.ok) return { error: r.error };
    this.install(r);
    this.incarnation = 1;
    const what = r.restored > 0 ? `sealed state version ${r.restored}` : 'no sealed state (fresh)';
    this.emit('info', `secure pipeline up: ${ISOLATION_TEXT[this.backend]}; whole pipeline inside the enclave; ${what}`);
    if (commandsFile !== null) {
      if (r.restored > 0) {
        this.emit('info', `commands file ${commandsFile} not applied: the tables come from the sealed state (remove ${this.sealDir ?? 'the seal directory'} to start fresh)`);
      } else {
        let text: string;
        try {
          text = readFileSync(commandsFile, 'utf8');
        } catch (e) {
          return { error: `cannot read ${commandsFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
        }
        const lines = text.split(/\r?\n/);
        for (let i = 0; i < lines.length; i++) {
          const hash = lines[i].indexOf('#');
          const line = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
          if (line === '') continue;
          const c = this.request(PipeOp.Command, 0, this.encoder.encode(line));
          const res = c === null ? { ok: false as const, error: 'enclave failed during the command' } : (JSON.parse(this.decoder.decode(c.out)) as CommandResult);
          if (!res.ok) return { error: `${commandsFile}:${i + 1}: error: ${res.error}\n    ${line}` };
        }
      }
    }
    // The starting state is sealed at once: a crash before the first periodic seal restarts from it.
    const s = this.seal();
    if ('error' in s) this.emit('seal-error', `sealing the starting state failed: ${s.error}`);
    if (this.sealIntervalMs > 0) {
      this.sealTimer = setInterval(() => {
        if (this.up) this.seal();
      }, this.sealIntervalMs);
      this.sealTimer.unref();
    }
    return null;
  }

  /** The enclave crashed or hung: fail closed, say so, restart in the background. */
  onFailure(kind: 'crash' | 'hang', message: string): void {
    this.fail(kind, message);
  }

  private fail(kind: 'crash' | 'hang', message: string): void {
    if (!this.up) return;
    this.up = false;
    if (kind === 'crash') this.crashes++;
    else this.timeouts++;
    const realm = this.realm;
    this.realm = null;
    this.ringRef = null;
    realm?.kill();
    const next = this.closing ? '' : '; restarting it from its last sealed state';
    this.emit(kind, `secure pipeline enclave ${kind === 'hang' ? 'hung' : 'crashed'} (${this.backend} backend, incarnation ${this.incarnation}): ${message}; batches are dropped (fail closed) meanwhile${next}`);
    if (!this.closing) this.scheduleRestart(0);
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
    const r = await this.boot();
    if (this.closing) {
      if (r.ok) await r.realm.stop(2000);
      return;
    }
    if (!r.ok) {
      if (r.permanent || attempt >= 5) {
        this.restartFailed = r.error;
        this.emit('restart-failed', `secure pipeline enclave could not be restarted: ${r.error}; batches keep being dropped`);
        return;
      }
      this.emit('info', `secure pipeline restart attempt ${attempt + 1} failed: ${r.error}; retrying`);
      this.scheduleRestart(attempt + 1);
      return;
    }
    this.install(r);
    this.incarnation++;
    this.restarts++;
    this.emit('restart', `secure pipeline enclave restarted (${this.backend} backend, incarnation ${this.incarnation}) from ${r.restored > 0 ? `sealed state version ${r.restored}` : 'no sealed state (fresh)'}`);
  }

  /**
   * One control-plane request, after every batch in flight completed (their outputs wait in the
   * sent queue for the loop's next flush); null when the enclave failed (it is then restarting).
   */
  private request(op: number, aux: number, input: Uint8Array): { status: number; out: Uint8Array } | null {
    this.arch.settle();
    const ring = this.ring();
    if (ring === null) return null;
    this.controlCrossings++;
    const r = ring.request(op, aux, input, Math.max(this.timeoutMs, 2000));
    if (r.reply !== Reply.Done) {
      if (r.reply === Reply.Dead) this.fail('crash', 'the enclave exited during a control request');
      else this.fail('hang', 'no reply to a control request within the timeout');
      return null;
    }
    return r;
  }

  command(line: string): CommandResult {
    const words = line.replace(/#.*/, '').trim().split(/\s+/);
    if (words[0] === 'tee_seal') {
      const s = this.seal();
      return 'error' in s ? { ok: false, error: s.error } : { ok: true, message: s.message };
    }
    if (!this.up) return { ok: false, error: `the secure pipeline enclave is down (${this.restartFailed ?? 'restarting'})` };
    const r = this.request(PipeOp.Command, 0, this.encoder.encode(line));
    if (r === null) return { ok: false, error: 'the secure pipeline enclave failed during the command; restarting it' };
    let res: CommandResult;
    try {
      res = JSON.parse(this.decoder.decode(r.out)) as CommandResult;
    } catch {
      return { ok: false, error: 'the enclave sent a malformed command reply' };
    }
    // State a command changed is sealed soon (coalescing a burst of commands into one seal).
    if (res.ok && (normaliseCommand(line) !== null || /^(register_write|register_reset|counter_write|counter_reset|tee_control)$/.test(words[0] ?? ''))) {
      if (this.sealSoon === null) {
        this.sealSoon = setTimeout(() => {
          this.sealSoon = null;
          if (this.up) this.seal();
        }, 100);
        this.sealSoon.unref();
      }
    }
    return res;
  }

  seal(): { version: number; message: string } | { error: string } {
    if (!this.up) return { error: 'the secure pipeline enclave is down; nothing sealed' };
    const c = this.store.counter();
    if (typeof c !== 'number') return this.sealError(c.error);
    const version = c + 1;
    const r = this.request(PipeOp.Seal, version, new Uint8Array(0));
    if (r === null) return this.sealError('the enclave failed while sealing');
    if (r.status !== PipeStatus.Ok) return this.sealError(this.decoder.decode(r.out));
    const e = this.store.store(r.out, version);
    if (e !== null) return this.sealError(e.error);
    this.seals++;
    this.lastSealVersion = version;
    return { version, message: `sealed the pipeline state (${r.out.length} bytes) as version ${version} ${this.sealDir === null ? 'in memory' : `in ${this.sealDir}`}` };
  }

  private sealError(message: string): { error: string } {
    this.emit('seal-error', `sealing the pipeline state failed: ${message}`);
    return { error: message };
  }

  stats(): Record<string, unknown> {
    const a = this.arch;
    return {
      mode: 'pipeline',
      backend: this.backend,
      isolation: ISOLATION_TEXT[this.backend],
      up: this.up,
      incarnation: this.incarnation,
      measurement: this.measurement,
      crossings: a.crossings,
      depth: a.depth,
      coalesce: a.coalesce,
      handoffs: a.handoffs,
      crossingsPerHandoff: a.handoffs === 0 ? 0 : +(a.crossings / a.handoffs).toFixed(2),
      inFlight: a.inFlight,
      packetsIn: a.packetsIn,
      packetsOut: a.packetsOut,
      bytesIn: a.bytesIn,
      bytesOut: a.bytesOut,
      crossingNs: Math.round(a.crossingNs),
      enclaveNs: Math.round(a.enclaveNs),
      meanCrossingNs: a.crossings === 0 ? 0 : Math.round(a.crossingNs / a.crossings),
      // With batches in flight the enclave may work while the host does rx/tx (another core): the
      // difference then understates the boundary's cost, and is shown as 0 when negative.
      meanBoundaryNs: a.crossings === 0 ? 0 : Math.max(0, Math.round((a.crossingNs - a.enclaveNs - a.emulatedNs) / a.crossings)),
      meanBatch: a.crossings === 0 ? 0 : +(a.packetsIn / a.crossings).toFixed(2),
      copies: 'per packet: shared area -> enclave pool (in), enclave pool -> shared area (out)',
      copier: this.copier,
      enclaveDrops: a.enclaveDrops,
      refusedDescriptors: a.refused,
      failedBatches: a.failedBatches,
      failClosedDrops: a.failClosedDrops,
      timeouts: this.timeouts,
      crashes: this.crashes,
      restarts: this.restarts,
      controlCrossings: this.controlCrossings,
      seals: this.seals,
      sealVersion: this.lastSealVersion,
      transitionNs: this.transitionNs,
      emulatedNs: Math.round(a.emulatedNs),
      emulation: this.transitionNs > 0 ? `emulated transition cost: ${this.transitionNs} ns busy-wait per crossing (not measured)` : null,
    };
  }

  // ---- StfSwitch shape (p4tee stf, tests): one packet at a time through the same crossing.

  private readonly one = new Int32Array(1);

  inject(port: number, bytes: Uint8Array): void {
    const pool = this.arch.pool;
    const p = pool.alloc();
    if (p < 0 || !pool.write(p, bytes)) {
      if (p >= 0) pool.free(p);
      this.arch.overflowDrops++;
      return;
    }
    pool.port[p] = port;
    this.one[0] = p;
    try {
      this.arch.injectBatch(this.one, 1);
    } catch (e) {
      if (!(e instanceof EnclaveDownError)) throw e;
      if (pool.isAllocated(p)) pool.free(p);
    }
  }

  run(): void {
    // A failed crossing leaves its input slots to the caller: this adapter holds no other slot
    // (takeOutput copies and frees), so every allocated slot is one of them.
    const pool = this.arch.pool;
    try {
      this.arch.run();
      // Synchronous for STF and tests: nothing stays in flight.
      this.arch.settle();
    } catch (e) {
      if (!(e instanceof EnclaveDownError)) throw e;
      for (let i = 0; i < pool.slots; i++) if (pool.isAllocated(i)) pool.free(i);
    }
  }

  takeOutput(): { port: number; bytes: Uint8Array }[] {
    const out: { port: number; bytes: Uint8Array }[] = [];
    const pool = this.arch.pool;
    for (;;) {
      const p = this.arch.takeSent();
      if (p < 0) break;
      out.push({ port: pool.port[p], bytes: pool.bytes(p) });
      pool.free(p);
    }
    return out;
  }

  isUp(): boolean {
    return this.up;
  }

  whenUp(timeoutMs: number): Promise<boolean> {
    return pollUntil(() => this.up, () => this.closing || this.restartFailed !== null, timeoutMs);
  }

  enclaveInfo(): { pid: number | null; threadId: number | null; incarnation: number; up: boolean } {
    return { pid: this.realm?.pid ?? null, threadId: this.realm?.threadId ?? null, incarnation: this.incarnation, up: this.up };
  }

  kill(): void {
    this.realm?.crash();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    // Batches in flight complete first (their outputs stay in the sent queue).
    if (this.up) this.arch.settle();
    if (this.up && this.sealDir !== null) this.seal();
    this.closing = true;
    this.up = false;
    if (this.sealTimer !== null) clearInterval(this.sealTimer);
    if (this.sealSoon !== null) clearTimeout(this.sealSoon);
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    const realm = this.realm;
    this.realm = null;
    this.ringRef = null;
    if (realm !== null) await realm.stop(2000);
    this.area.free();
  }
}

/** Opens the secure pipeline: shared packet area, enclave realm (compiles the program inside), commands, sealing. */
export async function openSecurePipeline(o: SecurePipelineOptions): Promise<SecurePipeline | { error: string }> {
  return openSecurePipelineHandle(o);
}

/** openSecurePipeline with the handle's full type (tests, the STF command). */
export async function openSecurePipelineHandle(o: SecurePipelineOptions): Promise<SecurePipelineHandle | { error: string }> {
  if (o.backend !== 'isolate' && o.backend !== 'process') return { error: `the secure pipeline runs on the isolate or process backend, not '${String(o.backend)}'` };
  const slots = o.poolSlots ?? 1024;
  if (!Number.isInteger(slots) || slots < 2 || slots > 1 << 20) return { error: `poolSlots ${slots} must be an integer in 2..1048576` };
  if (o.depth !== undefined && !(Number.isInteger(o.depth) && o.depth >= 1 && o.depth <= MAX_DEPTH)) return { error: `depth ${o.depth} must be an integer in 1..${MAX_DEPTH}` };
  if (o.coalesce !== undefined && !(Number.isInteger(o.coalesce) && o.coalesce >= 1 && o.coalesce <= MAX_BATCH)) return { error: `coalesce ${o.coalesce} must be an integer in 1..${MAX_BATCH}` };
  for (const [k, v] of [['timeoutMs', o.timeoutMs], ['transitionNs', o.transitionNs ?? undefined], ['sealIntervalMs', o.sealIntervalMs], ['spinUs', o.spinUs]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) return { error: `${k} must be a number >= 0` };
  }
  const defines = parseDefines(o.defines ?? []);
  if ('error' in defines) return defines;
  let secret: PlatformSecret | { error: string };
  if (o.platformSecretPath !== undefined) secret = loadPlatformSecret(o.platformSecretPath);
  else if (o.sealDir != null) secret = loadPlatformSecret(defaultPlatformSecretPath());
  else secret = ephemeralPlatformSecret();
  if ('error' in secret) return secret;
  // The pool's shape is V1Model's (jumbo slots with room to prepend headers).
  const slotSize = 16384 + 64;
  const headroom = 512;
  const area = createSharedArea(o.backend, slots * slotSize);
  if ('error' in area) return area;
  const pool = new PacketPool(slots, slotSize, headroom, area.bytes);
  const config: PipelineEnclaveConfig = {
    p4file: o.p4file,
    includeDirs: o.include ?? [],
    defines,
    slots,
    slotSize,
    headroom,
    platformSecretPath: secret.path,
    spinMs: (o.spinUs ?? 0) / 1000,
  };
  const sp = new SecurePipelineImpl(o, config, area, pool, secret);
  const e = await sp.start(o.commandsFile ?? null);
  if (e !== null) {
    await sp.close();
    return e;
  }
  return sp;
}
