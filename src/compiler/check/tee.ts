// Checks of the TEE interface (include tee.p4: extern TeeFunction<I, O>), run after the main
// checker over the checked AST. Input: the program and the checker's side tables (and optionally
// a catalogue of enclave functions); output: diagnostics only. Rules: I and O are structs or
// headers of bit<N> fields only; module and function names are string constants (known to the
// catalogue when one is given, with matching record sizes); calls sit where the batch transition
// can split the control (not in parsers, actions or loops).
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { Type } from './types.js';

/** What the compiler may know about the enclave modules (the runtime's registry, adapted by the CLI). */
export interface TeeCatalog {
  /** Record sizes of module.function, or null when there is no such function. */
  lookup(moduleName: string, functionName: string): { readonly inputBytes: number; readonly outputBytes: number } | null;
}

export const TEE_EXTERN = 'TeeFunction';

/** Bits of a record type: a struct or header whose fields are all bit<N>; null when it is not one. */
export function teeRecordBits(t: Type): number | null {
  if (t.kind !== 'struct' && t.kind !== 'header') return null;
  if (t.fields.length === 0) return null;
  let bits = 0;
  for (const f of t.fields) {
    let ft = f.type;
    while (ft.kind === 'newtype') ft = ft.base;
    if (ft.kind !== 'bits' || ft.signed || ft.width < 1) return null;
    bits += ft.width;
  }
  return bits;
}

interface Place {
  readonly parser: boolean;
  readonly action: boolean;
  readonly loop: boolean;
}

export function checkTeeUses(cx: Checker, program: ast.Program, catalog: TeeCatalog | null): void {
  const r = cx.result;
  const isTee = (t: Type | undefined): t is Extract<Type, { kind: 'extern' }> => t !== undefined && t.kind === 'extern' && t.name === TEE_EXTERN;
  const instance = (node: ast.Node, args: readonly ast.Argument[], t: Extract<Type, { kind: 'extern' }>): void => {
    const names = ['input', 'output'];
    const bytes: number[] = [];
    t.args.forEach((a, i) => {
      const bits = teeRecordBits(a);
      if (bits === null) {
        cx.error('TeeRecordType', node.span, `TeeFunction ${names[i] ?? 'record'} type must be a struct or header of bit<N> fields only`);
        bytes.push(-1);
      } else bytes.push((bits + 7) >>> 3);
    });
    const str = (i: number): string | null => {
      if (i >= args.length) return null;
      const v = r.constants.get(args[i].value);
      return typeof v === 'string' ? v : null;
    };
    const mod = str(0);
    const fn = str(1);
    if (mod === null || fn === null || mod === '' || fn === '') {
      cx.error('TeeUnknownFunction', node.span, 'TeeFunction needs the module and function names as string constants');
      return;
    }
    if (catalog === null) return;
    const f = catalog.lookup(mod, fn);
    if (f === null) {
      cx.error('TeeUnknownFunction', node.span, `no enclave function '${mod}.${fn}'`);
      return;
    }
    if ((bytes[0] !== undefined && bytes[0] >= 0 && bytes[0] !== f.inputBytes) || (bytes[1] !== undefined && bytes[1] >= 0 && bytes[1] !== f.outputBytes)) {
      cx.error('TeeRecordType', node.span, `'${mod}.${fn}' takes ${f.inputBytes} input bytes and returns ${f.outputBytes}; the declared records have ${bytes[0]} and ${bytes[1]}`);
    }
  };
  const visit = (n: unknown, place: Place): void => {
    if (n === null || typeof n !== 'object') return;
    if (Array.isArray(n)) {
      for (const x of n) visit(x, place);
      return;
    }
    const o = n as { kind?: unknown };
    if (typeof o.kind !== 'string') return;
    let p = place;
    switch (o.kind) {
      case 'ParserDeclaration': p = { ...place, parser: true }; break;
      case 'ActionDeclaration': p = { ...place, action: true }; break;
      case 'ForStatement': case 'ForInStatement': p = { ...place, loop: true }; break;
      case 'InstantiationDeclaration': {
        const d = n as ast.InstantiationDeclaration;
        const t = r.declTypes.get(d);
        if (isTee(t)) instance(d, d.args, t);
        break;
      }
      case 'ConstructorCallExpression': {
        const e = n as ast.ConstructorCallExpression;
        const t = r.types.get(e);
        if (isTee(t)) instance(e, e.args, t);
        break;
      }
      case 'CallExpression': {
        const e = n as ast.CallExpression;
        const target = r.calls.get(e);
        if (target !== undefined && target.kind === 'method' && isTee(target.objectType) && target.method.name === 'call') {
          const where = place.parser ? 'a parser' : place.action ? 'an action' : place.loop ? 'a loop' : null;
          if (where !== null) {
            cx.error('TeeCallPlacement', e.span, `a TeeFunction call cannot be in ${where}: call it from a control's apply block (or a function it calls), where the batch transition can split the control`);
          }
        }
        break;
      }
      default: break;
    }
    for (const key in o) {
      if (key === 'span' || key === 'kind') continue;
      const v = (o as Record<string, unknown>)[key];
      if (v !== null && typeof v === 'object') visit(v, p);
    }
  };
  visit(program, { parser: false, action: false, loop: false });
}
