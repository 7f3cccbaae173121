// `p4tee experiment FILE.yaml`: a matrix of benchmark setups (driver × TEE mode × packet size ×
// burst) run one after another through the harness, each cell into its own directory under `out`.
// Resumable: a cell whose directory holds a complete results.json is skipped. This file parses and
// validates the YAML, expands the matrix and drives an injected cell runner; the runner (p4tee bench)
// does the measuring. Errors in the file come back as text with the offending key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

export type DriverName = 'shm' | 'afxdp' | 'afpacket';
const DRIVERS: readonly DriverName[] = ['shm', 'afxdp', 'afpacket'];

/** A TEE mode as written in the file: baseline, extern:BACKEND:TRANSITION or pipeline:BACKEND. */
export interface TeeMode {
  readonly text: string;
  readonly mode: 'baseline' | 'extern' | 'pipeline';
  readonly backend: 'none' | 'isolate' | 'process';
  readonly transition: 'sync' | 'batch' | 'switchless' | null;
}

export interface ExperimentCell {
  readonly id: string;
  readonly driver: DriverName;
  readonly tee: TeeMode;
  readonly packetBytes: number;
  readonly burst: number;
  readonly dir: string;
}

export interface Experiment {
  readonly name: string;
  readonly program: string;
  readonly commands: string | null;
  /** 'quick' or 'rfc2544' search preset, or 'sweep' (rates only). */
  readonly search: 'quick' | 'rfc2544' | 'sweep';
  /** Offered rates of the sweep (pps); empty = the harness's default. */
  readonly sweepPps: readonly number[];
  readonly trialSeconds: number | null;
  readonly transitionNs: number | null;
  /** Time budget of each cell's search in seconds (null: the preset's). */
  readonly searchBudgetS: number | null;
  /** Looser trial validity for loaded machines (see `p4tee bench --lenient`). */
  readonly lenient: boolean;
  /** Port ring size of every cell, or per driver (`{shm: 16384, afxdp: 4096}`); null or a driver left out: the harness's default. */
  readonly ring: number | Readonly<Record<string, number>> | null;
  /**
   * The generator's driver for the veth cells (`p4tee bench --gen-driver`): one for all, or per
   * switch driver (`{afpacket: afpacket}`); null or a driver left out: the harness's default.
   */
  readonly generatorDriver: GenDriverName | Readonly<Record<string, GenDriverName>> | null;
  readonly out: string;
  readonly cells: readonly ExperimentCell[];
}

/** Generator drivers over veths (over shm the generator always uses shm). */
export type GenDriverName = 'afxdp' | 'afpacket';
const GEN_DRIVERS: readonly GenDriverName[] = ['afxdp', 'afpacket'];

const BACKENDS = ['none', 'isolate', 'process'] as const;
const TRANSITIONS = ['sync', 'batch', 'switchless'] as const;

/** Parses `baseline`, `extern:process:sync`, `pipeline:isolate`. */
export function parseTeeMode(text: string): TeeMode | string {
  const t = text.trim();
  if (t === 'baseline' || t === 'none') return { text: 'baseline', mode: 'baseline', backend: 'none', transition: null };
  const parts = t.split(':');
  if (parts[0] === 'extern' && parts.length === 3) {
    const b = parts[1] as TeeMode['backend'];
    const tr = parts[2] as NonNullable<TeeMode['transition']>;
    if (!BACKENDS.includes(b)) return `unknown TEE backend '${parts[1]}' in '${t}' (none, isolate or process)`;
    if (!TRANSITIONS.includes(tr)) return `unknown transition '${parts[2]}' in '${t}' (sync, batch or switchless)`;
    return { text: t, mode: 'extern', backend: b, transition: tr };
  }
  if (parts[0] === 'pipeline' && parts.length === 2) {
    const b = parts[1] as TeeMode['backend'];
    if (!BACKENDS.includes(b) || b === 'none') return `unknown pipeline backend '${parts[1]}' in '${t}' (isolate or process)`;
    return { text: t, mode: 'pipeline', backend: b, transition: null };
  }
  return `bad TEE mode '${t}': expected baseline, extern:BACKEND:TRANSITION or pipeline:BACKEND`;
}

/** '1.5M', '500k', '2000' -> pps. */
export function parseRate(v: unknown): number | null {
  if (typeof v === 'number') return v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmM]?)(?:pps)?\s*$/.exec(v);
  if (m === null) return null;
  const x = Number(m[1]) * (m[2] === 'k' || m[2] === 'K' ? 1e3 : m[2] === 'M' || m[2] === 'm' ? 1e6 : 1);
  return x > 0 ? x : null;
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

/** Reads and validates an experiment file; relative paths are taken from the file's folder. */
export function loadExperiment(file: string, outOverride?: string): Experiment | { error: string } {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return { error: `${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}` };
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { error: `${file}: expected a mapping of keys (name, program, drivers, modes, ...)` };
  const d = doc as Record<string, unknown>;
  const known = new Set(['name', 'program', 'commands', 'drivers', 'modes', 'packetBytes', 'burst', 'search', 'sweep', 'trialSeconds', 'transitionNs', 'searchBudgetS', 'lenient', 'ring', 'generatorDriver', 'out']);
  for (const k of Object.keys(d)) if (!known.has(k)) return { error: `${file}: unknown key '${k}' (known: ${[...known].join(', ')})` };
  const base = dirname(resolve(file));
  const path = (p: string): string => (isAbsolute(p) ? p : join(base, p));
  if (typeof d['program'] !== 'string') return { error: `${file}: 'program' (a .p4 file) is required` };
  const program = path(d['program']);
  if (!existsSync(program)) return { error: `${file}: program ${program} does not exist` };
  let commands: string | null = null;
  if (d['commands'] !== undefined) {
    if (typeof d['commands'] !== 'string') return { error: `${file}: 'commands' must be a file name` };
    commands = path(d['commands']);
    if (!existsSync(commands)) return { error: `${file}: commands file ${commands} does not exist` };
  }
  const drivers: DriverName[] = [];
  for (const x of list(d['drivers'] ?? 'shm')) {
    if (!DRIVERS.includes(x as DriverName)) return { error: `${file}: unknown driver '${String(x)}' in 'drivers' (shm, afxdp or afpacket)` };
    drivers.push(x as DriverName);
  }
  const modes: TeeMode[] = [];
  for (const x of list(d['modes'] ?? 'baseline')) {
    const m = parseTeeMode(String(x));
    if (typeof m === 'string') return { error: `${file}: ${m}` };
    modes.push(m);
  }
  const ints = (key: string, dflt: number, min: number, max: number): number[] | string => {
    const out: number[] = [];
    for (const x of list(d[key] ?? dflt)) {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < min || x > max) return `${file}: '${key}' values must be integers in ${min}..${max}, not '${String(x)}'`;
      out.push(x);
    }
    return out;
  };
  const sizes = ints('packetBytes', 1500, 64, 9000);
  if (typeof sizes === 'string') return { error: sizes };
  const bursts = ints('burst', 32, 1, 256);
  if (typeof bursts === 'string') return { error: bursts };
  const search = (d['search'] ?? 'quick') as Experiment['search'];
  if (!['quick', 'rfc2544', 'sweep'].includes(search)) return { error: `${file}: 'search' must be quick, rfc2544 or sweep, not '${String(d['search'])}'` };
  const sweepPps: number[] = [];
  for (const x of list(d['sweep'])) {
    const r = parseRate(x);
    if (r === null) return { error: `${file}: 'sweep' rates look like 50k, 1.5M or 200000, not '${String(x)}'` };
    sweepPps.push(r);
  }
  const num = (key: string): number | null | string => {
    const v = d[key];
    if (v === undefined) return null;
    return typeof v === 'number' && v >= 0 ? v : `${file}: '${key}' must be a non-negative number`;
  };
  const trialSeconds = num('trialSeconds');
  if (typeof trialSeconds === 'string') return { error: trialSeconds };
  const transitionNs = num('transitionNs');
  if (typeof transitionNs === 'string') return { error: transitionNs };
  const searchBudgetS = num('searchBudgetS');
  if (typeof searchBudgetS === 'string') return { error: searchBudgetS };
  if (d['lenient'] !== undefined && typeof d['lenient'] !== 'boolean') return { error: `${file}: 'lenient' must be true or false` };
  const lenient = d['lenient'] === true;
  const ringErr = `${file}: 'ring' must be an integer in 64..65536, or a mapping from driver (shm, afxdp, afpacket) to one`;
  const okRing = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 64 && v <= 65536;
  let ring: number | Record<string, number> | null = null;
  const rv = d['ring'];
  if (rv !== undefined && rv !== null) {
    if (okRing(rv)) ring = rv;
    else if (typeof rv === 'object' && !Array.isArray(rv)) {
      const m: Record<string, number> = {};
      for (const [k, v] of Object.entries(rv as Record<string, unknown>)) {
        if (!['shm', 'afxdp', 'afpacket'].includes(k) || !okRing(v)) return { error: `${ringErr} (bad entry '${k}')` };
        m[k] = v;
      }
      ring = m;
    } else return { error: ringErr };
  }
  const genErr = `${file}: 'generatorDriver' must be afxdp or afpacket, or a mapping from a veth driver (afxdp, afpacket) to one (over shm the generator uses shm)`;
  let generatorDriver: GenDriverName | Record<string, GenDriverName> | null = null;
  const gv = d['generatorDriver'];
  if (gv !== undefined && gv !== null) {
    if (GEN_DRIVERS.includes(gv as GenDriverName)) generatorDriver = gv as GenDriverName;
    else if (typeof gv === 'object' && !Array.isArray(gv)) {
      const m: Record<string, GenDriverName> = {};
      for (const [k, v] of Object.entries(gv as Record<string, unknown>)) {
        if (!(k === 'afxdp' || k === 'afpacket') || !GEN_DRIVERS.includes(v as GenDriverName)) return { error: `${genErr} (bad entry '${k}')` };
        m[k] = v as GenDriverName;
      }
      generatorDriver = m;
    } else return { error: genErr };
  }
  const name = typeof d['name'] === 'string' ? d['name'] : 'experiment';
  const out = outOverride ?? (typeof d['out'] === 'string' ? path(d['out']) : join(process.cwd(), 'results', name));
  const cells: ExperimentCell[] = [];
  for (const driver of drivers) {
    for (const tee of modes) {
      for (const packetBytes of sizes) {
        for (const burst of bursts) {
          const id = `${driver}-${tee.text.replace(/:/g, '-')}-${packetBytes}B-b${burst}`;
          cells.push({ id, driver, tee, packetBytes, burst, dir: join(out, id) });
        }
      }
    }
  }
  return { name, program, commands, search, sweepPps, trialSeconds, transitionNs, searchBudgetS, lenient, ring, generatorDriver, out, cells };
}

/** The generator driver a cell's switch driver gets from the experiment (undefined: the harness's default; always for shm). */
export function generatorDriverOf(exp: Pick<Experiment, 'generatorDriver'>, driver: string): GenDriverName | undefined {
  if (exp.generatorDriver === null || driver === 'shm') return undefined;
  return typeof exp.generatorDriver === 'string' ? exp.generatorDriver : exp.generatorDriver[driver];
}

/** The ring size a cell's driver gets from the experiment (undefined: the harness's default). */
export function ringFor(exp: Pick<Experiment, 'ring'>, driver: string): number | undefined {
  if (exp.ring === null) return undefined;
  return typeof exp.ring === 'number' ? exp.ring : exp.ring[driver];
}

/** True when the cell's results.json exists and says it finished. */
export function cellDone(cell: ExperimentCell): boolean {
  const f = join(cell.dir, 'results.json');
  if (!existsSync(f)) return false;
  try {
    const r = JSON.parse(readFileSync(f, 'utf8')) as { complete?: unknown; trials?: unknown };
    return r.complete === true && Array.isArray(r.trials);
  } catch {
    return false;
  }
}

/** What a cell run reports back. */
export interface CellOutcome {
  readonly ok: boolean;
  readonly message: string;
}

export type CellRunner = (exp: Experiment, cell: ExperimentCell, index: number) => Promise<CellOutcome>;

export interface ExperimentSummary {
  readonly ran: string[];
  readonly skipped: string[];
  readonly failed: { id: string; message: string }[];
}

/** Runs every cell not done yet, in order; a failing cell is recorded and the next one runs. */
export async function runExperiment(exp: Experiment, run: CellRunner, onProgress: (done: number, total: number, cell: ExperimentCell, state: 'skip' | 'start' | 'ok' | 'fail', message: string) => void = () => {}): Promise<ExperimentSummary> {
  const summary: ExperimentSummary = { ran: [], skipped: [], failed: [] };
  for (let i = 0; i < exp.cells.length; i++) {
    const cell = exp.cells[i]!;
    if (cellDone(cell)) {
      summary.skipped.push(cell.id);
      onProgress(i + 1, exp.cells.length, cell, 'skip', 'already complete');
      continue;
    }
    onProgress(i, exp.cells.length, cell, 'start', '');
    let outcome: CellOutcome;
    try {
      outcome = await run(exp, cell, i);
    } catch (e) {
      outcome = { ok: false, message: e instanceof Error ? e.message : String(e) };
    }
    if (outcome.ok) summary.ran.push(cell.id);
    else summary.failed.push({ id: cell.id, message: outcome.message });
    onProgress(i + 1, exp.cells.length, cell, outcome.ok ? 'ok' : 'fail', outcome.message);
  }
  return summary;
}
