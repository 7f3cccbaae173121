// The benchmark harness behind `p4tee bench`: input a BenchSetup (program, driver, TEE spec, packet
// size, burst, search preset or sweep rates); it builds the topology (shm regions, or the netns
// veths for afxdp/afpacket), starts the switch pinned to core 0 and the generator on core 1, runs
// the sweep and/or the MLRsearch, attaching to every trial the switch's telemetry (and TEE gate
// stats) of exactly that trial's window, writes results.json + trials.csv, and always tears down.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { spawnSync } from 'node:child_process';
import { removeShmRegion } from '../runtime/io/shm.js';
import { collectEnvironment } from './environment.js';
import { GenClient, type GenSetup } from './gen-process.js';
import { formatPps, mlrSearch, rmaxOf, type GoalResult, type SearchResult } from './mlrsearch.js';
import type { Progress } from './progress.js';
import { benchSearch, buildBenchResults, BenchTrialLog, writeRunDirectory, type BenchCeiling, type BenchResults, type BenchTrial, type TrialPhase, type TrialTelemetry } from './results.js';
import { geometricRates, rateSweep } from './sweep.js';
import type { TrialResult, ValidityLimits } from './trial.js';
import { canPin, DutProcess, P4TEE_BIN } from './switch-proc.js';
import { reflectorArgs } from './calibrate.js';
import { afxdpNative } from '../runtime/io/afxdp.js';

export interface BenchSetup {
  program: string;
  commands: string | null;
  driver: 'shm' | 'afxdp' | 'afpacket';
  /** Spec text passed to `p4tee switch --tee` ('extern:process:sync', 'pipeline:isolate'); null or 'none' = inline. */
  tee: string | null;
  packetBytes: number;
  burst: number;
  search: 'quick' | 'rfc2544' | 'sweep' | 'none';
  sweepPps?: number[];
  trialSeconds?: number;
  transitionNs?: number | null;
  label?: string;
  /** Looser validity rule for loaded machines: 98% of the rate, late sends not limited (latency still counts from the intended times), 5% back-pressure. */
  lenient?: boolean;
  /** Ring size of the switch's and the generator's ports (default 4096 for shm, 2048 otherwise): how long a stall the switch's input absorbs. */
  ring?: number;
  /** Secure pipeline modes: batches in flight across the boundary (`p4tee switch --tee-depth`; undefined = its default). */
  teeDepth?: number;
  /** Secure pipeline modes: packets per crossing (`p4tee switch --tee-coalesce`; undefined = its default). */
  teeCoalesce?: number;
  /** Highest load of the search, pps (default: defaultMaxPps(driver)). */
  maxPps?: number;
  /** The generator's driver (default: generatorDriverFor(driver)); the switch always uses `driver`. */
  generatorDriver?: 'shm' | 'afxdp' | 'afpacket';
}

/**
 * The generator's driver for a switch driver: the same, except that an AF_PACKET switch is loaded
 * through AF_XDP (copy mode) when AF_XDP is available. A tester must outrun the device it measures;
 * over AF_PACKET the generator's ceiling on this machine (about 0.73 Mpps with 1500-byte frames) is
 * the switch's own capacity, so r_max was only ever a lower bound there. AF_XDP reaches 1.0-1.2 Mpps.
 */
export function generatorDriverFor(driver: BenchSetup['driver'], afxdpOk?: boolean): NonNullable<BenchSetup['generatorDriver']> {
  if (driver !== 'afpacket') return driver;
  return (afxdpOk ?? !('error' in afxdpNative())) ? 'afxdp' : 'afpacket';
}

/**
 * Highest load the search tries unless told otherwise: 5 Mpps over shm (the generator builds and
 * reads packets in place there and reaches about 4 Mpps, above what the switch forwards), 3 Mpps
 * over veths (the kernel path caps the generator well below).
 */
export function defaultMaxPps(driver: BenchSetup['driver']): number {
  return driver === 'shm' ? 5e6 : 3e6;
}

export interface BenchRunOptions {
  outDir: string;
  /** Plain progress lines (trial ends, phases, notes). */
  onProgress?: (line: string) => void;
  /** A live progress display (progress.ts); used instead of plain lines for the trials when given. */
  progress?: Progress;
  signal?: AbortSignal;
  /** Calibration: the trivial reflector instead of `p4tee switch` (calibrate.ts). */
  dut?: 'switch' | 'reflector';
  /** Overrides of the search (tests: a tiny budget). */
  searchOverrides?: { minPps?: number; maxPps?: number; timeBudgetS?: number; maxTrials?: number };
  /** Known generator ceiling (from calibration): sweep rates above it are dropped. */
  generatorCeilingPps?: number;
  /** Seconds of unrecorded warm-up load before the first trial (default 1; 0 = none). */
  warmupS?: number;
  /** Namespace prefix for afxdp/afpacket (default p4tk-<pid>). */
  netnsPrefix?: string;
}

/** r_max as shown to people: bounds, or "r_max >= X" when the generator was the limit. */
export interface RmaxSummary {
  readonly lower: number | null;
  readonly upper: number | null;
  readonly status: string;
  readonly text: string;
  /** True when the number is a bound set by the generator, not by the switch. */
  readonly generatorLimited: boolean;
  /** True when only a lower bound is known (generator ceiling, or the highest load tried was loss-free). */
  readonly lowerBoundOnly: boolean;
}

/** Which core runs what (two cores: what shares one). */
export interface CoreUse {
  readonly switch: number | null;
  readonly generator: number | null;
  readonly note: string;
}

export type BenchRunResult =
  | { ok: true; dir: string; results: BenchResults; rmax: RmaxSummary | null; cores: CoreUse; elapsedS: number; files: { json: string; csv: string } }
  | { ok: false; error: string };

/** Default sweep rates: 12 points 0.05 .. 3 Mpps, geometric. */
export const DEFAULT_SWEEP_PPS: readonly number[] = geometricRates(50e3, 3e6, 12).map((x) => Math.round(x));

let serial = 0;

/** Gauges and settings of the TEE stats: taken as they are at the window's end, never subtracted. */
const LEVEL_KEYS = new Set(['incarnation', 'transitionNs', 'spinMaxUs', 'spinBudgetUs', 'sealVersion', 'pid', 'threadId', 'depth', 'coalesce', 'inFlight']);
/** Ratios of cumulative counters: neither a difference nor the end value is the window's; left out (derive them from the counters). */
const RATIO_KEYS = new Set(['meanCrossingNs', 'meanBoundaryNs', 'meanBatch', 'crossingsPerHandoff']);

/**
 * Numeric fields of b minus a, recursively (for cumulative TEE gate counters); gauges, settings and
 * other fields from b; ratios of counters left out.
 */
export function diffStats(a: unknown, b: unknown): unknown {
  if (b === null || typeof b !== 'object' || Array.isArray(b)) return b;
  const out: Record<string, unknown> = {};
  const ao = a !== null && typeof a === 'object' ? (a as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
    if (RATIO_KEYS.has(k)) continue;
    const x = ao[k];
    out[k] = typeof v === 'number' ? (typeof x === 'number' && !LEVEL_KEYS.has(k) ? v - x : v) : diffStats(x, v);
  }
  return out;
}

/** Sum of every numeric field named key anywhere in v. */
export function sumField(v: unknown, key: string): number {
  if (v === null || typeof v !== 'object') return 0;
  let s = 0;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === key && typeof x === 'number') s += x;
    else if (typeof x === 'object') s += sumField(x, key);
  }
  return s;
}

/** Up to max batches of a telemetry reply, evenly spread over the window, as [n, rx, proc, tx]. */
export function sampleBatches(batches: readonly { n: number; rxNs: number; procNs: number; txNs: number }[], max = 4096): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  const step = batches.length <= max ? 1 : batches.length / max;
  for (let k = 0; k < Math.min(max, batches.length); k++) {
    const b = batches[Math.floor(k * step)]!;
    out.push([b.n, b.rxNs, b.procNs, b.txNs]);
  }
  return out;
}

/** The trial-window telemetry from a `telemetry` reply (null when the reply has none). */
export function windowTelemetry(tel: unknown, teeBefore: unknown, teeAfter: unknown): (TrialTelemetry & { tee?: unknown; overwritten?: number }) | null {
  if (tel === null || typeof tel !== 'object') return null;
  const t = tel as { batches?: { n: number; rxNs: number; procNs: number; txNs: number }[]; histogram?: number[]; totals?: { batches: number; packets: number; rxNs: number; procNs: number; txNs: number; maxBatchNs?: number; maxYieldNs?: number }; meanBatch?: number; overwritten?: number; recordCap?: number; tee?: unknown };
  const tot = t.totals ?? { batches: 0, packets: 0, rxNs: 0, procNs: 0, txNs: 0 };
  const out: TrialTelemetry & { tee?: unknown; overwritten?: number } = {
    batches: tot.batches,
    packets: tot.packets,
    meanBatch: t.meanBatch ?? (tot.batches > 0 ? tot.packets / tot.batches : 0),
    rxNs: tot.rxNs,
    procNs: tot.procNs,
    txNs: tot.txNs,
    ...(tot.maxBatchNs !== undefined ? { maxBatchNs: tot.maxBatchNs } : {}),
    ...(tot.maxYieldNs !== undefined ? { maxYieldNs: tot.maxYieldNs } : {}),
    ...(typeof t.recordCap === 'number' ? { recordCap: t.recordCap } : {}),
    histogram: t.histogram ?? [],
    sample: sampleBatches(t.batches ?? []),
    overwritten: t.overwritten ?? 0,
  };
  const after = teeAfter ?? t.tee;
  if (after !== undefined && after !== null) out.tee = teeBefore === undefined || teeBefore === null ? after : diffStats(teeBefore, after);
  return out;
}

/**
 * The shm link is lossless: when the switch does not drain its input ring, the generator's sends are
 * refused (back-pressure) and retried, so an overloaded switch shows up as an invalid trial instead
 * of loss. A NIC drops where the shm ring refuses; so on shm, a trial that met a full ring
 * (back-pressure; valid or not) saw the device's limit, not the generator's: it is kept as a valid trial
 * whose loss is the NIC-equivalent loss (packets refused at least once plus those lost, or every
 * packet due that did not come back, whichever is larger: a generator held back by a full ring
 * never even tries the rest), with the generator's own verdict kept beside it. Invalid trials
 * without back-pressure (late sends of a starved generator) stay invalid.
 */
export function shmOverload<T extends TrialResult>(t: T): T {
  if (!(t.backpressure > 0) || t.intended === 0) return t;
  const lost = Math.min(t.intended, Math.max(t.intended - t.received, t.backpressure + t.lost));
  if (t.valid && lost === t.lost) return t;
  return {
    ...t,
    valid: true,
    invalidReason: null,
    lost,
    lossRatio: lost / t.intended,
    shmOverload: { generatorValid: t.valid, generatorInvalidReason: t.invalidReason, sent: t.sent, lost: t.lost, lossRatio: t.lossRatio, note: 'shm ring full: the switch did not drain its input; loss = packets refused at least once + lost + unsent' },
  };
}

/** r_max of a finished run, from the search (NDR goal) or else from the sweep points. */
export function summarizeRmax(search: SearchResult<BenchTrial> | null, sweepTrials: readonly BenchTrial[], ceiling: BenchCeiling | null): RmaxSummary | null {
  if (search !== null) {
    const g: GoalResult | null = rmaxOf(search);
    if (g === null) return null;
    const limited = g.status === 'generator-ceiling' || g.status === 'at-max';
    let text: string;
    if (g.status === 'generator-ceiling' && g.lower === null) text = `r_max unknown: the generator could not deliver even ${ceiling ? formatPps(ceiling.pps) : 'the lowest load'} on this machine now (every trial invalid; see invalidReason, try --lenient or a quieter machine)`;
    else if (g.status === 'generator-ceiling') text = `r_max >= ${fmt(g.lower)} (generator ceiling${ceiling ? ` ${formatPps(ceiling.pps)}` : ''}: the switch outran the generator)`;
    else if (g.status === 'at-max') text = `r_max >= ${fmt(g.lower)} (the highest load searched was loss-free)`;
    else if (g.status === 'below-min') text = `r_max < ${fmt(g.upper)} (even the lowest load lost packets)`;
    else text = `r_max in [${fmt(g.lower)}, ${fmt(g.upper)}]${g.status === 'incomplete' ? ' (search stopped before the goal width)' : ''}`;
    return { lower: g.lower, upper: g.upper, status: g.status, text, generatorLimited: g.status === 'generator-ceiling', lowerBoundOnly: limited };
  }
  const valid = sweepTrials.filter((t) => t.valid);
  if (valid.length === 0) return sweepTrials.length === 0 ? null : { lower: null, upper: null, status: 'no-valid-trial', text: 'r_max unknown: no valid trial (the generator could not deliver any load)', generatorLimited: true, lowerBoundOnly: true };
  let lower: number | null = null;
  let upper: number | null = null;
  for (const t of valid) {
    if (t.lost === 0) lower = Math.max(lower ?? 0, t.offeredPps);
    else upper = Math.min(upper ?? Infinity, t.offeredPps);
  }
  if (lower !== null && upper !== null && upper < lower) lower = valid.filter((t) => t.lost === 0 && t.offeredPps < upper!).reduce<number | null>((m, t) => Math.max(m ?? 0, t.offeredPps), null);
  if (upper === null) {
    const why = ceiling !== null ? `generator ceiling ${formatPps(ceiling.pps)}: the switch outran the generator` : 'every swept rate was loss-free';
    return { lower, upper, status: ceiling !== null ? 'generator-ceiling' : 'at-max', text: `r_max >= ${fmt(lower)} (sweep; ${why})`, generatorLimited: ceiling !== null, lowerBoundOnly: true };
  }
  return { lower, upper, status: 'sweep', text: lower === null ? `r_max < ${fmt(upper)} (sweep: even the lowest rate lost packets)` : `r_max in [${fmt(lower)}, ${fmt(upper)}] (sweep resolution)`, generatorLimited: false, lowerBoundOnly: false };
}

function fmt(x: number | null): string {
  return x === null ? '?' : formatPps(x);
}

/** What the tee spec means for results.json setup.tee. */
export function teeRecord(spec: string | null): { mode: string; backend: string; transition: string } | null {
  if (spec === null || spec === 'none') return null;
  const p = spec.split(':');
  if (p[0] === 'pipeline') return { mode: 'pipeline', backend: p[1] ?? '?', transition: 'batch' };
  return { mode: p[0] ?? '?', backend: p[1] ?? '?', transition: p[2] ?? 'sync' };
}

/** What shares core 0 with the switch's poll loop in a TEE mode (the backends inherit its pinning). */
export function teeCoreNote(spec: string): string {
  const [mode, backend, transition] = spec.split(':');
  const where = backend === 'process' ? 'a child process of the switch' : backend === 'isolate' ? 'a worker thread of the switch' : 'the switch thread itself (inline)';
  if (backend === 'none') return 'the enclave module runs inline in the switch thread (no boundary)';
  if (mode === 'pipeline') return `the secure pipeline runs in ${where}, on core 0 with the poll loop that copies packets in and out (they take turns)`;
  const spin = transition === 'switchless' ? '; its switchless worker would poll its request ring on the same core, so the gate sees both pinned to one CPU and spins on neither side (crossings block at once, like sync)' : '';
  return `the enclave runs in ${where}, pinned with it to core 0: each crossing is a hand-over on the same core${spin}`;
}

interface Resources {
  dut: DutProcess | null;
  gen: GenClient | null;
  regions: string[];
  netns: string | null;
}

function cleanupSync(r: Resources): void {
  r.dut?.killNow();
  if (r.gen !== null && r.gen.child.exitCode === null) r.gen.child.kill('SIGKILL');
  for (const name of r.regions) removeShmRegion(name);
  if (r.netns !== null) {
    for (const ns of [`${r.netns}-gen`, `${r.netns}-dut`]) spawnSync('ip', ['netns', 'del', ns], { timeout: 10000 });
  }
}

/** Runs one benchmark setup into opts.outDir. Never throws. */
export async function runBench(setup: BenchSetup, opts: BenchRunOptions): Promise<BenchRunResult> {
  const res: Resources = { dut: null, gen: null, regions: [], netns: null };
  const onExit = (): void => cleanupSync(res);
  process.on('exit', onExit);
  const t0 = performance.now();
  try {
    return await runInner(setup, opts, res, t0);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    const dut = res.dut;
    await teardown(res);
    process.off('exit', onExit);
    // What the switch said (events, warnings; node diagnostics with NODE_OPTIONS), kept beside the results.
    if (dut !== null) {
      try {
        mkdirSync(opts.outDir, { recursive: true });
        writeFileSync(join(opts.outDir, 'switch.log'), dut.output);
      } catch {
        // the output directory is not writable: the results said so already
      }
    }
  }
}

async function teardown(res: Resources): Promise<void> {
  // Generator first (it attached to the regions), then the switch (it created and removes them).
  if (res.gen !== null) await res.gen.close().catch(() => undefined);
  res.gen = null;
  if (res.dut !== null) await res.dut.stop();
  res.dut = null;
  for (const name of res.regions) removeShmRegion(name);
  res.regions = [];
  if (res.netns !== null) {
    const { netnsDown } = await import('../cli/netns.js');
    netnsDown(res.netns);
    res.netns = null;
  }
}

async function runInner(setup: BenchSetup, opts: BenchRunOptions, res: Resources, t0: number): Promise<BenchRunResult> {
  const note = (line: string): void => {
    if (opts.progress !== undefined) opts.progress.note(line);
    else opts.onProgress?.(line);
  };
  const reflector = opts.dut === 'reflector';
  const phase: TrialPhase = reflector ? 'calibrate' : setup.search === 'sweep' || setup.search === 'none' ? 'sweep' : 'search';
  const env = collectEnvironment();
  const pin = canPin(env.cores);
  const cores: CoreUse = pin
    ? {
        switch: 0,
        generator: 1,
        note:
          `${reflector ? 'reflector' : 'switch'} on core 0, generator on core 1` +
          (setup.tee !== null && setup.tee !== 'none' ? `; ${teeCoreNote(setup.tee)}` : '') +
          '; the bench process itself is not pinned (it idles during trials)',
      }
    : { switch: null, generator: null, note: `not pinned (${env.cores < 2 ? 'one CPU' : 'taskset not available'}): switch and generator share the CPUs` };
  if (!reflector && !existsSync(setup.program)) return { ok: false, error: `program ${setup.program} does not exist` };
  if (setup.commands !== null && !existsSync(setup.commands)) return { ok: false, error: `commands file ${setup.commands} does not exist` };
  const id = `${process.pid}-${++serial}`;
  const control = `/tmp/p4tee-bench-${id}.sock`;
  // Ring (descriptors per port, both sides): the buffer a NIC would have. On shm a full ring counts
  // as loss (shmOverload), so it must ride out a scheduler hiccup: 4096 slots hold 3 ms at 1.3 Mpps.
  const ring = setup.ring ?? (setup.driver === 'shm' ? 4096 : 2048);
  let swPorts: string[];
  let genTx: string;
  let genRx: string;
  let dutNs: string | undefined;
  let genNs: string | undefined;
  if (setup.driver === 'shm') {
    swPorts = [`p4tb-${id}-0`, `p4tb-${id}-1`];
    res.regions.push(...swPorts);
    genTx = swPorts[0]!;
    genRx = swPorts[1]!;
  } else {
    if (process.getuid?.() !== 0) return { ok: false, error: `--driver ${setup.driver} needs root (network namespaces and veths); use --driver shm without root` };
    const prefix = opts.netnsPrefix ?? `p4tk-${process.pid}`;
    const { netnsUp } = await import('../cli/netns.js');
    res.netns = prefix;
    const up = netnsUp(prefix);
    if (!up.ok) return { ok: false, error: `network namespaces: ${up.error}` };
    dutNs = up.topology.dut;
    genNs = up.topology.gen;
    swPorts = ['dut0', 'dut1'];
    genTx = 'gen0';
    genRx = 'gen1';
    note(`topology: ${genNs} gen0/gen1 <-> ${dutNs} dut0/dut1`);
  }

  // The device under test.
  let args: string[];
  if (reflector) {
    args = reflectorArgs({ driver: setup.driver, ports: swPorts, control, burst: setup.burst, ring, mode: setup.driver === 'afxdp' ? 'copy' : undefined });
  } else {
    args = [P4TEE_BIN, 'switch', setup.program, '--driver', setup.driver, '-i', `0@${swPorts[0]}`, '-i', `1@${swPorts[1]}`, '--burst', String(setup.burst), '--ring', String(ring), '--control', control, '--stats', '0', '--telemetry-batches', '65536'];
    if (setup.commands !== null) args.push('--commands', setup.commands);
    if (setup.driver === 'afxdp') args.push('--mode', 'copy');
    if (setup.tee !== null && setup.tee !== 'none') args.push('--tee', setup.tee);
    if (setup.transitionNs != null && setup.tee !== null && setup.tee !== 'none') args.push('--tee-transition-ns', String(setup.transitionNs));
    if (setup.teeDepth !== undefined && setup.tee !== null && setup.tee.startsWith('pipeline:')) args.push('--tee-depth', String(setup.teeDepth));
    if (setup.teeCoalesce !== undefined && setup.tee !== null && setup.tee.startsWith('pipeline:')) args.push('--tee-coalesce', String(setup.teeCoalesce));
  }
  note(`starting the ${reflector ? 'reflector' : 'switch'}${pin ? ' on core 0' : ''}: ${reflector ? 'trivial poll loop' : setup.program}${setup.tee && setup.tee !== 'none' ? ` --tee ${setup.tee}` : ''} (${setup.driver})`);
  const dut = await DutProcess.start({ args, control, cpu: pin ? 0 : undefined, netns: dutNs, what: reflector ? 'reflector' : 'switch' });
  if ('error' in dut) return { ok: false, error: dut.error };
  res.dut = dut;
  if (opts.signal?.aborted) return { ok: false, error: 'interrupted' };

  // The generator.
  const validity: ValidityLimits | undefined = setup.lenient ? { minAchievedRatio: 0.98, maxLateRatio: 1, maxBackpressureRatio: 0.05 } : undefined;
  const genDriver = setup.generatorDriver ?? generatorDriverFor(setup.driver);
  const genSetup: GenSetup = { driver: genDriver, tx: genTx, rx: [genRx], size: setup.packetBytes, burst: setup.burst, ringSize: ring, mode: genDriver === 'afxdp' ? 'copy' : undefined, validity };
  const gen = await GenClient.start(genSetup, { cpu: pin ? 1 : undefined, netns: genNs, stderr: 'pipe' });
  if ('error' in gen) return { ok: false, error: `generator: ${gen.error}` };
  res.gen = gen;
  note(`generator${pin ? ' on core 1' : ''} (${genDriver}): ${gen.info.template}, ${gen.info.ports} (template copy ${gen.info.copyMode})`);
  const onAbort = (): void => { if (res.gen !== null && res.gen.child.exitCode === null) res.gen.child.kill('SIGTERM'); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  // Warm-up (not logged): the first trials of fresh processes stall on JIT compilation and would
  // come out invalid (late sends) for reasons that have nothing to do with the load.
  const warmup = opts.warmupS ?? 1;
  if (warmup > 0) {
    note(`warm-up: ${warmup} s at 20 kpps (not recorded)`);
    try {
      await gen.trial(20e3, warmup / 2);
      await gen.trial(20e3, warmup / 2);
    } catch (e) {
      return { ok: false, error: opts.signal?.aborted ? 'interrupted' : `generator (warm-up): ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  const log = new BenchTrialLog();
  let currentPhase: TrialPhase = phase;
  let teeSeen = false;
  const trial = async (pps: number, durationS: number): Promise<BenchTrial> => {
    let r = await dut.request('telemetry reset');
    if (!r.ok) throw new Error(`telemetry reset: ${r.error}`);
    const before = await dut.request('stats');
    const teeBefore = (before.stats as { tee?: unknown } | undefined)?.tee;
    let result: TrialResult;
    try {
      result = await gen.trial(pps, durationS);
    } catch (e) {
      throw new Error(opts.signal?.aborted ? 'interrupted' : `generator: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (setup.driver === 'shm') result = shmOverload(result);
    r = await dut.request('telemetry');
    const after = await dut.request('stats');
    const teeAfter = (after.stats as { tee?: unknown } | undefined)?.tee;
    if (teeAfter !== undefined) teeSeen = true;
    const tel = r.ok ? windowTelemetry(r.telemetry, teeBefore, teeAfter) : null;
    const logged = log.add(result, currentPhase, tel);
    // Partial results after every trial (complete: false until the end): an interrupted run keeps them.
    write(false);
    return logged;
  };

  const searchPreset = setup.search === 'quick' || setup.search === 'rfc2544' ? setup.search : null;
  // Given rates are swept also before a search: the sweep spreads the model's data over light and heavy load.
  const doSweep = setup.search === 'sweep' || (setup.sweepPps !== undefined && setup.sweepPps.length > 0) || (reflector && searchPreset === null && setup.search !== 'none');
  let sweepCeiling: BenchCeiling | null = null;
  let search: SearchResult<BenchTrial> | null = null;
  let searchIds: number[] = [];
  const options: Record<string, unknown> = { search: setup.search, trialSeconds: setup.trialSeconds ?? null, lenient: setup.lenient === true, warmupS: opts.warmupS ?? 1, ring, teeDepth: setup.teeDepth ?? null, teeCoalesce: setup.teeCoalesce ?? null, generatorDriver: genDriver, cores, dut: reflector ? 'reflector' : 'switch' };
  const setupRecord = {
    program: setup.program,
    driver: setup.driver,
    burst: setup.burst,
    packetBytes: setup.packetBytes,
    tee: teeRecord(setup.tee),
    transitionNs: setup.transitionNs ?? null,
    label: setup.label ?? null,
    commands: setup.commands,
    options,
  };
  const write = (complete: boolean): { json: string; csv: string } => {
    const results = buildBenchResults({
      environment: env,
      setup: setupRecord,
      trials: log.trials,
      search: search !== null ? benchSearch(search, searchIds, searchPreset ?? undefined) : null,
      ceilings: [sweepCeiling, search?.ceiling],
    });
    const rmax = summarizeRmax(search, log.trials, results.ceiling);
    return writeRunDirectory(opts.outDir, { ...results, rmax, cores, complete } as BenchResults);
  };
  write(false);

  try {
    if (doSweep) {
      let rates = [...(setup.sweepPps && setup.sweepPps.length > 0 ? setup.sweepPps : DEFAULT_SWEEP_PPS)];
      if (opts.generatorCeilingPps !== undefined) {
        const kept = rates.filter((x) => x <= opts.generatorCeilingPps!);
        if (kept.length < rates.length) note(`sweep: ${rates.length - kept.length} rate(s) above the generator ceiling ${formatPps(opts.generatorCeilingPps)} dropped`);
        rates = kept;
      }
      const durationS = setup.trialSeconds ?? 2;
      currentPhase = reflector ? 'calibrate' : 'sweep';
      if (opts.progress) opts.progress.phase(`sweep: ${rates.length} rates x ${durationS} s`);
      else note(`== sweep: ${rates.length} rates x ${durationS} s`);
      const sw = await rateSweep(trial, {
        rates,
        durationS,
        signal: opts.signal,
        onProgress: (p) => {
          if (opts.progress) opts.progress.sweep(p);
          else if (p.event === 'trial-end' && p.result) {
            const t = p.result;
            note(`sweep ${p.index + 1}/${p.count}${p.retry ? ' (retry)' : ''} ${formatPps(p.pps)}: ${t.valid ? `rx ${formatPps(t.received / t.durationS)}, loss ${(t.lossRatio * 100).toFixed(3)}%` : `INVALID (${t.invalidReason})`}`);
          }
        },
      });
      sweepCeiling = sw.ceiling;
      opts.progress?.done();
      write(false);
    }
    if (searchPreset !== null && !opts.signal?.aborted) {
      currentPhase = reflector ? 'calibrate' : 'search';
      const o = opts.searchOverrides ?? {};
      if (opts.progress) opts.progress.phase(`search (${searchPreset}): NDR and PDR (0.5% loss)`);
      else note(`== search (${searchPreset}): NDR and PDR (0.5% loss)`);
      const first = log.trials.length;
      search = await mlrSearch(trial, {
        minPps: o.minPps ?? 10e3,
        maxPps: o.maxPps ?? Math.min(setup.maxPps ?? defaultMaxPps(setup.driver), opts.generatorCeilingPps ?? Infinity),
        preset: searchPreset,
        timeBudgetS: o.timeBudgetS,
        maxTrials: o.maxTrials,
        signal: opts.signal,
        onProgress: (p) => {
          if (opts.progress) opts.progress.search(p);
          else if (p.event === 'trial-end' && p.result) {
            const t = p.result;
            note(`search ${p.goal} ${formatPps(p.pps)} x ${p.durationS.toFixed(2)} s: ${t.valid ? `loss ${(t.lossRatio * 100).toFixed(3)}%` : `INVALID (${t.invalidReason})`}`);
          }
        },
      });
      searchIds = log.trials.slice(first).map((t) => t.id);
      opts.progress?.done();
    }
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) {
    write(false);
    return { ok: false, error: 'interrupted (partial results kept, complete: false)' };
  }
  if (setup.tee !== null && setup.tee !== 'none' && !teeSeen && !reflector) note('note: the switch reported no TEE stats (no `tee` field in its stats reply)');
  const files = write(true);
  const results = buildBenchResults({
    environment: env,
    setup: setupRecord,
    trials: log.trials,
    search: search !== null ? benchSearch(search, searchIds, searchPreset ?? undefined) : null,
    ceilings: [sweepCeiling, search?.ceiling],
  });
  const rmax = summarizeRmax(search, log.trials, results.ceiling);
  return { ok: true, dir: opts.outDir, results: { ...results, complete: true } as BenchResults, rmax, cores, elapsedS: (performance.now() - t0) / 1000, files };
}
