// Runs every STF fixture of testdata/stf/ that has a program of the same name (NAME.p4 beside
// NAME.stf) on the real switch; each must pass. The fixtures are regression tests for conformance
// fixes (docs/conformance.md): e.g. equality.stf (==/!= on varbits, headers, stacks) and
// unnamed-port.stf (with p4c's named-ports-only mode, ports the test does not name are not observed),
// entry-priority.stf, shared-extern.stf and lookahead-short.stf.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../switch.js';
import { runStfText } from './stf-runner.js';

const fixtures = fileURLToPath(new URL('../../../testdata/stf/', import.meta.url));
const names = readdirSync(fixtures).filter((f) => f.endsWith('.stf')).map((f) => f.slice(0, -4))
  .filter((n) => existsSync(join(fixtures, `${n}.p4`))).sort();

test('the regression fixtures are there', () => {
  for (const n of ['equality', 'unnamed-port', 'entry-priority', 'shared-extern', 'lookahead-short']) assert.ok(names.includes(n), n);
});

for (const name of names) {
  test(`testdata/stf/${name}.stf passes`, () => {
    const loaded = loadSwitch(join(fixtures, `${name}.p4`), { includeDirs: [], defines: new Map() });
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.diagnostics.join('\n'));
    // unnamed-port.stf documents p4c's driver behaviour, so it runs in that mode.
    const r = runStfText(loaded.sw, readFileSync(join(fixtures, `${name}.stf`), 'utf8'), { allPorts: name !== 'unnamed-port' });
    assert.deepEqual(r.failures, []);
  });
}

test('unnamed-port.p4 does send to port 2: with every port observed (the default) the test fails', () => {
  const loaded = loadSwitch(join(fixtures, 'unnamed-port.p4'), { includeDirs: [], defines: new Map() });
  assert.ok(loaded.ok);
  const r = runStfText(loaded.sw, 'packet 0 0102');
  assert.match(r.failures.join('\n'), /unexpected packet #1 on port 2/);
});
