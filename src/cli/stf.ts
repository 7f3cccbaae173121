// `p4tee stf TEST.stf...`: runs STF tests, each against a fresh switch built from the `.p4` file of
// the same name beside the test (or --program). Prints PASS/FAIL with what differs, or one JSON
// object per test, then the summary line `N passed, M failed`. With --tee, each test gets a fresh
// enclave (extern mode: a TeeGate; pipeline mode: the secure pipeline), closed after the test.
// Exit status: 0 all passed, 1 some test failed, 2 internal error (a p4tee bug) or bad usage.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { FrontendOptions } from '../compiler/frontend.js';
import { loadSwitch } from '../runtime/switch.js';
import type { SwitchOptions } from '../runtime/switch.js';
import { runStfText } from '../runtime/control/stf-runner.js';
import type { StfSwitch } from '../runtime/control/stf-runner.js';
import { parseDefines } from './check.js';
import { PipelineSwitch, TEE_HELP, addTeeOptions, describeTee, openExternTee, openPipelineTee, parseTeeFlags, programInfoOf } from './tee.js';
import type { TeeCliOptions, TeeFlags } from './tee.js';

interface StfFlags extends TeeFlags {
  program?: string;
  include: string[];
  define: string[];
  format: string;
  trace?: boolean;
  namedPortsOnly?: boolean;
  seed?: string;
}

export interface StfReport {
  test: string;
  ok: boolean;
  failures: string[];
  internalError?: string;
}

/** Builds a switch for a program, or explains why it cannot. Injectable for tests. */
export type SwitchLoader = (
  p4file: string,
  frontend: FrontendOptions,
  options: SwitchOptions,
) => { ok: true; sw: StfSwitch } | { ok: false; diagnostics: string[] };

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** The program a test runs against: FILE.p4 beside FILE.stf unless given. */
export function programFor(test: string, program: string | undefined): string {
  if (program !== undefined) return program;
  const ext = extname(test);
  return join(dirname(test), (ext === '.stf' ? basename(test, ext) : basename(test)) + '.p4');
}

/** Runs one test; never throws (a p4tee bug becomes internalError). */
export function runOneStf(
  test: string,
  program: string | undefined,
  frontend: FrontendOptions,
  options: SwitchOptions,
  loader: SwitchLoader,
  namedPortsOnly = false,
): StfReport {
  try {
    let text: string;
    try {
      text = readFileSync(test, 'utf8');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { test, ok: false, failures: [`cannot read the test: ${e.code ?? e.message}`] };
    }
    const p4 = programFor(test, program);
    const loaded = loader(p4, frontend, options);
    if (!loaded.ok) {
      return { test, ok: false, failures: [`the program ${p4} does not compile:`, ...loaded.diagnostics] };
    }
    const r = runStfText(loaded.sw, text, { trace: options.trace, allPorts: !namedPortsOnly });
    return { test, ok: r.ok, failures: r.failures };
  } catch (err) {
    const msg = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    return { test, ok: false, failures: [], internalError: msg };
  }
}

export function formatReport(r: StfReport): string {
  if (r.internalError !== undefined) {
    return `FAIL ${r.test}\n  internal error (a bug in p4tee, please report it with the test): ${r.internalError}`;
  }
  if (r.ok) return `PASS ${r.test}`;
  return `FAIL ${r.test}\n` + r.failures.map((f) => '  ' + f.replace(/\n/g, '\n  ')).join('\n');
}

export function summary(reports: readonly StfReport[]): string {
  const passed = reports.filter((r) => r.ok).length;
  return `${passed} passed, ${reports.length - passed} failed`;
}

export interface StfRunRequest {
  readonly tests: readonly string[];
  readonly program: string | undefined;
  readonly frontend: FrontendOptions;
  readonly options: SwitchOptions;
  readonly namedPortsOnly: boolean;
  readonly tee: TeeCliOptions;
  readonly loader: SwitchLoader;
  /** Gate / pipeline events (crash, hang, restart), one line each, prefixed `tee:`. */
  readonly log: (line: string) => void;
  /** Wraps each switch before the test runs (tests use it to record what comes out). */
  readonly wrap?: (sw: StfSwitch, test: string) => StfSwitch;
}

/** Runs each test against a fresh switch, in the TEE mode asked for; never throws. */
export async function runStfTests(req: StfRunRequest): Promise<StfReport[]> {
  const reports: StfReport[] = [];
  for (const test of req.tests) reports.push(await runOneStfInMode(req, test));
  return reports;
}

async function runOneStfInMode(req: StfRunRequest, test: string): Promise<StfReport> {
  const wrapped = (loader: SwitchLoader): SwitchLoader => (p4, fe, opts) => {
    const r = loader(p4, fe, opts);
    return r.ok && req.wrap !== undefined ? { ok: true, sw: req.wrap(r.sw, test) } : r;
  };
  const spec = req.tee.spec;
  // Only failures are worth a line per test; 'enclave up' notices would repeat for every test.
  const log = (line: string): void => { if (!line.startsWith('tee: info:')) req.log(line); };
  if (spec === null) return runOneStf(test, req.program, req.frontend, req.options, wrapped(req.loader), req.namedPortsOnly);
  try {
    if (spec.mode === 'extern') {
      const opened = await openExternTee(req.tee, log);
      if ('error' in opened) return { test, ok: false, failures: [opened.error] };
      try {
        return runOneStf(test, req.program, req.frontend, { ...req.options, ...opened.switchOptions }, wrapped(req.loader), req.namedPortsOnly);
      } finally {
        await opened.gate.close();
      }
    }
    const p4 = programFor(test, req.program);
    const info = programInfoOf(p4, req.frontend);
    if (!info.ok) return { test, ok: false, failures: [`the program ${p4} does not compile:`, ...info.diagnostics] };
    const pipeline = await openPipelineTee(req.tee, p4, req.frontend, log);
    if ('error' in pipeline) return { test, ok: false, failures: [pipeline.error] };
    try {
      const loader: SwitchLoader = () => ({ ok: true, sw: new PipelineSwitch(pipeline, info.info, req.options.trace) });
      return runOneStf(test, req.program, req.frontend, req.options, wrapped(loader), req.namedPortsOnly);
    } finally {
      await pipeline.close();
    }
  } catch (err) {
    const msg = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    return { test, ok: false, failures: [], internalError: msg };
  }
}

export function registerStf(program: Command, loader: SwitchLoader = loadSwitch): void {
  const cmd = program
    .command('stf')
    .description('run STF tests (the P4 compiler test-suite format) against the software switch')
    .argument('<tests...>', 'STF test files')
    .option('--program <file>', 'P4 program to test (default: the .p4 file of the same name beside each test)')
    .option('-I, --include <dir>', 'add a directory to the #include search path (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'define a preprocessor macro (repeatable)', collect, [])
    .option('--format <format>', 'output format: text or json (one object per test)', 'text')
    .option('--trace', 'print each packet\'s path through the pipeline')
    .option('--named-ports-only', 'compare only ports the test names, as p4c\'s BMv2 STF driver does (default: a packet on any port without an expectation fails)')
    .option('--seed <n>', 'seed of the random number generator (random(), hash random)');
  addTeeOptions(cmd)
    .addHelpText(
      'after',
      '\nExit status: 0 if every test passes, 1 if any fails, 2 on an internal error or bad usage.\n' +
        TEE_HELP +
        '\nExamples:\n' +
        '  p4tee stf examples/study-forward/study-forward.stf\n' +
        '  p4tee stf --program router.p4 tests/*.stf\n' +
        '  p4tee stf --format json testdata/stf/*.stf\n' +
        '  p4tee stf --tee extern:process:batch examples/monitor/monitor.stf\n',
    )
    .action(async (tests: string[], flags: StfFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') {
        console.error(`p4tee stf: unknown --format '${flags.format}' (use text or json)`);
        process.exitCode = 2;
        return;
      }
      const defines = parseDefines(flags.define);
      if (typeof defines === 'string') {
        console.error(`p4tee stf: ${defines}`);
        process.exitCode = 2;
        return;
      }
      let seed: number | undefined;
      if (flags.seed !== undefined) {
        seed = Number(flags.seed);
        if (!Number.isInteger(seed)) {
          console.error(`p4tee stf: --seed must be an integer, not '${flags.seed}'`);
          process.exitCode = 2;
          return;
        }
      }
      const tee = parseTeeFlags(flags);
      if ('error' in tee) {
        console.error(`p4tee stf: ${tee.error}`);
        process.exitCode = 2;
        return;
      }
      const json = flags.format === 'json';
      // In JSON mode stdout carries only the reports; the trace goes to stderr.
      const traceOut = json ? process.stderr : process.stdout;
      const options: SwitchOptions = {
        seed,
        trace: flags.trace ? (line: string) => { traceOut.write(line + '\n'); } : undefined,
      };
      const frontend: FrontendOptions = { includeDirs: flags.include, defines };
      if (tee.spec !== null) process.stderr.write(`p4tee stf: ${describeTee(tee)}\n`);
      const reports: StfReport[] = [];
      for (const test of tests) {
        const [r] = await runStfTests({
          tests: [test], program: flags.program, frontend, options, namedPortsOnly: flags.namedPortsOnly === true,
          tee, loader, log: (line) => { process.stderr.write(line + '\n'); },
        });
        reports.push(r!);
        process.stdout.write((json ? JSON.stringify(r) : formatReport(r!)) + '\n');
      }
      process.stdout.write(summary(reports) + '\n');
      const internal = reports.some((r) => r.internalError !== undefined);
      process.exitCode = internal ? 2 : reports.every((r) => r.ok) ? 0 : 1;
    });
}
