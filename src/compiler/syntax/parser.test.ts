// Tests of the parser: text fixtures in testdata/parser/*.txt (source, `---`, expected AST dump;
// rewrite with UPDATE_GOLDEN=1), precedence, the `>>` ambiguity, spans, error recovery with
// correct offsets, reserved words, and no throw on random garbage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Diagnostics } from '../source/diagnostics.js';
import type * as ast from './ast.js';
import { parse, parseExpressionText } from './parser.js';
import { dumpAst, printExpression } from './printer.js';

const fixtureDir = fileURLToPath(new URL('../../../testdata/parser/', import.meta.url));

interface Case { name: string; source: string; expected: string }

function readCases(text: string): { header: string; cases: Case[] } {
  const parts = text.split(/^=== /m);
  const header = parts[0];
  const cases: Case[] = [];
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const name = part.slice(0, nl).trim();
    const body = part.slice(nl + 1);
    const sep = body.search(/^---$/m);
    const source = sep < 0 ? body : body.slice(0, sep);
    const expected = sep < 0 ? '' : body.slice(sep + 4);
    cases.push({ name, source, expected: expected.trimEnd() });
  }
  return { header, cases };
}

/** The dump without the `Program` line and its indentation, plus any diagnostics as `!! CODE start-end message`. */
function render(source: string): string {
  const d = new Diagnostics();
  const prog = parse(source, d);
  const lines = dumpAst(prog).trimEnd().split('\n').slice(1).map((l) => l.slice(2));
  for (const x of d.items) lines.push(`!! ${x.code} ${x.span?.start}-${x.span?.end} ${x.message}`);
  return lines.join('\n');
}

for (const file of readdirSync(fixtureDir).filter((f) => f.endsWith('.txt')).sort()) {
  const path = join(fixtureDir, file);
  const { header, cases } = readCases(readFileSync(path, 'utf8'));
  if (process.env.UPDATE_GOLDEN === '1') {
    let out = header;
    for (const c of cases) out += `=== ${c.name}\n${c.source}---\n${render(c.source)}\n\n`;
    writeFileSync(path, out.trimEnd() + '\n');
    continue;
  }
  for (const c of cases) {
    test(`${file}: ${c.name}`, () => {
      assert.equal(render(c.source), c.expected);
    });
  }
}

function expr(text: string, types: string[] = []): string {
  const d = new Diagnostics();
  const e = parseExpressionText(text, d, types);
  assert.deepEqual(d.items.map((x) => x.message), [], text);
  return printExpression(e);
}

test('precedence follows grammar.adoc: & ^ | bind tighter than comparisons', () => {
  assert.equal(expr('a & b == c'), '((a & b) == c)');
  assert.equal(expr('a | b ^ c & d'), '(a | (b ^ (c & d)))');
  assert.equal(expr('a == b < c'), '(a == (b < c))');
  assert.equal(expr('a || b && c'), '(a || (b && c))');
  assert.equal(expr('a + b * c'), '(a + (b * c))');
  assert.equal(expr('a ++ b + c'), '((a ++ b) + c)');
  assert.equal(expr('a + b ++ c'), '((a + b) ++ c)');
  assert.equal(expr('a << 1 + 2'), '(a << (1 + 2))');
  assert.equal(expr('a |+| b * c |-| d'), '((a |+| (b * c)) |-| d)');
  assert.equal(expr('a - b - c'), '((a - b) - c)');
  assert.equal(expr('-a.b[1]'), '(-a.b[1])');
  assert.equal(expr('!a && b'), '((!a) && b)');
  assert.equal(expr('a ? b : c'), '(a ? b : c)');
  assert.equal(expr('a || b ? c + 1 : d'), '((a || b) ? (c + 1) : d)');
  assert.equal(expr('a ? b ? c : d : e'), '(a ? (b ? c : d) : e)');
  assert.equal(expr('(bit<8>) a + b'), '(((bit<8>) a) + b)');
  assert.equal(expr('(a) + b'), '(a + b)');
  assert.equal(expr('(T) a', ['T']), '((T) a)');
  assert.equal(expr('(T.A)', ['T']), 'T::A');
  assert.equal(expr('a >= b'), '(a >= b)');
  assert.equal(expr('a <= b'), '(a <= b)');
});

test('>> is a shift only when the two > are adjacent', () => {
  assert.equal(expr('y >> 2'), '(y >> 2)');
  assert.equal(expr('y>>2'), '(y >> 2)');
  const d = new Diagnostics();
  parseExpressionText('y > > 2', d);
  assert.equal(d.items.length, 1);
  assert.equal(expr('f<bit<8>>(x)'), 'f<bit<8>>(x)');
  assert.equal(expr('a.b<T<bit<8>>>(x, y)'), 'a.b<T<bit<8>>>(x, y)');
  assert.equal(expr('a < b && c > d'), '((a < b) && (c > d))');
  assert.equal(expr('R<bit<8>>(4)', ['R']), 'new R<bit<8>>(4)');
  assert.equal(expr('x >> y >> 1'), '((x >> y) >> 1)');
  const src = 'control C<T>(inout T t) { apply { bit<8> x = y >> 2; x >>= 1; x = x>=y ? 1 : 0; R<bit<8>> r; f<bit<8>>(x); } }';
  assert.equal(render(src), [
    'Control C<T>(inout T t)',
    '  Apply',
    '    Var bit<8> x = (y >> 2)',
    '    Assign x >>= 1',
    '    Assign x = ((x >= y) ? 1 : 0)',
    '    Var R<bit<8>> r',
    '    Call f<bit<8>>(x)',
  ].join('\n'));
});

test('spans cover whole nodes, including parentheses and semicolons', () => {
  const src = 'const bit<8> X = (a + b) * c;';
  const prog = parse(src, new Diagnostics());
  const c = prog.declarations[0] as ast.ConstantDeclaration;
  assert.deepEqual(c.span, { start: 0, end: src.length });
  assert.equal(src.slice(c.type.span.start, c.type.span.end), 'bit<8>');
  assert.equal(src.slice(c.name.span.start, c.name.span.end), 'X');
  assert.equal(src.slice(c.value.span.start, c.value.span.end), '(a + b) * c');
  const left = (c.value as ast.BinaryExpression).left;
  assert.equal(src.slice(left.span.start, left.span.end), 'a + b');
  const src2 = 'action a() { h.x[7:0] = f(1, k = 2); }';
  const a = parse(src2, new Diagnostics()).declarations[0] as ast.ActionDeclaration;
  const s = a.body.statements[0] as ast.AssignmentStatement;
  assert.equal(src2.slice(s.span.start, s.span.end), 'h.x[7:0] = f(1, k = 2);');
  assert.equal(src2.slice(s.target.span.start, s.target.span.end), 'h.x[7:0]');
  const call = s.value as ast.CallExpression;
  assert.equal(src2.slice(call.args[1].span.start, call.args[1].span.end), 'k = 2');
  assert.equal(src2.slice(a.body.span.start, a.body.span.end), '{ h.x[7:0] = f(1, k = 2); }');
});

function diagnostics(src: string): { code: string; text: string; message: string }[] {
  const d = new Diagnostics();
  parse(src, d);
  return d.items.map((x) => ({ code: x.code, text: src.slice(x.span?.start ?? 0, x.span?.end ?? 0), message: x.message }));
}

test('two separate syntax errors in one file are both reported at the right tokens', () => {
  const src = [
    'header h_t { bit<8> a; bit<8> b }',
    'control C(inout h_t h) {',
    '  action a() { h.a = h.b + ; }',
    '  apply { h.a = 1 h.b = 2; }',
    '}',
    'const bit<8> OK = 1;',
  ].join('\n');
  const ds = diagnostics(src);
  assert.deepEqual(ds.map((x) => [x.code, x.text]), [
    ['P4E0106', '}'],
    ['P4E0105', ';'],
    ['P4E0106', 'h'],
  ]);
  assert.equal(ds[0].message, "expected ';' but found '}'");
  assert.equal(ds[1].message, "expected an expression but found ';'");
  assert.equal(ds[2].message, "expected ';' but found 'h'");
  // The declaration after the errors is still parsed.
  const prog = parse(src, new Diagnostics());
  assert.deepEqual(prog.declarations.map((x) => x.kind), ['HeaderDeclaration', 'ControlDeclaration', 'ConstantDeclaration']);
});

test('recovery resynchronises at the next declaration without a cascade', () => {
  const src = [
    'struct s { bit<8> a; }',
    'extern E { void f(in bit<8> x; }',
    'header h { bit<8> x; }',
    'control C() { apply { if (x { y = 1; } z = 2; } }',
    'parser P() { state start { transition select(x) { 1 : a; 2 b; default: accept; } } }',
    'typedef bit<8> T;',
  ].join('\n');
  const ds = diagnostics(src);
  assert.deepEqual(ds.map((x) => [x.code, x.text]), [
    ['P4E0106', ';'],
    ['P4E0106', '{'],
    ['P4E0106', 'b'],
  ]);
  const prog = parse(src, new Diagnostics());
  assert.deepEqual(prog.declarations.map((x) => x.kind), [
    'StructDeclaration', 'ExternDeclaration', 'HeaderDeclaration', 'ControlDeclaration', 'ParserDeclaration', 'TypedefDeclaration',
  ]);
});

test('a lost opening brace is reported once, not once per following line', () => {
  const src = 'struct s\n  bit<8> a;\n  bit<8> b;\n  bit<8> c;\n}\nheader h { bit<8> x; }\nconst bit<8> k = ;';
  const ds = diagnostics(src);
  assert.deepEqual(ds.map((x) => [x.code, x.text]), [['P4E0106', 'bit'], ['P4E0105', ';']]);
  assert.equal(ds[0].message, "expected '{' but found 'bit'");
});

test('a missing closing brace is reported at the next declaration, which still parses', () => {
  const src = 'control C() { apply { x = 1; }\ncontrol D() { apply { } }\nextern E { void f();\nheader H { bit<8> a; }';
  const ds = diagnostics(src);
  assert.deepEqual(ds.map((x) => [x.code, x.text]), [['P4E0106', 'control'], ['P4E0106', 'header']]);
  assert.equal(ds[0].message, "expected '}' but found 'control'");
  const prog = parse(src, new Diagnostics());
  assert.deepEqual(prog.declarations.map((x) => x.kind), ['ControlDeclaration', 'ControlDeclaration', 'ExternDeclaration', 'HeaderDeclaration']);
});

test('a missing semicolon at the end of a line does not swallow the next statement', () => {
  const src = 'action a() {\n  x = 1\n  y = 2;\n}';
  const d = new Diagnostics();
  const prog = parse(src, d);
  assert.deepEqual(d.items.map((x) => [x.code, src.slice(x.span?.start, x.span?.end)]), [['P4E0106', 'y']]);
  assert.equal((prog.declarations[0] as ast.ActionDeclaration).body.statements.length, 2);
});

test('a lexical error is not repeated as a syntax error', () => {
  assert.deepEqual(diagnostics('control C() { apply {\n  log("no closing quote);\n} }').map((x) => x.code), ['P4E0103']);
  assert.deepEqual(diagnostics('const bit<8> x = $;\nconst bit<8> y = 1;').map((x) => x.code), ['P4E0101']);
});

test('reserved words used as names are reported as ReservedWord', () => {
  const ds = diagnostics('control C() { apply { bit<8> table = 1; bit<8> x = table; } }');
  assert.deepEqual(ds.map((x) => [x.code, x.text]), [['P4E0108', 'table'], ['P4E0108', 'table']]);
  assert.deepEqual(diagnostics('header h { bit<8> if; }').map((x) => x.code), ['P4E0108']);
  // contextual keywords are names
  assert.deepEqual(diagnostics('header h { bit<8> key; bit<8> type; bit<8> state; bit<8> priority; bit<8> entries; }'), []);
});

test('unexpected tokens at the top level and a stray } are reported once each', () => {
  const ds = diagnostics('header h { } } 42 ; const bit<8> x = 1;');
  assert.deepEqual(ds.map((x) => [x.code, x.text]), [['P4E0105', '}'], ['P4E0105', '42']]);
});

test('deep nesting is reported, not a stack overflow', () => {
  const src = 'const bit<8> x = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ';';
  const ds = diagnostics(src);
  assert.equal(ds.length, 1);
  assert.equal(ds[0].message, 'nesting is too deep');
  const ds2 = diagnostics('const bit<8> x = ' + '-'.repeat(5000) + '1;');
  assert.equal(ds2.length, 1);
});

test('random garbage never throws and terminates', () => {
  let seed = 987654321;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const pieces = [
    'control', 'parser', 'state', 'table', 'key', 'actions', '=', '{', '}', '(', ')', '<', '>', '>>', ';', ',', ':', '.',
    'x', 'T', 'bit<8>', 'apply', 'transition', 'select', 'if', 'else', '@a', '@pragma', '\n', '1', '"s"', '&&&', '..',
    'header', 'struct', 'extern', 'typedef', 'enum', 'const', '_', 'default', 'action', '+:', '[', ']', '?', '#',
  ];
  for (let n = 0; n < 300; n++) {
    let s = '';
    const len = rnd() % 120;
    for (let i = 0; i < len; i++) s += (rnd() % 4 === 0 ? String.fromCharCode(rnd() % 128) : pieces[rnd() % pieces.length]) + ' ';
    const d = new Diagnostics();
    const prog = parse(s, d);
    assert.equal(prog.kind, 'Program');
    dumpAst(prog);
  }
});
