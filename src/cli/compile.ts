// `p4tee compile FILE.p4 --emit js|ir|info -o OUT`: runs the front end and the back end and writes
// the generated JavaScript, the IR printout, or the ProgramInfo JSON (to stdout without -o).
// Exit status: 0 compiled, 1 errors in the program, 2 internal error or bad usage.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { compileFile } from '../compiler/compile.js';
import { printIr } from '../compiler/ir/printer.js';
import { parseDefines } from './check.js';

interface CompileFlags {
  include: string[];
  define: string[];
  emit: string;
  output?: string;
  trace?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** ProgramInfo as JSON (bigints as decimal strings). */
export function infoJson(info: unknown): string {
  return JSON.stringify(info, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) + '\n';
}

export function registerCompile(program: Command): void {
  program
    .command('compile')
    .description('compile a v1model P4_16 program to JavaScript (or print its IR / program description)')
    .argument('<file>', 'the .p4 file')
    .option('-I, --include <dir>', 'add an include directory', collect, [])
    .option('-D, --define <name[=value]>', 'define a macro', collect, [])
    .option('--emit <what>', 'js (generated module), ir (IR printout) or info (ProgramInfo JSON)', 'js')
    .option('--trace', 'emit the traced variant of the generated code')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .action((file: string, flags: CompileFlags) => {
      if (!['js', 'ir', 'info'].includes(flags.emit)) {
        process.stderr.write(`p4tee compile: --emit must be js, ir or info, not '${flags.emit}'\n`);
        process.exitCode = 2;
        return;
      }
      const defines = parseDefines(flags.define);
      if (typeof defines === 'string') {
        process.stderr.write(`p4tee compile: ${defines}\n`);
        process.exitCode = 2;
        return;
      }
      const r = compileFile(file, { includeDirs: flags.include, defines }, { trace: flags.trace === true });
      if (!r.ok) {
        for (const d of r.diagnostics) process.stderr.write(d + '\n');
        process.exitCode = r.internal ? 2 : 1;
        return;
      }
      for (const w of r.compiled.warnings) process.stderr.write(w + '\n');
      const c = r.compiled;
      const text = flags.emit === 'ir' ? printIr(c.ir) : flags.emit === 'info' ? infoJson(c.info) : (flags.trace ? c.tracedJs ?? c.js : c.js);
      if (flags.output !== undefined) writeFileSync(flags.output, text);
      else process.stdout.write(text);
      process.exitCode = 0;
    });
}
