// Control declarations: parameters and constructor parameters, local declarations (constants,
// variables, instantiations, actions, tables, functions) and the apply block, where tables and
// other controls may be applied.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import type { BlockType } from './types.js';
import { checkDeclaration, declareParams } from './declarations.js';
import { checkBlockBody } from './statements.js';
import { blockSignature } from './parsers.js';
import { checkTable } from './tables.js';

export function checkControl(cx: Checker, d: ast.ControlDeclaration): void {
  if (cx.ctx.where !== 'top') cx.error('NotAllowedHere', d.name.span, 'controls can only be declared at the top level');
  const saved = cx.scope;
  cx.inScope(() => {
    const sig = blockSignature(cx, d);
    const t: BlockType = { kind: 'control', name: d.name.name, typeParams: sig.typeParams, params: sig.params, ctorParams: sig.ctorParams, node: d };
    cx.result.declTypes.set(d, t);
    const inner = cx.scope;
    cx.scope = saved;
    cx.declareType({ name: d.name.name, node: d, type: t, typeParams: sig.typeParams, instantiable: true }, d.name);
    cx.scope = inner;
    declareParams(cx, sig.params, 'plain');
    declareParams(cx, sig.ctorParams, 'ctorParam');
    cx.inProgress.add(d);
    cx.withCtx({ where: 'control', block: 'control', returnType: null, inLoop: false }, () => {
      for (const l of d.locals) {
        switch (l.kind) {
          case 'ConstantDeclaration': case 'VariableDeclaration': case 'InstantiationDeclaration': case 'ActionDeclaration':
          case 'FunctionDeclaration': case 'ErrorDeclarationNode':
            checkDeclaration(cx, l);
            break;
          case 'TableDeclaration':
            checkTable(cx, l);
            break;
          default:
            cx.error('NotAllowedHere', l.span, 'this declaration is not allowed in a control');
        }
      }
      cx.withCtx({ where: 'apply' }, () => checkBlockBody(cx, d.body));
    });
    cx.inProgress.delete(d);
  });
}
