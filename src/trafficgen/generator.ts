// The traffic generator engine: runs one trial over Port objects. Input: a TX port, zero or more RX
// ports, a template and a trial request (rate, duration, pattern). One poll loop sends every packet
// whose intended time has come (open loop: a stall never lowers the intended rate, late packets
// are counted), receives on every RX port, then drains for a grace period. Output: TrialResult.
// The per-packet path allocates nothing: alloc a slot, copy the template (skipped when the slot
// still holds it), write the stamp; one tx call per burst. The skip relies on ports only reading
// the slots they send (true of every driver) and on the TX pool never being used for receiving.
// Over an afxdp or shm TX port the pool is skipped (in-place TX): packets are built straight in the
// port's own TX buffers (afxdp: UMEM frames, AfxdpPort.txReserve / txSubmit; shm: the TX ring's
// buffers, ShmPort.txReserveInPlace / txCommit), whose template bytes stay from one use of a buffer
// to the next (the peer only reads them), so a packet costs its 12 stamp bytes and a length, no copy.
// Over an shm or afxdp RX port stamps are read in place (rxPeek, Receiver.onFrames, rxRelease: in
// the shm RX ring, or in the UMEM frames the kernel filled) instead of copying each frame into the
// RX pool. P4TEE_GEN_INPLACE=0 in the environment turns both in-place paths off (pool + copy, for
// before/after benchmarks); options override it.

import { PacketPool } from '../runtime/core/packet-pool.js';
import { widenFields } from '../runtime/core/doubles.js';
import { isPortError, openPort, type DriverName, type Port, type PortSpec } from '../runtime/io/port.js';
import { AfxdpPort } from '../runtime/io/afxdp.js';
import { BurstCopier, ShmPort } from '../runtime/io/shm.js';
import { monoNs } from './clock.js';
import { Receiver } from './receiver.js';
import { Schedule, patternName, type Pattern } from './schedule.js';
import { newRunId, putU32, putU64 } from './stamp.js';
import type { Template } from './template.js';
import { DEFAULT_VALIDITY, NO_LATENCY, invalidReason, type TrialResult, type ValidityLimits } from './trial.js';

/** What the generator needs of a port it reads in place (ShmPort, AfxdpPort): peek, read, release. */
interface InPlaceRx {
  rxPeek(max: number, offs: Int32Array, lens: Int32Array): number;
  readonly rxData: Uint8Array;
  rxRelease(): void;
}

export interface GeneratorOptions {
  /** Most packets per tx call (default 32). */
  readonly burst?: number;
  /** Most packets per rx call (default 64). */
  readonly rxBurst?: number;
  /** A packet accepted later than this after its intended time is a late send (default 100 us). */
  readonly lateToleranceNs?: number;
  /**
   * A generator behind its schedule (packets late by more than lateToleranceNs) sends the late ones
   * at most this many times the offered rate (default 1.1; Infinity: as fast as it can). Like a
   * NIC's rate limiter (which never exceeds the configured rate: 1.0), it keeps a stall of the
   * generator from turning into a burst above the offered rate into the device under test; the late
   * sends are still counted. 1.1 leaves room to get back on schedule (a 1 ms stall is made up in
   * 10 ms) while a device loaded at up to ~90% of its capacity still sees no more than it can take;
   * at 1.5 the make-up bursts of a generator that stalls a few times a second filled the switch's
   * 4096-slot shm ring at 2.7-2.9 Mpps, far below the switch's 3.4 Mpps capacity.
   */
  readonly catchUp?: number;
  /** After the window, keep receiving this long at most (default 200 ms; ends early when all arrived). */
  readonly graceNs?: number;
  /** The send phase may run this far past the window to send packets still due (default 20 ms). */
  readonly maxOverrunNs?: number;
  /** Run the loop in slices this long, yielding to the event loop between them (default 50 ms). */
  readonly sliceNs?: number;
  readonly validity?: ValidityLimits;
  /** Use the native batched memcpy when the addon has one (default true). */
  readonly nativeCopy?: boolean;
  /** Bits of the receiver's duplicate window (default 20: 1M sequence numbers). */
  readonly windowBits?: number;
  /**
   * Build packets in place in an afxdp TX port's UMEM or an shm TX port's ring (default true unless
   * P4TEE_GEN_INPLACE=0; false: pool + copy like other drivers).
   */
  readonly inPlaceTx?: boolean;
  /**
   * Read stamps in place in an shm RX port's ring or an afxdp RX port's UMEM (default true unless
   * P4TEE_GEN_INPLACE=0; false: copy into the RX pool).
   */
  readonly inPlaceRx?: boolean;
}

export interface TrialRequest {
  readonly pps: number;
  readonly durationS: number;
  readonly pattern?: Pattern;
  /** Poisson seed (default 1). */
  readonly seed?: number;
  /** Run id to stamp (default: a fresh random one). */
  readonly runId?: number;
}

export interface TrialProgress {
  readonly elapsedS: number;
  readonly sent: number;
  readonly received: number;
  readonly lateSends: number;
  readonly backpressure: number;
  /** p99 latency (ns) over what arrived so far, null before anything. */
  readonly p99Ns: number | null;
}

export interface TrialHooks {
  /** Called between slices, at most every progressIntervalNs (default 1 s). */
  readonly onProgress?: (p: TrialProgress) => void;
  readonly progressIntervalNs?: number;
  /** Aborting cuts the trial short (it is then invalid). */
  readonly signal?: AbortSignal;
}

/** Default of inPlaceTx / inPlaceRx: on, unless the benchmark environment turns it off. */
function inPlaceDefault(): boolean {
  return process.env.P4TEE_GEN_INPLACE !== '0';
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Internal state of one trial's send side; fixed shape. */
class SendState {
  t0 = 0;
  windowNs = 0;
  runId = 0;
  sent = 0;
  late = 0;
  backpressure = 0;
  /** Pending packets already counted as refused (they sit at the front of the pending list). */
  refusedCounted = 0;
  pendN = 0;
  frameIdx = 0;
  done = false;
  doneNs = 0;
  overran = false;
  cutShort: string | null = null;
  /**
   * monoNs() of the current loop pass. The per-pass helpers read it here instead of taking it as
   * an argument: a double passed to a call V8 does not inline is boxed (a heap allocation per pass).
   */
  nowNs = 0;
  /** Catch-up pacing (ns from t0, wall time): when the next late packet may go, and the gap between late packets (0: no pacing). */
  paceNs = 0;
  catchGapNs = 0;

  constructor() {
    widenFields(this, 't0', 'windowNs', 'runId', 'sent', 'late', 'backpressure', 'doneNs', 'nowNs', 'paceNs', 'catchGapNs');
  }
}

export class Generator {
  readonly tx: Port;
  readonly rx: readonly Port[];
  readonly template: Template;
  readonly receiver: Receiver;
  readonly burst: number;
  readonly rxBurst: number;
  readonly lateToleranceNs: number;
  /** Catch-up limit: late packets go out at most this many times the offered rate (Infinity: no limit). */
  readonly catchUp: number;
  readonly graceNs: number;
  readonly maxOverrunNs: number;
  readonly sliceNs: number;
  readonly validity: ValidityLimits;
  /**
   * 'native' when the addon's batched memcpy copies templates, else 'js'; 'umem' when packets are
   * built in place in the afxdp port's UMEM, 'shm-inplace' in the shm port's TX ring (a template
   * is copied once per buffer and trial).
   */
  readonly copyMode: 'native' | 'js' | 'umem' | 'shm-inplace';
  /** How many RX ports are read in place (shm ring or afxdp UMEM, no copy into the RX pool). */
  readonly inPlaceRxPorts: number;

  /** TX pool: the first K slots hold the templates for good; the rest carry packets. */
  private readonly txPool: PacketPool;
  private readonly rxPool: PacketPool;
  private readonly tplStart: Int32Array;
  private readonly tplLen: Int32Array;
  /** Template index a TX slot still holds from its last use (-1: none): its copy can be skipped. */
  private readonly holds: Int32Array;
  private readonly pending: Int32Array;
  private readonly pendIntended: Float64Array;
  private readonly pendSeq: Float64Array;
  private readonly plan: Int32Array;
  private readonly rxSlots: Int32Array;
  /** Template -> slot copies, one native call per burst (a no-allocation JS loop without the addon). */
  private readonly copier: BurstCopier;
  /** In-place TX: the afxdp port, its UMEM, frame offsets and lengths of a burst, and per UMEM frame the template it holds (-1: none). */
  private readonly ipPort: AfxdpPort | null;
  private readonly ipUmem: Uint8Array;
  private readonly ipShift: number;
  private readonly ipAddrs: Int32Array;
  private readonly ipLens: Int32Array;
  private readonly ipHolds: Int32Array;
  /** In-place TX over shm: the port, its region bytes, and per TX ring buffer the template it holds (-1: none). */
  private readonly shmTx: ShmPort | null;
  private readonly shmData: Uint8Array;
  private readonly shmHolds: Int32Array;
  /** Per RX port: the shm or afxdp port to read in place, or null (rx() into the RX pool). */
  private readonly rxInPlace: (InPlaceRx | null)[];
  /** Offsets and lengths of one in-place RX burst. */
  private readonly rxOffs: Int32Array;
  private readonly rxLens: Int32Array;
  /** Template index of each pending packet (in-place TX builds packets only once frames are reserved). */
  private readonly pendFrame: Int32Array;
  private readonly st = new SendState();
  private sched: Schedule | null = null;
  private closed = false;

  constructor(tx: Port, rx: readonly Port[], template: Template, options: GeneratorOptions = {}) {
    if (template.frames.length === 0) throw new RangeError('template has no frames');
    this.tx = tx;
    this.rx = rx;
    this.template = template;
    this.burst = clampInt(options.burst ?? 32, 1, 1024);
    this.rxBurst = clampInt(options.rxBurst ?? 64, 1, 1024);
    this.lateToleranceNs = options.lateToleranceNs ?? 100_000;
    this.catchUp = options.catchUp ?? 1.1;
    this.graceNs = options.graceNs ?? 200_000_000;
    this.maxOverrunNs = options.maxOverrunNs ?? 20_000_000;
    this.sliceNs = options.sliceNs ?? 50_000_000;
    this.validity = options.validity ?? DEFAULT_VALIDITY;
    this.receiver = new Receiver(template.layout, options.windowBits ?? 20);
    let maxLen = 0;
    for (const f of template.frames) maxLen = Math.max(maxLen, f.length);
    const headroom = 64;
    const slotSize = slotSizeFor(maxLen + headroom);
    const k = template.frames.length;
    this.txPool = new PacketPool(k + 4 * this.burst + 16, slotSize, headroom);
    this.rxPool = new PacketPool(Math.max(256, 2 * this.rxBurst), slotSize, headroom);
    this.tplStart = new Int32Array(k);
    this.tplLen = new Int32Array(k);
    for (let j = 0; j < k; j++) {
      const s = this.txPool.alloc();
      this.txPool.write(s, template.frames[j]!);
      this.tplStart[j] = this.txPool.start[s]!;
      this.tplLen[j] = template.frames[j]!.length;
    }
    this.holds = new Int32Array(this.txPool.slots).fill(-1);
    this.pending = new Int32Array(this.burst);
    this.pendIntended = new Float64Array(this.burst);
    this.pendSeq = new Float64Array(this.burst);
    this.plan = new Int32Array(3 * this.burst);
    this.rxSlots = new Int32Array(this.rxBurst);
    this.copier = new BurstCopier(options.nativeCopy !== false);
    this.pendFrame = new Int32Array(this.burst);
    this.ipAddrs = new Int32Array(this.burst);
    this.ipLens = new Int32Array(this.burst);
    const fb = tx instanceof AfxdpPort ? tx.frameBytes : 0;
    const inPlaceTx = options.inPlaceTx ?? inPlaceDefault();
    const inPlaceRx = options.inPlaceRx ?? inPlaceDefault();
    this.shmTx = null;
    this.shmData = new Uint8Array(0);
    this.shmHolds = new Int32Array(0);
    if (inPlaceTx && tx instanceof AfxdpPort && maxLen <= fb && (fb & (fb - 1)) === 0) {
      this.ipPort = tx;
      this.ipUmem = tx.umemBytes;
      this.ipShift = 31 - Math.clz32(fb);
      this.ipHolds = new Int32Array(this.ipUmem.length >>> this.ipShift).fill(-1);
      this.copyMode = 'umem';
    } else if (inPlaceTx && tx instanceof ShmPort && maxLen <= tx.slotSize) {
      this.ipPort = null;
      this.ipUmem = new Uint8Array(0);
      this.ipShift = 0;
      this.ipHolds = new Int32Array(0);
      this.shmTx = tx;
      this.shmData = tx.txData;
      this.shmHolds = new Int32Array(tx.ringSize).fill(-1);
      this.copyMode = 'shm-inplace';
    } else {
      this.ipPort = null;
      this.ipUmem = new Uint8Array(0);
      this.ipShift = 0;
      this.ipHolds = new Int32Array(0);
      this.copyMode = this.copier.kind;
    }
    this.rxInPlace = rx.map((p) => (inPlaceRx && (p instanceof ShmPort || p instanceof AfxdpPort) ? p : null));
    this.inPlaceRxPorts = this.rxInPlace.filter((p) => p !== null).length;
    this.rxOffs = new Int32Array(this.rxBurst);
    this.rxLens = new Int32Array(this.rxBurst);
  }

  /** Runs one trial: send window, then drain. Never throws for port trouble (the trial is then invalid). */
  async runTrial(req: TrialRequest, hooks: TrialHooks = {}): Promise<TrialResult> {
    if (this.closed) throw new Error('generator is closed');
    const pattern: Pattern = req.pattern ?? { kind: 'cbr' };
    const sched = new Schedule(pattern, req.pps, req.seed ?? 1);
    this.sched = sched;
    const st = this.st;
    const windowNs = req.durationS * 1e9;
    st.runId = (req.runId ?? newRunId()) >>> 0;
    st.windowNs = windowNs;
    st.sent = 0;
    st.late = 0;
    st.backpressure = 0;
    st.refusedCounted = 0;
    st.pendN = 0;
    st.frameIdx = 0;
    st.done = false;
    st.doneNs = 0;
    st.overran = false;
    st.cutShort = null;
    st.paceNs = 0;
    st.catchGapNs = this.catchUp > 0 && Number.isFinite(this.catchUp) ? sched.intervalNs / this.catchUp : 0;
    this.receiver.reset(st.runId);
    // In-place TX writes the run id with the template: every UMEM frame / ring buffer gets a fresh
    // copy this trial (which also covers anything else written into them between trials).
    this.ipHolds.fill(-1);
    this.shmHolds.fill(-1);
    const progressEvery = hooks.progressIntervalNs ?? 1e9;
    st.t0 = monoNs();
    let nextProgress = st.t0 + progressEvery;
    let endNs = st.t0;
    for (;;) {
      let more: boolean;
      try {
        more = this.slice(monoNs() + this.sliceNs);
      } catch (e) {
        st.cutShort = `port failure: ${e instanceof Error ? e.message : String(e)}`;
        more = false;
      }
      endNs = monoNs();
      if (!more) break;
      if (hooks.signal?.aborted === true && st.cutShort === null) {
        st.cutShort = 'aborted';
        this.stopSending(endNs);
      }
      if (hooks.onProgress !== undefined && endNs >= nextProgress) {
        nextProgress = endNs + progressEvery;
        hooks.onProgress(this.progress(endNs));
      }
      await yieldToLoop();
    }
    this.stopSending(endNs);
    // Packets still due when the send phase ended count as intended, not sent.
    while (sched.nextNs < windowNs) sched.advance();
    return this.result(req, pattern, sched.index, endNs);
  }

  /** Live numbers of the running trial. */
  progress(nowNs: number): TrialProgress {
    const r = this.receiver;
    return {
      elapsedS: (nowNs - this.st.t0) / 1e9,
      sent: this.st.sent,
      received: r.received,
      lateSends: this.st.late,
      backpressure: this.st.backpressure,
      p99Ns: r.received > 0 ? r.histogram.getValueAtPercentile(99) : null,
    };
  }

  /**
   * The poll loop for one slice: returns false when the trial is over. Hot path: no allocation,
   * no closures; numbers kept in locals and written back once.
   */
  private slice(sliceEnd: number): boolean {
    const st = this.st;
    const sched = this.sched!;
    const pool = this.txPool;
    const buf = pool.buf;
    const starts = pool.start;
    const lengths = pool.length;
    const holds = this.holds;
    const pending = this.pending;
    const pendIntended = this.pendIntended;
    const pendSeq = this.pendSeq;
    const plan = this.plan;
    const tplStart = this.tplStart;
    const tplLen = this.tplLen;
    const k = tplLen.length;
    const layout = this.template.layout;
    const fromEnd = layout.fromEnd;
    const runOff = layout.runOff;
    const seqOff = layout.seqOff;
    const timeOff = layout.timeOff;
    const runId = st.runId;
    const burst = this.burst;
    const t0 = st.t0;
    const windowNs = st.windowNs;
    const tol = this.lateToleranceNs;
    const tx = this.tx;
    const rxPorts = this.rx;
    const nRx = rxPorts.length;
    const rxPool = this.rxPool;
    const rxSlots = this.rxSlots;
    const rxBurst = this.rxBurst;
    const receiver = this.receiver;
    const rxInPlace = this.rxInPlace;
    const rxOffs = this.rxOffs;
    const rxLens = this.rxLens;
    const inPlace = this.ipPort !== null || this.shmTx !== null;
    for (;;) {
      const now = monoNs();
      st.nowNs = now;
      if (!st.done && inPlace) {
        this.sendInPlace();
        if (st.pendN === 0 && sched.nextNs >= windowNs) {
          st.done = true;
          st.doneNs = now;
        } else if (now - t0 > windowNs + this.maxOverrunNs) {
          st.overran = true;
          this.stopSending(now);
        }
      } else if (!st.done) {
        // Fill: every packet whose intended time has come, up to a burst.
        const rel = now - t0;
        let pendN = st.pendN;
        const first = pendN;
        let m = 0;
        let frameIdx = st.frameIdx;
        while (pendN < burst) {
          const t = sched.nextNs;
          if (t > rel || t >= windowNs) break;
          if (rel - t > tol && !this.admitLate(rel)) break;
          const slot = pool.alloc();
          if (slot < 0) break;
          const len = tplLen[frameIdx]!;
          if (holds[slot] !== frameIdx) {
            const j = 3 * m++;
            plan[j] = tplStart[frameIdx]!;
            plan[j + 1] = starts[slot]!;
            plan[j + 2] = len;
            holds[slot] = frameIdx;
          }
          lengths[slot] = len;
          pending[pendN] = slot;
          pendIntended[pendN] = t0 + t;
          pendSeq[pendN] = sched.index;
          pendN++;
          sched.advance();
          frameIdx = frameIdx + 1 === k ? 0 : frameIdx + 1;
        }
        st.frameIdx = frameIdx;
        if (m > 0) this.copier.copy(buf, buf, plan, m);
        // Stamp after the copy: run id, seq, intended time (u64 big-endian).
        for (let q = first; q < pendN; q++) {
          const slot = pending[q]!;
          const base = fromEnd ? starts[slot]! + lengths[slot]! : starts[slot]!;
          putU32(buf, base + runOff, runId);
          putU32(buf, base + seqOff, pendSeq[q]!);
          putU64(buf, base + timeOff, Math.round(pendIntended[q]!));
        }
        if (pendN > 0) {
          const took = tx.tx(pool, pending, pendN);
          pendN = this.settle(st, took, pendN, pending);
        } else {
          // Nothing new: lets a driver push out what its ring still holds (AF_XDP copy mode).
          tx.tx(pool, pending, 0);
        }
        st.pendN = pendN;
        if (pendN === 0 && sched.nextNs >= windowNs) {
          st.done = true;
          st.doneNs = now;
        } else if (rel > windowNs + this.maxOverrunNs) {
          st.overran = true;
          this.stopSending(now);
        }
      }
      for (let p = 0; p < nRx; p++) {
        const ip = rxInPlace[p]!;
        if (ip !== null) {
          // In place (shm ring or UMEM): read the stamps where they are, then release always (a
          // burst of only malformed descriptors must be passed too); the buffers go back to the
          // sender or the fill ring only after their stamps were read.
          const n = ip.rxPeek(rxBurst, rxOffs, rxLens);
          if (n > 0) {
            receiver.rxNowNs = monoNs();
            receiver.onFrames(ip.rxData, rxOffs, rxLens, n);
          }
          ip.rxRelease();
          continue;
        }
        const n = rxPorts[p]!.rx(rxPool, rxSlots, rxBurst);
        if (n > 0) {
          receiver.rxNowNs = monoNs();
          receiver.onBurst(rxPool, rxSlots, n);
        }
      }
      if (st.done) {
        if (nRx === 0 || receiver.received >= st.sent || now - st.doneNs > this.graceNs) return false;
      }
      if (now >= sliceEnd) return true;
    }
  }

  /**
   * Accounts for one send call that took `took` of the `pendN` pending packets: late sends, sent
   * count, back-pressure (a refused packet counts once however often it is refused); the refused rest
   * stays pending, in order (moved to the front of the pending arrays and of `slots`), and goes first
   * next time. Returns the new number pending. Once per burst, no allocation.
   */
  private settle(st: SendState, took: number, pendN: number, slots: Int32Array): number {
    const now = st.nowNs;
    const pendIntended = this.pendIntended;
    const tol = this.lateToleranceNs;
    for (let q = 0; q < took; q++) {
      if (now - pendIntended[q]! > tol) st.late++;
    }
    st.sent += took;
    if (took >= pendN) {
      st.refusedCounted = 0;
      return 0;
    }
    const left = pendN - took;
    const stillCounted = st.refusedCounted > took ? st.refusedCounted - took : 0;
    st.backpressure += left - stillCounted;
    st.refusedCounted = left;
    slots.copyWithin(0, took, pendN);
    pendIntended.copyWithin(0, took, pendN);
    this.pendSeq.copyWithin(0, took, pendN);
    return left;
  }

  /**
   * One send step of in-place TX: queue every due packet (up to a burst) as pending (seq, intended
   * time, template), reserve TX buffers for as many as the port takes, write template (when the
   * buffer does not hold it yet) and stamp into them, submit. Refused packets stay pending, in
   * order, exactly as on the pool path.
   */
  private sendInPlace(): void {
    const st = this.st;
    const pendN = this.queueDue();
    if (this.shmTx !== null) {
      st.pendN = pendN === 0 ? 0 : this.settle(st, this.buildShm(pendN), pendN, this.pendFrame);
      return;
    }
    const port = this.ipPort!;
    if (pendN === 0) {
      // Nothing due: lets the port push out what its ring still holds (copy mode sends in sendto).
      port.txSubmit(this.ipAddrs, this.ipLens, 0);
      st.pendN = 0;
      return;
    }
    const addrs = this.ipAddrs;
    const r = port.txReserve(addrs, pendN);
    let took: number;
    if (r < 0) {
      // Interface down: the port dropped them (tx-error), as tx() would.
      took = -r;
    } else {
      took = r;
      const umem = this.ipUmem;
      const lens = this.ipLens;
      const holds = this.ipHolds;
      const shift = this.ipShift;
      const pendSeq = this.pendSeq;
      const pendIntended = this.pendIntended;
      const pendFrame = this.pendFrame;
      const frames = this.template.frames;
      const tplLen = this.tplLen;
      const layout = this.template.layout;
      const fromEnd = layout.fromEnd;
      const seqOff = layout.seqOff;
      const timeOff = layout.timeOff;
      for (let q = 0; q < took; q++) {
        const addr = addrs[q]!;
        const f = pendFrame[q]!;
        const len = tplLen[f]!;
        const h = addr >>> shift;
        if (holds[h] !== f) {
          umem.set(frames[f]!, addr);
          const b = fromEnd ? addr + len : addr;
          putU32(umem, b + layout.runOff, st.runId);
          holds[h] = f;
        }
        lens[q] = len;
        const base = fromEnd ? addr + len : addr;
        putU32(umem, base + seqOff, pendSeq[q]!);
        putU64(umem, base + timeOff, Math.round(pendIntended[q]!));
      }
      port.txSubmit(addrs, lens, took);
    }
    st.pendN = this.settle(st, took, pendN, this.pendFrame);
  }

  /**
   * Catch-up limit for a packet that is late (by more than lateToleranceNs) at `rel` ns into the
   * window: true when it may go now, at most catchUp x the offered rate (a token bucket in wall
   * time, one burst deep); false: it waits for a later pass. Called only for late packets.
   */
  private admitLate(rel: number): boolean {
    const st = this.st;
    const gap = st.catchGapNs;
    if (gap === 0) return true;
    if (st.paceNs > rel) return false;
    const floor = rel - gap * this.burst;
    st.paceNs = (st.paceNs > floor ? st.paceNs : floor) + gap;
    return true;
  }

  /** Queues every packet due by st.nowNs (up to a burst) behind the pending ones; returns how many are pending. */
  private queueDue(): number {
    const st = this.st;
    const sched = this.sched!;
    const pendIntended = this.pendIntended;
    const pendSeq = this.pendSeq;
    const pendFrame = this.pendFrame;
    const burst = this.burst;
    const t0 = st.t0;
    const rel = st.nowNs - t0;
    const windowNs = st.windowNs;
    const k = this.tplLen.length;
    const tol = this.lateToleranceNs;
    let pendN = st.pendN;
    let frameIdx = st.frameIdx;
    while (pendN < burst) {
      const t = sched.nextNs;
      if (t > rel || t >= windowNs) break;
      if (rel - t > tol && !this.admitLate(rel)) break;
      pendIntended[pendN] = t0 + t;
      pendSeq[pendN] = sched.index;
      pendFrame[pendN] = frameIdx;
      pendN++;
      sched.advance();
      frameIdx = frameIdx + 1 === k ? 0 : frameIdx + 1;
    }
    st.frameIdx = frameIdx;
    return pendN;
  }

  /**
   * Builds the first pending packets in the shm TX ring's free buffers and publishes them: template
   * only when the buffer does not hold it already (with the run id), then seq and intended time.
   * Returns how many the ring took (0 when full).
   */
  private buildShm(pendN: number): number {
    const port = this.shmTx!;
    const took = port.txReserveInPlace(pendN);
    if (took === 0) return 0;
    const data = this.shmData;
    const holds = this.shmHolds;
    const lens = this.ipLens;
    const pendSeq = this.pendSeq;
    const pendIntended = this.pendIntended;
    const pendFrame = this.pendFrame;
    const frames = this.template.frames;
    const tplLen = this.tplLen;
    const layout = this.template.layout;
    const fromEnd = layout.fromEnd;
    const runOff = layout.runOff;
    const seqOff = layout.seqOff;
    const timeOff = layout.timeOff;
    const runId = this.st.runId;
    for (let q = 0; q < took; q++) {
      const f = pendFrame[q]!;
      const len = tplLen[f]!;
      const off = port.txSlotOffset(q);
      const base = fromEnd ? off + len : off;
      const h = port.txSlotIndex(q);
      if (holds[h] !== f) {
        data.set(frames[f]!, off);
        putU32(data, base + runOff, runId);
        holds[h] = f;
      }
      lens[q] = len;
      putU32(data, base + seqOff, pendSeq[q]!);
      putU64(data, base + timeOff, Math.round(pendIntended[q]!));
    }
    port.txCommit(took, lens);
    return took;
  }

  /** Ends the send phase now: pending packets go back to the pool unsent. */
  private stopSending(nowNs: number): void {
    const st = this.st;
    if (st.done) return;
    if (this.ipPort === null && this.shmTx === null) for (let q = 0; q < st.pendN; q++) this.txPool.free(this.pending[q]!);
    st.pendN = 0;
    st.done = true;
    st.doneNs = nowNs;
  }

  private result(req: TrialRequest, pattern: Pattern, intended: number, endNs: number): TrialResult {
    const st = this.st;
    const windowS = req.durationS;
    const spanS = Math.max(windowS, (st.doneNs - st.t0) / 1e9);
    const achievedPps = st.sent / spanS;
    const measured = this.rx.length > 0;
    const r = this.receiver.summary(st.sent);
    const cutShort = st.cutShort ?? (st.overran ? `the send phase ran ${(this.maxOverrunNs / 1e6).toFixed(0)} ms past the window with packets still due` : null);
    const reason = invalidReason(
      { offeredPps: req.pps, achievedPps, intended, sent: st.sent, lateSends: st.late, backpressure: st.backpressure, cutShort },
      this.validity,
    );
    return {
      offeredPps: req.pps,
      durationS: windowS,
      pattern: patternName(pattern),
      packetBytes: this.template.frames[0]!.length,
      intended,
      sent: st.sent,
      achievedPps,
      lateSends: st.late,
      backpressure: st.backpressure,
      received: r.received,
      receivedPps: r.received / windowS,
      lost: measured ? r.lost : NaN,
      lossRatio: measured ? r.lossRatio : NaN,
      reordered: r.reordered,
      duplicates: r.duplicates,
      foreign: r.foreign,
      latencyNs: measured ? r.latencyNs : NO_LATENCY,
      latencyReceivedNs: r.latencyReceivedNs,
      valid: reason === null,
      invalidReason: reason,
      startNs: st.t0,
      endNs,
      runId: st.runId,
      rxPorts: this.rx.length,
    };
  }

  /** Closes every port once (an RX port that is also the TX port is closed once). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const seen = new Set<Port>();
    for (const p of [this.tx, ...this.rx]) {
      if (seen.has(p)) continue;
      seen.add(p);
      try {
        p.poll?.();
        p.close();
      } catch {
        // Closing is best effort: the process is ending the run anyway.
      }
    }
  }
}

function clampInt(v: number, lo: number, hi: number): number {
  if (!Number.isFinite(v)) return lo;
  return Math.min(hi, Math.max(lo, Math.floor(v)));
}

/** Pool slot size: a multiple of 64 that holds `bytes`, at least 2048. */
function slotSizeFor(bytes: number): number {
  return Math.max(2048, (bytes + 63) & ~63);
}

/** How to open a generator's ports. */
export interface GenPortConfig {
  readonly driver: DriverName;
  /** TX interface / shm region / pcap output file. */
  readonly tx: string;
  /** RX interfaces / shm regions / pcap input files (may be empty). */
  readonly rx: readonly string[];
  readonly ringSize?: number;
  readonly queue?: number;
  readonly mode?: 'copy' | 'zerocopy';
  readonly busyPoll?: boolean;
  /** Largest frame the ports must carry. */
  readonly maxFrame?: number;
}

/** Opens the TX port and the RX ports (an RX name equal to the TX one shares its port); never throws. */
export function openGenPorts(c: GenPortConfig): { tx: Port; rx: Port[] } | { error: string } {
  const frameSize = c.maxFrame !== undefined && c.maxFrame + 256 > 2048 ? pow2(c.maxFrame + 256) : undefined;
  const spec = (name: string, forTx: boolean): PortSpec =>
    c.driver === 'pcap'
      ? { driver: 'pcap', iface: forTx ? '-' : name, pcapOut: forTx ? name : undefined }
      : { driver: c.driver, iface: name, ringSize: c.ringSize, queue: c.queue, mode: c.mode, busyPoll: c.busyPoll, frameSize };
  const opened: Port[] = [];
  const fail = (msg: string): { error: string } => {
    for (const p of opened) {
      try { p.close(); } catch { /* already failing */ }
    }
    return { error: msg };
  };
  const t = openPort(spec(c.tx, true));
  if (isPortError(t)) return fail(`tx ${c.driver} '${c.tx}': ${t.error}`);
  const tx = t as Port;
  opened.push(tx);
  const rx: Port[] = [];
  for (const name of c.rx) {
    if (name === c.tx && c.driver !== 'pcap') {
      rx.push(tx);
      continue;
    }
    const r = openPort(spec(name, false));
    if (isPortError(r)) return fail(`rx ${c.driver} '${name}': ${r.error}`);
    opened.push(r as Port);
    rx.push(r as Port);
  }
  return { tx, rx };
}

function pow2(n: number): number {
  let p = 2048;
  while (p < n) p *= 2;
  return p;
}
