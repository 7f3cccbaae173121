// AST printer: an indented, readable dump of a Program, used by `p4tee check --dump-ast` and by
// parser fixture tests. Declarations and statements get one line each, children indented by two
// spaces; types and expressions print inline, fully parenthesised, in source-like syntax, with
// `T::m` for a member of a type, `new T(args)` for a constructor call and `<error>` for recovery nodes.
import type * as ast from './ast.js';

export function dumpAst(program: ast.Program): string {
  const out: string[] = ['Program'];
  for (const d of program.declarations) declaration(out, 1, d);
  return out.join('\n') + '\n';
}

/** One expression, inline (for tests and messages). */
export function printExpression(e: ast.Expression): string {
  return expr(e);
}

/** One type, inline. */
export function printType(t: ast.TypeRef): string {
  return type(t);
}

function line(out: string[], depth: number, text: string): void {
  out.push('  '.repeat(depth) + text);
}

function anns(list: readonly ast.Annotation[]): string {
  let s = '';
  for (const a of list) s += annotation(a) + ' ';
  return s;
}

function annotation(a: ast.Annotation): string {
  const b = a.body;
  switch (b.kind) {
    case 'none': return `@${a.name.name}`;
    case 'unstructured': return `@${a.name.name}(${b.text})`;
    case 'expressions': return `@${a.name.name}[${b.items.map(expr).join(', ')}]`;
    case 'kvpairs': return `@${a.name.name}[${b.items.map((kv) => `${kv.key.name}=${expr(kv.value)}`).join(', ')}]`;
  }
}

function typeParams(ps: readonly ast.Ident[]): string {
  return ps.length === 0 ? '' : `<${ps.map((p) => p.name).join(', ')}>`;
}

function params(ps: readonly ast.Parameter[]): string {
  return `(${ps.map(param).join(', ')})`;
}

function param(p: ast.Parameter): string {
  const dir = p.direction === 'none' ? '' : p.direction + ' ';
  const def = p.defaultValue ? ` = ${expr(p.defaultValue)}` : '';
  return `${anns(p.annotations)}${dir}${type(p.type)} ${p.name.name}${def}`;
}

function args(list: readonly ast.Argument[]): string {
  return `(${list.map((a) => (a.name ? `${a.name.name} = ${expr(a.value)}` : expr(a.value))).join(', ')})`;
}

function typeArgs(list: readonly ast.TypeRef[]): string {
  return `<${list.map(type).join(', ')}>`;
}

function type(t: ast.TypeRef): string {
  switch (t.kind) {
    case 'BitTypeRef':
      if (t.width) return `${t.signed ? 'int' : 'bit'}<${expr(t.width)}>`;
      return t.signed ? 'int' : 'bit';
    case 'VarbitTypeRef': return `varbit<${expr(t.width)}>`;
    case 'BoolTypeRef': return 'bool';
    case 'StringTypeRef': return 'string';
    case 'ErrorTypeRef': return 'error';
    case 'MatchKindTypeRef': return 'match_kind';
    case 'VoidTypeRef': return 'void';
    case 'DontCareTypeRef': return '_';
    case 'NamedTypeRef': return (t.global ? '.' : '') + (t.name.name === '' ? '<error>' : t.name.name);
    case 'SpecializedTypeRef': return type(t.base) + typeArgs(t.args);
    case 'StackTypeRef': return `${type(t.element)}[${expr(t.size)}]`;
    case 'TupleTypeRef': return `tuple${typeArgs(t.elements)}`;
    case 'ListTypeRef': return `list<${type(t.element)}>`;
  }
}

function integer(e: ast.IntegerLiteral): string {
  return e.width === null ? e.value.toString() : `${e.width}${e.signed ? 's' : 'w'}${e.value.toString()}`;
}

function expr(e: ast.Expression): string {
  switch (e.kind) {
    case 'IntegerLiteral': return integer(e);
    case 'BoolLiteral': return e.value ? 'true' : 'false';
    case 'StringLiteral': return JSON.stringify(e.value);
    case 'PathExpression': return (e.global ? '.' : '') + (e.name.name === '' ? '<error>' : e.name.name);
    case 'ThisExpression': return 'this';
    case 'DontCareExpression': return '_';
    case 'DefaultExpression': return 'default';
    case 'DotsExpression': return '...';
    case 'MemberExpression': return `${expr(e.object)}.${e.member.name}`;
    case 'TypeMemberExpression': return `${type(e.type)}::${e.member.name}`;
    case 'IndexExpression': return `${expr(e.object)}[${expr(e.index)}]`;
    case 'SliceExpression': return `${expr(e.object)}[${expr(e.hi)}${e.plusWidth ? ' +: ' : ':'}${expr(e.lo)}]`;
    case 'UnaryExpression': return `(${e.op}${expr(e.operand)})`;
    case 'BinaryExpression': return `(${expr(e.left)} ${e.op} ${expr(e.right)})`;
    case 'TernaryExpression': return `(${expr(e.condition)} ? ${expr(e.then)} : ${expr(e.else)})`;
    case 'CastExpression': return `((${type(e.type)}) ${expr(e.operand)})`;
    case 'CallExpression': return `${expr(e.callee)}${e.typeArgs.length ? typeArgs(e.typeArgs) : ''}${args(e.args)}`;
    case 'ConstructorCallExpression': return `new ${type(e.type)}${args(e.args)}`;
    case 'ListExpression': return `{${e.elements.map(expr).join(', ')}}`;
    case 'StructExpression': {
      const fields = e.fields.map((f) => `${f.key.name} = ${expr(f.value)}`);
      if (e.dots) fields.push('...');
      return `{${fields.join(', ')}}`;
    }
    case 'InvalidHeaderExpression': return '{#}';
    case 'MaskExpression': return `(${expr(e.value)} &&& ${expr(e.mask)})`;
    case 'RangeExpression': return `(${expr(e.lo)} .. ${expr(e.hi)})`;
    case 'ErrorExpression': return '<error>';
  }
}

function actionRef(r: ast.ActionRef): string {
  return `${anns(r.annotations)}${r.global ? '.' : ''}${r.name.name}${r.args ? args(r.args) : ''}`;
}

function keysets(list: readonly ast.Expression[], tuple: boolean): string {
  const s = list.map(expr).join(', ');
  return tuple ? `(${s})` : s;
}

function declaration(out: string[], d: number, x: ast.Declaration): void {
  switch (x.kind) {
    case 'ConstantDeclaration':
      line(out, d, `${anns(x.annotations)}Const ${type(x.type)} ${x.name.name} = ${expr(x.value)}`);
      return;
    case 'VariableDeclaration':
      line(out, d, `${anns(x.annotations)}Var ${type(x.type)} ${x.name.name}${x.initializer ? ` = ${expr(x.initializer)}` : ''}`);
      return;
    case 'InstantiationDeclaration':
      line(out, d, `${anns(x.annotations)}Instance ${type(x.type)}${args(x.args)} ${x.name.name}`);
      if (x.initializer) for (const i of x.initializer) declaration(out, d + 1, i);
      return;
    case 'ExternDeclaration':
      if (x.function) {
        line(out, d, `${anns(x.annotations)}ExternFunction ${method(x.function)}`);
      } else {
        line(out, d, `${anns(x.annotations)}Extern ${x.name.name}${typeParams(x.typeParameters)}`);
        for (const m of x.methods ?? []) line(out, d + 1, `${anns(m.annotations)}${m.returnType ? 'Method' : 'Constructor'} ${method(m)}`);
      }
      return;
    case 'ActionDeclaration':
      line(out, d, `${anns(x.annotations)}Action ${x.name.name}${params(x.parameters)}`);
      statements(out, d + 1, x.body.statements);
      return;
    case 'FunctionDeclaration':
      line(out, d, `${anns(x.annotations)}Function ${type(x.returnType)} ${x.name.name}${typeParams(x.typeParameters)}${params(x.parameters)}`);
      statements(out, d + 1, x.body.statements);
      return;
    case 'ParserTypeDeclaration':
      line(out, d, `${anns(x.annotations)}ParserType ${x.name.name}${typeParams(x.typeParameters)}${params(x.parameters)}`);
      return;
    case 'ParserDeclaration':
      line(out, d, `${anns(x.annotations)}Parser ${x.name.name}${typeParams(x.typeParameters)}${params(x.parameters)}${x.constructorParameters.length ? params(x.constructorParameters) : ''}`);
      for (const l of x.locals) declaration(out, d + 1, l);
      for (const s of x.states) declaration(out, d + 1, s);
      return;
    case 'ParserState':
      line(out, d, `${anns(x.annotations)}State ${x.name.name}`);
      statements(out, d + 1, x.statements);
      if (x.transition) transition(out, d + 1, x.transition);
      return;
    case 'ValueSetDeclaration':
      line(out, d, `${anns(x.annotations)}ValueSet<${type(x.elementType)}>(${expr(x.size)}) ${x.name.name}`);
      return;
    case 'ControlTypeDeclaration':
      line(out, d, `${anns(x.annotations)}ControlType ${x.name.name}${typeParams(x.typeParameters)}${params(x.parameters)}`);
      return;
    case 'ControlDeclaration':
      line(out, d, `${anns(x.annotations)}Control ${x.name.name}${typeParams(x.typeParameters)}${params(x.parameters)}${x.constructorParameters.length ? params(x.constructorParameters) : ''}`);
      for (const l of x.locals) declaration(out, d + 1, l);
      line(out, d + 1, `${anns(x.body.annotations)}Apply`);
      statements(out, d + 2, x.body.statements);
      return;
    case 'PackageTypeDeclaration':
      line(out, d, `${anns(x.annotations)}Package ${x.name.name}${typeParams(x.typeParameters)}${params(x.parameters)}`);
      return;
    case 'HeaderDeclaration':
    case 'HeaderUnionDeclaration':
    case 'StructDeclaration': {
      const k = x.kind === 'HeaderDeclaration' ? 'Header' : x.kind === 'StructDeclaration' ? 'Struct' : 'HeaderUnion';
      line(out, d, `${anns(x.annotations)}${k} ${x.name.name}${typeParams(x.typeParameters)}`);
      for (const f of x.fields) line(out, d + 1, `${anns(f.annotations)}Field ${type(f.type)} ${f.name.name}`);
      return;
    }
    case 'EnumDeclaration':
      line(out, d, `${anns(x.annotations)}Enum ${x.underlying ? type(x.underlying) + ' ' : ''}${x.name.name}`);
      for (const m of x.members) line(out, d + 1, `${anns(m.annotations)}Member ${m.name.name}${m.value ? ` = ${expr(m.value)}` : ''}`);
      return;
    case 'ErrorDeclaration':
      line(out, d, `Error ${x.members.map((m) => m.name).join(', ')}`);
      return;
    case 'MatchKindDeclaration':
      line(out, d, `MatchKind ${x.members.map((m) => m.name).join(', ')}`);
      return;
    case 'TypedefDeclaration': {
      const k = x.isNewType ? 'Type' : 'Typedef';
      const t = x.type;
      if (t.kind === 'HeaderDeclaration' || t.kind === 'HeaderUnionDeclaration' || t.kind === 'StructDeclaration' || t.kind === 'EnumDeclaration') {
        line(out, d, `${anns(x.annotations)}${k} ${x.name.name}`);
        declaration(out, d + 1, t);
      } else {
        line(out, d, `${anns(x.annotations)}${k} ${type(t)} ${x.name.name}`);
      }
      return;
    }
    case 'TableDeclaration':
      line(out, d, `${anns(x.annotations)}Table ${x.name.name}`);
      for (const p of x.properties) tableProperty(out, d + 1, p);
      return;
    case 'ErrorDeclarationNode':
      line(out, d, '<error>');
      return;
  }
}

function method(m: ast.MethodPrototype): string {
  const abs = m.abstract ? 'abstract ' : '';
  const ret = m.returnType ? type(m.returnType) + ' ' : '';
  return `${abs}${ret}${m.name.name}${typeParams(m.typeParameters)}${params(m.parameters)}`;
}

function tableProperty(out: string[], d: number, p: ast.TableProperty): void {
  switch (p.kind) {
    case 'KeyProperty':
      line(out, d, 'Key');
      for (const k of p.elements) line(out, d + 1, `${expr(k.expression)} : ${k.matchKind.name}${k.annotations.length ? ' ' + anns(k.annotations).trimEnd() : ''}`);
      return;
    case 'ActionsProperty':
      line(out, d, 'Actions');
      for (const a of p.actions) line(out, d + 1, actionRef(a));
      return;
    case 'EntriesProperty':
      line(out, d, `${anns(p.annotations)}${p.isConst ? 'const ' : ''}Entries`);
      for (const e of p.entries) {
        const pri = e.priority ? `priority=${expr(e.priority)}: ` : '';
        const ea = e.annotations.length ? ' ' + anns(e.annotations).trimEnd() : '';
        line(out, d + 1, `${e.isConst ? 'const ' : ''}${pri}${keysets(e.keys, e.tuple)} -> ${actionRef(e.action)}${ea}`);
      }
      return;
    case 'ValueProperty':
      line(out, d, `${anns(p.annotations)}${p.isConst ? 'const ' : ''}${p.name.name} = ${expr(p.value)}`);
      return;
  }
}

function transition(out: string[], d: number, t: ast.Transition): void {
  if (t.kind === 'DirectTransition') {
    line(out, d, `Transition ${t.state.name}`);
    return;
  }
  line(out, d, `Select (${t.expressions.map(expr).join(', ')})`);
  for (const c of t.cases) line(out, d + 1, `${keysets(c.keysets, c.tuple)} -> ${c.state.name}`);
}

function statements(out: string[], d: number, list: readonly ast.Statement[]): void {
  for (const s of list) statement(out, d, s);
}

function statement(out: string[], d: number, s: ast.Statement): void {
  switch (s.kind) {
    case 'AssignmentStatement':
      line(out, d, `Assign ${expr(s.target)} ${s.op} ${expr(s.value)}`);
      return;
    case 'MethodCallStatement':
      line(out, d, `Call ${expr(s.call)}`);
      return;
    case 'DirectApplyStatement':
      line(out, d, `DirectApply ${type(s.type)}${args(s.args)}`);
      return;
    case 'IfStatement':
      line(out, d, `If ${expr(s.condition)}`);
      line(out, d + 1, 'Then');
      statement(out, d + 2, s.then);
      if (s.else) {
        line(out, d + 1, 'Else');
        statement(out, d + 2, s.else);
      }
      return;
    case 'BlockStatement':
      line(out, d, `${anns(s.annotations)}Block`);
      statements(out, d + 1, s.statements);
      return;
    case 'EmptyStatement': line(out, d, 'Empty'); return;
    case 'ReturnStatement': line(out, d, s.value ? `Return ${expr(s.value)}` : 'Return'); return;
    case 'ExitStatement': line(out, d, 'Exit'); return;
    case 'BreakStatement': line(out, d, 'Break'); return;
    case 'ContinueStatement': line(out, d, 'Continue'); return;
    case 'SwitchStatement':
      line(out, d, `Switch ${expr(s.expression)}`);
      for (const c of s.cases) {
        line(out, d + 1, `Case ${expr(c.label)}${c.body ? '' : ' (fall through)'}`);
        if (c.body) statements(out, d + 2, c.body.statements);
      }
      return;
    case 'ForStatement':
      line(out, d, `${anns(s.annotations)}For`);
      line(out, d + 1, 'Init');
      statements(out, d + 2, s.init);
      line(out, d + 1, `Condition ${expr(s.condition)}`);
      line(out, d + 1, 'Update');
      statements(out, d + 2, s.update);
      line(out, d + 1, 'Body');
      statement(out, d + 2, s.body);
      return;
    case 'ForInStatement':
      line(out, d, `${anns(s.annotations)}ForIn ${anns(s.varAnnotations)}${type(s.type)} ${s.name.name} in ${expr(s.collection)}`);
      statement(out, d + 1, s.body);
      return;
    case 'VariableDeclaration':
    case 'ConstantDeclaration':
    case 'InstantiationDeclaration':
      declaration(out, d, s);
      return;
    case 'ErrorStatement':
      line(out, d, '<error>');
      return;
  }
}
