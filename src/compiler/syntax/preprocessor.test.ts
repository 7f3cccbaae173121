// Tests of the preprocessor: macros, conditionals, includes, diagnostics and the source map
// back to original files. Files live in an in-memory table passed as `readFile`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinIncludeDir, evaluateExpression, preprocess } from './preprocessor.js';
import type { PreprocessOptions, PreprocessResult } from './preprocessor.js';
import { Diagnostics, formatDiagnostic } from '../source/diagnostics.js';
import { Code } from '../source/codes.js';

function run(
  text: string,
  files: Record<string, string> = {},
  extra: Partial<PreprocessOptions> = {},
): { r: PreprocessResult; diags: Diagnostics; lines: string[] } {
  const diags = new Diagnostics();
  const options: PreprocessOptions = {
    includeDirs: extra.includeDirs ?? [],
    defines: extra.defines ?? new Map(),
    readFile: extra.readFile ?? ((p: string) => (p in files ? files[p] : null)),
  };
  const r = preprocess('main.p4', text, options, diags);
  return { r, diags, lines: r.text.split('\n') };
}

function codes(d: Diagnostics): string[] {
  return d.items.map((x) => x.code);
}

/** Span of the n-th occurrence (0-based) of `needle` in the output text. */
function find(text: string, needle: string, nth = 0): { start: number; end: number } {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' not in output:\n${text}`);
  }
  return { start: at, end: at + needle.length };
}

test('object-like macros expand, and directive lines become empty lines', () => {
  const { r, diags, lines } = run('#define WIDTH 16\nbit<WIDTH> x;\n');
  assert.equal(diags.items.length, 0);
  assert.deepEqual(lines, ['', 'bit<16> x;']);
});

test('function-like macros with nested expansion and no self recursion', () => {
  const src = [
    '#define TWICE(x) ((x) + (x))',
    '#define ADD(a, b) (a + b)',
    '#define SELF SELF + 1',
    'const int v = TWICE(ADD(1, 2));',
    'const int w = SELF;',
    'const int z = ADD (TWICE(3), (4, 5));',
  ].join('\n');
  const { diags, lines } = run(src);
  assert.equal(diags.items.length, 0);
  assert.equal(lines[3], 'const int v = (((1 + 2)) + ((1 + 2)));');
  assert.equal(lines[4], 'const int w = SELF + 1;');
  assert.equal(lines[5], 'const int z = (((3) + (3)) + (4, 5));');
});

test('a function-like macro name without arguments is left alone', () => {
  const { lines } = run('#define F(x) x\nbit<8> F;\n');
  assert.equal(lines[1], 'bit<8> F;');
});

test('stringify and token pasting', () => {
  const { lines } = run('#define S(x) #x\n#define CAT(a, b) a ## b\nS(hello  world) CAT(foo, _bar) CAT(1, 2)\n');
  assert.equal(lines[2], '"hello world" foo_bar 12');
});

test('mutual recursion stops', () => {
  const { lines } = run('#define A B\n#define B A\nA B\n');
  assert.equal(lines[2], 'A B');
});

test('wrong number of macro arguments is reported', () => {
  const { diags } = run('#define F(a, b) a\nF(1)\n');
  assert.deepEqual(codes(diags), [Code.MacroArguments]);
});

test('macro arguments may span lines; output stays line-aligned', () => {
  const { diags, lines } = run('#define F(a, b) a + b\nx = F(1,\n  2);\ny;\n');
  assert.equal(diags.items.length, 0);
  assert.equal(lines.length, 4);
  assert.equal(lines[1], 'x = 1 + 2;');
  assert.equal(lines[2], '');
  assert.equal(lines[3], 'y;');
});

test('conditionals with C expressions', () => {
  const src = [
    '#define V 20200408',
    '#if V >= 20200408 && defined(V) && !defined NOPE',
    'new',
    '#else',
    'old',
    '#endif',
    '#if (1 ? 2 : 0) * 3 == 6 || UNKNOWN',
    'tern',
    '#elif 1',
    'no',
    '#endif',
    '#if UNKNOWN',
    'no',
    '#elif (1 << 4) - 1 == 0xf',
    'elif',
    '#else',
    'no',
    '#endif',
    '#ifdef V',
    '# ifndef V',
    'no',
    '# else',
    'nested',
    '# endif',
    '#endif',
  ].join('\n');
  const { diags, lines } = run(src);
  assert.equal(diags.items.length, 0);
  assert.deepEqual(
    lines.filter((l) => l !== ''),
    ['new', 'tern', 'elif', 'nested'],
  );
  assert.equal(lines.length, 25);
});

test('expression evaluator', () => {
  assert.equal(evaluateExpression('1 + 2 * 3'), 7n);
  assert.equal(evaluateExpression('(1 + 2) * 3'), 9n);
  assert.equal(evaluateExpression('-1 < 0'), 1n);
  assert.equal(evaluateExpression('010 + 0x10 + 10UL'), 34n);
  assert.equal(evaluateExpression('0 ? 1 : 2 ? 3 : 4'), 3n);
  assert.equal(evaluateExpression('~0 == -1'), 1n);
  assert.equal(evaluateExpression('7 % 4 + 7 / 2'), 6n);
  assert.equal(typeof evaluateExpression('1 / 0'), 'string');
  assert.equal(typeof evaluateExpression('1 +'), 'string');
  assert.equal(typeof evaluateExpression('(1'), 'string');
});

test('a bad #if expression is an error', () => {
  const { diags } = run('#if 1 +\nx\n#endif\n');
  assert.deepEqual(codes(diags), [Code.BadPreprocessorExpression]);
});

test('-D defines override and define', () => {
  const src = '#ifndef VER\n#define VER 1\n#endif\nv = VER; f = FLAG; g = G(3);\n';
  const { lines } = run(src, {}, { defines: new Map([['VER', '7'], ['FLAG', '1'], ['G(x)', 'x*2']]) });
  assert.equal(lines[3], 'v = 7; f = 1; g = 3*2;');
  assert.equal(run(src).lines[3], 'v = 1; f = FLAG; g = G(3);');
});

test('predefined macros', () => {
  const { lines } = run('a\n__P4TEE__ __LINE__ __FILE__\n');
  assert.equal(lines[1], '1 2 "main.p4"');
});

test('#undef', () => {
  const { lines } = run('#define X 1\nX\n#undef X\nX\n');
  assert.equal(lines[1], '1');
  assert.equal(lines[3], 'X');
});

test('strings and comments are untouched', () => {
  const src = [
    '#define X 42',
    '@name("X") /* X */ X // X',
    '/* #define X 0',
    '#error not here',
    'X */ X',
    'log_msg("#include <x> X");',
  ].join('\n');
  const { diags, lines } = run(src);
  assert.equal(diags.items.length, 0);
  assert.equal(lines[1], '@name("X") /* X */ 42 // X');
  assert.equal(lines[2], '/* #define X 0');
  assert.equal(lines[3], '#error not here');
  assert.equal(lines[4], 'X */ 42');
  assert.equal(lines[5], 'log_msg("#include <x> X");');
});

test('@pragma annotations are not directives', () => {
  const { diags, lines } = run('@pragma stage 1\ntable t {}\n#pragma once\n#pragma anything goes\n');
  assert.equal(diags.items.length, 0);
  assert.deepEqual(lines, ['@pragma stage 1', 'table t {}', '', '']);
});

test('continuation lines', () => {
  const { diags, lines } = run('#define LONG 1 + \\\n  2\nx = LONG;\nbit<\\\n8> y;\n');
  assert.equal(diags.items.length, 0);
  assert.equal(lines.length, 5);
  assert.equal(lines[2], 'x = 1 + 2;');
  assert.equal(lines[3], 'bit<8> y;');
  assert.equal(lines[4], '');
});

test('#error, #warning and unknown directives', () => {
  const { diags } = run('#error stop right here\n#warning careful\n#frobnicate\n#if 0\n#frobnicate\n#error skipped\n#endif\n');
  assert.deepEqual(codes(diags), [Code.ErrorDirective, Code.WarningDirective, Code.BadDirective]);
  assert.equal(diags.items[0].message, 'stop right here');
  assert.equal(diags.items[0].location?.line, 1);
  assert.equal(diags.items[2].location?.line, 3);
});

test('the #warning location prints through the map', () => {
  const { r, diags } = run('x;\n  #warning careful\n');
  const w = diags.items.find((d) => d.severity === 'warning');
  assert.ok(w);
  const text = formatDiagnostic(w, r.map, 'main.p4');
  assert.match(text, /^main\.p4\(2:3\): warning P4W0007: careful/);
});

test('unterminated and unmatched conditionals', () => {
  const a = run('#if 1\nx\n');
  assert.deepEqual(codes(a.diags), [Code.UnterminatedConditional]);
  assert.equal(a.diags.items[0].location?.line, 1);
  const b = run('#endif\n#else\n#elif 1\n');
  assert.deepEqual(codes(b.diags), [Code.UnmatchedConditional, Code.UnmatchedConditional, Code.UnmatchedConditional]);
  const c = run('#if 1\n#else\n#else\n#endif\n');
  assert.deepEqual(codes(c.diags), [Code.UnmatchedConditional]);
});

test('a conditional cannot be closed by an included file', () => {
  const { diags } = run('#if 1\n#include "close.p4"\n#endif\n', { 'close.p4': '#endif\n' });
  assert.deepEqual(codes(diags), [Code.UnmatchedConditional]);
  assert.equal(diags.items[0].location?.file, 'close.p4');
});

test('include search order: quotes look next to the including file first', () => {
  const files: Record<string, string> = {
    'lib/a.p4': '#include "b.p4"\n',
    'lib/b.p4': 'from_lib_dir\n',
    'inc1/b.p4': 'from_inc1\n',
    'inc1/c.p4': 'c_from_inc1\n',
    'inc2/c.p4': 'c_from_inc2\n',
    'inc2/d.p4': 'd_from_inc2\n',
    'b.p4': 'from_main_dir\n',
  };
  const { r, diags } = run('#include "lib/a.p4"\n#include <b.p4>\n#include <c.p4>\n#include "d.p4"\n', files, {
    includeDirs: ['inc1', 'inc2'],
  });
  assert.equal(diags.items.length, 0);
  const words = r.text.split('\n').filter((l) => l !== '');
  assert.deepEqual(words, ['from_lib_dir', 'from_inc1', 'c_from_inc1', 'd_from_inc2']);
  assert.deepEqual(r.files, ['main.p4', 'lib/a.p4', 'lib/b.p4', 'inc1/b.p4', 'inc1/c.p4', 'inc2/d.p4']);
});

test('include guards and #pragma once', () => {
  const files = {
    'g.p4': '#ifndef G_P4\n#define G_P4\nguarded\n#endif\n',
    'o.p4': '#pragma once\nonce\n',
  };
  const { r, diags } = run('#include "g.p4"\n#include "g.p4"\n#include "o.p4"\n#include "o.p4"\n', files);
  assert.equal(diags.items.length, 0);
  assert.equal(r.text.split('guarded').length, 2);
  assert.equal(r.text.split('once').length, 2);
});

test('a file including itself stops at the depth limit', () => {
  const { diags } = run('#include "main.p4"\n', { 'main.p4': '#include "main.p4"\nx\n' });
  assert.deepEqual(codes(diags), [Code.IncludeDepth]);
});

test('a missing include is reported at the #include line', () => {
  const { r, diags } = run('x;\n  #include "nope.p4"\n');
  assert.deepEqual(codes(diags), [Code.IncludeNotFound]);
  const loc = diags.items[0].location;
  assert.equal(loc?.file, 'main.p4');
  assert.equal(loc?.line, 2);
  assert.equal(loc?.column, 3);
  assert.match(formatDiagnostic(diags.items[0], r.map, 'main.p4'), /^main\.p4\(2:3\): error P4E0001: .*nope\.p4/);
});

test('source map: positions through includes', () => {
  const files = { 'hdr.p4': '// header\nheader h_t {\n    bit<8> f;\n}\n' };
  const { r } = run('#include "hdr.p4"\n\nstruct s {\n  h_t h;\n}\n', files);
  const f = r.map.locate(find(r.text, 'bit<8>'));
  assert.deepEqual(
    { file: f.file, line: f.line, column: f.column, endColumn: f.endColumn, lineText: f.lineText },
    { file: 'hdr.p4', line: 3, column: 5, endColumn: 10, lineText: '    bit<8> f;' },
  );
  const h = r.map.locate(find(r.text, 'h_t h'));
  assert.deepEqual([h.file, h.line, h.column, h.endColumn], ['main.p4', 4, 3, 7]);
  assert.equal(h.lineText, '  h_t h;');
});

test('source map: positions through macros', () => {
  const src = '#define W 16\n#define PAIR(a, b) a, b\nbit<W> x; tuple<PAIR(bit<8>, bit<W>)> t; bad\n';
  const { r } = run(src);
  // Text after the expansions keeps exact columns.
  const bad = r.map.locate(find(r.text, 'bad'));
  assert.deepEqual([bad.file, bad.line, bad.column, bad.endColumn], ['main.p4', 3, 42, 44]);
  // Text before is exact too.
  const x = r.map.locate(find(r.text, 'x;'));
  assert.deepEqual([x.line, x.column], [3, 8]);
  // Something inside an expansion maps to the macro use.
  const w = r.map.locate(find(r.text, '16'));
  assert.deepEqual([w.line, w.column, w.endColumn], [3, 5, 5]);
  const inner = r.map.locate(find(r.text, 'bit<8>'));
  assert.deepEqual([inner.line, inner.column, inner.endColumn], [3, 17, 36]);
});

test('source map: continuation and multi-line macro calls', () => {
  const { r } = run('#define F(a, b) a + b\nx = F(1,\n  2); tail\nbit<\\\n8> y;\n');
  const tail = r.map.locate(find(r.text, 'tail'));
  assert.deepEqual([tail.line, tail.column], [3, 7]);
  const y = r.map.locate(find(r.text, 'y;'));
  assert.deepEqual([y.line, y.column], [5, 4]);
  assert.equal(y.lineText, '8> y;');
});

test('source map: #line renames and renumbers', () => {
  const { r, diags } = run('a\n#line 100 "gen.p4"\nb\nc\n#error here\n');
  assert.equal(r.map.locate(find(r.text, 'c')).line, 101);
  assert.equal(r.map.locate(find(r.text, 'c')).file, 'gen.p4');
  assert.equal(r.map.locate(find(r.text, 'a')).file, 'main.p4');
  assert.equal(diags.items[0].location?.line, 102);
  assert.equal(diags.items[0].location?.file, 'gen.p4');
});

test('an unterminated comment in an included file does not swallow the includer', () => {
  const { r, diags } = run('#include "bad.p4"\nafter\n', { 'bad.p4': 'x /* open\n' });
  assert.deepEqual(codes(diags), [Code.UnterminatedComment]);
  assert.match(r.text, /\*\/\n*after/);
});

test('built-in v1model.p4 preprocesses cleanly with both versions', () => {
  assert.ok(existsSync(join(builtinIncludeDir, 'core.p4')), 'run scripts/copy-assets.js first');
  const readFile = (p: string): string | null => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return null;
    }
  };
  const old = run('#include <core.p4>\n#include <v1model.p4>\n', {}, { readFile });
  assert.equal(old.diags.items.length, 0);
  assert.equal(old.r.text.split('extern packet_in').length, 2, 'core.p4 once');
  assert.match(old.r.text, /extern register<T> \{/);
  assert.match(old.r.text, /const bit<32> __v1model_version = 20180101;/);
  assert.doesNotMatch(old.r.text, /PortId_t/);
  const neu = run('#include <v1model.p4>\n', {}, { readFile, defines: new Map([['V1MODEL_VERSION', '20200408']]) });
  assert.equal(neu.diags.items.length, 0);
  assert.match(neu.r.text, /extern register<T, I> \{/);
  assert.match(neu.r.text, /extern counter<I> \{/);
  assert.match(neu.r.text, /typedef bit<9> PortId_t;/);
  const at = neu.r.map.locate(find(neu.r.text, 'package V1Switch'));
  assert.match(at.file, /v1model\.p4$/);
  assert.equal(at.lineText, 'package V1Switch<H, M>(Parser<H, M> p,');
});

test('a 5,000-line program preprocesses without losing lines', () => {
  const chunk = [
    '#define PORT_W 9',
    'header h_t { bit<PORT_W> port; bit<16> t; } // comment',
    '/* block',
    '   comment */',
    'action a(bit<32> x) { meta.v = x + 1; log_msg("v={}", {x}); }',
  ];
  const lines: string[] = [];
  while (lines.length < 5000) lines.push(...chunk);
  const text = lines.join('\n');
  // Speed is measured by `npm run bench:frontend`; here only that a large input keeps its lines.
  const { diags, r } = run(text);
  assert.equal(diags.items.length, 0);
  assert.equal(r.text.split('\n').length, 5000);
});

test('variadic macros, computed includes, line markers, comments inside directives', () => {
  const files = { 'x.p4': 'from_x\n' };
  const src = [
    '#define LOG(fmt, ...) log_msg(fmt, {__VA_ARGS__})',
    'LOG("a={} b={}", a, b);',
    '#define HDR "x.p4"',
    '#include HDR',
    '#define N 5 /* a comment that',
    '   goes on */',
    'N',
    '# 40 "orig.p4"',
    'here',
  ].join('\n');
  const { r, diags, lines } = run(src, files);
  assert.equal(diags.items.length, 0);
  assert.equal(lines[1], 'log_msg("a={} b={}", {a, b});');
  assert.ok(lines.includes('from_x'));
  assert.ok(lines.includes('5'));
  const here = r.map.locate(find(r.text, 'here'));
  assert.deepEqual([here.file, here.line], ['orig.p4', 40]);
});
