// Per-batch telemetry of the poll loop: for every batch its size n and the nanoseconds spent
// receiving, processing and sending, kept in a ring of the last `capacity` batches (preallocated
// Float64Arrays, nothing allocated per batch), a batch-size histogram and running totals. Exported
// as plain JSON ({batches: [{n, rxNs, procNs, txNs, t, port}], histogram, totals, ...}): the raw
// material of the performance model t_b(n) = t_rx(n) + t_p(n) + t_tx(n), each a + n·b.
// rxNs runs from the loop's last clock read to the end of the rx call that returned the batch: the end
// of the previous batch when batches are back to back; after empty polls, a read at most 8 passes old
// (the loop does not time empty polls: a clock read costs ~50 ns), so it may include up
// to 7 untimed empty polls (counted in emptyPolls). This inflates rx time only at low load.
// With a pipeline that keeps batches in flight, the time of finishing them when traffic pauses is
// added to the last batch recorded (amendLast).
// Coalescing pipelines (the secure pipeline's crossings collect several rx bursts): a record is then
// one crossing, not one rx burst. The loop passes `join` = "packets of this batch still wait for a
// later crossing"; the next batch is then added to the same record (n, rx, proc, tx summed), so a
// record holds exactly the packets one crossing carried and the time it took to receive, process and
// send them, which is what t_b(n) describes. `recordCap` says how many packets a record holds at
// saturation (the burst, or the crossing size): the model's n_max.
// Stall detectors: the longest batch (rx + processing + tx: a batch during which the loop was
// descheduled or paused for GC shows here) and the longest time the loop spent outside its polling
// slices (the event loop's turn between two slices), since the last reset.
import { clockMs } from './clock.js';
import { widenFields } from './doubles.js';

export interface TelemetryOptions {
  /** Batches kept in the ring (default 65536). */
  readonly capacity?: number;
  /** Largest batch size the histogram counts separately; bigger batches land in the last bucket (default 64). */
  readonly maxBatch?: number;
}

export interface TelemetryTotals {
  batches: number;
  packets: number;
  rxNs: number;
  procNs: number;
  txNs: number;
  /** Polls that returned no packet (not recorded as batches). */
  emptyPolls: number;
  /** Longest single batch, rx + processing + tx (ns): the loop's worst stall while receiving. */
  maxBatchNs: number;
  /** Longest time between two polling slices (ns): the event loop's turn, GC, signals, control. */
  maxYieldNs: number;
}

export interface TelemetryBatch {
  n: number;
  rxNs: number;
  procNs: number;
  txNs: number;
  /** Start of the batch, ns since the telemetry started. */
  t: number;
  /** Index of the port the batch came from (in the order of the loop's ports). */
  port: number;
}

export interface TelemetryJson {
  /** Oldest first; at most `capacity` of them. */
  batches: TelemetryBatch[];
  /** histogram[n] = batches of size n (the last bucket also holds bigger ones). */
  histogram: number[];
  totals: TelemetryTotals;
  /** Mean batch size over all batches. */
  meanBatch: number;
  /** Batches recorded in total but no longer in the ring. */
  overwritten: number;
  capacity: number;
  /** Measured cost of one clock read (ns); the loop makes three or four per batch. */
  clockNs: number;
  /** Wall-clock time (ms since the epoch) at which the telemetry started (t = 0). */
  startedAt: number;
  /**
   * Packets one record holds at saturation: the rx burst, or for a pipeline that coalesces batches
   * into crossings the crossing size (its records are then merged per crossing). The model's n_max.
   */
  recordCap: number;
}

/** The clock of the loop: milliseconds as a double (CLOCK_MONOTONIC; no allocation with the addon, see clock.ts). */
export const now: () => number = clockMs;

export class Telemetry {
  readonly capacity: number;
  readonly maxBatch: number;
  /** Ring of batch records; batch i (counting from 0) lives at i % capacity. */
  readonly n: Float64Array;
  readonly rxNs: Float64Array;
  readonly procNs: Float64Array;
  readonly txNs: Float64Array;
  readonly t: Float64Array;
  readonly port: Int16Array;
  readonly histogram: Float64Array;
  /** record()'s four times, handed to recordClocks(). */
  private readonly scratch = new Float64Array(4);
  /** Batches recorded so far (the ring write position is count % capacity). */
  count = 0;
  /** The next recorded batch joins the last record (its packets went out in the same crossing). */
  private joinNext = false;
  /** Packets one record holds at saturation (see TelemetryJson.recordCap); the poll loop sets it. */
  recordCap = 32;
  packets = 0;
  totalRxNs = 0;
  totalProcNs = 0;
  totalTxNs = 0;
  emptyPolls = 0;
  maxBatchNs = 0;
  maxYieldNs = 0;
  /** now() at start, in ms. */
  origin: number;
  startedAt: number;
  readonly clockNs: number;

  constructor(options: TelemetryOptions = {}) {
    const cap = Math.max(1, Math.floor(options.capacity ?? 65536));
    this.capacity = cap;
    this.maxBatch = Math.max(1, Math.floor(options.maxBatch ?? 64));
    this.n = new Float64Array(cap);
    this.rxNs = new Float64Array(cap);
    this.procNs = new Float64Array(cap);
    this.txNs = new Float64Array(cap);
    this.t = new Float64Array(cap);
    this.port = new Int16Array(cap);
    this.histogram = new Float64Array(this.maxBatch + 1);
    this.origin = now();
    this.startedAt = Date.now();
    this.clockNs = measureClockNs();
    widenFields(this, 'count', 'packets', 'totalRxNs', 'totalProcNs', 'totalTxNs', 'emptyPolls', 'maxBatchNs', 'maxYieldNs', 'origin');
  }

  /**
   * Records one batch from the four clock reads of the loop (ms from now()): before rx, after rx,
   * after processing, after tx. Tests and the calibration use it; the poll loop calls recordClocks
   * (four doubles passed to a call V8 does not inline are boxed, i.e. allocated).
   */
  record(port: number, n: number, t0: number, t1: number, t2: number, t3: number): void {
    const c = this.scratch;
    c[0] = t0;
    c[1] = t1;
    c[2] = t2;
    c[3] = t3;
    this.recordClocks(port, n, c);
  }

  /**
   * record() with the four clock reads in clk[0..3] (ms): the poll loop's form, which passes no
   * double (a double argument of a call V8 does not inline is boxed, i.e. allocated). `join`: this
   * batch's packets (some or all) still wait in the pipeline for a later crossing, so the next batch
   * is added to this record instead of starting one (see the file comment).
   */
  recordClocks(port: number, n: number, clk: Float64Array, join = false): void {
    const t0 = clk[0];
    const rx = (clk[1] - t0) * 1e6;
    const proc = (clk[2] - clk[1]) * 1e6;
    const tx = (clk[3] - clk[2]) * 1e6;
    const mb = this.maxBatch;
    let i: number;
    if (this.joinNext && this.count !== 0) {
      // Same crossing as the last record: add to it (and move it to its new histogram bucket).
      i = (this.count - 1) % this.capacity;
      const was = this.n[i];
      this.histogram[was < mb ? was : mb]--;
      this.n[i] = was + n;
      this.rxNs[i] += rx;
      this.procNs[i] += proc;
      this.txNs[i] += tx;
    } else {
      i = this.count % this.capacity;
      this.n[i] = n;
      this.rxNs[i] = rx;
      this.procNs[i] = proc;
      this.txNs[i] = tx;
      this.t[i] = (t0 - this.origin) * 1e6;
      this.port[i] = port;
      this.count++;
    }
    const m = this.n[i];
    this.histogram[m < mb ? m : mb]++;
    this.joinNext = join;
    this.packets += n;
    this.totalRxNs += rx;
    this.totalProcNs += proc;
    this.totalTxNs += tx;
    const all = this.rxNs[i] + this.procNs[i] + this.txNs[i];
    if (all > this.maxBatchNs) this.maxBatchNs = all;
  }

  /** Notes the time (ns) the loop spent outside its polling slices before the current one. */
  noteYield(ns: number): void {
    if (ns > this.maxYieldNs) this.maxYieldNs = ns;
  }

  /**
   * Adds time to the most recent batch's procNs and txNs, and to the totals: work the loop did
   * later on behalf of batches already recorded. The poll loop calls it after a pass that received
   * nothing, when it finished a pipeline's crossings still in flight (settle: procNs) and sent what
   * came out (txNs), so that time stays in the model t_b(n). It closes the last record: the next
   * batch starts a new one (settle published every packet still waiting). No-op before the first batch.
   */
  amendLast(procNs: number, txNs: number): void {
    this.joinNext = false;
    if (this.count === 0) return;
    const i = (this.count - 1) % this.capacity;
    this.procNs[i] += procNs;
    this.txNs[i] += txNs;
    this.totalProcNs += procNs;
    this.totalTxNs += txNs;
    const all = this.rxNs[i] + this.procNs[i] + this.txNs[i];
    if (all > this.maxBatchNs) this.maxBatchNs = all;
  }

  /** Forgets every batch and restarts the clock origin. */
  reset(): void {
    this.count = 0;
    this.joinNext = false;
    this.packets = 0;
    this.totalRxNs = 0;
    this.totalProcNs = 0;
    this.totalTxNs = 0;
    this.emptyPolls = 0;
    this.maxBatchNs = 0;
    this.maxYieldNs = 0;
    this.histogram.fill(0);
    this.origin = now();
    this.startedAt = Date.now();
  }

  totals(): TelemetryTotals {
    return {
      batches: this.count,
      packets: this.packets,
      rxNs: Math.round(this.totalRxNs),
      procNs: Math.round(this.totalProcNs),
      txNs: Math.round(this.totalTxNs),
      emptyPolls: this.emptyPolls,
      maxBatchNs: Math.round(this.maxBatchNs),
      maxYieldNs: Math.round(this.maxYieldNs),
    };
  }

  /** A JSON-ready snapshot; `last` limits the batches listed to the most recent ones. */
  toJSON(last = this.capacity): TelemetryJson {
    const kept = Math.min(this.count, this.capacity, Math.max(0, Math.floor(last)));
    const batches: TelemetryBatch[] = [];
    for (let k = this.count - kept; k < this.count; k++) {
      const i = k % this.capacity;
      batches.push({
        n: this.n[i],
        rxNs: Math.round(this.rxNs[i]),
        procNs: Math.round(this.procNs[i]),
        txNs: Math.round(this.txNs[i]),
        t: Math.round(this.t[i]),
        port: this.port[i],
      });
    }
    return {
      batches,
      histogram: Array.from(this.histogram),
      totals: this.totals(),
      meanBatch: this.count === 0 ? 0 : this.packets / this.count,
      overwritten: Math.max(0, this.count - this.capacity),
      capacity: this.capacity,
      clockNs: this.clockNs,
      startedAt: this.startedAt,
      recordCap: this.recordCap,
    };
  }
}

/** Mean cost of one now() call in ns (reported with the telemetry so its overhead is known). */
export function measureClockNs(calls = 2000): number {
  // The fastest of a few rounds: the first ones run before the code is optimised.
  let best = Infinity;
  let x = 0;
  for (let r = 0; r < 5; r++) {
    const a = now();
    for (let i = 0; i < calls; i++) x += now();
    best = Math.min(best, ((now() - a) * 1e6) / calls);
  }
  return x === 0 ? 0 : +best.toFixed(1);
}
