// Bounded fuzz test: mutates the valid corpus (byte and token edits, from a seeded generator so a
// failure reproduces) and asserts that the front end never throws: every mutant ends in
// diagnostics or success. Iterations are bounded by count and by wall-clock time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource } from './frontend.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = join(root, 'testdata/p4');
const iterations = Number(process.env['P4TEE_FUZZ_ITERATIONS'] ?? 400);
const budgetMs = Number(process.env['P4TEE_FUZZ_MS'] ?? 60_000);
const seed0 = Number(process.env['P4TEE_FUZZ_SEED'] ?? 20261125);

/** xorshift32: small, deterministic, good enough to pick mutations. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

const fragments = [
  '{', '}', '(', ')', '<', '>', '>>', ';', ',', '.', ':', '=', '[', ']', '@', '#', '"', '/*', '*/', '//',
  'bit<8>', 'int', 'varbit<', 'header', 'struct', 'control', 'parser', 'state', 'transition', 'select',
  'table', 'key', 'actions', 'apply', 'if', 'else', 'switch', 'default', '_', '...', '{#}', '&&&', '..',
  '0x', '8w', '1s', '99999999999999999999999999', 'true', 'this', 'extern', 'abstract', 'return', 'exit',
  '#define X(a) a', '#if 1', '#endif', '#include <nope.p4>', 'error.', 'const', 'type', 'typedef', 'void',
];

function mutate(text: string, next: () => number): string {
  const edits = 1 + Math.floor(next() * 4);
  let s = text;
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (s.length + 1));
    const r = next();
    if (r < 0.3) {
      s = s.slice(0, at) + s.slice(Math.min(s.length, at + 1 + Math.floor(next() * 20)));
    } else if (r < 0.6) {
      s = s.slice(0, at) + fragments[Math.floor(next() * fragments.length)] + s.slice(at);
    } else if (r < 0.8) {
      const from = Math.floor(next() * s.length);
      s = s.slice(0, at) + s.slice(from, from + Math.floor(next() * 40)) + s.slice(at);
    } else if (r < 0.9) {
      s = s.slice(0, Math.floor(next() * s.length));
    } else {
      s = s.slice(0, at) + String.fromCharCode(Math.floor(next() * 128)) + s.slice(at);
    }
  }
  return s;
}

test('the front end never throws on mutated programs', () => {
  const corpus = readdirSync(dir).filter((f) => f.endsWith('.p4')).sort().map((f) => ({
    name: f,
    text: readFileSync(join(dir, f), 'utf8'),
  }));
  assert.ok(corpus.length > 0, 'the fuzz corpus (testdata/p4) is empty');
  const next = rng(seed0);
  const start = Date.now();
  let done = 0;
  for (let i = 0; i < iterations && Date.now() - start < budgetMs; i++) {
    const base = corpus[Math.floor(next() * corpus.length)]!;
    const mutant = mutate(base.text, next);
    try {
      checkSource(join(dir, base.name), mutant, { includeDirs: [], defines: new Map() });
    } catch (err) {
      assert.fail(`iteration ${i} (seed ${seed0}, from ${base.name}) threw: ${(err as Error).stack}\n--- mutant ---\n${mutant}`);
    }
    done++;
  }
  assert.ok(done > 0);
});
