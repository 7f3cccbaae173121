// The checker must never throw, whatever the tree: this runs it on partially broken trees (the
// parser's recovery placeholders after syntax errors, which the front end normally does not
// check) and on semantically broken programs made by seeded word-level mutations of testdata/p4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Diagnostics } from '../source/diagnostics.js';
import { preprocess } from '../syntax/preprocessor.js';
import { parse } from '../syntax/parser.js';
import { check } from './checker.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = join(root, 'testdata/p4');
const iterations = Number(process.env['P4TEE_CHECK_FUZZ'] ?? 300);

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const words = [
  'hdr', 'meta', 'x', '_', '1', '8w3', 'true', 'apply', 'next', 'last', 'size', 'isValid', 'accept', 'start',
  'exact', 'lpm', 'NoAction', 'bit<8>', 'int', 'bool', 'error', 'default', '{#}', 'void', 'T', 'main', 'this',
];

function mutate(text: string, next: () => number): string {
  const tokens = text.split(/(\s+)/);
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(next() * tokens.length);
    if (/^\s*$/.test(tokens[i])) continue;
    const r = next();
    if (r < 0.5 && /^[A-Za-z_]\w*$/.test(tokens[i])) tokens[i] = words[Math.floor(next() * words.length)];
    else if (r < 0.7) tokens[i] = '';
    else tokens[i] = tokens[Math.floor(next() * tokens.length)];
  }
  return tokens.join('');
}

function checkAnyway(file: string, text: string): void {
  const diags = new Diagnostics();
  const pre = preprocess(file, text, { includeDirs: [], defines: new Map() }, diags);
  const program = parse(pre.text, diags);
  check(program, new Diagnostics());
}

test('the checker survives mutated programs and recovery placeholders', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.p4')).sort();
  assert.ok(files.length > 0);
  const next = rng(7);
  for (let i = 0; i < iterations; i++) {
    const f = files[i % files.length];
    const text = readFileSync(join(dir, f), 'utf8');
    const m = mutate(text, next);
    try {
      checkAnyway(join(dir, f), m);
    } catch (err) {
      assert.fail(`checker threw on a mutant of ${f} (iteration ${i}): ${(err as Error).stack}\n--- mutant ---\n${m}`);
    }
  }
});
