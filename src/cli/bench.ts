// `p4tee bench [PROGRAM] [--driver shm|afxdp|afpacket] [--tee SPEC,...] [--quick|--rfc2544|--sweep RATES]`:
// the benchmark harness on the command line. Parses the flags into one BenchSetup per TEE mode,
// runs them in turn (runBench, or calibrate() for --calibrate) with live progress on stderr, and
// prints r_max with its bounds, the files written and, for several modes, a table of r_max per mode
// with its ratio to the `none` baseline and the cost explained from the telemetry. Exit: 0 ok,
// 1 a run failed, 2 usage.
import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runBench, type BenchRunResult, type BenchSetup, type CoreUse, type RmaxSummary } from '../trafficgen/bench-runner.js';
import { calibrate } from '../trafficgen/calibrate.js';
import { formatPps } from '../trafficgen/mlrsearch.js';
import { median as medianOf } from '../measure/stats.js';
import { Progress, formatDuration } from '../trafficgen/progress.js';
import { runDirectoryName, type BenchTrial } from '../trafficgen/results.js';
import { REPO_ROOT } from '../trafficgen/switch-proc.js';
import { parseTeeSpec } from '../tee/gate.js';
import { MAX_BATCH, MAX_DEPTH } from '../tee/pipeline/protocol.js';
import { parseRate, parseSeconds, positiveInt } from './gen.js';

export interface BenchFlags {
  driver: string;
  tee?: string;
  size: string;
  burst: string;
  quick?: boolean;
  rfc2544?: boolean;
  sweep?: string;
  trialSeconds?: string;
  out?: string;
  calibrate?: boolean;
  teeTransitionNs?: string;
  commands?: string;
  lenient?: boolean;
  ring?: string;
  teeDepth?: string;
  teeCoalesce?: string;
  genDriver?: string;
  maxRate?: string;
  label?: string;
  json?: boolean;
  rounds?: string;
}

export interface BenchPlan {
  readonly setups: BenchSetup[];
  /** One output directory per setup. */
  readonly dirs: string[];
  /** Rounds of the whole mode list (--rounds; setups holds rounds x modes, round by round). */
  readonly rounds: number;
  readonly calibrate: boolean;
  readonly json: boolean;
  /** The parent directory when several modes run (modes.json goes there), else null. */
  readonly base: string | null;
}

export const STUDY_PROGRAM = join(REPO_ROOT, 'examples/study-forward/study-forward.p4');
export const STUDY_COMMANDS = join(REPO_ROOT, 'examples/study-forward/commands.txt');
export const STUDY_TEE_PROGRAM = join(REPO_ROOT, 'examples/study-forward/study-forward-tee.p4');
export const STUDY_TEE_COMMANDS = join(REPO_ROOT, 'examples/study-forward/commands-tee.txt');

/** A directory-safe name for a mode ('extern:process:sync' -> 'extern-process-sync'). */
export function modeLabel(spec: string): string {
  return spec.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/** Flags -> the setups to run, or a usage error. Pure apart from the clock (default directory names). */
export function planBench(program: string | undefined, f: BenchFlags, now: Date = new Date()): BenchPlan | { error: string } {
  const driver = f.driver;
  if (driver !== 'shm' && driver !== 'afxdp' && driver !== 'afpacket') return { error: `--driver must be shm, afxdp or afpacket, not '${driver}'` };
  const size = Number(f.size);
  if (!Number.isInteger(size) || size < 64 || size > 9000) return { error: `--size must be an integer from 64 to 9000 bytes, not '${f.size}'` };
  if (driver === 'shm' && size > 1792) return { error: `--size ${size}: the shm driver carries frames up to 1792 bytes` };
  const burst = Number(f.burst);
  if (!Number.isInteger(burst) || burst < 1 || burst > 64) return { error: `--burst must be an integer from 1 to 64, not '${f.burst}'` };
  const ring = f.ring === undefined ? undefined : Number(f.ring);
  if (ring !== undefined && !(Number.isInteger(ring) && ring >= 64 && ring <= 65536)) return { error: `--ring must be an integer from 64 to 65536, not '${f.ring}'` };
  const teeDepth = f.teeDepth === undefined ? undefined : positiveInt('--tee-depth', f.teeDepth, MAX_DEPTH);
  if (typeof teeDepth === 'string') return { error: teeDepth };
  const teeCoalesce = f.teeCoalesce === undefined ? undefined : positiveInt('--tee-coalesce', f.teeCoalesce, MAX_BATCH);
  if (typeof teeCoalesce === 'string') return { error: teeCoalesce };
  const rounds = f.rounds === undefined ? 1 : positiveInt('--rounds', f.rounds, MAX_ROUNDS);
  if (typeof rounds === 'string') return { error: rounds };
  if (rounds > 1 && f.calibrate === true) return { error: '--rounds applies to the TEE modes, not to --calibrate' };
  const genDriver = f.genDriver;
  if (genDriver !== undefined) {
    if (genDriver !== 'afxdp' && genDriver !== 'afpacket') return { error: `--gen-driver must be afxdp or afpacket, not '${genDriver}'` };
    if (driver === 'shm') return { error: '--gen-driver applies to the veth drivers (afxdp, afpacket); over shm the generator uses shm' };
  }
  let maxPps: number | undefined;
  if (f.maxRate !== undefined) {
    const r = parseRate(f.maxRate, size);
    if (typeof r === 'string') return { error: `--max-rate: ${r}` };
    if (!(r > 10e3)) return { error: `--max-rate must be above the search's lowest load (10 kpps), not '${f.maxRate}'` };
    maxPps = r;
  }
  const presets = [f.quick ? '--quick' : null, f.rfc2544 ? '--rfc2544' : null, f.sweep !== undefined ? '--sweep' : null].filter((x) => x !== null);
  if (presets.length > 1) return { error: `${presets.join(' and ')} exclude each other: pick one` };
  let sweepPps: number[] | undefined;
  if (f.sweep !== undefined) {
    sweepPps = [];
    for (const part of f.sweep.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const r = parseRate(part, size);
      if (typeof r === 'string') return { error: `--sweep: ${r}` };
      sweepPps.push(r);
    }
    if (sweepPps.length === 0) return { error: '--sweep needs at least one rate (e.g. --sweep 50k,100k,1M)' };
  }
  const search: BenchSetup['search'] = f.rfc2544 ? 'rfc2544' : f.sweep !== undefined ? 'sweep' : 'quick';
  let trialSeconds: number | undefined;
  if (f.trialSeconds !== undefined) {
    const s = parseSeconds(f.trialSeconds);
    if (typeof s === 'string' || !(s > 0)) return { error: `--trial-seconds: ${typeof s === 'string' ? s : 'must be above 0'}` };
    trialSeconds = s;
  }
  let transitionNs: number | null = null;
  if (f.teeTransitionNs !== undefined) {
    const n = Number(f.teeTransitionNs);
    if (!Number.isInteger(n) || n < 0) return { error: `--tee-transition-ns must be a whole number of ns, not '${f.teeTransitionNs}'` };
    transitionNs = n;
  }
  const specs: (string | null)[] = [];
  if (f.tee === undefined) specs.push(null);
  else {
    for (const raw of f.tee.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const s = raw === 'baseline' || raw === 'inline' ? 'none' : raw;
      if (s !== 'none') {
        const t = parseTeeSpec(s);
        if ('error' in t) return { error: `--tee: ${t.error}` };
      }
      if (specs.includes(s)) return { error: `--tee: '${s}' given twice` };
      specs.push(s);
    }
    if (specs.length === 0) return { error: '--tee needs a spec (none, extern:BACKEND:TRANSITION or pipeline:BACKEND)' };
  }
  if (f.calibrate && f.tee !== undefined) return { error: '--calibrate measures the generator against a trivial reflector: it takes no --tee' };
  const anyTee = specs.some((s) => s !== null);
  let prog: string;
  let commands: string | null;
  if (program !== undefined) {
    prog = resolve(program);
    if (!existsSync(prog)) return { error: `program ${program} does not exist` };
    commands = f.commands !== undefined ? resolve(f.commands) : null;
  } else {
    prog = anyTee ? STUDY_TEE_PROGRAM : STUDY_PROGRAM;
    commands = f.commands !== undefined ? resolve(f.commands) : anyTee ? STUDY_TEE_COMMANDS : STUDY_COMMANDS;
  }
  if (commands !== null && !existsSync(commands)) return { error: `commands file ${commands} does not exist` };
  let setups: BenchSetup[] = specs.map((tee) => ({
    program: prog,
    commands,
    driver,
    tee,
    packetBytes: size,
    burst,
    search,
    sweepPps,
    trialSeconds,
    transitionNs,
    label: f.label ?? (f.calibrate ? 'calibrate' : tee === null ? undefined : modeLabel(tee)),
    lenient: f.lenient === true,
    ...(ring === undefined ? {} : { ring }),
    ...(teeDepth === undefined ? {} : { teeDepth }),
    ...(teeCoalesce === undefined ? {} : { teeCoalesce }),
    ...(maxPps === undefined ? {} : { maxPps }),
    ...(genDriver === undefined ? {} : { generatorDriver: genDriver }),
  }));
  let dirs: string[];
  let base: string | null = null;
  if (setups.length === 1 && rounds === 1) {
    dirs = [f.out !== undefined ? resolve(f.out) : resolve(runDirectoryName('bench-results', now, setups[0]!.label ?? driver))];
  } else if (rounds === 1) {
    base = f.out !== undefined ? resolve(f.out) : resolve(runDirectoryName('bench-results', now, f.label ?? `modes-${driver}`));
    dirs = setups.map((s) => join(base!, modeLabel(s.tee ?? 'none')));
  } else {
    // Round by round, every mode in turn: each round's ratios are taken against that round's baseline.
    base = f.out !== undefined ? resolve(f.out) : resolve(runDirectoryName('bench-results', now, f.label ?? `modes-${driver}`));
    const modes = setups;
    setups = [];
    dirs = [];
    for (let r = 1; r <= rounds; r++) {
      for (const s of modes) {
        setups.push(s);
        dirs.push(join(base, `round-${r}`, modeLabel(s.tee ?? 'none')));
      }
    }
  }
  return { setups, dirs, rounds, calibrate: f.calibrate === true, json: f.json === true, base };
}

/** Most rounds `--rounds` takes. */
export const MAX_ROUNDS = 20;

// ---------------------------------------------------------------------------------------------
// The per-mode table.

/** One mode's line of the table, from its run. */
export interface ModeRow {
  readonly mode: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly rmax: RmaxSummary | null;
  readonly meanBatch: number | null;
  /** Pipeline processing time per packet (telemetry procNs / packets). */
  readonly procNsPerPacket: number | null;
  readonly crossingsPerBatch: number | null;
  /** Blocking hand-overs to the enclave per batch (a crossing the caller waited for; pipelined crossings share one). */
  readonly handoffsPerBatch: number | null;
  readonly nsPerCrossing: number | null;
  /** Bytes copied across the boundary per packet (gate bytesIn + bytesOut). */
  readonly bytesPerPacket: number | null;
  readonly emulation: string | null;
  readonly cores: string;
  readonly dir: string | null;
}

function sumTee(v: unknown, key: string): number {
  if (v === null || typeof v !== 'object') return 0;
  let s = 0;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === key && typeof x === 'number') s += x;
    else if (x !== null && typeof x === 'object') s += sumTee(x, key);
  }
  return s;
}

function findString(v: unknown, key: string): string | null {
  if (v === null || typeof v !== 'object') return null;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === key && typeof x === 'string') return x;
    if (x !== null && typeof x === 'object') {
      const r = findString(x, key);
      if (r !== null) return r;
    }
  }
  return null;
}

/** The table row of a run: r_max, and the cost from the telemetry of all its trials together. */
export function modeRow(mode: string, r: BenchRunResult, cores?: CoreUse): ModeRow {
  if (!r.ok) return { mode, ok: false, error: r.error, rmax: null, meanBatch: null, procNsPerPacket: null, crossingsPerBatch: null, handoffsPerBatch: null, nsPerCrossing: null, bytesPerPacket: null, emulation: null, cores: cores?.note ?? '', dir: null };
  let batches = 0, packets = 0, proc = 0, crossings = 0, crossingNs = 0, bytes = 0, handoffs = 0;
  let teeSeen = false;
  let emulation: string | null = null;
  for (const t of r.results.trials as readonly (BenchTrial & { telemetry: (BenchTrial['telemetry'] & { tee?: unknown }) | null })[]) {
    const tel = t.telemetry;
    if (tel === null) continue;
    batches += tel.batches;
    packets += tel.packets;
    proc += tel.procNs;
    if (tel.tee !== undefined && tel.tee !== null) {
      teeSeen = true;
      crossings += sumTee(tel.tee, 'crossings');
      crossingNs += sumTee(tel.tee, 'crossingNs');
      // Extern gates count their blocking waits; the secure pipeline its hand-overs.
      handoffs += sumTee(tel.tee, 'blockingWaits') + sumTee(tel.tee, 'handoffs');
      bytes += sumTee(tel.tee, 'bytesIn') + sumTee(tel.tee, 'bytesOut');
      emulation ??= findString(tel.tee, 'emulation');
    }
  }
  return {
    mode,
    ok: true,
    rmax: r.rmax,
    meanBatch: batches > 0 ? packets / batches : null,
    procNsPerPacket: packets > 0 ? proc / packets : null,
    crossingsPerBatch: teeSeen && batches > 0 ? crossings / batches : null,
    handoffsPerBatch: teeSeen && batches > 0 ? handoffs / batches : null,
    nsPerCrossing: teeSeen && crossings > 0 ? crossingNs / crossings : null,
    bytesPerPacket: teeSeen && packets > 0 ? bytes / packets : null,
    emulation,
    cores: r.cores.note,
    dir: r.dir,
  };
}

/** r_max of a row as a ratio to the baseline's ('>=' / '<=' when a side is only a bound). */
export function ratioText(row: ModeRow, base: ModeRow | undefined): string {
  if (base === undefined) return '-';
  const a = row.rmax;
  const b = base.rmax;
  if (a === null || b === null || a.lower === null || b.lower === null || b.lower === 0) return '?';
  const x = a.lower / b.lower;
  const s = x.toFixed(2);
  if (row === base) return '1.00';
  // A bound set by the generator is a floor: a floor over a number is a floor, a number over a floor a ceiling.
  if (a.lowerBoundOnly && !b.lowerBoundOnly) return `>=${s}`;
  if (!a.lowerBoundOnly && b.lowerBoundOnly) return `<=${s}`;
  if (a.lowerBoundOnly && b.lowerBoundOnly) return `~${s}?`;
  return s;
}

function rmaxCell(r: RmaxSummary | null): string {
  if (r === null) return '-';
  const f = (x: number | null): string => (x === null ? '?' : formatPps(x).replace(' Mpps', 'M').replace(' kpps', 'k').replace(' pps', ''));
  if (r.lowerBoundOnly) return r.lower === null ? 'unknown' : `>= ${f(r.lower)}`;
  if (r.status === 'below-min') return `< ${f(r.upper)}`;
  return `[${f(r.lower)}, ${f(r.upper)}]`;
}

function num(x: number | null, digits = 1): string {
  return x === null ? '-' : x.toFixed(digits);
}

/** The table of r_max per mode, ratios to `none` (or the first mode), and the cost per mode. */
export function formatModeTable(rows: readonly ModeRow[], driver: string): string {
  const base = rows.find((r) => r.mode === 'none' && r.ok) ?? undefined;
  const head = ['mode', 'r_max (pps)', 'ratio', 'batch', 'proc ns/pkt', 'crossings/batch', 'hand-overs/batch', 'ns/crossing', 'bytes/pkt'];
  const body = rows.map((r) =>
    r.ok
      ? [r.mode, rmaxCell(r.rmax), ratioText(r, base), num(r.meanBatch), num(r.procNsPerPacket, 0), num(r.crossingsPerBatch, 2), num(r.handoffsPerBatch, 2), num(r.nsPerCrossing, 0), num(r.bytesPerPacket, 1)]
      : [r.mode, 'FAILED', '-', '-', '-', '-', '-', '-', '-'],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [`r_max per TEE mode over ${driver} (ratio to ${base !== undefined ? 'the `none` baseline' : 'no baseline: add --tee none'}, same run):`, line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  for (const r of rows) {
    if (!r.ok) out.push(`  ${r.mode}: ${r.error}`);
    else if (r.crossingsPerBatch !== null && r.nsPerCrossing !== null && r.meanBatch !== null && r.meanBatch > 0) {
      out.push(
        `  ${r.mode}: ${r.crossingsPerBatch.toFixed(2)} crossings per batch of ${r.meanBatch.toFixed(1)} x ${r.nsPerCrossing.toFixed(0)} ns = ` +
          `${((r.crossingsPerBatch * r.nsPerCrossing) / r.meanBatch).toFixed(0)} ns per packet at the boundary` +
          (r.procNsPerPacket !== null ? ` (of ${r.procNsPerPacket.toFixed(0)} ns processing per packet)` : '') +
          (r.bytesPerPacket !== null ? `, ${r.bytesPerPacket.toFixed(1)} bytes copied per packet` : '') +
          (r.emulation !== null ? ` [${r.emulation}]` : ''),
      );
    }
  }
  const coreNotes = [...new Set(rows.filter((r) => r.ok).map((r) => r.cores))];
  for (const c of coreNotes) out.push(`  cores: ${c}`);
  if (rows.some((r) => r.ok && r.rmax?.lowerBoundOnly)) out.push('  >= : only a lower bound is known (the switch outran the generator, or the highest load tried was loss-free); ratios with it are bounds too');
  return out.join('\n');
}

/** The median, or null for no values. */
function median(xs: readonly number[]): number | null {
  const m = medianOf(xs);
  return Number.isNaN(m) ? null : m;
}

/**
 * The table of several rounds: per mode the median of its r_max (lower ends of the intervals), the
 * median and range of its ratio to the `none` baseline of the same round (a baseline measured
 * minutes apart on a shared machine drifts; a ratio within one round does less), how many rounds
 * gave a ratio (both r_max known) and an r_max, and the medians of the cost columns. rows[r] holds
 * round r's rows.
 */
export function formatRoundsTable(rows: readonly (readonly ModeRow[])[], driver: string): string {
  const modes: string[] = [];
  for (const round of rows) for (const r of round) if (!modes.includes(r.mode)) modes.push(r.mode);
  const hasBase = modes.includes('none');
  const head = ['mode', 'r_max median (pps)', 'ratio median', 'ratio range', 'ratios', 'r_max rounds', 'proc ns/pkt', 'crossings/batch', 'ns/crossing'];
  let bounds = false;
  const body = modes.map((mode) => {
    const lowers: number[] = [];
    const ratios: number[] = [];
    const proc: number[] = [];
    const cross: number[] = [];
    const nsc: number[] = [];
    let ok = 0;
    for (const round of rows) {
      const r = round.find((x) => x.mode === mode);
      if (r === undefined || !r.ok || r.rmax === null || r.rmax.lower === null) continue;
      ok++;
      lowers.push(r.rmax.lower);
      if (r.procNsPerPacket !== null) proc.push(r.procNsPerPacket);
      if (r.crossingsPerBatch !== null) cross.push(r.crossingsPerBatch);
      if (r.nsPerCrossing !== null) nsc.push(r.nsPerCrossing);
      const b = round.find((x) => x.mode === 'none');
      if (b === undefined || !b.ok || b.rmax === null || b.rmax.lower === null || !(b.rmax.lower > 0)) continue;
      if (r.rmax.lowerBoundOnly || b.rmax.lowerBoundOnly) bounds = true;
      ratios.push(r.rmax.lower / b.rmax.lower);
    }
    const m = median(lowers);
    const rm = median(ratios);
    const f = (x: number | null, d: number): string => (x === null ? '-' : x.toFixed(d));
    return [
      mode,
      m === null ? '-' : formatPps(m).replace(' Mpps', 'M').replace(' kpps', 'k').replace(' pps', ''),
      hasBase ? f(rm, 2) : '-',
      hasBase && ratios.length > 0 ? `${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}` : '-',
      hasBase ? String(ratios.length) : '-',
      `${ok}/${rows.length}`,
      f(median(proc), 0),
      f(median(cross), 2),
      f(median(nsc), 0),
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [
    `r_max per TEE mode over ${driver}, ${rows.length} rounds (ratio to ${hasBase ? 'the `none` baseline of the same round' : 'no baseline: add --tee none'}; r_max = lower end of the interval):`,
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
  ];
  for (const [i, round] of rows.entries()) for (const r of round) if (!r.ok) out.push(`  round ${i + 1}, ${r.mode}: ${r.error}`);
  if (bounds) out.push('  some rounds had an r_max that is only a lower bound (the switch outran the generator); their ratios are bounds');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

export interface BenchCliOptions {
  readonly log?: (line: string) => void;
  readonly out?: (text: string) => void;
  readonly signal?: AbortSignal;
}

function summaryLines(r: Extract<BenchRunResult, { ok: true }>, calibrating: boolean): string[] {
  const head = r.rmax !== null ? r.rmax.text : 'r_max: no search or sweep result';
  const lines = [calibrating ? `machine ceiling (generator -> trivial reflector): ${head.replace(/^r_max /, 'rate ')}` : head];
  const n = r.results.trials.length;
  const invalid = r.results.trials.filter((t) => !t.valid).length;
  const overload = r.results.trials.filter((t) => (t as { shmOverload?: unknown }).shmOverload !== undefined).length;
  lines.push(`${n} trials (${invalid} invalid${overload ? `, ${overload} shm back-pressure counted as loss` : ''}) in ${formatDuration(r.elapsedS)}; ${r.cores.note}`);
  if (r.results.ceiling !== null) lines.push(`generator ceiling: ${formatPps(r.results.ceiling.pps)} (${r.results.ceiling.note})`);
  lines.push(`files: ${r.files.json}, ${r.files.csv}`);
  return lines;
}

/** Runs `p4tee bench`; returns the exit status. */
export async function runBenchCli(program: string | undefined, flags: BenchFlags, o: BenchCliOptions = {}): Promise<number> {
  const log = o.log ?? ((line: string) => { process.stderr.write(line + '\n'); });
  const out = o.out ?? ((text: string) => { process.stdout.write(text); });
  const plan = planBench(program, flags);
  if ('error' in plan) {
    log(`p4tee bench: ${plan.error}`);
    return 2;
  }
  const progress = new Progress();
  const rows: ModeRow[] = [];
  const runs: { mode: string; result: BenchRunResult }[] = [];
  const perRound = plan.setups.length / plan.rounds;
  for (const [i, setup] of plan.setups.entries()) {
    if (o.signal?.aborted) break;
    const mode = plan.calibrate ? 'calibrate' : setup.tee ?? 'none';
    const roundText = plan.rounds > 1 ? `, round ${Math.floor(i / perRound) + 1} of ${plan.rounds}` : '';
    progress.note(`p4tee bench: ${plan.calibrate ? 'calibration (generator -> trivial reflector)' : `${setup.program}${setup.tee !== null ? ` [tee ${setup.tee}]` : ''}`} over ${setup.driver}, ${setup.packetBytes} B, burst ${setup.burst}, ${setup.search}${setup.lenient ? ' (lenient validity)' : ''}` + (plan.setups.length > 1 ? ` (${i + 1}/${plan.setups.length}${roundText})` : ''));
    const runOpts = { outDir: plan.dirs[i]!, progress, signal: o.signal };
    const r = plan.calibrate ? await calibrate(setup, runOpts) : await runBench(setup, runOpts);
    progress.done();
    runs.push({ mode, result: r });
    rows.push(modeRow(mode, r));
    if (r.ok) for (const l of summaryLines(r, plan.calibrate)) progress.note(`${plan.setups.length > 1 ? `[${mode}] ` : ''}${l}`);
    else progress.note(`p4tee bench: ${plan.setups.length > 1 ? `[${mode}] ` : ''}${r.error}`);
  }
  let table: string | null = null;
  // With --rounds: rows of round r are rows[r * perRound ..], in the order of the modes.
  const byRound: ModeRow[][] = [];
  for (let r = 0; r * perRound < rows.length; r++) byRound.push(rows.slice(r * perRound, (r + 1) * perRound));
  if (plan.setups.length > 1) {
    table = plan.rounds > 1 ? formatRoundsTable(byRound, plan.setups[0]!.driver) : formatModeTable(rows, plan.setups[0]!.driver);
    if (plan.base !== null) {
      try {
        mkdirSync(plan.base, { recursive: true });
        const doc = plan.rounds > 1 ? { kind: 'p4tee-bench-modes', driver: plan.setups[0]!.driver, rounds: plan.rounds, rows: byRound } : { kind: 'p4tee-bench-modes', driver: plan.setups[0]!.driver, rows };
        writeFileSync(join(plan.base, 'modes.json'), JSON.stringify(doc, null, 2) + '\n');
        writeFileSync(join(plan.base, 'modes.txt'), table + '\n');
      } catch (e) {
        log(`p4tee bench: cannot write ${plan.base}/modes.json: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
  }
  if (plan.json) {
    out(JSON.stringify({ runs: runs.map(({ mode, result }) => (result.ok ? { mode, ok: true, dir: result.dir, rmax: result.rmax, ceiling: result.results.ceiling, elapsedS: result.elapsedS, cores: result.cores } : { mode, ok: false, error: result.error })), table: plan.setups.length > 1 ? rows : null }, null, 2) + '\n');
  } else if (table !== null) {
    out(table + '\n');
  } else {
    const r = runs[0]?.result;
    if (r?.ok) out(`${summaryLines(r, plan.calibrate)[0]}\n`);
  }
  if (o.signal?.aborted) return 1;
  return runs.length === plan.setups.length && runs.every((x) => x.result.ok) ? 0 : 1;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('benchmark a P4 program on the live switch: rate sweep and r_max search (MLRsearch), per TEE mode')
    .argument('[program]', 'P4_16 program (default: examples/study-forward, its -tee variant with --tee)')
    .option('--driver <name>', 'shm (no root), afxdp or afpacket (root: builds a netns veth topology)', 'shm')
    .option('--tee <specs>', 'TEE mode(s), comma-separated: none, extern:BACKEND[:TRANSITION], pipeline:BACKEND; several run in turn')
    .option('--size <bytes>', 'frame size without FCS', '1500')
    .option('--burst <n>', 'packets per burst (switch and generator)', '32')
    .option('--quick', 'MLRsearch preset quick: NDR and PDR in under 3 minutes (the default)')
    .option('--rfc2544', 'MLRsearch preset rfc2544: 60 s final trials')
    .option('--sweep <rates>', 'a rate sweep instead of a search, e.g. 50k,100k,500k,1M')
    .option('--trial-seconds <s>', 'trial length of the sweep (default 2)')
    .option('--out <dir>', 'output directory (default bench-results/DATE-LABEL)')
    .option('--calibrate', 'measure the generator against a trivial reflector (no P4): the ceiling of this machine')
    .option('--tee-transition-ns <n>', 'emulated cost per TEE crossing, ns (labelled as emulation)')
    .option('--commands <file>', 'table commands for PROGRAM (default: the example\'s commands file)')
    .option('--lenient', 'looser validity for loaded machines: 98% of the rate, late sends not limited')
    .option('--ring <n>', 'ring size of the switch and generator ports (default 4096 for shm, 2048 otherwise)')
    .option('--tee-depth <n>', 'pipeline modes: batches in flight across the boundary (p4tee switch --tee-depth; default 1)')
    .option('--tee-coalesce <n>', 'pipeline modes: packets per crossing (p4tee switch --tee-coalesce; default 128 at depth 1)')
    .option('--max-rate <rate>', 'highest load of the search, e.g. 2M (default 5M over shm, 3M over veths)')
    .option('--gen-driver <name>', "the generator's driver over veths: afxdp or afpacket (default: the switch's driver, but afxdp for an afpacket switch when AF_XDP is available)")
    .option('--rounds <n>', 'run the list of modes this many times, round by round, and report per mode the median ratio to the same round\'s baseline and its range (1-20, default 1)')
    .option('--label <text>', 'label of the run (directory name, results.json setup.label)')
    .option('--json', 'print the summary as JSON on stdout')
    .addHelpText(
      'after',
      '\nThe switch runs pinned to core 0 and the generator to core 1 (taskset); with the shm driver they are\n' +
        'joined by two shared-memory regions, with afxdp/afpacket by veths between two namespaces (root).\n' +
        'Every trial records the switch\'s per-batch telemetry of its window; results.json and trials.csv go\n' +
        'to the output directory. Where the switch outruns the generator, r_max is reported as a bound.\n' +
        '\nExamples:\n' +
        '  p4tee bench --quick\n' +
        '  p4tee bench --tee none,extern:process:sync,extern:process:batch,pipeline:process\n' +
        '  sudo p4tee bench --driver afxdp --tee none,pipeline:process --rounds 3 --lenient --ring 4096\n' +
        '  sudo p4tee bench --driver afxdp --sweep 50k,100k,200k,500k --trial-seconds 2\n' +
        '  p4tee bench --calibrate\n',
    )
    .action(async (prog: string | undefined, flags: BenchFlags) => {
      const ac = new AbortController();
      let signals = 0;
      const onSignal = (): void => {
        signals++;
        if (signals > 1) process.exit(130); // exit hooks still remove processes, regions and namespaces
        process.stderr.write('\np4tee bench: interrupted: stopping after cleanup (again to quit at once)\n');
        ac.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        process.exitCode = await runBenchCli(prog, flags, { signal: ac.signal });
      } catch (err) {
        process.stderr.write(`p4tee bench: internal error: ${err instanceof Error ? err.message : String(err)}\nThis is a bug in p4tee. Please report it.\n`);
        process.exitCode = 1;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
