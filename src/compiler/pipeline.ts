// The compiler's table of contents: the back-end passes in the order they run, one line each.
// Input: the front end's checked AST (frontend.ts); output: the IR (printer: ir/printer.ts) and
// one JavaScript function body per program (codegen/emit.ts), loaded by codegen/load.ts.
import type { IrProgram } from './ir/ir.js';
import type { LowerInput } from './passes/lower.js';
import { lowerProgram } from './passes/lower.js';
import { foldConstants } from './passes/fold-constants.js';
import { simplify } from './passes/simplify.js';
import { validateIr } from './ir/validate.js';

export interface Pass {
  readonly name: string;
  readonly run: (ir: IrProgram) => IrProgram;
}

/** IR -> IR passes after lowering, in order. */
export const irPasses: readonly Pass[] = [
  // foldConstants: evaluate operators on constants with P4 wrap/saturate/sign rules.
  { name: 'foldConstants', run: foldConstants },
  // simplify: drop branches on constant conditions, unused labelled blocks, code after exit/break.
  { name: 'simplify', run: simplify },
  // validate: check layout, widths, targets and ids (a failure is a compiler bug).
  { name: 'validate', run: (ir) => { validateIr(ir); return ir; } },
];

/**
 * The whole back end up to the IR:
 *   lower       checked AST -> IR: v1model blocks from `main`, state layout (passes/layout.ts),
 *               inlineCalls (sub-parsers, sub-controls, functions, direct action calls bound by
 *               copy-in/copy-out or by reference), tables/actions/externs into ProgramInfo;
 *   then irPasses above; code generation (codegen/emit.ts) follows in compile.ts.
 */
export function runPipeline(input: LowerInput): IrProgram | null {
  let ir = lowerProgram(input);
  if (ir === null) return null;
  for (const p of irPasses) ir = p.run(ir);
  return ir;
}
