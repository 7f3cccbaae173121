// `npm run bench:frontend`: how long `p4tee check` takes on a generated 5,000-line v1model program.
// Prints the median of several in-process runs per phase (preprocess+parse, full check) and the
// median wall time of the whole CLI as a child process (Node start-up included). The machine is
// shared and noisy: read medians, not single runs. Not a test: it asserts nothing.
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkSource } from '../compiler/frontend.js';
import { generateProgram } from './gen-program.js';
import { median } from '../measure/stats.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const lines = Number(positional[0] ?? 5000);
const runs = Number(positional[1] ?? 15);
const text = generateProgram(lines);
const actualLines = text.split('\n').length;
const options = { includeDirs: [], defines: new Map<string, string>() };

const first = checkSource('bench.p4', text, options);
const errors = first.diagnostics.items.filter((d) => d.severity === 'error');
if (errors.length) {
  console.error(`bench program has ${errors.length} errors; first: ${errors[0]!.code} ${errors[0]!.message}`);
  process.exit(1);
}

const parseTimes: number[] = [];
const checkTimes: number[] = [];
for (let i = 0; i < runs; i++) {
  let t = process.hrtime.bigint();
  checkSource('bench.p4', text, { ...options, parseOnly: true });
  parseTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  t = process.hrtime.bigint();
  checkSource('bench.p4', text, options);
  checkTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}

const dir = mkdtempSync(join(tmpdir(), 'p4tee-bench-'));
const file = join(dir, 'bench.p4');
writeFileSync(file, text);
const bin = fileURLToPath(new URL('../../bin/p4tee.js', import.meta.url));
const cliTimes: number[] = [];
const cliRuns = Math.max(3, Math.min(7, runs));
for (let i = 0; i < cliRuns; i++) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [bin, 'check', file], { encoding: 'utf8' });
  cliTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  if (r.status !== 0) {
    console.error(`p4tee check failed (${r.status}):\n${r.stderr}`);
    process.exit(1);
  }
}
const nodeTimes: number[] = [];
for (let i = 0; i < cliRuns; i++) {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  nodeTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}
rmSync(dir, { recursive: true, force: true });

const json = process.argv.includes('--json');
const result = {
  lines: actualLines,
  runs,
  medianParseMs: +median(parseTimes).toFixed(2),
  medianCheckMs: +median(checkTimes).toFixed(2),
  medianCliMs: +median(cliTimes).toFixed(1),
  medianNodeStartMs: +median(nodeTimes).toFixed(1),
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`front end on a generated ${actualLines}-line v1model program (${runs} in-process runs, ${cliRuns} CLI runs)`);
  console.log(`  preprocess + parse      median ${result.medianParseMs} ms`);
  console.log(`  full check (in process) median ${result.medianCheckMs} ms`);
  console.log(`  p4tee check (CLI, wall) median ${result.medianCliMs} ms   (bare node start: ${result.medianNodeStartMs} ms)`);
  console.log(`  target: under 1000 ms for the CLI: ${result.medianCliMs < 1000 ? 'met' : 'NOT met'}`);
}
