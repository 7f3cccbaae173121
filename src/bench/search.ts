// `npm run bench:search`: how long the r_max search (MLRsearch, quick preset) takes on simulated
// devices, and how often it runs out of its budget. Two families: capacity jitter with rare loss
// events, and a band of small losses below capacity (as this shared machine shows over AF_XDP).
// With `--against DIST` it runs the same devices (same seeds) through another build's search
// (DIST/trafficgen/mlrsearch.js, e.g. a checkout of an older commit after `npm run build`) and
// prints the paired difference. Simulated time, no real trials: under a second. Asserts nothing.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mlrSearch as ours, type SearchResult, type TrialLike, type SearchOptions } from '../trafficgen/mlrsearch.js';
import { SimDevice, seededRandom, type SimDeviceOptions, type SimTrial } from '../trafficgen/sim-device.js';
import { median } from '../measure/stats.js';

type Search = (trial: (pps: number, d: number) => Promise<TrialLike>, o: SearchOptions) => Promise<SearchResult<TrialLike>>;

interface Scenario {
  readonly label: string;
  readonly devices: number;
  /** A fresh trial function for device k (the same k gives the same device and the same noise). */
  readonly trial: (k: number) => (pps: number, d: number) => Promise<SimTrial>;
}

/** Between band x capacity and capacity, a trial loses 0.005-0.305% with probability q. */
function softBand(o: SimDeviceOptions, band: number, q: number): (pps: number, d: number) => Promise<SimTrial> {
  const dev = new SimDevice(o);
  const rnd = seededRandom((o.seed ?? 1) * 7919);
  return (pps, d) => {
    const t = dev.run(pps, d);
    if (pps < band * o.capacityPps || pps > o.capacityPps || rnd() > q) return Promise.resolve(t);
    const lost = Math.max(t.lost, Math.round(t.sent * (0.00005 + rnd() * 0.003)));
    return Promise.resolve({ ...t, received: t.sent - lost, lost, lossRatio: lost / t.sent });
  };
}

const scenarios: Scenario[] = [];
for (const jitter of [0.005, 0.01, 0.02, 0.03]) {
  for (const lossP of [0.03, 0.15]) {
    scenarios.push({
      label: `jitter ${jitter * 100}%, loss events ${lossP * 100}%`,
      devices: 60,
      trial: (k) => new SimDevice({ capacityPps: 600e3 + k * 7e3, seed: k, capacityJitter: jitter, lossEventProbability: lossP, lossEventMaxPackets: 50 }).trial,
    });
  }
}
for (const band of [0.97, 0.9, 0.8]) {
  for (const q of [0.5, 0.9]) {
    scenarios.push({
      label: `band of small losses from ${band * 100}% of capacity, ${q * 100}% of trials`,
      devices: 40,
      trial: (k) => softBand({ capacityPps: 700e3 + k * 9e3, seed: k, capacityJitter: 0.01, lossEventProbability: 0.03, lossEventMaxPackets: 50 }, band, q),
    });
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--against');
  let other: Search | null = null;
  if (at >= 0) {
    const dir = args[at + 1];
    if (dir === undefined) {
      console.error('usage: node dist/bench/search.js [--against DIST]');
      process.exit(2);
    }
    try {
      const mod = (await import(pathToFileURL(resolve(dir, 'trafficgen/mlrsearch.js')).href)) as { mlrSearch: Search };
      other = mod.mlrSearch;
    } catch (e) {
      console.error(`--against ${dir}: cannot load trafficgen/mlrsearch.js there (${e instanceof Error ? e.message : String(e)})`);
      process.exit(2);
    }
  }
  const options: SearchOptions = { minPps: 10e3, maxPps: 3e6, preset: 'quick' };
  console.log('r_max search (quick preset, budget 150 s) on simulated devices: search time in simulated seconds');
  for (const s of scenarios) {
    const mine: number[] = [];
    const theirs: number[] = [];
    const diff: number[] = [];
    let stoppedMine = 0;
    let stoppedTheirs = 0;
    for (let k = 1; k <= s.devices; k++) {
      const r = await (ours as Search)(s.trial(k), options);
      mine.push(r.elapsedS);
      if (r.stopped !== null) stoppedMine++;
      if (other !== null) {
        const q = await other(s.trial(k), options);
        theirs.push(q.elapsedS);
        diff.push(r.elapsedS - q.elapsedS);
        if (q.stopped !== null) stoppedTheirs++;
      }
    }
    let line = `${s.label} (${s.devices} devices): median ${median(mine).toFixed(1)} s, out of budget ${stoppedMine}`;
    if (other !== null) {
      const mean = diff.reduce((a, b) => a + b, 0) / diff.length;
      line += ` | against: median ${median(theirs).toFixed(1)} s, out of budget ${stoppedTheirs} | paired difference mean ${mean >= 0 ? '+' : ''}${mean.toFixed(1)} s`;
    }
    console.log(line);
  }
}

await main();
