// The compiler as one call: a .p4 file (or its checked front-end result) -> IR, generated
// JavaScript and ProgramInfo. Used by `p4tee compile` and by runtime/switch.ts. Diagnostics
// come back as formatted strings; an internal error is reported, not thrown.
import { checkFile } from './frontend.js';
import type { FrontendOptions, FrontendResult } from './frontend.js';
import { formatDiagnostic, InternalError } from './source/diagnostics.js';
import type { IrProgram } from './ir/ir.js';
import { runPipeline } from './pipeline.js';
import { generate } from './codegen/emit.js';
import type { ProgramInfo } from '../runtime/abi.js';

export interface CompileOptions {
  /** Generate the traced variant of the code as well. */
  readonly trace?: boolean;
}

export interface Compiled {
  readonly ir: IrProgram;
  /** ProgramInfo with phvWords including code generation's scratch words. */
  readonly info: ProgramInfo;
  readonly js: string;
  /** The traced variant (when asked for). */
  readonly tracedJs: string | null;
  readonly warnings: string[];
}

export type CompileResult = { readonly ok: true; readonly compiled: Compiled } | { readonly ok: false; readonly diagnostics: string[]; readonly internal?: boolean };

export function compileChecked(fe: FrontendResult, options: CompileOptions = {}): CompileResult {
  const fmt = (): string[] => fe.diagnostics.items.map((d) => formatDiagnostic(d, fe.map, fe.file));
  if (fe.program === null || fe.checked === null || fe.map === null || fe.diagnostics.hasErrors) {
    return { ok: false, diagnostics: fmt().filter((x) => / error /.test(x) || true) };
  }
  try {
    const ir = runPipeline({ file: fe.file, program: fe.program, checked: fe.checked, map: fe.map, diags: fe.diagnostics });
    if (ir === null || fe.diagnostics.hasErrors) return { ok: false, diagnostics: fmt() };
    const g = generate(ir, { trace: false });
    const traced = options.trace ? generate(ir, { trace: true }) : null;
    const phvWords = Math.max(g.phvWords, traced?.phvWords ?? 0);
    const info: ProgramInfo = { ...ir.info, phvWords };
    const warnings = fe.diagnostics.items.filter((d) => d.severity === 'warning').map((d) => formatDiagnostic(d, fe.map, fe.file));
    return { ok: true, compiled: { ir, info, js: g.text, tracedJs: traced?.text ?? null, warnings } };
  } catch (e) {
    if (e instanceof InternalError || e instanceof Error) {
      return { ok: false, diagnostics: [`${fe.file}: internal error: ${e.message}`], internal: true };
    }
    throw e;
  }
}

export function compileFile(file: string, fe: FrontendOptions, options: CompileOptions = {}): CompileResult {
  return compileChecked(checkFile(file, fe), options);
}
