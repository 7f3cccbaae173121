// The `p4tee` command: subcommands are thin wrappers over library calls, one file each.
// Parses arguments with commander; each subcommand sets process.exitCode itself.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { registerCheck } from './check.js';
import { registerCompile } from './compile.js';
import { registerStf } from './stf.js';
import { registerRun } from './run.js';
import { registerSwitch } from './switch.js';
import { registerCtl } from './ctl.js';
import { registerNetns } from './netns.js';
import { registerModel } from './model.js';
import { registerReport } from './report.js';
import { registerGen } from './gen.js';
import { registerAttest } from './attest.js';
import { registerTee } from './tee.js';
import { registerBench } from './bench.js';
import { registerExperiment, registerDemo } from './experiment.js';

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('p4tee')
    .description(
      'P4_16 software switch for Node.js, built to measure packet processing next to or inside trusted ' +
        'execution environments. Compile, run and test P4_16 programs on the v1model architecture.',
    )
    .version(packageVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  p4tee check prog.p4                    check a P4_16 program\n' +
        '  p4tee check -I include -D DEBUG a.p4   with an include path and a macro\n' +
        '  p4tee check --format json *.p4         one JSON object per file\n',
    );
  registerCheck(program);
  registerCompile(program);
  registerRun(program);
  registerStf(program);
  registerSwitch(program);
  registerCtl(program);
  registerNetns(program);
  registerGen(program);
  registerBench(program);
  registerExperiment(program);
  registerDemo(program);
  registerModel(program);
  registerReport(program);
  registerAttest(program);
  registerTee(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit with 0; usage mistakes with 2 (commander already printed the message).
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    throw err;
  }
}
