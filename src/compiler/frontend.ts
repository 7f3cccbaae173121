// The front end as one call: preprocess -> lex/parse -> check, for one compilation unit.
// Input: a file path (or its text) and -I / -D options. Output: the diagnostics, the source map
// to print them, and, when there were no errors, the AST with the checker's side tables, which
// the next stage (lowering to the IR) consumes without re-parsing.
import { readFileSync } from 'node:fs';
import { Diagnostics } from './source/diagnostics.js';
import type { SourceMap } from './source/span.js';
import type { Program } from './syntax/ast.js';
import { preprocess } from './syntax/preprocessor.js';
import { parse } from './syntax/parser.js';
import { check } from './check/checker.js';
import type { CheckResult } from './check/checker.js';
import type { TeeCatalog } from './check/tee.js';

export interface FrontendOptions {
  /** -I directories, searched in order before the built-in include directory. */
  readonly includeDirs: readonly string[];
  /** -D NAME[=VALUE] definitions. */
  readonly defines: ReadonlyMap<string, string>;
  /** Stop after parsing (no semantic checks). */
  readonly parseOnly?: boolean;
  /** Enclave functions a TeeFunction may name (unknown names are then errors); without it any name is accepted. */
  readonly teeCatalog?: TeeCatalog;
}

export interface FrontendResult {
  readonly file: string;
  readonly diagnostics: Diagnostics;
  /** null when the file could not be read. */
  readonly map: SourceMap | null;
  /** null when the file could not be read or preprocessing failed. */
  readonly program: Program | null;
  /** null unless the program parsed without errors and the checker ran. */
  readonly checked: CheckResult | null;
}

export const defaultOptions: FrontendOptions = { includeDirs: [], defines: new Map() };

/** Runs the front end on source text that claims to come from `file`. */
export function checkSource(file: string, text: string, options: FrontendOptions = defaultOptions): FrontendResult {
  const diags = new Diagnostics();
  const pre = preprocess(file, text, { includeDirs: options.includeDirs, defines: options.defines }, diags);
  // A failed #include or an #error makes everything after it noise: stop here.
  if (diags.hasErrors) return { file, diagnostics: diags, map: pre.map, program: null, checked: null };
  const program = parse(pre.text, diags);
  // Syntax errors leave placeholders in the tree; checking them would only add follow-on errors.
  if (diags.hasErrors || options.parseOnly) return { file, diagnostics: diags, map: pre.map, program, checked: null };
  const checked = check(program, diags, options.teeCatalog ?? null);
  return { file, diagnostics: diags, map: pre.map, program, checked };
}

/** Reads `file` and runs the front end on it; an unreadable file is reported as a diagnostic. */
export function checkFile(file: string, options: FrontendOptions = defaultOptions): FrontendResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const diags = new Diagnostics();
    const e = err as NodeJS.ErrnoException;
    const missing = e.code === 'ENOENT';
    diags.errorAt(
      missing ? 'FileNotFound' : 'FileUnreadable',
      { file, line: 1, column: 1, endColumn: 1, lineText: '' },
      missing ? `cannot find file '${file}'` : `cannot read '${file}': ${e.code ?? e.message}`,
    );
    return { file, diagnostics: diags, map: null, program: null, checked: null };
  }
  return checkSource(file, text, options);
}
