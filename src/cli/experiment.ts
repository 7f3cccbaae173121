// `p4tee experiment FILE.yaml` runs a matrix of benchmark setups through the harness (one
// `p4tee bench` run per cell, resumable), then writes the report; `p4tee demo` is the main job: a short
// version of the study on the embedded default (shm, no root; as root also the veth setups), the
// parameter table on the terminal and the HTML report on disk. Exit: 0 all cells ran, 1 a cell failed
// or bad input, 2 usage.
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorDriverOf, loadExperiment, ringFor, runExperiment, type Experiment, type ExperimentCell, type TeeMode } from '../trafficgen/experiment.js';
import { runBench, type BenchSetup } from '../trafficgen/bench-runner.js';
import { writeReport } from '../measure/report.js';
import { fitResults, modelCheckSummary, paramTableMarkdown, type BenchResultsLike } from '../measure/fit-results.js';
import { readFileSync } from 'node:fs';

/** The TEE program variant: the extern and pipeline modes run the program that calls the enclave module. */
function setupOf(exp: Experiment, cell: ExperimentCell): BenchSetup {
  return {
    program: exp.program,
    commands: exp.commands,
    driver: cell.driver,
    tee: teeSpec(cell.tee),
    packetBytes: cell.packetBytes,
    burst: cell.burst,
    search: exp.search,
    ...(exp.sweepPps.length > 0 ? { sweepPps: [...exp.sweepPps] } : {}),
    ...(exp.trialSeconds === null ? {} : { trialSeconds: exp.trialSeconds }),
    transitionNs: exp.transitionNs,
    lenient: exp.lenient,
    ...(ringFor(exp, cell.driver) === undefined ? {} : { ring: ringFor(exp, cell.driver) }),
    ...(generatorDriverOf(exp, cell.driver) === undefined ? {} : { generatorDriver: generatorDriverOf(exp, cell.driver) }),
    label: `${cell.driver} ${cell.tee.text}${exp.transitionNs !== null && cell.tee.mode !== 'baseline' ? ` (+${exp.transitionNs} ns emulated)` : ''} ${cell.packetBytes}B`,
  };
}

function teeSpec(t: TeeMode): string | null {
  return t.mode === 'baseline' ? null : t.text;
}

function bar(done: number, total: number): string {
  const w = 24;
  const k = total === 0 ? w : Math.round((done / total) * w);
  return `[${'#'.repeat(k)}${'.'.repeat(w - k)}] ${done}/${total}`;
}

/** Runs an experiment and its report; returns the exit status. */
export async function runExperimentFile(exp: Experiment, quiet = false): Promise<number> {
  const log = (s: string): void => {
    if (!quiet) process.stderr.write(s + '\n');
  };
  const abort = new AbortController();
  const onSig = (): void => abort.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  const t0 = Date.now();
  try {
    log(`experiment ${exp.name}: ${exp.cells.length} setup(s) -> ${exp.out}`);
    const summary = await runExperiment(exp, async (_e, cell) => {
      if (abort.signal.aborted) return { ok: false, message: 'interrupted' };
      const r = await runBench(setupOf(exp, cell), {
        outDir: cell.dir,
        signal: abort.signal,
        ...(exp.searchBudgetS === null ? {} : { searchOverrides: { timeBudgetS: exp.searchBudgetS } }),
        onProgress: (line) => {
          if (!quiet && process.stderr.isTTY) process.stderr.write(`\r  ${line.slice(0, 110).padEnd(110)}`);
        },
      });
      if (!quiet && process.stderr.isTTY) process.stderr.write('\r' + ' '.repeat(112) + '\r');
      return r.ok ? { ok: true, message: r.dir } : { ok: false, message: r.error };
    }, (done, total, cell, state, message) => {
      const el = ((Date.now() - t0) / 1000).toFixed(0);
      if (state === 'start') log(`${bar(done, total)} ${el}s  ${cell.id} ...`);
      else if (state === 'skip') log(`${bar(done, total)} ${el}s  ${cell.id}: already complete, skipped`);
      else if (state === 'ok') log(`${bar(done, total)} ${el}s  ${cell.id}: done`);
      else log(`${bar(done, total)} ${el}s  ${cell.id}: FAILED: ${message}`);
    });
    const fits = exp.cells
      .filter((c) => existsSync(join(c.dir, 'results.json')))
      .map((c) => fitResults(JSON.parse(readFileSync(join(c.dir, 'results.json'), 'utf8')) as BenchResultsLike));
    if (fits.length > 0) {
      process.stdout.write('\n' + paramTableMarkdown(fits) + '\n' + modelCheckSummary(fits) + '\n');
      const rep = await writeReport(exp.out, { title: `p4tee: ${exp.name}` });
      if ('error' in rep) log(`report: ${rep.error}`);
      else {
        for (const w of rep.warnings) log(`warning: ${w}`);
        process.stdout.write(`\nreport: ${rep.html}\nparameter table: ${rep.markdown}, ${rep.csv}\n`);
      }
    }
    log(`${summary.ran.length} ran, ${summary.skipped.length} skipped (complete), ${summary.failed.length} failed, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    return summary.failed.length === 0 ? 0 : 1;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
  }
}

export function registerExperiment(program: Command): void {
  program
    .command('experiment')
    .description('run a matrix of benchmark setups (driver x TEE mode x packet size x burst) from a YAML file; resumable')
    .argument('<file>', 'experiment file (see examples/study.yaml)')
    .option('-o, --out <dir>', 'results directory (default: the file\'s `out`)')
    .option('-q, --quiet', 'no progress lines')
    .addHelpText('after', '\nExample:\n  sudo p4tee experiment examples/study.yaml      # completed cells are skipped when run again\n  p4tee report results/study\n')
    .action(async (file: string, flags: { out?: string; quiet?: boolean }) => {
      const exp = loadExperiment(file, flags.out === undefined ? undefined : resolve(flags.out));
      if ('error' in exp) {
        process.stderr.write(`p4tee experiment: ${exp.error}\n`);
        process.exitCode = 1;
        return;
      }
      process.exitCode = await runExperimentFile(exp, flags.quiet === true);
    });
}

/** The demo's setups: shm always; as root also AF_XDP copy mode and AF_PACKET on the veth topology. */
export function demoExperiment(root: boolean, out: string): Experiment {
  const here = fileURLToPath(new URL('../../examples/', import.meta.url));
  const program = join(here, 'study-forward', 'study-forward-tee.p4');
  const commands = join(here, 'study-forward', 'commands-tee.txt');
  const modes: TeeMode[] = [
    { text: 'baseline', mode: 'baseline', backend: 'none', transition: null },
    { text: 'extern:process:batch', mode: 'extern', backend: 'process', transition: 'batch' },
    { text: 'extern:process:sync', mode: 'extern', backend: 'process', transition: 'sync' },
    { text: 'pipeline:process', mode: 'pipeline', backend: 'process', transition: null },
  ];
  const cells: ExperimentCell[] = [];
  const drivers: ExperimentCell['driver'][] = root ? ['shm', 'afxdp'] : ['shm'];
  for (const driver of drivers) {
    for (const tee of driver === 'shm' ? modes : modes.slice(0, 2)) {
      const id = `${driver}-${tee.text.replace(/:/g, '-')}-1500B-b32`;
      cells.push({ id, driver, tee, packetBytes: 1500, burst: 32, dir: join(out, id) });
    }
  }
  return {
    name: 'demo',
    program,
    commands: existsSync(commands) ? commands : null,
    // A short sweep at light and medium load (model data), then a budgeted MLRsearch per setup.
    search: 'quick',
    sweepPps: [50e3, 100e3, 200e3, 400e3],
    trialSeconds: 1,
    transitionNs: null,
    searchBudgetS: root ? 30 : 40,
    // This machine is shared: a trial is valid at 98% of its rate, late sends not limited (see README).
    lenient: true,
    // Deeper rings than the defaults (shm 4096, veths 2048): they absorb the stalls of a shared
    // machine (shm rings reuse their most recently returned buffers, so depth costs little there).
    ring: { shm: 16384, afxdp: 4096 },
    generatorDriver: null,
    out,
    cells,
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('the study in one command: a short benchmark of the TEE modes on this machine, the model table and an HTML report (no root needed)')
    .option('-o, --out <dir>', 'results directory', 'p4tee-demo')
    .option('-q, --quiet', 'no progress lines')
    .addHelpText('after', '\nAs root it also measures AF_XDP copy mode on a veth pair in network namespaces.\nRun again to resume; delete the directory to start over.\n')
    .action(async (flags: { out: string; quiet?: boolean }) => {
      const root = process.getuid?.() === 0;
      const exp = demoExperiment(root, resolve(flags.out));
      if (!root && flags.quiet !== true) process.stderr.write('not root: shared-memory setups only (run as root to add AF_XDP on veth)\n');
      process.exitCode = await runExperimentFile(exp, flags.quiet === true);
    });
}
