// Tests of the bench runner: the pure pieces (stat diffs, batch sampling, trial-window telemetry, the
// shm back-pressure rule, r_max summaries) and, end to end over the shm driver at tiny scale, the
// shape of results.json (trials, telemetry samples, complete: true) and the cleanup (no process, no
// shm region, no control socket left). No timing assertions: trials may come out invalid here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffStats, generatorDriverFor, runBench, sampleBatches, shmOverload, summarizeRmax, sumField, teeRecord, windowTelemetry, type BenchSetup } from './bench-runner.js';
import { calibrate } from './calibrate.js';
import { readBenchResults, type BenchTrial } from './results.js';
import { nativeStatus } from '../runtime/io/native.js';
import { REPO_ROOT } from './switch-proc.js';
import type { TrialResult } from './trial.js';

const trialBase: TrialResult = {
  offeredPps: 1000, durationS: 1, pattern: 'cbr', packetBytes: 1500, intended: 1000, sent: 1000, achievedPps: 1000, lateSends: 0, backpressure: 0,
  received: 1000, receivedPps: 1000, lost: 0, lossRatio: 0, reordered: 0, duplicates: 0, foreign: 0,
  latencyNs: { p50: 1, p99: 2, p999: 3, p9999: 4, max: 5, mean: 1 }, latencyReceivedNs: { p50: 1, p99: 2, p999: 3, p9999: 4, max: 5, mean: 1 },
  valid: true, invalidReason: null, startNs: 0, endNs: 1, runId: 1, rxPorts: 1,
};

test('diffStats subtracts numbers recursively and keeps the rest', () => {
  assert.deepEqual(diffStats({ a: 5, g: { crossings: 10, backend: 'process' } }, { a: 7, g: { crossings: 25, backend: 'process' }, n: 3 }), { a: 2, g: { crossings: 15, backend: 'process' }, n: 3 });
  // Gauges stay; ratios of cumulative counters (means of the whole run) are left out of a window.
  const before = { crossings: 100, packetsIn: 3000, crossingNs: 1_000_000, meanCrossingNs: 10_000, meanBatch: 30, crossingsPerHandoff: 2, incarnation: 1, spinBudgetUs: 50, depth: 4 };
  const after = { crossings: 300, packetsIn: 8000, crossingNs: 3_400_000, meanCrossingNs: 11_333, meanBatch: 26.67, crossingsPerHandoff: 2.5, incarnation: 1, spinBudgetUs: 25, depth: 4 };
  assert.deepEqual(diffStats(before, after), { crossings: 200, packetsIn: 5000, crossingNs: 2_400_000, incarnation: 1, spinBudgetUs: 25, depth: 4 });
  assert.equal(sumField({ x: { crossings: 2 }, y: [{ crossings: 3 }], crossings: 1 }, 'crossings'), 6);
});

test('sampleBatches keeps at most 4096 batches spread over the window', () => {
  const b = Array.from({ length: 10000 }, (_, i) => ({ n: i, rxNs: 1, procNs: 2, txNs: 3 }));
  const s = sampleBatches(b);
  assert.equal(s.length, 4096);
  assert.deepEqual(s[0], [0, 1, 2, 3]);
  assert.ok(s[4095]![0] > 9990, 'the last sample comes from the end of the window');
  assert.equal(sampleBatches(b.slice(0, 10)).length, 10);
});

test('windowTelemetry takes totals, histogram, sample and the TEE delta', () => {
  const tel = { batches: [{ n: 2, rxNs: 10, procNs: 20, txNs: 30 }], histogram: [0, 0, 1], totals: { batches: 1, packets: 2, rxNs: 10, procNs: 20, txNs: 30 }, meanBatch: 2, overwritten: 0 };
  const w = windowTelemetry(tel, { crossings: 4 }, { crossings: 9, backend: 'isolate' });
  assert.ok(w !== null);
  assert.equal(w.batches, 1);
  assert.equal(w.packets, 2);
  assert.deepEqual(w.sample, [[2, 10, 20, 30]]);
  assert.deepEqual(w.tee, { crossings: 5, backend: 'isolate' });
  assert.equal(windowTelemetry(null, undefined, undefined), null);
  assert.equal(windowTelemetry(tel, undefined, undefined)!.tee, undefined);
});

test('shmOverload turns back-pressure into NIC-equivalent loss, and only that', () => {
  assert.equal(shmOverload(trialBase), trialBase, 'a valid trial without back-pressure is untouched');
  const vb = shmOverload({ ...trialBase, backpressure: 5 });
  assert.equal(vb.valid, true);
  assert.equal(vb.lost, 5, 'refused packets of a valid trial count as lost too (a NIC would have dropped them)');
  const late = { ...trialBase, valid: false, invalidReason: 'late', lateSends: 500 };
  assert.equal(shmOverload(late), late, 'invalid without back-pressure stays invalid (the generator is to blame)');
  const full = { ...trialBase, valid: false, invalidReason: 'cut short', sent: 800, received: 790, lost: 10, backpressure: 300 };
  const r = shmOverload(full) as TrialResult & { shmOverload?: { generatorInvalidReason: string } };
  assert.equal(r.valid, true);
  assert.equal(r.lost, 310);
  assert.equal(r.lossRatio, 0.31);
  assert.equal(r.shmOverload?.generatorInvalidReason, 'cut short');
  // Held back by the full ring, the generator tried only a few of the packets due: those count too.
  const held = shmOverload({ ...trialBase, intended: 3000, valid: false, invalidReason: 'cut short', sent: 230, received: 229, lost: 1, backpressure: 4 });
  assert.equal(held.valid, true);
  assert.equal(held.lost, 2771);
});

test('summarizeRmax from sweep trials: bounds, loss-free top, no valid trial, ceiling', () => {
  const t = (pps: number, lost: number, valid = true): BenchTrial => ({ ...trialBase, offeredPps: pps, lost, lossRatio: lost / 1000, valid, invalidReason: valid ? null : 'x', id: 0, phase: 'sweep', telemetry: null });
  const a = summarizeRmax(null, [t(10, 0), t(20, 0), t(40, 5)], null)!;
  assert.equal(a.lower, 20);
  assert.equal(a.upper, 40);
  assert.equal(a.lowerBoundOnly, false);
  const b = summarizeRmax(null, [t(10, 0), t(20, 0), t(40, 0, false)], { pps: 40, note: 'gen' })!;
  assert.equal(b.lower, 20);
  assert.equal(b.generatorLimited, true);
  assert.match(b.text, /r_max >= 20/);
  assert.equal(summarizeRmax(null, [t(10, 0, false)], null)!.lower, null);
  assert.equal(summarizeRmax(null, [], null), null);
});

test('teeRecord describes the spec for results.json', () => {
  assert.equal(teeRecord(null), null);
  assert.equal(teeRecord('none'), null);
  assert.deepEqual(teeRecord('extern:process:batch'), { mode: 'extern', backend: 'process', transition: 'batch' });
  assert.deepEqual(teeRecord('extern:isolate'), { mode: 'extern', backend: 'isolate', transition: 'sync' });
  assert.equal(teeRecord('pipeline:process')!.mode, 'pipeline');
});

// ---- end to end over shm ----

const native = nativeStatus();
const skip = native.ok ? false : `native addon unavailable: ${native.reason}`;

function leftovers(): { regions: string[]; sockets: string[]; procs: string[] } {
  const mine = `p4tb-${process.pid}-`;
  const regions = readdirSync('/dev/shm').filter((n) => n.startsWith(mine));
  const sockets = readdirSync('/tmp').filter((n) => n.startsWith(`p4tee-bench-${process.pid}-`));
  const ps = spawnSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).stdout;
  const procs = ps.split('\n').filter((l) => l.includes(mine) || l.includes(`p4tee-bench-${process.pid}-`));
  return { regions, sockets, procs };
}

const study: BenchSetup = {
  program: join(REPO_ROOT, 'examples/study-forward/study-forward.p4'),
  commands: join(REPO_ROOT, 'examples/study-forward/commands.txt'),
  driver: 'shm',
  tee: null,
  packetBytes: 256,
  burst: 32,
  search: 'sweep',
  sweepPps: [20e3, 50e3],
  trialSeconds: 0.5,
  label: 'test',
};

test('runBench over shm: a tiny sweep writes a complete results.json with telemetry and cleans up', { skip, timeout: 180000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-bench-test-'));
  try {
    const lines: string[] = [];
    const r = await runBench(study, { outDir: dir, onProgress: (l) => lines.push(l), warmupS: 0.2 });
    assert.ok(r.ok, r.ok ? '' : r.error);
    const back = readBenchResults(dir);
    assert.ok(back.ok, back.ok ? '' : back.errors.join('\n'));
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Record<string, unknown> & { setup: Record<string, unknown>; trials: BenchTrial[] };
    assert.equal(json['complete'], true);
    assert.equal(json.setup['program'], study.program);
    assert.equal(json.setup['driver'], 'shm');
    assert.equal(json.setup['packetBytes'], 256);
    assert.equal(json.setup['tee'], null);
    assert.equal(json.setup['label'], 'test');
    assert.ok('transitionNs' in json.setup);
    assert.ok(json.trials.length >= 2, 'one trial per rate at least (retries of invalid ones come on top)');
    for (const t of json.trials) {
      assert.equal(t.phase, 'sweep');
      assert.ok(t.telemetry !== null, 'every trial carries the switch telemetry of its window');
      assert.ok(Array.isArray(t.telemetry.sample) && t.telemetry.sample.length <= 4096);
      assert.ok(Array.isArray(t.telemetry.histogram));
    }
    // Packets went through the switch in at least one trial window.
    assert.ok(json.trials.some((t) => t.telemetry!.packets > 0 && t.telemetry!.sample.length > 0 && t.telemetry!.sample[0]!.length === 4));
    assert.ok(readFileSync(join(dir, 'trials.csv'), 'utf8').split('\n').length >= 3);
    assert.ok(lines.some((l) => /sweep/.test(l)));
    assert.deepEqual(leftovers(), { regions: [], sockets: [], procs: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runBench over shm: a search with a forced small budget records its goals', { skip, timeout: 180000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-bench-test-'));
  try {
    const r = await runBench({ ...study, search: 'quick', sweepPps: undefined }, { outDir: dir, warmupS: 0, searchOverrides: { minPps: 10e3, maxPps: 40e3, maxTrials: 2 } });
    assert.ok(r.ok, r.ok ? '' : r.error);
    const back = readBenchResults(dir);
    assert.ok(back.ok, back.ok ? '' : back.errors.join('\n'));
    const res = back.results;
    assert.ok(res.search !== null);
    assert.deepEqual(res.search.goals.map((g) => g.name), ['NDR', 'PDR']);
    assert.ok(res.trials.length >= 1 && res.trials.length <= 4, `a handful of trials (got ${res.trials.length})`);
    assert.deepEqual(res.search.trialIds, res.trials.map((t) => t.id));
    assert.ok(res.trials.every((t) => t.phase === 'search'));
    assert.ok(r.rmax !== null);
    assert.deepEqual(leftovers(), { regions: [], sockets: [], procs: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('calibrate over shm: the generator against the reflector, phase calibrate', { skip, timeout: 180000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-bench-test-'));
  try {
    const r = await calibrate({ driver: 'shm', packetBytes: 256, burst: 32, search: 'sweep', sweepPps: [20e3], trialSeconds: 0.5 }, { outDir: dir, warmupS: 0 });
    assert.ok(r.ok, r.ok ? '' : r.error);
    assert.equal(r.results.setup.program, '(reflector)');
    assert.ok(r.results.trials.length >= 1);
    assert.ok(r.results.trials.every((t) => t.phase === 'calibrate' && t.telemetry !== null));
    assert.deepEqual(leftovers(), { regions: [], sockets: [], procs: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runBench reports a switch that refuses to start, cleanly, and leaves nothing behind', { skip, timeout: 120000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-bench-test-'));
  try {
    const r = await runBench({ ...study, tee: 'extern:nosuch:sync' }, { outDir: dir, warmupS: 0 });
    assert.equal(r.ok, false);
    assert.ok(!r.ok && /switch did not start/.test(r.error), !r.ok ? r.error : '');
    assert.ok(!r.ok && !/\n\s+at /.test(r.error), 'no stack trace in the error');
    const missing = await runBench({ ...study, program: '/nonexistent.p4' }, { outDir: dir });
    assert.equal(missing.ok, false);
    assert.deepEqual(leftovers(), { regions: [], sockets: [], procs: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the generator loads an AF_PACKET switch through AF_XDP when it can (a tester must outrun the device), else through AF_PACKET', () => {
  assert.equal(generatorDriverFor('afpacket', true), 'afxdp');
  assert.equal(generatorDriverFor('afpacket', false), 'afpacket');
  assert.equal(generatorDriverFor('afxdp', true), 'afxdp');
  assert.equal(generatorDriverFor('shm', true), 'shm');
  assert.equal(generatorDriverFor('shm', false), 'shm');
});

test('windowTelemetry keeps the record cap of a coalescing pipeline (the model\'s n_max)', () => {
  const w = windowTelemetry({ batches: [{ n: 128, rxNs: 1, procNs: 2, txNs: 3 }], totals: { batches: 1, packets: 128, rxNs: 1, procNs: 2, txNs: 3 }, meanBatch: 128, recordCap: 128 }, null, null);
  assert.equal(w?.recordCap, 128);
  const plain = windowTelemetry({ batches: [], totals: { batches: 0, packets: 0, rxNs: 0, procNs: 0, txNs: 0 } }, null, null);
  assert.equal(plain?.recordCap, undefined);
});
