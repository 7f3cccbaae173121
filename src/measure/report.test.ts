// Tests of `p4tee report`: the report of synthetic runs is written with its figures and tables, and
// (where Debian's chromium is installed, as in CI) it opens in a real headless browser whose
// screenshot is not blank and whose DOM holds the rendered SVG marks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';
import { predictedRmax, type ModelParams } from './model.js';
import { syntheticRun } from './synthetic-run.js';
import { writeReport } from './report.js';

const a: ModelParams = { aRx: 800, bRx: 300, aP: 200, bP: 60, aTx: 600, bTx: 250, nMax: 32 };
const b: ModelParams = { aRx: 1600, bRx: 700, aP: 200, bP: 400, aTx: 1200, bTx: 600, nMax: 32 };

function makeRuns(dir: string): void {
  for (const [name, p, tee] of [['baseline', a, null], ['extern-sync', b, { mode: 'extern', backend: 'process', transition: 'sync' }]] as const) {
    mkdirSync(join(dir, name), { recursive: true });
    const run = syntheticRun(p, predictedRmax(p) * 0.98, 5, { driver: 'shm', burst: 32, packetBytes: 1500, tee });
    writeFileSync(join(dir, name, 'results.json'), JSON.stringify(run));
  }
}

test('writeReport writes HTML with four SVG figures and the parameter tables', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-report-'));
  try {
    makeRuns(dir);
    const r = await writeReport(dir);
    assert.ok(!('error' in r), JSON.stringify(r));
    assert.equal(r.setups, 2);
    assert.equal(r.figures.length, 4);
    const html = readFileSync(r.html, 'utf8');
    assert.equal((html.match(/<svg/g) ?? []).length, 4);
    assert.match(html, /shm extern:process:sync 1500B burst 32/);
    for (const f of r.figures) assert.match(readFileSync(f, 'utf8'), /^<svg[^>]*>[\s\S]*<path|<rect/);
    const md = readFileSync(r.markdown, 'utf8').trim().split('\n');
    // Header, rule, two rows, a blank line, the model check.
    assert.equal(md.length, 6);
    assert.match(md[5]!, /model check: r'_max within 10% of the measured r_max for 2 of 2 setup/);
    assert.match(html, /<p id="model-check">model check: /);
    assert.equal(readFileSync(r.csv, 'utf8').trim().split('\n').length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('p4tee report refuses a directory without results', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-report-'));
  try {
    const bin = fileURLToPath(new URL('../../bin/p4tee.js', import.meta.url));
    const r = spawnSync(process.execPath, [bin, 'report', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no results\.json found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--hide-scrollbars'];

test('the report renders in headless chromium: DOM has the figures, the screenshot is not blank', { skip: CHROMIUM === undefined ? 'chromium is not installed (apt-get install chromium; .ci/run installs it)' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-report-'));
  try {
    makeRuns(dir);
    const r = await writeReport(dir);
    assert.ok(!('error' in r));
    const url = `file://${r.html}`;
    const profile = join(dir, 'profile');
    const dom = spawnSync(CHROMIUM!, [...chromiumArgs, `--user-data-dir=${profile}`, '--dump-dom', url], { encoding: 'utf8', timeout: 60000 });
    assert.equal(dom.status, 0, dom.stderr);
    assert.equal((dom.stdout.match(/<svg/g) ?? []).length, 4);
    const shot = join(dir, 'shot.png');
    const s = spawnSync(CHROMIUM!, [...chromiumArgs, `--user-data-dir=${profile}`, `--screenshot=${shot}`, '--window-size=1100,1400', url], { encoding: 'utf8', timeout: 60000 });
    assert.equal(s.status, 0, s.stderr);
    const png = PNG.sync.read(readFileSync(shot));
    let ink = 0;
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4) {
      const rgb = (png.data[i]! << 16) | (png.data[i + 1]! << 8) | png.data[i + 2]!;
      if (rgb !== 0xffffff) ink++;
      if (colours.size < 64) colours.add(rgb >> 4);
    }
    // Text alone is grey/black; the bars and lines of the figures bring colours.
    assert.ok(ink > png.width * png.height * 0.01, `only ${ink} non-white pixels`);
    assert.ok(colours.size > 8, `only ${colours.size} colours: figures did not render`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
