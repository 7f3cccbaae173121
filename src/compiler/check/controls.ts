// Control declarations: parameters and constructor parameters, local declarations (constants,
// variables, instantiations, actions, tables, functions) and the apply block, where tables and
// other controls may be applied.
import type * as ast from '../syntax/ast.js';
import type { Checker } from './checker.js';
import { checkDeclaration } from './declarations.js';
import { checkBlockBody } from './statements.js';
import { openBlock } from './parsers.js';
import { checkTable } from './tables.js';

export function checkControl(cx: Checker, d: ast.ControlDeclaration): void {
  if (cx.ctx.where !== 'top') cx.error('NotAllowedHere', d.name.span, 'controls can only be declared at the top level');
  const saved = cx.scope;
  cx.inScope(() => {
    openBlock(cx, d, 'control', saved);
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
