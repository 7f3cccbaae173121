// Tests of the performance model: the fits recover known parameters from synthetic noisy data
// within their confidence intervals, and the predictions follow the study's formulas.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  batchSizeAt,
  batchTimeNs,
  fitDirect,
  fitIndirect,
  fitLine,
  predict,
  predictedRmax,
  sharesAt,
  t95,
  type BatchSample,
  type ModelParams,
} from './model.js';

/** Seeded PRNG (mulberry32) and a normal deviate by Box-Muller: deterministic noise. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u() + 1e-12)) * Math.cos(2 * Math.PI * u());
}

const truth: ModelParams = { aRx: 900, bRx: 410, aP: 300, bP: 55, aTx: 700, bTx: 380, nMax: 32 };

test('fitLine is exact on a noiseless line and reports r2 = 1', () => {
  const xs = [1, 2, 3, 4, 5];
  const f = fitLine(xs, xs.map((x) => 7 + 3 * x));
  assert.ok(Math.abs(f.a - 7) < 1e-9 && Math.abs(f.b - 3) < 1e-9);
  assert.ok(Math.abs(f.r2 - 1) < 1e-12);
  assert.equal(f.points, 5);
});

test('fitLine with nonNegative refits through the origin when the intercept would be negative', () => {
  const xs = [1, 2, 3, 4];
  const ys = [1.5, 3.9, 6.1, 8.4]; // free fit: a ≈ -0.75
  assert.ok(fitLine(xs, ys).a < 0);
  const f = fitLine(xs, ys, { nonNegative: true });
  assert.equal(f.a, 0);
  assert.equal(f.clamped, true);
  assert.ok(f.b > 2 && f.b < 2.2);
});

test('t95 matches tabulated values and tends to 1.96', () => {
  assert.equal(t95(1), 12.706);
  assert.equal(t95(10), 2.228);
  assert.ok(Math.abs(t95(60) - 2.0003) < 0.002);
  assert.ok(Math.abs(t95(1e6) - 1.96) < 0.001);
  assert.ok(Number.isNaN(t95(0)));
});

test('the direct fit recovers known parameters from noisy per-batch samples, within its CIs', () => {
  const u = rng(42);
  const samples: BatchSample[] = [];
  for (let i = 0; i < 4000; i++) {
    const n = 1 + Math.floor(u() * 32);
    samples.push([
      n,
      truth.aRx + n * truth.bRx + 150 * normal(u),
      truth.aP + n * truth.bP + 80 * normal(u),
      truth.aTx + n * truth.bTx + 150 * normal(u),
    ]);
  }
  const fit = fitDirect(samples, 32);
  for (const [line, a, b] of [
    [fit.rx, truth.aRx, truth.bRx],
    [fit.p, truth.aP, truth.bP],
    [fit.tx, truth.aTx, truth.bTx],
  ] as const) {
    assert.ok(line.ciA[0] <= a && a <= line.ciA[1], `a=${a} outside [${line.ciA}]`);
    assert.ok(line.ciB[0] <= b && b <= line.ciB[1], `b=${b} outside [${line.ciB}]`);
    // The intervals are informative, not just wide.
    assert.ok(line.ciB[1] - line.ciB[0] < 0.05 * b + 5);
  }
  assert.equal(fit.params.nMax, 32);
  assert.ok(Math.abs(predictedRmax(fit.params) / predictedRmax(truth) - 1) < 0.01);
});

test('the direct fit of a wrong model is told apart: CIs exclude a shifted truth', () => {
  const u = rng(7);
  const samples: BatchSample[] = [];
  for (let i = 0; i < 2000; i++) {
    const n = 1 + Math.floor(u() * 32);
    samples.push([n, truth.aRx + n * truth.bRx + 50 * normal(u), 0, 0]);
  }
  const f = fitDirect(samples, 32).rx;
  assert.ok(!(f.ciB[0] <= truth.bRx * 1.1 && truth.bRx * 1.1 <= f.ciB[1]));
});

test('the indirect fit recovers Σa and Σb from (rate, mean batch) points and leaves saturated ones out', () => {
  const u = rng(3);
  const rmax = predictedRmax(truth);
  const points = [];
  for (let i = 1; i <= 30; i++) {
    const r = (rmax * i) / 25; // the last five are above r'_max: saturated; the first ones idle (n̄ < 1.5)
    const n = batchSizeAt(truth, r);
    points.push({ ratePps: r, meanBatch: n >= 32 ? 32 : n * (1 + 0.01 * normal(u)) });
  }
  const fit = fitIndirect(points, 32);
  assert.ok(fit.saturated >= 5);
  assert.ok(fit.idle >= 5);
  assert.ok(fit.used >= 10);
  const sumA = truth.aRx + truth.aP + truth.aTx;
  const sumB = truth.bRx + truth.bP + truth.bTx;
  assert.ok(fit.total.ciA[0] <= sumA && sumA <= fit.total.ciA[1], `Σa=${sumA} outside [${fit.total.ciA}]`);
  assert.ok(fit.total.ciB[0] <= sumB && sumB <= fit.total.ciB[1], `Σb=${sumB} outside [${fit.total.ciB}]`);
});

test('predictions follow the formulas: r\'_max, t_b(n), n(r), shares', () => {
  const tb = batchTimeNs(truth, 32);
  assert.equal(tb, 900 + 300 + 700 + 32 * (410 + 55 + 380));
  assert.equal(predictedRmax(truth), (32 / tb) * 1e9);
  // n(r) solves n = r·t_b(n) below saturation.
  const r = predictedRmax(truth) / 2;
  const n = batchSizeAt(truth, r);
  assert.ok(Math.abs(n - r * 1e-9 * batchTimeNs(truth, n)) < 1e-9);
  assert.equal(batchSizeAt(truth, predictedRmax(truth) * 2), 32);
  const s = sharesAt(truth, 32);
  assert.ok(Math.abs(s.ioShare + s.procShare - 1) < 1e-12);
  assert.equal(s.procNs, 300 + 32 * 55);
  const p = predict(truth, 10);
  assert.equal(p.curve.length, 10);
  assert.ok(p.curve.every((c, i) => i === 0 || c.n >= p.curve[i - 1]!.n));
  assert.equal(p.curve[p.curve.length - 1]!.n, 32);
});
