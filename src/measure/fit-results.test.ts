// Tests of fitting a benchmark run: synthetic results made from known parameters are fitted back,
// r'_max is compared with the measured r_max, and the 10% warning and tables behave.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { predictedRmax, type ModelParams } from './model.js';
import { fitResults, modelCheckSummary, paramTableCsv, paramTableMarkdown } from './fit-results.js';
import { syntheticRun } from './synthetic-run.js';

const truth: ModelParams = { aRx: 800, bRx: 300, aP: 200, bP: 60, aTx: 600, bTx: 250, nMax: 32 };

test('fitResults recovers the parameters and r\'_max of a synthetic run', () => {
  const rmax = predictedRmax(truth);
  const f = fitResults(syntheticRun(truth, rmax * 0.97));
  assert.ok(f.params !== null && f.direct !== null);
  assert.ok(Math.abs(f.params.bP - truth.bP) < 2, `b_p ${f.params.bP}`);
  assert.ok(Math.abs(f.params.bRx + f.params.bTx - (truth.bRx + truth.bTx)) < 5);
  assert.ok(f.predictedRmaxPps !== null && Math.abs(f.predictedRmaxPps / rmax - 1) < 0.02);
  assert.equal(f.measuredFrom, 'search');
  assert.ok(f.relativeError !== null && f.relativeError < 0.1);
  assert.deepEqual(f.warnings, []);
  assert.equal(f.label, 'shm baseline 1500B burst 32');
});

test('a measured r_max far from the model is flagged', () => {
  const f = fitResults(syntheticRun(truth, predictedRmax(truth) * 0.5));
  assert.ok(f.relativeError !== null && f.relativeError > 0.9);
  assert.ok(f.warnings.some((w) => w.includes('more than 10%')));
});

test('without a search, the best loss-free valid trial is the measured r_max; invalid trials are ignored', () => {
  const run = syntheticRun(truth, null);
  const trials = [...run.trials, { offeredPps: 1e9, achievedPps: 1e9, lossRatio: 0, valid: false, telemetry: null }];
  const f = fitResults({ ...run, trials });
  assert.equal(f.measuredFrom, 'sweep');
  assert.ok(f.measuredRmaxPps !== null && f.measuredRmaxPps <= predictedRmax(truth));
});

test('no telemetry gives no parameters and a warning, never a throw', () => {
  const f = fitResults({ trials: [{ offeredPps: 1000, lossRatio: 0 }] });
  assert.equal(f.params, null);
  assert.ok(f.warnings.some((w) => w.includes('no per-batch telemetry')));
  assert.match(paramTableMarkdown([f]), /\| - \|/);
});

test('parameter tables have the study\'s columns', () => {
  const f = fitResults(syntheticRun(truth, predictedRmax(truth)));
  const md = paramTableMarkdown([f]).split('\n');
  assert.match(md[0]!, /a_rx\+a_tx.*b_rx\+b_tx.*a_p.*b_p.*r_max.*r'_max.*r_sat/);
  const csv = paramTableCsv([f]).trim().split('\n');
  assert.equal(csv.length, 2);
  assert.equal(csv[1]!.split(',').length, 13);
});

test('p4tee model fit and predict on the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-model-'));
  try {
    const bin = fileURLToPath(new URL('../../bin/p4tee.js', import.meta.url));
    writeFileSync(join(dir, 'results.json'), JSON.stringify(syntheticRun(truth, predictedRmax(truth))));
    const fit = spawnSync(process.execPath, [bin, 'model', 'fit', dir], { encoding: 'utf8' });
    assert.equal(fit.status, 0, fit.stderr);
    assert.match(fit.stdout, /r'_max \(model\) \d+\.\d{3} Mpps/);
    const bad = spawnSync(process.execPath, [bin, 'model', 'fit', join(dir, 'missing')], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /no such file/);
    assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/);
    const pred = spawnSync(process.execPath, [bin, 'model', 'predict', '--a-io', '1400', '--b-io', '550', '--a-p', '200', '--b-p', '60', '--json'], { encoding: 'utf8' });
    assert.equal(pred.status, 0, pred.stderr);
    const j = JSON.parse(pred.stdout) as { rmaxPps: number };
    assert.ok(Math.abs(j.rmaxPps - predictedRmax({ aRx: 1400, bRx: 550, aTx: 0, bTx: 0, aP: 200, bP: 60, nMax: 32 })) < 1e-6);
    const usage = spawnSync(process.execPath, [bin, 'model', 'predict', '--a-io', '1'], { encoding: 'utf8' });
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--b-io is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the busy share of saturated trials scales r\'_max: time outside batches is measured, not modelled', () => {
  const run = syntheticRun(truth, null);
  // Saturated trials (n̄ at the cap) whose batches fill 80% of the trial; unsaturated ones do not count.
  const trials = run.trials.map((t) => {
    const tel = t.telemetry!;
    const sat = tel.meanBatch >= 31.5;
    const busyNs = sat ? 0.8e9 : 0.3e9;
    return { ...t, durationS: 1, telemetry: { ...tel, rxNs: busyNs / 3, procNs: busyNs / 3, txNs: busyNs / 3 } };
  });
  const f = fitResults({ ...run, trials, search: { goals: [{ name: 'NDR', lossRatio: 0, lower: predictedRmax(truth) * 0.8 }] } });
  assert.ok(f.busyShare !== null && Math.abs(f.busyShare - 0.8) < 1e-9);
  assert.ok(f.predictedRmaxPps !== null && f.predictedBusyRmaxPps !== null);
  assert.ok(Math.abs(f.predictedBusyRmaxPps / f.predictedRmaxPps - 0.8) < 1e-9);
  assert.ok(f.relativeError !== null && f.relativeError > 0.2);
  assert.ok(f.relativeErrorBusy !== null && f.relativeErrorBusy < 0.02);
  assert.ok(f.warnings.some((w) => /inside batches/.test(w)));
});

test('a switch idle in clearly overloaded trials was not saturated: r_max is then only a lower bound', () => {
  const run = syntheticRun(truth, null);
  const ndr = predictedRmax(truth) * 0.7;
  const withBusy = (overloaded: number) => run.trials.map((t) => {
    const tel = t.telemetry!;
    const busyNs = t.offeredPps >= 1.25 * ndr ? overloaded * 1e9 : 0.3e9;
    return { ...t, durationS: 1, lossRatio: t.offeredPps > ndr ? 0.05 : 0, telemetry: { ...tel, rxNs: busyNs / 3, procNs: busyNs / 3, txNs: busyNs / 3 } };
  });
  const search = { goals: [{ name: 'NDR', lossRatio: 0, lower: ndr, upper: ndr * 1.01 }] };
  // Busy 85% at most while overloaded by 25% or more: the packets did not come fast enough.
  const idle = fitResults({ ...run, trials: withBusy(0.85), search });
  assert.equal(idle.measuredIsLowerBound, true);
  assert.ok(idle.overloadBusy !== null && Math.abs(idle.overloadBusy - 0.85) < 1e-9);
  assert.ok(idle.warnings.some((w) => /never saturated/.test(w)), idle.warnings.join('\n'));
  assert.ok(!idle.warnings.some((w) => /more than 10%/.test(w)));
  // Busy 98%: saturated; the same 30% gap between model and measurement is the model's to answer for.
  const busy = fitResults({ ...run, trials: withBusy(0.98), search });
  assert.equal(busy.measuredIsLowerBound, false);
  assert.ok(busy.warnings.some((w) => /more than 10%/.test(w)), busy.warnings.join('\n'));
  // Lossy trials only just above r_max (jitter, not capacity) do not decide it.
  const near = run.trials.map((t) => ({ ...t, durationS: 1, lossRatio: t.offeredPps > ndr ? 0.05 : 0, telemetry: { ...t.telemetry!, rxNs: 1e8, procNs: 1e8, txNs: 1e8 } })).filter((t) => t.offeredPps < 1.2 * ndr);
  assert.equal(fitResults({ ...run, trials: near, search }).overloadBusy, null);
});

test('the model check line counts setups within 10%, off, and lower bounds', () => {
  const ok = fitResults(syntheticRun(truth, predictedRmax(truth) * 0.97));
  const far = fitResults(syntheticRun(truth, predictedRmax(truth) * 0.5, 1, { driver: 'afxdp', burst: 32, packetBytes: 1500, tee: null }));
  const line = modelCheckSummary([ok, far]);
  assert.match(line, /within 10% of the measured r_max for 1 of 2 setup/);
  assert.match(line, /off by more than 10%: afxdp baseline 1500B burst 32 \(\d+\.\d%\)/);
  assert.doesNotMatch(line, /lower bound/);
});

test('a search that left r_max in a wide interval is not compared with the model', () => {
  const run = syntheticRun(truth, null);
  const rmax = predictedRmax(truth);
  const f = fitResults({ ...run, search: { goals: [{ name: 'NDR', lossRatio: 0, lower: 0.01 * rmax, upper: 0.98 * rmax }] } });
  assert.ok(f.wideInterval !== null && f.wideInterval.upper === 0.98 * rmax);
  assert.ok(f.warnings.some((w) => /wider than 10%/.test(w)), f.warnings.join('\n'));
  assert.ok(!f.warnings.some((w) => /more than 10%/.test(w)));
  assert.match(modelCheckSummary([f]), /within 10% of the measured r_max for 0 of 1 setup\(s\); not comparable, the search left r_max in an interval wider than 10%: shm baseline/);
  // A narrow interval is compared as before.
  const g = fitResults(syntheticRun(truth, rmax * 0.97));
  assert.equal(g.wideInterval, null);
});

test('throughput at saturation: the median rate back from full-burst trials, compared with r\'_max beside r_max', () => {
  const run = syntheticRun(truth, null);
  const cap = predictedRmax(truth);
  // Full-burst trials forward 0.97, 1.0 and 1.05 x the model's capacity; the others forward what they are offered.
  const factors = [0.97, 1.0, 1.05];
  let k = 0;
  const trials = run.trials.map((t) => {
    const sat = t.telemetry!.meanBatch >= 31.5;
    return { ...t, receivedPps: sat ? cap * factors[k++ % 3]! : t.offeredPps };
  });
  assert.ok(k >= 3, 'the synthetic run has saturated trials');
  // r_max (NDR) well below capacity: stalls, not the model, decide it.
  const f = fitResults({ ...run, trials, search: { goals: [{ name: 'NDR', lossRatio: 0, lower: cap * 0.7 }] } });
  assert.ok(f.saturatedPps !== null);
  const sats = trials.filter((t) => t.telemetry!.meanBatch >= 31.5).map((t) => t.receivedPps).sort((a, b) => a - b);
  const median = sats.length % 2 === 1 ? sats[sats.length >> 1]! : (sats[sats.length / 2 - 1]! + sats[sats.length / 2]!) / 2;
  assert.equal(f.saturatedPps, median);
  assert.ok(f.relativeErrorSaturated !== null && f.relativeErrorSaturated < 0.06);
  assert.ok(f.relativeError !== null && f.relativeError > 0.3);
  const line = modelCheckSummary([f]);
  assert.match(line, /within 10% of the measured r_max for 0 of 1/);
  assert.match(line, /within 10% of the throughput measured at saturation for 1 of 1/);
  // Without full-burst trials there is nothing to compare.
  const g = fitResults({ ...run, trials: trials.filter((t) => t.telemetry!.meanBatch < 31.5) });
  assert.equal(g.saturatedPps, null);
  assert.equal(g.relativeErrorSaturated, null);
  assert.doesNotMatch(modelCheckSummary([g]), /saturation/);
});

test("a coalescing secure pipeline's run: n_max is the telemetry's record cap (its crossing size), not the burst", () => {
  // Records of a crossing of up to 128 packets (the rx bursts it carried merged by the switch's telemetry).
  // A crossing's fixed cost (a_p) large against its per-packet cost, as for the process backend.
  const p128: ModelParams = { aRx: 2000, bRx: 300, aP: 6000, bP: 60, aTx: 600, bTx: 250, nMax: 128 };
  const run = syntheticRun(p128, predictedRmax(p128) * 0.97, 3, { driver: 'afxdp', burst: 32, packetBytes: 1500, tee: { mode: 'pipeline', backend: 'process' } });
  const trials = run.trials.map((t) => ({ ...t, telemetry: t.telemetry === null || t.telemetry === undefined ? t.telemetry : { ...t.telemetry, recordCap: 128 } }));
  const f = fitResults({ ...run, trials });
  assert.equal(f.nMax, 128);
  assert.ok(f.predictedRmaxPps !== null && Math.abs(f.predictedRmaxPps / predictedRmax(p128) - 1) < 0.02, `r'_max ${f.predictedRmaxPps}`);
  assert.ok(f.relativeError !== null && f.relativeError < 0.1);
  // The same records read with the burst as n_max would predict a different (lower) rate: the cap matters.
  const asBurst = fitResults(run);
  assert.equal(asBurst.nMax, 32);
  assert.ok(asBurst.predictedRmaxPps !== null && asBurst.predictedRmaxPps < 0.9 * predictedRmax(p128));
  // --burst on the command line still wins.
  assert.equal(fitResults({ ...run, trials }, { nMax: 64 }).nMax, 64);
});
