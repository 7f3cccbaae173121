// Drives one differential run: a program, a seed and a number of packets; random, structured and
// truncated packets, table entries built from harvested keys, occasional default-action changes.
// Returns the mismatch reports (empty when the generated code and the interpreter agree).
// Also runnable by hand: node dist/runtime/reference/run-differential.js FILE.p4 [ITERATIONS] [SEED]
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FrontendOptions } from '../../compiler/frontend.js';
import { Random } from '../externs/random.js';
import { below, command, makePair, randomBytes, randomEntry, report, runPacket, structuredPacket, interesting } from './harness.js';
import type { IrVariant, Pair } from './harness.js';

export interface DiffOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Control-plane lines run first (e.g. the example's commands.txt). */
  readonly setup?: readonly string[];
  readonly variant?: IrVariant;
  /** Ports packets arrive on (default 0..7). */
  readonly ports?: number;
  /** Stop after this many mismatches (default 3). */
  readonly maxReports?: number;
}

export interface DiffResult {
  readonly reports: string[];
  readonly packets: number;
  readonly outputs: number;
  readonly entries: number;
}

export function runDifferential(file: string, fe: FrontendOptions, o: DiffOptions): DiffResult {
  const pair = makePair(file, fe, o.variant ?? 'lowered', o.seed);
  const rng = new Random(o.seed);
  for (const line of o.setup ?? []) if (line.trim() !== '' && !line.trim().startsWith('#')) command(pair, line);
  const reports: string[] = [];
  let outputs = 0;
  let entries = 0;
  const ports = o.ports ?? 8;
  for (let it = 0; it < o.iterations && reports.length < (o.maxReports ?? 3); it++) {
    const port = below(rng, ports);
    const kind = below(rng, 4);
    const pkt = kind === 0 ? randomBytes(rng, below(rng, 80)) : structuredPacket(pair, rng, port);
    if (below(rng, 2) === 0) entries += addEntries(pair, rng, port, pkt);
    if (below(rng, 25) === 0) setDefault(pair, rng);
    const out = runPacket(pair, port, pkt);
    outputs += out.gen.length;
    if (out.mismatch !== null) reports.push(report(pair, port, pkt, out));
  }
  return { reports, packets: o.iterations, outputs, entries };
}

/** Runs the packet on the probe interpreter to learn the keys each table sees, and adds entries for them. */
function addEntries(pair: Pair, rng: Random, port: number, pkt: Uint8Array): number {
  const seen: { table: number; keys: bigint[] }[] = [];
  pair.probe.onTable = (table, keys) => { seen.push({ table, keys }); };
  try {
    pair.probe.process(port, pkt);
  } finally {
    pair.probe.onTable = null;
  }
  const info = pair.gen.info;
  let n = 0;
  for (const s of seen) {
    if (below(rng, 3) === 0) continue;
    const line = randomEntry(rng, info, info.tables[s.table], s.keys);
    if (line !== null && command(pair, line).ok) n++;
  }
  // Now and then an entry for a table not seen, with random keys.
  if (info.tables.length > 0 && below(rng, 4) === 0) {
    const t = info.tables[below(rng, info.tables.length)];
    const line = randomEntry(rng, info, t, null);
    if (line !== null && command(pair, line).ok) n++;
  }
  return n;
}

function setDefault(pair: Pair, rng: Random): void {
  const info = pair.gen.info;
  const ts = info.tables.filter((t) => !t.defaultConst);
  if (ts.length === 0) return;
  const t = ts[below(rng, ts.length)];
  const acts = t.actionIds.map((id) => info.actions[id]).filter((a) => a !== undefined && !a.tableOnly);
  if (acts.length === 0) return;
  const a = acts[below(rng, acts.length)];
  command(pair, `table_set_default ${t.name} ${a.name} ${a.params.map((p) => `0x${interesting(rng, p.width).toString(16)}`).join(' ')}`.trim());
}

/** Lines of a commands file (comments and blank lines dropped); [] when it does not exist. */
export function commandsFile(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = process.argv[2];
  const iterations = Number(process.argv[3] ?? 200);
  const seed = Number(process.argv[4] ?? 1);
  const dir = file.replace(/[^/]*$/, '');
  const r = runDifferential(file, { includeDirs: [dir, `${dir}include`], defines: new Map() }, { iterations, seed, setup: commandsFile(`${dir}commands.txt`) });
  for (const x of r.reports) console.log(x + '\n');
  console.log(`${file}: ${r.packets} packets, ${r.outputs} outputs, ${r.entries} entries, ${r.reports.length} mismatches`);
  process.exitCode = r.reports.length === 0 ? 0 : 1;
}
