// The switch daemon's poll loop: one loop on one core. For each port it receives a burst into the
// pipeline's packet pool, runs the batch through the switch (V1Model.injectBatch + run, the path
// bench:pipeline measures), sends what came out per output port and recycles the slots; it
// records per-batch telemetry and applies queued control commands between two batches. A pipeline
// may keep batches in flight (the secure pipeline): after a pass that received nothing the loop
// settles them and sends what came out. Errors of ports or of the program are counted by reason and
// never stop it; it yields to the event loop (setImmediate) after a short spin so signals and the
// control socket are served.
import type { CommandResult } from '../abi.js';
import type { PacketPool } from './packet-pool.js';
import type { Port } from '../io/port.js';
import { Telemetry } from './telemetry.js';
import { clockMs as now, clockMsInto } from './clock.js';
import { widenFields } from './doubles.js';
import type { ControlHandler } from '../control/server.js';

/** Slots of PollLoop.clk: a batch's clock reads, and the loop's last one. */
const T0 = 0;
const T1 = 1;
const T2 = 2;
const T3 = 3;
const LAST = 4;

/** What the loop needs of the pipeline: V1Model's batch entry point. */
export interface LoopPipeline {
  readonly pool: PacketPool;
  injectBatch(pkts: Int32Array, n: number): void;
  run(): void;
  takeSent(): number;
  readonly overflowDrops: number;
  /**
   * Optional, for a pipeline whose run() may return with batches still in flight (the secure
   * pipeline's pipelined crossings): the loop turns that on once with setDeferred(true); after a
   * pass over every port that received nothing, while `backlog` (batches in flight plus packets not
   * taken yet) is nonzero, it calls settle() ("finish every batch in flight now") and sends what
   * came out. settle() must not throw for an enclave failure: it fails those batches closed itself.
   */
  setDeferred?(on: boolean): void;
  settle?(): void;
  readonly backlog?: number;
  /**
   * Optional, for a pipeline that coalesces batches into bigger crossings: packets injected that no
   * crossing has carried yet (they wait for later batches, or settle()). While nonzero after run(),
   * the loop's telemetry adds the next batch to the same record (one record per crossing).
   */
  readonly held?: number;
  /** Optional: packets a crossing collects (with `held`); the telemetry's record size at saturation. */
  readonly coalesce?: number;
}

/** What the loop needs of the switch: the pipeline and the command interpreter. */
export interface LoopSwitch {
  readonly arch: LoopPipeline;
  command(line: string): CommandResult;
}

/** A port and the P4 port number it stands for. */
export interface LoopPortBinding {
  readonly num: number;
  readonly port: Port;
}

/** Why the loop dropped a packet (its own reasons; ports count theirs in Port.stats). */
export const LoopDrop = {
  /** The program sent it to a port number no port is bound to. */
  NoPort: 0,
  /** The port's TX ring refused it. */
  TxFull: 1,
  /** The port's tx() threw (interface down, socket error): the packets of the burst. */
  TxError: 2,
  /** The port's rx() threw or failed (counted per failed burst, not per packet). */
  RxError: 3,
  /** The program threw while processing the batch: packets of the batch that did not come out. */
  PipelineError: 4,
  /** The pipeline had no room (pool slots or queues). */
  Overflow: 5,
} as const;
export const LOOP_DROP_NAMES: readonly string[] = ['no-port', 'tx-full', 'tx-error', 'rx-error', 'pipeline-error', 'overflow'];

export interface PollLoopOptions {
  /** Packets per rx burst (default 32). */
  readonly burst?: number;
  /** Record per-batch telemetry (default true). */
  readonly telemetry?: boolean | Telemetry;
  /**
   * Empty passes over all ports before the loop may yield to the event loop (default 64); it yields
   * once it also polled idly for `idleSliceMs`.
   */
  readonly spinPolls?: number;
  /**
   * Shortest slice (ms) the loop polls an idle set of ports before it yields (default 0.5). Each
   * yield is a setImmediate turn, which allocates a few hundred bytes: yielding after every 64
   * empty passes (a few µs) made an idle switch allocate ~90 MB/s and collect every 150 ms.
   * Commands and timers wait at most this long while idle (`sliceMs` while busy).
   */
  readonly idleSliceMs?: number;
  /** Longest time (ms) the loop runs before yielding even while busy (default 2). */
  readonly sliceMs?: number;
  /**
   * After this many ms without a packet, wait `idleSleepMs` between passes instead of yielding with
   * setImmediate (saves a core while idle; costs up to that much latency). 0 = never (pure poll mode).
   */
  readonly idleAfterMs?: number;
  readonly idleSleepMs?: number;
  /**
   * Every this many ms the loop calls each port's poll() (kernel counters, and a re-kick of TX
   * frames a failed send left queued: without it a port whose ring filled while its link was down
   * could wait forever for a send that never comes). 0 = never. Default 100.
   */
  readonly portPollMs?: number;
  /** Called with each error message of a port or of the program the first time it occurs. */
  readonly onError?: (message: string) => void;
}

interface PendingCommand {
  readonly lines: readonly string[];
  readonly done: (results: CommandResult[]) => void;
}

export interface LoopStats {
  uptimeMs: number;
  running: boolean;
  inPackets: number;
  outPackets: number;
  drops: Record<string, number>;
  batches: number;
  meanBatch: number;
  commandsApplied: number;
  pool: { slots: number; available: number };
  ports: { num: number; name: string; driver: string; in: number; out: number; errors: number; lastError: string | null; stats: Record<string, unknown> }[];
}

export class PollLoop {
  readonly sw: LoopSwitch;
  readonly arch: LoopPipeline;
  readonly pool: PacketPool;
  readonly ports: readonly LoopPortBinding[];
  readonly burst: number;
  readonly telemetry: Telemetry | null;
  /** P4 port number -> index into ports, -1 when unbound. */
  private readonly portIndex: Int32Array;
  private readonly rxBuf: Int32Array;
  /** Per output port: slots waiting to be sent, and how many. */
  private readonly txBufs: Int32Array[];
  private readonly txCount: Int32Array;
  /** Marks the slots of the current batch (to reclaim them when the program throws). */
  private readonly inBatch: Uint8Array;
  readonly inPerPort: Float64Array;
  readonly outPerPort: Float64Array;
  readonly errorsPerPort: Float64Array;
  readonly lastError: (string | null)[];
  readonly drops = new Float64Array(LOOP_DROP_NAMES.length);
  inPackets = 0;
  outPackets = 0;
  commandsApplied = 0;
  private seenOverflow: number;
  private readonly pending: PendingCommand[] = [];
  private readonly spinPolls: number;
  private readonly sliceMs: number;
  private readonly idleSliceMs: number;
  private readonly idleAfterMs: number;
  private readonly idleSleepMs: number;
  private readonly portPollMs: number;
  private lastPortPoll = 0;
  private readonly onError: (message: string) => void;
  private readonly reported = new Set<string>();
  running = false;
  /**
   * The loop's clock reads (ms): a batch's four (T0..T3), and at LAST the loop's last read (end of
   * the previous batch, start of the slice, or the slice's periodic deadline check) when only polls
   * happened since; -1 after anything else (commands, faults): the next poll then reads the clock.
   */
  private readonly clk = new Float64Array(5).fill(-1);
  private lastPacketAt = 0;
  /** now() at the end of the last slice that yielded with setImmediate (0: none, or it slept). */
  private sliceEnd = 0;
  private startedAt = 0;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly sliceFn: () => void;
  /** The pipeline's settle(), bound once; null when its run() always completes the batch. */
  private readonly settleFn: (() => void) | null;
  /** The pipeline coalesces batches (it has `held`): telemetry records are merged per crossing. */
  private readonly merging: boolean;

  constructor(sw: LoopSwitch, ports: readonly LoopPortBinding[], options: PollLoopOptions = {}) {
    this.sw = sw;
    this.arch = sw.arch;
    this.pool = sw.arch.pool;
    this.ports = ports;
    this.burst = Math.max(1, Math.min(Math.floor(options.burst ?? 32), this.pool.slots));
    const t = options.telemetry ?? true;
    this.merging = this.arch.held !== undefined && this.arch.settle !== undefined;
    // A record holds one burst, or one crossing (coalesce packets, plus up to a burst that overshot it).
    const cap = this.merging ? Math.max(this.burst, this.arch.coalesce ?? this.burst) : this.burst;
    this.telemetry = t === false ? null : t === true ? new Telemetry({ maxBatch: Math.max(64, cap + this.burst) }) : t;
    if (this.telemetry !== null) this.telemetry.recordCap = cap;
    let maxNum = 0;
    for (const b of ports) maxNum = Math.max(maxNum, b.num);
    this.portIndex = new Int32Array(Math.max(512, maxNum + 1)).fill(-1);
    ports.forEach((b, i) => {
      if (this.portIndex[b.num] !== -1) throw new RangeError(`port ${b.num} bound twice`);
      this.portIndex[b.num] = i;
    });
    this.rxBuf = new Int32Array(this.burst);
    this.txBufs = ports.map(() => new Int32Array(this.pool.slots));
    this.txCount = new Int32Array(ports.length);
    this.inBatch = new Uint8Array(this.pool.slots);
    this.inPerPort = new Float64Array(ports.length);
    this.outPerPort = new Float64Array(ports.length);
    this.errorsPerPort = new Float64Array(ports.length);
    this.lastError = ports.map(() => null);
    this.seenOverflow = this.arch.overflowDrops;
    this.spinPolls = Math.max(1, options.spinPolls ?? 64);
    this.sliceMs = options.sliceMs ?? 2;
    this.idleSliceMs = Math.min(this.sliceMs, Math.max(0, options.idleSliceMs ?? 0.5));
    this.idleAfterMs = options.idleAfterMs ?? 0;
    this.idleSleepMs = options.idleSleepMs ?? 1;
    this.portPollMs = options.portPollMs ?? 100;
    this.onError = options.onError ?? (() => {});
    this.sliceFn = () => { this.slice(); };
    widenFields(this, 'inPackets', 'outPackets', 'lastPacketAt', 'sliceEnd', 'startedAt', 'lastPortPoll');
    const arch = this.arch;
    this.settleFn = arch.settle !== undefined ? arch.settle.bind(arch) : null;
    // The loop settles when idle, so the pipeline may keep batches in flight from now on.
    if (this.settleFn !== null && arch.setDeferred !== undefined) arch.setDeferred(true);
  }

  /** One pass over every port: applies queued commands first; returns the packets received. */
  pollOnce(): number {
    if (this.pending.length !== 0) {
      this.applyCommands();
      this.clk[LAST] = -1;
    }
    let total = 0;
    for (let i = 0; i < this.ports.length; i++) total += this.pollPort(i);
    // Traffic paused: nothing may wait in the pipeline for a next batch that does not come.
    if (total === 0 && this.settleFn !== null && (this.arch.backlog as number) > 0) this.settleNow();
    return total;
  }

  /**
   * Finishes the pipeline's batches in flight and sends what came out. Their time is added to the
   * last recorded batch (settle to procNs, the sends to txNs), so it stays in the telemetry.
   */
  private settleNow(): void {
    const tel = this.telemetry;
    const t0 = tel !== null ? now() : 0;
    try {
      (this.settleFn as () => void)();
    } catch (e) {
      this.report('pipeline-settle', `pipeline error while finishing batches in flight: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.noteOverflow();
    const t1 = tel !== null ? now() : 0;
    this.flush();
    if (tel !== null) {
      const t2 = now();
      tel.amendLast((t1 - t0) * 1e6, (t2 - t1) * 1e6);
      this.clk[LAST] = t2;
    }
  }

  /** rx one burst from port i, process it, send what comes out. */
  private pollPort(i: number): number {
    const tel = this.telemetry;
    // The loop's last clock read serves as this poll's start: an empty poll reads no clock, and a
    // busy loop pays three reads per batch instead of four. A batch after empty polls thus starts
    // its rxNs at the last read, which is at most 8 passes old (slice(): one read every 8 passes):
    // rxNs then also holds those empty polls. The reads go into this.clk (a Float64Array), never
    // through a returned or passed double: those would be boxed, 16 bytes each, a million a second.
    const clk = this.clk;
    if (tel !== null && clk[LAST] < 0) clockMsInto(clk, LAST);
    const n = this.rxBurst(i);
    if (n === 0) {
      if (tel !== null) tel.emptyPolls++;
      return 0;
    }
    if (tel !== null) {
      clk[T0] = clk[LAST];
      clockMsInto(clk, T1);
    }
    clk[LAST] = -1;
    const rx = this.rxBuf;
    const port = this.pool.port;
    const num = this.ports[i].num;
    for (let j = 0; j < n; j++) port[rx[j]] = num;
    this.inPackets += n;
    this.inPerPort[i] += n;
    this.process(n);
    if (tel !== null) clockMsInto(clk, T2);
    this.flush();
    if (tel !== null) {
      clockMsInto(clk, T3);
      tel.recordClocks(i, n, clk, this.merging && (this.arch.held as number) > 0);
      clk[LAST] = clk[T3];
    }
    return n;
  }

  private rxBurst(i: number): number {
    let n: number;
    try {
      n = this.ports[i].port.rx(this.pool, this.rxBuf, this.burst);
    } catch (e) {
      this.portError(i, LoopDrop.RxError, 1, 'rx', e);
      return 0;
    }
    if (!(n > 0)) {
      if (n < 0) this.portError(i, LoopDrop.RxError, 1, 'rx', `returned ${n}`);
      return 0;
    }
    return n > this.burst ? this.burst : n;
  }

  /** Runs the batch through the pipeline; a program fault loses only this batch's packets. */
  private process(n: number): void {
    try {
      this.arch.injectBatch(this.rxBuf, n);
      this.arch.run();
    } catch (e) {
      this.recoverBatch(n, e);
    }
    this.noteOverflow();
  }

  private noteOverflow(): void {
    const o = this.arch.overflowDrops;
    if (o !== this.seenOverflow) {
      this.drops[LoopDrop.Overflow] += o - this.seenOverflow;
      this.seenOverflow = o;
    }
  }

  /**
   * After the program threw: finish what is queued, send what came out, and free the batch's
   * slots that neither came out nor were freed by the pipeline (counted as pipeline-error drops).
   */
  private recoverBatch(n: number, e: unknown): void {
    this.report('pipeline', `program error while processing a batch: ${e instanceof Error ? e.message : String(e)}`);
    const rx = this.rxBuf;
    for (let j = 0; j < n; j++) this.inBatch[rx[j]] = 1;
    try {
      this.arch.run();
    } catch {
      // A second fault: whatever is still queued stays there until the next run().
    }
    this.flush();
    let lost = 0;
    for (let j = 0; j < n; j++) {
      const p = rx[j];
      if (this.inBatch[p] === 1 && this.pool.isAllocated(p)) {
        this.pool.free(p);
        lost++;
      }
      this.inBatch[p] = 0;
    }
    this.drops[LoopDrop.PipelineError] += lost === 0 ? 1 : lost;
  }

  /** Takes every sent packet off the pipeline, groups them by output port and transmits. */
  private flush(): void {
    const arch = this.arch;
    const pool = this.pool;
    const idx = this.portIndex;
    const count = this.txCount;
    for (;;) {
      const p = arch.takeSent();
      if (p < 0) break;
      this.inBatch[p] = 0;
      const out = pool.port[p];
      const k = out >= 0 && out < idx.length ? idx[out] : -1;
      if (k < 0) {
        pool.free(p);
        this.drops[LoopDrop.NoPort]++;
        continue;
      }
      this.txBufs[k][count[k]++] = p;
      // A full staging buffer (many copies of one batch): send it now.
      if (count[k] === this.txBufs[k].length) this.txBurst(k);
    }
    for (let k = 0; k < count.length; k++) if (count[k] !== 0) this.txBurst(k);
  }

  private txBurst(k: number): void {
    const slots = this.txBufs[k];
    const n = this.txCount[k];
    this.txCount[k] = 0;
    let sent: number;
    try {
      sent = this.ports[k].port.tx(this.pool, slots, n);
    } catch (e) {
      // We cannot know which slots the port took before it failed: free those still allocated.
      for (let j = 0; j < n; j++) if (this.pool.isAllocated(slots[j])) this.pool.free(slots[j]);
      this.portError(k, LoopDrop.TxError, n, 'tx', e);
      return;
    }
    if (!(sent >= 0)) sent = 0;
    if (sent > n) sent = n;
    this.outPackets += sent;
    this.outPerPort[k] += sent;
    if (sent < n) {
      // A port that under-reports what it took has freed those slots already: free only the rest.
      for (let j = sent; j < n; j++) if (this.pool.isAllocated(slots[j])) this.pool.free(slots[j]);
      this.drops[LoopDrop.TxFull] += n - sent;
    }
  }

  private portError(i: number, reason: number, packets: number, what: string, e: unknown): void {
    this.drops[reason] += packets;
    this.errorsPerPort[i]++;
    const msg = `${what} on ${this.ports[i].port.name}: ${e instanceof Error ? e.message : String(e)}`;
    this.lastError[i] = msg;
    this.report(`${i}:${what}:${msg}`, msg);
  }

  /** Each distinct error is printed once (a down interface would otherwise flood the log). */
  private report(key: string, msg: string): void {
    if (this.reported.has(key) || this.reported.size > 1000) return;
    this.reported.add(key);
    this.onError(msg);
  }

  // --- Control: commands wait here and are applied between two batches.

  /**
   * Queues command lines to be applied together between two batches (at once when the loop is not
   * running); resolves with one result per line.
   */
  submit(lines: string | readonly string[]): Promise<CommandResult[]> {
    const list = typeof lines === 'string' ? [lines] : lines;
    return new Promise((resolve) => {
      this.pending.push({ lines: list, done: resolve });
      if (!this.running) this.applyCommands();
    });
  }

  private applyCommands(): void {
    const batch = this.pending.splice(0, this.pending.length);
    for (const c of batch) {
      const results: CommandResult[] = [];
      for (const line of c.lines) {
        let r: CommandResult;
        try {
          r = this.sw.command(line);
        } catch (e) {
          r = { ok: false, error: `internal error: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (r.ok) this.commandsApplied++;
        results.push(r);
      }
      c.done(results);
    }
  }

  // --- Scheduling: poll for a while, then yield to the event loop.

  start(): void {
    if (this.running) return;
    this.running = true;
    this.sliceEnd = 0;
    this.startedAt = this.lastPacketAt = now();
    if (this.telemetry !== null && this.telemetry.count === 0) this.telemetry.reset();
    this.immediate = setImmediate(this.sliceFn);
  }

  /** Stops after the current pass; queued commands are still applied, batches in flight finished and sent. */
  stop(): void {
    this.running = false;
    if (this.immediate !== null) clearImmediate(this.immediate);
    if (this.timer !== null) clearTimeout(this.timer);
    this.immediate = null;
    this.timer = null;
    if (this.pending.length !== 0) this.applyCommands();
    if (this.settleFn !== null && (this.arch.backlog as number) > 0) this.settleNow();
  }

  private slice(): void {
    this.immediate = null;
    this.timer = null;
    this.clk[LAST] = -1;
    if (!this.running) return;
    const start = now();
    const deadline = start + this.sliceMs;
    this.clk[LAST] = start;
    const tel = this.telemetry;
    if (tel !== null && this.sliceEnd > 0) tel.noteYield((start - this.sliceEnd) * 1e6);
    let idle = 0;
    let passes = 0;
    try {
      for (;;) {
        if (this.pollOnce() > 0) idle = 0;
        else idle++;
        // Read the clock only every 8 passes: it costs as much as a small batch's bookkeeping.
        // The read also starts the next batch's rx time (pollPort). Yield at the deadline, or
        // once idle for spinPolls passes in a slice at least idleSliceMs long.
        if ((++passes & 7) === 0) {
          clockMsInto(this.clk, LAST);
          const t = this.clk[LAST];
          if (t > deadline || (idle >= this.spinPolls && t - start >= this.idleSliceMs)) break;
        }
      }
    } catch (e) {
      // A fault outside the guarded calls (a port breaking the Port contract, a bug here): an
      // exception escaping a setImmediate callback would kill the process. Report it, go on.
      this.clk[LAST] = -1;
      this.report(`loop:${e instanceof Error ? e.message : String(e)}`, `poll loop error (the loop goes on): ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      // Send what the pipeline still holds; failing again, the next batch's flush takes it.
      try { this.flush(); } catch { /* reported above */ }
    }
    if (!this.running) return;
    const t = now();
    // A sleep while idle (idleAfterMs) is not a stall: only setImmediate turns are timed.
    this.sliceEnd = this.idleAfterMs > 0 && idle !== 0 && t - this.lastPacketAt > this.idleAfterMs ? 0 : t;
    if (idle === 0) this.lastPacketAt = t;
    if (this.portPollMs > 0 && t - this.lastPortPoll >= this.portPollMs) {
      this.lastPortPoll = t;
      this.pollPorts();
    }
    if (this.idleAfterMs > 0 && idle !== 0 && t - this.lastPacketAt > this.idleAfterMs) {
      this.timer = setTimeout(this.sliceFn, this.idleSleepMs);
    } else {
      this.immediate = setImmediate(this.sliceFn);
    }
  }

  /** Calls every port's poll(); a throwing port is counted and reported, never fatal. */
  pollPorts(): void {
    for (let i = 0; i < this.ports.length; i++) {
      const p = this.ports[i].port;
      if (p.poll === undefined) continue;
      try {
        p.poll();
      } catch (e) {
        this.errorsPerPort[i]++;
        const msg = `poll on ${p.name}: ${e instanceof Error ? e.message : String(e)}`;
        this.lastError[i] = msg;
        this.report(`${i}:poll:${msg}`, msg);
      }
    }
  }

  /** Polls until `until()` holds or `maxPasses` passes went by (tests, draining files); never yields. */
  runUntil(until: () => boolean, maxPasses = 1e6): number {
    let passes = 0;
    this.clk[LAST] = -1;
    while (passes < maxPasses && !until()) {
      this.pollOnce();
      // As in slice(): a fresh clock read at least every 8 passes bounds a batch's rxNs.
      if ((++passes & 7) === 0) this.clk[LAST] = -1;
    }
    return passes;
  }

  // --- Reports.

  dropsByReason(): Record<string, number> {
    const r: Record<string, number> = {};
    for (let i = 0; i < LOOP_DROP_NAMES.length; i++) r[LOOP_DROP_NAMES[i]] = this.drops[i];
    return r;
  }

  totalDrops(): number {
    let s = 0;
    for (let i = 0; i < this.drops.length; i++) s += this.drops[i];
    for (const b of this.ports) s += b.port.stats.dropped;
    return s;
  }

  stats(): LoopStats {
    const tel = this.telemetry;
    return {
      uptimeMs: this.startedAt === 0 ? 0 : Math.round(now() - this.startedAt),
      running: this.running,
      inPackets: this.inPackets,
      outPackets: this.outPackets,
      drops: this.dropsByReason(),
      batches: tel?.count ?? 0,
      meanBatch: tel === null || tel.count === 0 ? 0 : +(tel.packets / tel.count).toFixed(2),
      commandsApplied: this.commandsApplied,
      pool: { slots: this.pool.slots, available: this.pool.available },
      ports: this.ports.map((b, i) => {
        try { b.port.poll?.(); } catch { /* counters stay as they were */ }
        return {
          num: b.num,
          name: b.port.name,
          driver: b.port.driver,
          in: this.inPerPort[i],
          out: this.outPerPort[i],
          errors: this.errorsPerPort[i],
          lastError: this.lastError[i],
          stats: b.port.stats.toJSON(),
        };
      }),
    };
  }

  /** Closes every port (a port's close error is reported, never thrown). */
  closePorts(): void {
    for (const b of this.ports) {
      try {
        b.port.close();
      } catch (e) {
        this.onError(`closing ${b.port.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}

/** The control socket's view of a loop: commands go through its queue, reports are read directly. */
export function loopControlHandler(loop: PollLoop): ControlHandler {
  return {
    submit: (lines) => loop.submit(lines),
    stats: () => loop.stats(),
    telemetry: (last) => (loop.telemetry === null ? null : loop.telemetry.toJSON(last)),
    resetTelemetry: () => { loop.telemetry?.reset(); },
  };
}
