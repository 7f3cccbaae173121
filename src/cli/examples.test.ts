// Every example's STF test must pass: each example folder holds NAME.p4 and NAME.stf, and the
// test runs them exactly as `p4tee stf examples/NAME/NAME.stf` does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../runtime/switch.js';
import { runOneStf } from './stf.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const examples = join(root, 'examples');

const folders = readdirSync(examples, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

test('there are examples to test', () => {
  assert.ok(folders.length >= 6, `found ${folders.length} example folders`);
});

for (const name of folders) {
  const stf = join(examples, name, `${name}.stf`);
  test(`example ${name}: its STF test passes`, () => {
    assert.ok(existsSync(stf), `examples/${name} has no ${name}.stf`);
    const r = runOneStf(stf, undefined, { includeDirs: [], defines: new Map() }, {}, loadSwitch);
    assert.equal(r.internalError, undefined, r.internalError);
    assert.ok(r.ok, r.failures.join('\n'));
  });
}
