// Tests of the run directory: results.json round trip through readBenchResults, trials.csv rows, and
// clear errors for files that are not (or no longer) valid results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectEnvironment } from './environment.js';
import { mlrSearch } from './mlrsearch.js';
import { BenchTrialLog, benchSearch, buildBenchResults, checkBenchResults, readBenchResults, runDirectoryName, trialsCsv, writeRunDirectory, type BenchSetup, type ReadResult } from './results.js';
import { SimDevice } from './sim-device.js';
import { geometricRates, rateSweep } from './sweep.js';

function errorsOf(r: ReadResult): readonly string[] {
  return r.ok ? [] : r.errors;
}

const setup: BenchSetup = { program: 'examples/study-forward', driver: 'afxdp', burst: 64, packetBytes: 1500, tee: null, options: { quick: true } };

async function sampleResults() {
  const dev = new SimDevice({ capacityPps: 400e3, generatorCeilingPps: 2e6 });
  const log = new BenchTrialLog();
  const sweep = await rateSweep(dev.trial, { rates: geometricRates(100e3, 3e6, 5), durationS: 1 });
  for (const t of sweep.trials) log.add(t, 'sweep', { batches: 10, packets: 320, meanBatch: 32, rxNs: 1000, procNs: 2000, txNs: 3000, histogram: [0, 1, 2], sample: [[32, 100, 200, 300]] });
  const ids: number[] = [];
  const search = await mlrSearch(dev.trial, { minPps: 10e3, maxPps: 3e6, preset: 'quick' });
  for (const t of search.trials) ids.push(log.add(t, 'search').id);
  return buildBenchResults({ environment: collectEnvironment(), setup, trials: log.trials, search: benchSearch(search, ids, 'quick'), ceilings: [sweep.ceiling, search.ceiling] });
}

test('a run directory round-trips through readBenchResults', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-results-'));
  try {
    const r = await sampleResults();
    assert.equal(r.ceiling?.pps, 3e6); // the sweep and the search (which starts at the maximum) both hit it
    const paths = writeRunDirectory(join(dir, 'run'), r);
    const back = readBenchResults(join(dir, 'run'));
    assert.ok(back.ok, back.ok ? '' : back.errors.join('\n'));
    assert.equal(back.file, paths.json);
    assert.deepEqual(back.results, JSON.parse(JSON.stringify(r)));
    assert.deepEqual(back.results.trials.map((t) => t.id), r.trials.map((_, i) => i));
    assert.equal(back.results.search?.goals[0]?.name, 'NDR');
    const direct = readBenchResults(paths.json);
    assert.ok(direct.ok);

    const csv = readFileSync(paths.csv, 'utf8').trimEnd().split('\n');
    assert.equal(csv.length, r.trials.length + 1);
    const header = csv[0]!.split(',');
    for (const col of ['id', 'phase', 'offered_pps', 'loss_ratio', 'lat_p99_ns', 'lat_p9999_ns', 'valid', 'tel_mean_batch']) assert.ok(header.includes(col), col);
    const first = csv[1]!.split(',');
    assert.equal(first[header.indexOf('phase')], 'sweep');
    assert.equal(first[header.indexOf('tel_mean_batch')], '32');
    assert.equal(Number(first[header.indexOf('offered_pps')]), 100e3);
    const invalid = csv.find((row) => row.includes(',false,'));
    assert.ok(invalid !== undefined && invalid.includes(',generator sent 2000000 of 3000000 pps,'), 'invalid trials keep their reason');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the lowest ceiling is kept', () => {
  const r = buildBenchResults({ environment: collectEnvironment(), setup, trials: [], ceilings: [null, { pps: 3e6, note: 'a' }, undefined, { pps: 2e6, note: 'b' }] });
  assert.deepEqual(r.ceiling, { pps: 2e6, note: 'b' });
  assert.equal(buildBenchResults({ environment: collectEnvironment(), setup, trials: [] }).ceiling, null);
});

test('csv cells: null latencies are empty, quotes are doubled', () => {
  const log = new BenchTrialLog();
  const t = new SimDevice({ capacityPps: 1e3 }).run(2e3, 1);
  log.add({ ...t, invalidReason: 'say "no", twice' }, 'calibrate');
  const row = trialsCsv(log.trials).split('\n')[1]!;
  assert.ok(row.includes('"say ""no"", twice"'));
  assert.ok(row.includes(',,'), 'lossy trial: p9999 is null, written empty');
});

test('readBenchResults names the problems', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-results-'));
  try {
    const f = join(dir, 'results.json');
    assert.match(errorsOf(readBenchResults(join(dir, 'nope')))[0]!, /no such file/);
    assert.match(errorsOf(readBenchResults(dir))[0]!, /no results.json/);
    writeFileSync(f, '{ "kind": ');
    assert.match(errorsOf(readBenchResults(f))[0]!, /not valid JSON/);
    writeFileSync(f, JSON.stringify({ kind: 'other' }));
    assert.match(errorsOf(readBenchResults(f))[0]!, /not a p4tee bench results file/);
    writeFileSync(f, JSON.stringify({ kind: 'p4tee-bench', version: 2 }));
    assert.match(errorsOf(readBenchResults(f))[0]!, /reads version 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const env = collectEnvironment();
  const good = { kind: 'p4tee-bench', version: 1, environment: env, setup, trials: [], search: null, ceiling: null };
  assert.deepEqual(checkBenchResults(good), []);
  const errs = checkBenchResults({
    ...good,
    environment: { ...env, cores: 'two' },
    trials: [
      { id: 0, phase: 'warmup', offeredPps: 1, durationS: 1, sent: 1, received: 1, lost: 0, lossRatio: 0, valid: true },
      { id: 0, phase: 'sweep', offeredPps: '1', durationS: 1, sent: 1, received: 1, lost: 0, lossRatio: 0, valid: 'yes', telemetry: { batches: 1, packets: 1, meanBatch: 1, rxNs: 1, procNs: 1, txNs: 1, histogram: [1], sample: [[1, 2, 3]] } },
    ],
    search: { goals: [{ name: 'NDR', lossRatio: 0, lower: '5', upper: null }] },
    ceiling: { pps: 5 },
  });
  const expect = [
    'environment.cores: expected a number, got "two"',
    'trials[0].phase: expected "sweep", "search" or "calibrate", got "warmup"',
    'trials[1].id: id 0 is used twice',
    'trials[1].offeredPps: expected a number, got "1"',
    'trials[1].valid: expected true or false, got "yes"',
    'trials[1].telemetry.sample[0]: expected [n, rxNs, procNs, txNs], got an array',
    'search.goals[0].lower: expected a number or null, got "5"',
    'ceiling.note: expected a string, got nothing (missing)',
  ];
  assert.deepEqual(errs, expect);
});

test('run directory names sort by time and keep labels file-safe', () => {
  const d = new Date(2025, 2, 4, 5, 6, 7);
  assert.equal(runDirectoryName('bench-results', d), join('bench-results', '20250304-050607'));
  assert.equal(runDirectoryName('out', d, 'study forward/afxdp'), join('out', '20250304-050607-study_forward_afxdp'));
});
