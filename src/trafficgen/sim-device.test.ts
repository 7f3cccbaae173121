// Tests of the simulated device: deterministic for a seed, loss is the overload share, the generator
// ceiling makes trials invalid, loss events add a few lost packets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimDevice, seededRandom } from './sim-device.js';

test('same seed, same trials; another seed, other noise', () => {
  const opts = { capacityPps: 1e6, capacityJitter: 0.01, lossEventProbability: 0.3 };
  const a = new SimDevice({ ...opts, seed: 42 });
  const b = new SimDevice({ ...opts, seed: 42 });
  const c = new SimDevice({ ...opts, seed: 43 });
  const runs = (d: SimDevice) => [0.5e6, 0.99e6, 1.01e6, 2e6, 0.7e6, 0.7e6].map((p) => d.run(p, 2).lost);
  const ra = runs(a);
  assert.deepEqual(ra, runs(b));
  assert.notDeepEqual(ra, runs(c));
  const r = seededRandom(1);
  for (let i = 0; i < 1000; i++) { const x = r(); assert.ok(x >= 0 && x < 1); }
});

test('clean device: no loss up to capacity, the overload share above it', () => {
  const d = new SimDevice({ capacityPps: 1e6 });
  assert.equal(d.run(1e6, 1).lost, 0);
  const t = d.run(1.25e6, 2);
  assert.equal(t.sent, 2.5e6);
  assert.equal(t.lost, 0.5e6);
  assert.equal(t.lossRatio, 0.2);
  assert.equal(t.latencyNs.p99, null, 'a 20% loss decides the p99');
  assert.ok(t.valid);
});

test('generator ceiling and loss events', () => {
  const d = new SimDevice({ capacityPps: 5e6, generatorCeilingPps: 1e6, forcedLossTrials: [1], lossEventMaxPackets: 4 });
  const over = d.run(2e6, 1);
  assert.equal(over.valid, false);
  assert.equal(over.sent, 1e6);
  assert.match(over.invalidReason!, /generator sent 1000000 of 2000000 pps/);
  const ev = d.run(0.5e6, 1);
  assert.ok(ev.valid && ev.lost >= 1 && ev.lost <= 4);
  assert.equal(d.run(0.5e6, 1).lost, 0);
});
