// Tests of the lexer: keywords, identifiers, integer literal forms, strings, operators,
// adjacency flags for `>`, comments, and lexical errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Diagnostics } from '../source/diagnostics.js';
import { decodeInteger, lex } from './lexer.js';
import type { IntegerValue } from './tokens.js';
import { T, TokenFlag, describeKind } from './tokens.js';

function kinds(text: string): number[] {
  const d = new Diagnostics();
  const t = lex(text, d);
  return Array.from(t.kinds.subarray(0, t.count));
}

function texts(text: string): string[] {
  const t = lex(text, new Diagnostics());
  const out: string[] = [];
  for (let i = 0; i < t.count - 1; i++) out.push(t.textOf(i));
  return out;
}

function codes(d: Diagnostics): string[] {
  return d.items.map((x) => x.code);
}

test('keywords, contextual keywords, identifiers and _', () => {
  assert.deepEqual(kinds('control apply table key actions header_union value_set verify _ _x x1'), [
    T.Control, T.Apply, T.Table, T.Key, T.Actions, T.HeaderUnion, T.ValueSet, T.Identifier, T.Underscore,
    T.Identifier, T.Identifier, T.EOF,
  ]);
  assert.deepEqual(kinds('bi/**/t'), [T.Identifier, T.Identifier, T.EOF]);
});

test('integer literals in every form', () => {
  const cases: [string, bigint, number | null, boolean][] = [
    ['42', 42n, null, false],
    ['0x2A', 42n, null, false],
    ['0X2a', 42n, null, false],
    ['0o52', 42n, null, false],
    ['0O52', 42n, null, false],
    ['0b101010', 42n, null, false],
    ['0B10_1010', 42n, null, false],
    ['0d42', 42n, null, false],
    ['0D4_2', 42n, null, false],
    ['1_000_000', 1000000n, null, false],
    ['32w255', 255n, 32, false],
    ['32w0d255', 255n, 32, false],
    ['32w0xFF', 255n, 32, false],
    ['32s0xFF', 255n, 32, true],
    ['8w0b10101010', 170n, 8, false],
    ['8w0b_1010_1010', 170n, 8, false],
    ['8s0b1010_1010', 170n, 8, true],
    ['16w0377', 377n, 16, false],
    ['16w0o377', 255n, 16, false],
    ['8s0x7f', 127n, 8, true],
    ['0', 0n, null, false],
    ['007', 7n, null, false],
    ['128w0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', (1n << 128n) - 1n, 128, false],
  ];
  for (const [text, value, width, signed] of cases) {
    const d = new Diagnostics();
    const t = lex(text, d);
    assert.equal(t.count, 2, text);
    assert.equal(t.kinds[0], T.Integer, text);
    assert.deepEqual(t.values.get(0), { value, width, signed }, text);
    assert.equal(d.items.length, 0, text);
  }
});

test('bad integer literals are reported as BadNumber', () => {
  for (const text of ['0x', '12ab', '8w', '0b102', '4s0xG', '1e5', '0o9']) {
    const d = new Diagnostics();
    const t = lex(text, d);
    assert.equal(t.kinds[0], T.Integer, text);
    assert.deepEqual(codes(d), ['P4E0104'], text);
  }
  assert.equal(typeof decodeInteger('8w_1'), 'string');
  assert.deepEqual(decodeInteger('4w0b_1'), { value: 1n, width: 4, signed: false } satisfies IntegerValue);
});

test('string literals keep their value and escapes', () => {
  const d = new Diagnostics();
  const t = lex('"a\\"b\\\\c\\nd" "multi\nline"', d);
  assert.equal(t.kinds[0], T.String);
  assert.equal(t.values.get(0), 'a"b\\c\nd');
  assert.equal(t.values.get(1), 'multi\nline');
  assert.equal(d.items.length, 0);
  const d2 = new Diagnostics();
  const t2 = lex('x = "never closed', d2);
  assert.deepEqual(codes(d2), ['P4E0103']);
  assert.equal(t2.kinds[t2.count - 1], T.EOF);
  // An unterminated literal ends at the end of its line, so the rest of the file still lexes.
  const d3 = new Diagnostics();
  const t3 = lex('f("open);\n}\n', d3);
  assert.deepEqual(codes(d3), ['P4E0103']);
  assert.deepEqual([t3.textOf(2), t3.values.get(2), t3.textOf(3)], ['"open);', 'open);', '}']);
  assert.equal(t3.flags[2] & TokenFlag.LexError, TokenFlag.LexError);
});

test('operators are lexed longest first, except > which is always alone', () => {
  assert.deepEqual(texts('a|+|b |-| c |+|= |-|= &&& && & || | ++ + += .. ... . {#} { # }'), [
    'a', '|+|', 'b', '|-|', 'c', '|+|=', '|-|=', '&&&', '&&', '&', '||', '|', '++', '+', '+=', '..', '...', '.',
    '{#}', '{', '}', // the lone # is an unexpected character
  ]);
  assert.deepEqual(texts('<<= << <= < >>= >> >= >'), ['<<=', '<<', '<=', '<', '>', '>', '=', '>', '>', '>', '=', '>']);
  assert.deepEqual(texts('x[a+:8]'), ['x', '[', 'a', '+', ':', '8', ']']);
  assert.deepEqual(kinds('== != ! ~ ^ ^= %= % /= *= -= &= |= @ ? : ; ,'), [
    T.Eq, T.Ne, T.Not, T.Tilde, T.Caret, T.CaretAssign, T.PercentAssign, T.Percent, T.SlashAssign, T.StarAssign,
    T.MinusAssign, T.AmpAssign, T.PipeAssign, T.At, T.Question, T.Colon, T.Semicolon, T.Comma, T.EOF,
  ]);
});

test('> carries an adjacency flag; comments break adjacency', () => {
  const t = lex('a >> b > > c >/**/>', new Diagnostics());
  const adj = (i: number): boolean => (t.flags[i] & TokenFlag.Adjacent) !== 0;
  assert.equal(t.kinds[1], T.Gt);
  assert.equal(adj(1), true);
  assert.equal(adj(2), false); // `>` then space then `b`
  assert.equal(adj(4), false); // `> >`
  assert.equal(t.kinds[7], T.Gt);
  assert.equal(adj(7), false); // `>/**/>`
});

test('newline flag marks the first token of each line', () => {
  const t = lex('a b\nc /* x\ny */ d', new Diagnostics());
  const nl = (i: number): boolean => (t.flags[i] & TokenFlag.NewlineBefore) !== 0;
  assert.deepEqual([nl(0), nl(1), nl(2), nl(3)], [true, false, true, true]);
});

test('comments, unterminated comments, stray characters and # lines', () => {
  assert.deepEqual(texts('a // line\nb /* block\n */ c'), ['a', 'b', 'c']);
  const d = new Diagnostics();
  lex('a /* never closed', d);
  assert.deepEqual(codes(d), ['P4E0102']);
  const d2 = new Diagnostics();
  const t2 = lex('a $$$ b ` c', d2);
  assert.deepEqual(codes(d2), ['P4E0101', 'P4E0101']);
  assert.deepEqual(d2.items[0].span, { start: 2, end: 5 });
  assert.equal(t2.count, 4);
  const d3 = new Diagnostics();
  const t3 = lex('a\n#define X 1 $ b\nc', d3);
  assert.deepEqual(codes(d3), ['P4E0101']);
  assert.deepEqual(texts('a\n#define X 1 $ b\nc'), ['a', 'c']);
  assert.equal(t3.count, 3);
});

test('spans are offsets into the text', () => {
  const t = lex('  header  h_t', new Diagnostics());
  assert.deepEqual([t.starts[0], t.ends[0], t.starts[1], t.ends[1]], [2, 8, 10, 13]);
  assert.equal(t.starts[2], 13);
});

test('describeKind names tokens for messages', () => {
  assert.equal(describeKind(T.Semicolon), "';'");
  assert.equal(describeKind(T.Table), "'table'");
  assert.equal(describeKind(T.Identifier), 'identifier');
  assert.equal(describeKind(T.EOF), 'end of file');
});

test('random bytes never throw and always end with EOF', () => {
  let seed = 12345;
  const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  for (let n = 0; n < 200; n++) {
    let s = '';
    const len = rnd() % 200;
    for (let i = 0; i < len; i++) s += String.fromCharCode(rnd() % 128);
    const t = lex(s, new Diagnostics());
    assert.equal(t.kinds[t.count - 1], T.EOF);
  }
});
