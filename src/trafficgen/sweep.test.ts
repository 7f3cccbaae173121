// Tests of the rate sweep on the simulated device: rate lists, one trial per rate, retries of invalid
// trials and the generator ceiling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { geometricRates, linearRates, rateSweep } from './sweep.js';
import { SimDevice, type SimTrial } from './sim-device.js';

test('geometric and linear rate lists include both ends', () => {
  const g = geometricRates(50e3, 3e6, 12);
  assert.equal(g.length, 12);
  assert.equal(g[0], 50e3);
  assert.equal(g[11], 3e6);
  for (let i = 2; i < g.length; i++) assert.ok(Math.abs(g[i]! / g[i - 1]! - g[1]! / g[0]!) < 1e-9);
  assert.deepEqual(linearRates(1e5, 5e5, 5), [1e5, 2e5, 3e5, 4e5, 5e5]);
  assert.deepEqual(geometricRates(7, 9, 1), [7]);
  assert.throws(() => geometricRates(0, 10, 3), RangeError);
});

test('one trial per rate, in order, with the device loss above capacity', async () => {
  const dev = new SimDevice({ capacityPps: 1e6 });
  const rates = geometricRates(50e3, 3e6, 8);
  const seen: number[] = [];
  const r = await rateSweep(dev.trial, { rates, durationS: 2, onProgress: (p) => { if (p.event === 'trial-end') seen.push(p.pps); } });
  assert.deepEqual(r.trials.map((t) => t.offeredPps), rates);
  assert.deepEqual(seen, rates);
  assert.deepEqual(r.points.map((p) => p.trial), [0, 1, 2, 3, 4, 5, 6, 7]);
  for (const t of r.trials) {
    assert.equal(t.durationS, 2);
    if (t.offeredPps <= 1e6) assert.equal(t.lost, 0);
    else assert.ok(Math.abs(t.lossRatio - (t.offeredPps - 1e6) / t.offeredPps) < 1e-6);
  }
  assert.equal(r.ceiling, null);
  assert.equal(r.stopped, null);
});

test('an invalid rate is retried once; twice invalid makes the ceiling and ends the sweep', async () => {
  const dev = new SimDevice({ capacityPps: 5e6, generatorCeilingPps: 1.5e6 });
  const r = await rateSweep(dev.trial, { rates: [1e6, 1.4e6, 2e6, 2.5e6], durationS: 1 });
  assert.equal(r.trials.length, 4); // 1e6, 1.4e6, 2e6 twice
  assert.equal(r.stopped, 'ceiling');
  assert.equal(r.ceiling?.pps, 2e6);
  assert.match(r.ceiling!.note, /could not deliver 2\.000 Mpps/);
  assert.deepEqual(r.points.map((p) => p.valid), [true, true, false]);
  assert.equal(r.points[2]!.trial, 3);
  const goOn = await rateSweep(dev.trial, { rates: [2e6, 1e6], durationS: 1, stopAtCeiling: false });
  assert.equal(goOn.points.length, 2);
  assert.equal(goOn.ceiling?.pps, 2e6);
  assert.equal(goOn.points[1]!.valid, true);
});

test('a flaky invalid trial is replaced by its retry', async () => {
  const dev = new SimDevice({ capacityPps: 5e6 });
  let n = 0;
  const trial = async (pps: number, d: number): Promise<SimTrial> => {
    const t = dev.run(pps, d);
    return n++ === 1 ? { ...t, valid: false, invalidReason: 'backpressure' } : t;
  };
  const r = await rateSweep(trial, { rates: [1e5, 2e5, 3e5], durationS: 1 });
  assert.equal(r.trials.length, 4);
  assert.deepEqual(r.points.map((p) => p.trial), [0, 2, 3]);
  assert.ok(r.points.every((p) => p.valid));
  assert.equal(r.ceiling, null);
});
