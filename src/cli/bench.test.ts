// Tests of `p4tee bench`'s argument handling (flags -> setups and output directories, usage errors)
// and of the per-mode table (ratios to the `none` baseline, bounds, the cost lines). Pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { formatModeTable, formatRoundsTable, modeLabel, planBench, ratioText, STUDY_COMMANDS, STUDY_PROGRAM, STUDY_TEE_COMMANDS, STUDY_TEE_PROGRAM, type BenchFlags, type ModeRow } from './bench.js';
import { defaultMaxPps } from '../trafficgen/bench-runner.js';

const base: BenchFlags = { driver: 'shm', size: '1500', burst: '32' };
const date = new Date(2026, 10, 26, 1, 2, 3);

function plan(program: string | undefined, f: Partial<BenchFlags>) {
  return planBench(program, { ...base, ...f }, date);
}

test('defaults: the study program with its commands, quick search, one directory', () => {
  const p = plan(undefined, {});
  assert.ok(!('error' in p));
  assert.equal(p.setups.length, 1);
  const s = p.setups[0]!;
  assert.equal(s.program, STUDY_PROGRAM);
  assert.equal(s.commands, STUDY_COMMANDS);
  assert.equal(s.search, 'quick');
  assert.equal(s.tee, null);
  assert.equal(s.packetBytes, 1500);
  assert.equal(s.burst, 32);
  assert.match(p.dirs[0]!, /bench-results\/20261126-010203-shm$/);
  assert.equal(p.base, null);
});

test('--tee specs: the tee program for every mode, one directory per mode under one base', () => {
  const p = plan(undefined, { tee: 'none,extern:process:sync,pipeline:isolate', sweep: '20k,1M', trialSeconds: '500ms', out: '/tmp/x', teeTransitionNs: '200' });
  assert.ok(!('error' in p));
  assert.deepEqual(p.setups.map((s) => s.tee), ['none', 'extern:process:sync', 'pipeline:isolate']);
  assert.ok(p.setups.every((s) => s.program === STUDY_TEE_PROGRAM && s.commands === STUDY_TEE_COMMANDS));
  assert.deepEqual(p.setups[0]!.sweepPps, [20e3, 1e6]);
  assert.equal(p.setups[0]!.search, 'sweep');
  assert.equal(p.setups[0]!.trialSeconds, 0.5);
  assert.equal(p.setups[1]!.transitionNs, 200);
  assert.equal(p.base, '/tmp/x');
  assert.deepEqual(p.dirs, [join('/tmp/x', 'none'), join('/tmp/x', 'extern-process-sync'), join('/tmp/x', 'pipeline-isolate')]);
  assert.equal(modeLabel('extern:process:batch'), 'extern-process-batch');
});

test('--rounds: the list of modes again and again, one directory per round and mode', () => {
  const p = plan(undefined, { tee: 'none,pipeline:process', rounds: '3', out: '/tmp/r' });
  assert.ok(!('error' in p));
  assert.equal(p.rounds, 3);
  assert.deepEqual(p.setups.map((s) => s.tee), ['none', 'pipeline:process', 'none', 'pipeline:process', 'none', 'pipeline:process']);
  assert.equal(p.dirs[3], join('/tmp/r', 'round-2', 'pipeline-process'));
  const one = plan(undefined, { rounds: '2', out: '/tmp/s' });
  assert.ok(!('error' in one));
  assert.deepEqual(one.dirs, [join('/tmp/s', 'round-1', 'none'), join('/tmp/s', 'round-2', 'none')]);
  assert.equal((plan(undefined, {}) as { rounds: number }).rounds, 1);
});

test('--max-rate sets the highest load of the search; without it the driver decides (5 Mpps shm, 3 Mpps veth)', () => {
  const p = plan(undefined, { maxRate: '2.5M' });
  assert.ok(!('error' in p) && p.setups[0]!.maxPps === 2.5e6);
  const d = plan(undefined, {});
  assert.ok(!('error' in d) && d.setups[0]!.maxPps === undefined);
  assert.equal(defaultMaxPps('shm'), 5e6);
  assert.equal(defaultMaxPps('afxdp'), 3e6);
});

test('--gen-driver picks the generator\'s driver over veths; without it the bench decides', () => {
  const p = plan(undefined, { driver: 'afpacket', genDriver: 'afpacket' });
  assert.ok(!('error' in p) && p.setups[0]!.generatorDriver === 'afpacket');
  const d = plan(undefined, { driver: 'afpacket' });
  assert.ok(!('error' in d) && d.setups[0]!.generatorDriver === undefined);
});

test('presets, a given program, calibrate', () => {
  const r = plan(undefined, { rfc2544: true, out: 'o' });
  assert.ok(!('error' in r) && r.setups[0]!.search === 'rfc2544');
  const g = plan(STUDY_PROGRAM, {});
  assert.ok(!('error' in g) && g.setups[0]!.commands === null, 'a given program gets no commands unless --commands');
  const c = plan(undefined, { calibrate: true });
  assert.ok(!('error' in c) && c.calibrate && c.setups[0]!.label === 'calibrate');
});

test('usage errors name the flag', () => {
  const err = (f: Partial<BenchFlags>, re: RegExp, program?: string): void => {
    const p = plan(program, f);
    assert.ok('error' in p, `expected an error for ${JSON.stringify(f)}`);
    assert.match(p.error, re);
  };
  err({ driver: 'dpdk' }, /--driver/);
  err({ size: '12' }, /--size/);
  err({ size: '4000' }, /shm driver/);
  err({ burst: '0' }, /--burst/);
  err({ quick: true, rfc2544: true }, /exclude each other/);
  err({ quick: true, sweep: '1k' }, /exclude each other/);
  err({ sweep: 'fast' }, /--sweep/);
  err({ sweep: ',' }, /at least one rate/);
  err({ trialSeconds: 'x' }, /--trial-seconds/);
  err({ tee: 'extern:bogus' }, /--tee/);
  err({ tee: 'none,none' }, /given twice/);
  err({ teeTransitionNs: '-1' }, /--tee-transition-ns/);
  err({ calibrate: true, tee: 'none' }, /calibrate/);
  err({ maxRate: 'lots' }, /--max-rate/);
  err({ maxRate: '5k' }, /--max-rate must be above/);
  err({ genDriver: 'pcap', driver: 'afpacket' }, /--gen-driver must be afxdp or afpacket/);
  err({ genDriver: 'afxdp' }, /--gen-driver applies to the veth drivers/);
  err({}, /does not exist/, '/nonexistent/x.p4');
  err({ rounds: '0' }, /--rounds/);
  err({ rounds: '21' }, /--rounds/);
  err({ rounds: '2', calibrate: true }, /--rounds applies/);
});

const row = (mode: string, lower: number | null, upper: number | null, extra: Partial<ModeRow> = {}): ModeRow => ({
  mode, ok: true, rmax: { lower, upper, status: 'ok', text: '', generatorLimited: false, lowerBoundOnly: false },
  meanBatch: 8, procNsPerPacket: 500, crossingsPerBatch: null, handoffsPerBatch: null, nsPerCrossing: null, bytesPerPacket: null, emulation: null,
  cores: 'switch on core 0, generator on core 1', dir: null, ...extra,
});

test('ratios to the none baseline, with bounds', () => {
  const none = row('none', 200e3, 201e3);
  assert.equal(ratioText(none, none), '1.00');
  assert.equal(ratioText(row('extern:process:batch', 100e3, 101e3), none), '0.50');
  const bound = row('x', 300e3, null, { rmax: { lower: 300e3, upper: null, status: 'generator-ceiling', text: '', generatorLimited: true, lowerBoundOnly: true } });
  assert.equal(ratioText(bound, none), '>=1.50');
  assert.equal(ratioText(none, bound), '<=0.67');
  assert.equal(ratioText(row('y', null, 10e3), none), '?');
  assert.equal(ratioText(none, undefined), '-');
});

test('the mode table: columns, failed modes, cost lines and cores', () => {
  const rows: ModeRow[] = [
    row('none', 200e3, 201e3),
    row('extern:process:sync', 20e3, 20.1e3, { crossingsPerBatch: 8, handoffsPerBatch: 8, nsPerCrossing: 5000, bytesPerPacket: 8, emulation: 'emulated transition cost: 100 ns busy-wait per crossing (not measured)' }),
    { ...row('pipeline:process', null, null), ok: false, error: 'the switch did not start (exit code 1): boom' },
  ];
  const t = formatModeTable(rows, 'shm');
  const lines = t.split('\n');
  assert.match(lines[0]!, /over shm .*none. baseline/);
  assert.match(lines[1]!, /^mode\s+r_max \(pps\)\s+ratio/);
  assert.match(t, /none\s+\[200\.0k, 201\.0k\]\s+1\.00/);
  assert.match(t, /extern:process:sync\s+\[20\.0k, 20\.1k\]\s+0\.10/);
  assert.match(t, /pipeline:process\s+FAILED/);
  assert.match(t, /pipeline:process: the switch did not start/);
  assert.match(t, /extern:process:sync: 8\.00 crossings per batch of 8\.0 x 5000 ns = 5000 ns per packet at the boundary \(of 500 ns processing per packet\), 8\.0 bytes copied per packet \[emulated/);
  assert.match(t, /cores: switch on core 0, generator on core 1/);
  assert.doesNotMatch(formatModeTable([row('a', 1e3, 2e3)], 'afxdp'), /1\.00/, 'no baseline: no ratios');
});

test('the rounds table: median r_max, ratios to the same round\'s baseline (median and range), failed rounds', () => {
  const rounds: ModeRow[][] = [
    [row('none', 1000e3, 1010e3), row('pipeline:process', 800e3, 810e3, { procNsPerPacket: 250, crossingsPerBatch: 1, nsPerCrossing: 20000 })],
    [row('none', 900e3, 905e3), row('pipeline:process', 810e3, 815e3, { procNsPerPacket: 270, crossingsPerBatch: 1, nsPerCrossing: 22000 })],
    [row('none', 950e3, 960e3), { ...row('pipeline:process', null, null), ok: false, error: 'the switch did not start' }],
  ];
  const t = formatRoundsTable(rounds, 'afxdp');
  assert.match(t, /over afxdp, 3 rounds/);
  // none: median of 1000k, 900k, 950k; ratios 1.00 each round.
  assert.match(t, /none\s+950\.0k\s+1\.00\s+1\.00-1\.00\s+3\s+3\/3/);
  // pipeline: ratios 0.80 (800/1000) and 0.90 (810/900), median 0.85; r_max median 805k; round 3 failed.
  assert.match(t, /pipeline:process\s+805\.0k\s+0\.85\s+0\.80-0\.90\s+2\s+2\/3\s+260\s+1\.00\s+21000/);
  assert.match(t, /round 3, pipeline:process: the switch did not start/);
  const noBase = formatRoundsTable([[row('a', 1e3, 2e3)], [row('a', 3e3, 4e3)]], 'shm');
  assert.match(noBase, /no baseline/);
  assert.match(noBase, /a\s+2\.0k\s+-\s+-\s+-\s+2\/2/);
  // A round whose baseline has no r_max gives no ratio.
  const gap = formatRoundsTable([[row('none', null, null), row('p', 80e3, 81e3)], [row('none', 100e3, 101e3), row('p', 90e3, 91e3)]], 'shm');
  assert.match(gap, /p\s+85\.0k\s+0\.90\s+0\.90-0\.90\s+1\s+2\/2/);
});
