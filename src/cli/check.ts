// `p4tee check`: runs the front end on each file independently and prints its diagnostics,
// as text (FILE(LINE:COL): error CODE: message, source line, caret) or as one JSON object per file.
// Exit status: 0 all valid, 1 some file has errors, 2 internal error (a compiler bug) or bad usage.
import type { Command } from 'commander';
import { checkFile } from '../compiler/frontend.js';
import type { FrontendOptions } from '../compiler/frontend.js';
import { formatDiagnostic, locate } from '../compiler/source/diagnostics.js';
import { dumpAst } from '../compiler/syntax/printer.js';

interface CheckFlags {
  include: string[];
  define: string[];
  format: string;
  dumpAst?: boolean;
  warnings: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** Parses `-D NAME[=VALUE]` into a map; VALUE defaults to 1 as in C compilers. */
export function parseDefines(defs: readonly string[]): Map<string, string> | string {
  const out = new Map<string, string>();
  for (const d of defs) {
    const eq = d.indexOf('=');
    const name = eq < 0 ? d : d.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return `invalid macro name in -D ${d}`;
    out.set(name, eq < 0 ? '1' : d.slice(eq + 1));
  }
  return out;
}

export interface FileReport {
  file: string;
  ok: boolean;
  diagnostics: {
    severity: 'error' | 'warning';
    code: string;
    file: string;
    line: number;
    column: number;
    message: string;
  }[];
  internalError?: string;
}

/** Checks one file and describes the outcome; never throws (a compiler bug becomes internalError). */
export function checkOne(
  file: string,
  options: FrontendOptions,
  text: boolean,
  showWarnings: boolean,
  dump: boolean,
): { report: FileReport; printed: string; ast: string } {
  try {
    const r = checkFile(file, options);
    const lines: string[] = [];
    const diagnostics: FileReport['diagnostics'] = [];
    for (const d of r.diagnostics.items) {
      if (d.severity === 'warning' && !showWarnings) continue;
      const loc = locate(d, r.map, file);
      diagnostics.push({ severity: d.severity, code: d.code, file: loc.file, line: loc.line, column: loc.column, message: d.message });
      if (text) lines.push(formatDiagnostic(d, r.map, file));
    }
    const ast = dump && r.program ? dumpAst(r.program) : '';
    return { report: { file, ok: !r.diagnostics.hasErrors, diagnostics }, printed: lines.join('\n'), ast };
  } catch (err) {
    const msg = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
    return {
      report: { file, ok: false, diagnostics: [], internalError: msg },
      printed: `${file}: internal error: ${err instanceof Error ? err.message : String(err)}\n` +
        `This is a bug in p4tee, not in your program. Please report it with the file.\n${err instanceof Error ? err.stack ?? '' : ''}`,
      ast: '',
    };
  }
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('parse and type-check P4_16 programs; each file is checked on its own')
    .argument('<files...>', 'P4_16 source files')
    .option('-I, --include <dir>', 'add a directory to the #include search path (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'define a preprocessor macro (repeatable)', collect, [])
    .option('--format <format>', 'output format: text or json (one object per file and line)', 'text')
    .option('--dump-ast', 'print the syntax tree of each file that parses')
    .option('--no-warnings', 'do not print warnings')
    .addHelpText(
      'after',
      '\nExit status: 0 if every file is valid, 1 if any has errors, 2 on an internal error or bad usage.\n' +
        '\nExamples:\n' +
        '  p4tee check switch.p4\n' +
        '  p4tee check -I ./include -D WITH_ACL=1 switch.p4\n' +
        '  p4tee check --format json testdata/p4/*.p4\n',
    )
    .action((files: string[], flags: CheckFlags) => {
      if (flags.format !== 'text' && flags.format !== 'json') {
        console.error(`p4tee check: unknown --format '${flags.format}' (use text or json)`);
        process.exitCode = 2;
        return;
      }
      const defines = parseDefines(flags.define);
      if (typeof defines === 'string') {
        console.error(`p4tee check: ${defines}`);
        process.exitCode = 2;
        return;
      }
      const options: FrontendOptions = { includeDirs: flags.include, defines };
      const text = flags.format === 'text';
      let failed = false;
      let internal = false;
      for (const file of files) {
        const { report, printed, ast } = checkOne(file, options, text, flags.warnings, flags.dumpAst === true);
        if (ast !== '') process.stdout.write(ast + '\n');
        if (text) {
          if (printed !== '') process.stderr.write(printed + '\n');
        } else {
          process.stdout.write(JSON.stringify(report) + '\n');
        }
        if (report.internalError !== undefined) internal = true;
        else if (!report.ok) failed = true;
      }
      process.exitCode = internal ? 2 : failed ? 1 : 0;
    });
}
