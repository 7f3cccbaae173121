// The results of a benchmark run: builds the BenchResults record (environment, setup, every trial with
// its phase and the switch's telemetry for the trial window, the search goals, the generator ceiling),
// writes a run directory (results.json + trials.csv, one row per trial) and reads results.json back
// with a shape check that names every problem (path: expected ..., got ...).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchEnvironment } from './environment.js';
import type { GoalResult, LoadGrid, SearchResult, TrialLike } from './mlrsearch.js';

export type TrialPhase = 'sweep' | 'search' | 'calibrate';

export interface LatencyNs {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly p9999: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** The TrialResult fields results.json promises (the engine's TrialResult has these and may have more). */
export interface TrialFields extends TrialLike {
  readonly intended: number;
  readonly achievedPps: number;
  readonly lateSends: number;
  readonly backpressure: number;
  readonly reordered: number;
  readonly duplicates: number;
  readonly latencyNs: LatencyNs;
  readonly startNs: number;
  readonly endNs: number;
}

/** The switch's telemetry over exactly one trial window (totals, histogram, a sample of batches). */
export interface TrialTelemetry {
  readonly batches: number;
  readonly packets: number;
  readonly meanBatch: number;
  readonly rxNs: number;
  readonly procNs: number;
  readonly txNs: number;
  /** The switch's longest batch (rx + processing + tx) and longest pause between polling slices in the window, ns (stall detectors; absent in older results). */
  readonly maxBatchNs?: number;
  readonly maxYieldNs?: number;
  /**
   * Packets one batch record holds at saturation: the burst, or a coalescing secure pipeline's
   * crossing size (its records are merged per crossing). The model's n_max. Absent in older results.
   */
  readonly recordCap?: number;
  readonly histogram: readonly number[];
  /** [n, rxNs, procNs, txNs] per batch (per crossing for a coalescing pipeline), at most 4096 of them. */
  readonly sample: readonly (readonly [number, number, number, number])[];
}

export interface BenchTrial extends TrialFields {
  readonly id: number;
  readonly phase: TrialPhase;
  readonly telemetry: TrialTelemetry | null;
}

export interface BenchSetup {
  readonly program: string;
  readonly driver: string;
  readonly burst: number;
  readonly packetBytes: number;
  readonly tee: null | { readonly mode: string; readonly backend: string; readonly transition: string };
  readonly options: Readonly<Record<string, unknown>>;
}

export interface BenchSearch {
  readonly goals: readonly GoalResult[];
  readonly preset?: string;
  readonly grid?: LoadGrid;
  readonly stopped?: string | null;
  readonly elapsedS?: number;
  /** Ids (BenchTrial.id) of the search's trials, in order. */
  readonly trialIds?: readonly number[];
}

export interface BenchCeiling {
  readonly pps: number;
  readonly note: string;
}

export interface BenchResults {
  readonly kind: 'p4tee-bench';
  readonly version: 1;
  readonly environment: BenchEnvironment;
  readonly setup: BenchSetup;
  readonly trials: readonly BenchTrial[];
  readonly search: BenchSearch | null;
  readonly ceiling: BenchCeiling | null;
}

/** Collects the trials of a run in order and numbers them. */
export class BenchTrialLog {
  readonly trials: BenchTrial[] = [];

  add(trial: TrialFields, phase: TrialPhase, telemetry: TrialTelemetry | null = null): BenchTrial {
    const t: BenchTrial = { ...trial, id: this.trials.length, phase, telemetry };
    this.trials.push(t);
    return t;
  }
}

/** The search part of results.json from a search result whose trials were logged with the given ids. */
export function benchSearch(result: SearchResult<TrialLike>, trialIds: readonly number[], preset?: string): BenchSearch {
  return { goals: result.goals, preset, grid: result.grid, stopped: result.stopped, elapsedS: result.elapsedS, trialIds };
}

export interface BenchParts {
  readonly environment: BenchEnvironment;
  readonly setup: BenchSetup;
  readonly trials: readonly BenchTrial[];
  readonly search?: BenchSearch | null;
  /** Ceilings found by the sweep, the search, calibration: the lowest one is kept. */
  readonly ceilings?: readonly (BenchCeiling | null | undefined)[];
}

export function buildBenchResults(parts: BenchParts): BenchResults {
  let ceiling: BenchCeiling | null = null;
  for (const c of parts.ceilings ?? []) if (c != null && (ceiling === null || c.pps < ceiling.pps)) ceiling = c;
  return { kind: 'p4tee-bench', version: 1, environment: parts.environment, setup: parts.setup, trials: parts.trials, search: parts.search ?? null, ceiling };
}

/** A fresh run directory name under base: base/YYYYMMDD-HHMMSS[-label] (local time). */
export function runDirectoryName(base: string, date: Date = new Date(), label?: string): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  const stamp = `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
  const safe = label === undefined ? '' : '-' + label.replace(/[^A-Za-z0-9._-]+/g, '_');
  return join(base, stamp + safe);
}

/** results.json text: top-level keys on their own lines and one trial per line (samples stay compact). */
export function resultsJson(r: BenchResults): string {
  const lines: string[] = ['{'];
  const top = Object.entries(r).filter(([k]) => k !== 'trials');
  for (const [k, v] of top) lines.push(`  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  lines.push('  "trials": [');
  r.trials.forEach((t, i) => lines.push(`    ${JSON.stringify(t)}${i + 1 < r.trials.length ? ',' : ''}`));
  lines.push('  ]', '}');
  return lines.join('\n') + '\n';
}

const csvColumns: readonly [string, (t: BenchTrial) => unknown][] = [
  ['id', (t) => t.id],
  ['phase', (t) => t.phase],
  ['offered_pps', (t) => t.offeredPps],
  ['duration_s', (t) => t.durationS],
  ['intended', (t) => t.intended],
  ['sent', (t) => t.sent],
  ['achieved_pps', (t) => t.achievedPps],
  ['late_sends', (t) => t.lateSends],
  ['backpressure', (t) => t.backpressure],
  ['received', (t) => t.received],
  ['received_pps', (t) => t.received / t.durationS],
  ['lost', (t) => t.lost],
  ['loss_ratio', (t) => t.lossRatio],
  ['reordered', (t) => t.reordered],
  ['duplicates', (t) => t.duplicates],
  ['lat_p50_ns', (t) => t.latencyNs?.p50],
  ['lat_p99_ns', (t) => t.latencyNs?.p99],
  ['lat_p999_ns', (t) => t.latencyNs?.p999],
  ['lat_p9999_ns', (t) => t.latencyNs?.p9999],
  ['lat_max_ns', (t) => t.latencyNs?.max],
  ['lat_mean_ns', (t) => t.latencyNs?.mean],
  ['valid', (t) => t.valid],
  ['invalid_reason', (t) => t.invalidReason],
  ['start_ns', (t) => t.startNs],
  ['end_ns', (t) => t.endNs],
  ['tel_batches', (t) => t.telemetry?.batches],
  ['tel_packets', (t) => t.telemetry?.packets],
  ['tel_mean_batch', (t) => t.telemetry?.meanBatch],
  ['tel_rx_ns', (t) => t.telemetry?.rxNs],
  ['tel_proc_ns', (t) => t.telemetry?.procNs],
  ['tel_tx_ns', (t) => t.telemetry?.txNs],
  ['tel_max_batch_ns', (t) => t.telemetry?.maxBatchNs],
  ['tel_max_yield_ns', (t) => t.telemetry?.maxYieldNs],
];

function csvCell(v: unknown): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** trials.csv text: a header row, then one row per trial (empty cells for null / missing values). */
export function trialsCsv(trials: readonly BenchTrial[]): string {
  const rows = [csvColumns.map(([name]) => name).join(',')];
  for (const t of trials) rows.push(csvColumns.map(([, get]) => csvCell(get(t))).join(','));
  return rows.join('\n') + '\n';
}

/** Writes dir/results.json and dir/trials.csv (creating dir); returns the two paths. */
export function writeRunDirectory(dir: string, results: BenchResults): { json: string; csv: string } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, 'results.json');
  const csv = join(dir, 'trials.csv');
  writeFileSync(json, resultsJson(results));
  writeFileSync(csv, trialsCsv(results.trials));
  return { json, csv };
}

// ---------------------------------------------------------------------------------------------
// Reading back.

export type ReadResult = { readonly ok: true; readonly file: string; readonly results: BenchResults } | { readonly ok: false; readonly file: string; readonly errors: readonly string[] };

/** Reads results.json from a file or a run directory and checks its shape. Never throws. */
export function readBenchResults(path: string): ReadResult {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json');
  } catch {
    return { ok: false, file, errors: [`${path}: no such file or directory`] };
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, file, errors: [code === 'ENOENT' ? `${path}: no results.json in this directory` : `${file}: cannot read (${code ?? String(e)})`] };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, file, errors: [`${file}: not valid JSON (${(e as Error).message})`] };
  }
  const errors = checkBenchResults(data);
  return errors.length === 0 ? { ok: true, file, results: data as BenchResults } : { ok: false, file, errors: errors.map((m) => `${file}: ${m}`) };
}

/** Shape check of parsed results.json; each problem as 'path: expected X, got Y' (at most 20, then a count). */
export function checkBenchResults(data: unknown): string[] {
  const errors: string[] = [];
  const got = (v: unknown): string => (v === undefined ? 'nothing (missing)' : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'string' ? `"${v.length > 30 ? v.slice(0, 30) + '...' : v}"` : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`);
  const fail = (path: string, expected: string, v: unknown): void => { errors.push(`${path}: expected ${expected}, got ${got(v)}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const num = (o: Record<string, unknown>, k: string, path: string, opt = false, nullable = false): void => {
    const v = o[k];
    if (v === undefined && opt) return;
    if (v === null && nullable) return;
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${k}`, nullable ? 'a number or null' : 'a number', v);
  };
  const str = (o: Record<string, unknown>, k: string, path: string, nullable = false): void => {
    const v = o[k];
    if (v === null && nullable) return;
    if (typeof v !== 'string') fail(`${path}.${k}`, nullable ? 'a string or null' : 'a string', v);
  };

  if (!isObj(data)) return [`expected a JSON object at the top, got ${got(data)}`];
  if (data.kind !== 'p4tee-bench') return [`kind: expected "p4tee-bench" (not a p4tee bench results file), got ${got(data.kind)}`];
  if (data.version !== 1) return [`version: this p4tee reads version 1, the file has ${got(data.version)}`];

  const env = data.environment;
  if (!isObj(env)) fail('environment', 'an object', env);
  else {
    for (const k of ['kernel', 'node', 'cpu', 'hostname', 'date']) str(env, k, 'environment');
    num(env, 'cores', 'environment');
  }

  const setup = data.setup;
  if (!isObj(setup)) fail('setup', 'an object', setup);
  else {
    str(setup, 'program', 'setup');
    str(setup, 'driver', 'setup');
    num(setup, 'burst', 'setup');
    num(setup, 'packetBytes', 'setup');
    if (setup.tee !== null) {
      if (!isObj(setup.tee)) fail('setup.tee', 'null or an object', setup.tee);
      else for (const k of ['mode', 'backend', 'transition']) str(setup.tee, k, 'setup.tee');
    }
    if (!isObj(setup.options)) fail('setup.options', 'an object', setup.options);
  }

  if (!Array.isArray(data.trials)) fail('trials', 'an array', data.trials);
  else {
    const ids = new Set<number>();
    data.trials.forEach((t: unknown, i: number) => {
      const p = `trials[${i}]`;
      if (!isObj(t)) { fail(p, 'an object', t); return; }
      num(t, 'id', p);
      if (typeof t.id === 'number') {
        if (ids.has(t.id)) errors.push(`${p}.id: id ${t.id} is used twice`);
        ids.add(t.id);
      }
      if (t.phase !== 'sweep' && t.phase !== 'search' && t.phase !== 'calibrate') fail(`${p}.phase`, '"sweep", "search" or "calibrate"', t.phase);
      for (const k of ['offeredPps', 'durationS', 'sent', 'received', 'lost', 'lossRatio']) num(t, k, p);
      for (const k of ['intended', 'achievedPps', 'lateSends', 'backpressure', 'reordered', 'duplicates', 'startNs', 'endNs']) num(t, k, p, true);
      if (typeof t.valid !== 'boolean') fail(`${p}.valid`, 'true or false', t.valid);
      if (t.invalidReason !== undefined) str(t, 'invalidReason', p, true);
      if (t.latencyNs !== undefined) {
        if (!isObj(t.latencyNs)) fail(`${p}.latencyNs`, 'an object', t.latencyNs);
        else for (const k of ['p50', 'p99', 'p999', 'p9999', 'max', 'mean']) num(t.latencyNs, k, `${p}.latencyNs`, true, true);
      }
      const tel = t.telemetry;
      if (tel !== undefined && tel !== null) {
        const tp = `${p}.telemetry`;
        if (!isObj(tel)) fail(tp, 'null or an object', tel);
        else {
          for (const k of ['batches', 'packets', 'meanBatch', 'rxNs', 'procNs', 'txNs']) num(tel, k, tp);
          if (!Array.isArray(tel.histogram) || !tel.histogram.every((x) => typeof x === 'number')) fail(`${tp}.histogram`, 'an array of numbers', tel.histogram);
          if (!Array.isArray(tel.sample)) fail(`${tp}.sample`, 'an array', tel.sample);
          else {
            const bad = tel.sample.findIndex((s) => !Array.isArray(s) || s.length !== 4 || !s.every((x) => typeof x === 'number'));
            if (bad >= 0) fail(`${tp}.sample[${bad}]`, '[n, rxNs, procNs, txNs]', tel.sample[bad]);
          }
        }
      }
    });
  }

  const search = data.search;
  if (search !== null) {
    if (!isObj(search)) fail('search', 'null or an object', search);
    else if (!Array.isArray(search.goals)) fail('search.goals', 'an array', search.goals);
    else
      search.goals.forEach((g: unknown, i: number) => {
        const p = `search.goals[${i}]`;
        if (!isObj(g)) { fail(p, 'an object', g); return; }
        str(g, 'name', p);
        num(g, 'lossRatio', p);
        num(g, 'lower', p, false, true);
        num(g, 'upper', p, false, true);
        if (g.status !== undefined) str(g, 'status', p);
      });
  }

  const ceiling = data.ceiling;
  if (ceiling !== null) {
    if (!isObj(ceiling)) fail('ceiling', 'null or an object', ceiling);
    else {
      num(ceiling, 'pps', 'ceiling');
      str(ceiling, 'note', 'ceiling');
    }
  }
  if (errors.length > 20) return [...errors.slice(0, 20), `... and ${errors.length - 20} more problems`];
  return errors;
}
