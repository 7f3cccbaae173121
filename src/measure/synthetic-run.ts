// A benchmark run simulated from known model parameters with seeded noise: per-trial telemetry
// samples, mean batch sizes and (optionally) a search result, in the results.json shape. Used by the
// model and report tests to check that fits recover what went in.
import { batchSizeAt, predictedRmax, type ModelParams } from './model.js';
import type { BenchResultsLike } from './fit-results.js';

/** A run as `p4tee bench` writes it, simulated from the model with seeded noise. */
export function syntheticRun(p: ModelParams, measuredRmax: number | null, seed = 1, setup: Record<string, unknown> = { driver: 'shm', burst: 32, packetBytes: 1500, tee: null }): BenchResultsLike {
  let s = seed;
  const u = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const rmax = predictedRmax(p);
  const trials = [];
  for (let i = 1; i <= 12; i++) {
    const r = (rmax * i) / 10;
    const nbar = batchSizeAt(p, r);
    const sample: number[][] = [];
    for (let k = 0; k < 200; k++) {
      const n = Math.max(1, Math.min(p.nMax, Math.round(nbar + (u() - 0.5) * 4)));
      sample.push([n, p.aRx + n * p.bRx + (u() - 0.5) * 100, p.aP + n * p.bP + (u() - 0.5) * 40, p.aTx + n * p.bTx + (u() - 0.5) * 100]);
    }
    trials.push({
      offeredPps: r,
      achievedPps: r,
      lossRatio: r > rmax ? 1 - rmax / r : 0,
      valid: true,
      latencyNs: { p50: 20000 + 1000 * i, p99: 40000 + 3000 * i, p999: null, p9999: null, max: null, mean: 21000 },
      telemetry: { batches: 200, packets: 200 * nbar, meanBatch: nbar, rxNs: 0, procNs: 0, txNs: 0, sample },
    });
  }
  return {
    kind: 'p4tee-bench',
    setup,
    trials,
    search: measuredRmax === null ? null : { goals: [{ name: 'NDR', lossRatio: 0, lower: measuredRmax, upper: measuredRmax * 1.005 }] },
    ceiling: null,
  };
}

