// The benchmark's generated program must be a valid v1model program of the requested size,
// otherwise bench:frontend would time error reporting instead of a real check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateProgram } from './gen-program.js';
import { checkSource } from '../compiler/frontend.js';

test('the generated 5,000-line program checks clean', () => {
  const text = generateProgram(5000);
  const lines = text.split('\n').length;
  assert.ok(lines >= 4900 && lines <= 5100, `got ${lines} lines`);
  const r = checkSource('bench.p4', text, { includeDirs: [], defines: new Map() });
  const errors = r.diagnostics.items.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((e) => `${e.code} ${e.message}`), []);
});
