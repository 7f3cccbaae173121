// Back-end tests: every testdata/p4 program compiles without an internal error (programs outside
// the back end's subset may be refused with P4E08xx only), the generated code loads, and golden
// IR / JS files for small programs match (rewrite them with UPDATE_GOLDEN=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileFile } from './compile.js';
import { printIr } from './ir/printer.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = `${root}testdata/p4/`;
const fe = { includeDirs: [`${dir}include`], defines: new Map<string, string>() };

test('every testdata/p4 program compiles without an internal error', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.p4'));
  assert.ok(files.length > 10);
  let compiled = 0;
  for (const f of files) {
    const r = compileFile(dir + f, fe, { trace: true });
    if (r.ok) {
      compiled++;
      // The generated text must at least be valid JavaScript.
      assert.doesNotThrow(() => new Function('T', 'X', 'H', 'E', r.compiled.js), f);
      assert.doesNotThrow(() => new Function('T', 'X', 'H', 'E', r.compiled.tracedJs ?? ''), f);
      assert.ok(!/E\.trace/.test(r.compiled.js), `${f}: untraced code must not trace`);
      continue;
    }
    assert.ok(!r.internal, `${f}: ${r.diagnostics.join('\n')}`);
    const errors = r.diagnostics.filter((d) => / error /.test(d));
    assert.ok(errors.length > 0 && errors.every((d) => /P4E08\d\d/.test(d)), `${f}: ${r.diagnostics.join('\n')}`);
  }
  // Only custom-architecture.p4 is not a v1model program; every other one must compile.
  assert.equal(compiled, files.length - 1, `only ${compiled} of ${files.length} compiled`);
});

for (const name of ['minimal', 'study-forward', 'ipv4-router']) {
  test(`golden IR and JS: ${name}`, () => {
    const r = compileFile(`${dir}${name}.p4`, fe);
    if (!r.ok) assert.fail(r.diagnostics.join('\n'));
    const outputs: [string, string][] = [[`${name}.ir`, printIr(r.compiled.ir)], [`${name}.js`, r.compiled.js]];
    const gdir = `${root}testdata/golden/`;
    for (const [file, text] of outputs) {
      if (process.env.UPDATE_GOLDEN === '1') {
        mkdirSync(gdir, { recursive: true });
        writeFileSync(gdir + file, text);
        continue;
      }
      let expected: string;
      try {
        expected = readFileSync(gdir + file, 'utf8');
      } catch {
        assert.fail(`missing golden file testdata/golden/${file} (run with UPDATE_GOLDEN=1)`);
      }
      assert.equal(text, expected, `testdata/golden/${file} differs (run with UPDATE_GOLDEN=1 after checking)`);
    }
  });
}

test('unsupported architecture is a diagnostic, not a crash', () => {
  const r = compileFile(`${dir}custom-architecture.p4`, fe);
  assert.equal(r.ok, false);
  if (!r.ok) assert.ok(r.diagnostics.some((d) => d.includes('P4E0802')));
});
