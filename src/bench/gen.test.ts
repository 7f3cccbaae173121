// Tests of the pure parts of `npm run bench:gen` (src/bench/gen-lib.ts): options, medians and
// ratios per frame size, the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SETUP_C_SEND, SETUP_P4TEE_GEN, formatGenTable, parseGenBenchArgs, summarizeGen, type GenRun } from './gen-lib.js';

test('options: defaults, sizes list, errors', () => {
  const d = parseGenBenchArgs([]);
  assert.ok(typeof d !== 'string');
  assert.deepEqual(d.sizes, [1500, 64]);
  assert.equal(d.rounds, 3);
  const o = parseGenBenchArgs(['--sizes', '64', '--rounds', '5', '--cpu', '0', '--json']);
  assert.ok(typeof o !== 'string');
  assert.deepEqual(o.sizes, [64]);
  assert.equal(o.rounds, 5);
  assert.equal(o.cpu, 0);
  assert.equal(o.json, true);
  assert.match(parseGenBenchArgs(['--sizes', '32']) as string, /64 to 1514/);
  assert.match(parseGenBenchArgs(['--rounds']) as string, /needs a value/);
  assert.match(parseGenBenchArgs(['--bogus']) as string, /unknown option/);
});

test('summary: medians per size and setup, ratio p4tee/C, per-CPU ratio', () => {
  const run = (setup: string, size: number, mpps: number, cpu = 1): GenRun => ({ setup, size, round: 0, pps: mpps * 1e6, cpuShare: cpu, detail: {} });
  const runs = [
    run(SETUP_C_SEND, 1500, 3), run(SETUP_C_SEND, 1500, 2), run(SETUP_C_SEND, 1500, 2.5),
    run(SETUP_P4TEE_GEN, 1500, 2.4), run(SETUP_P4TEE_GEN, 1500, 1.0, 0.5), run(SETUP_P4TEE_GEN, 1500, 2.2),
    run(SETUP_C_SEND, 64, 3.2),
  ];
  const [big, small] = summarizeGen(runs, [1500, 64]);
  assert.equal(big!.cMpps, 2.5);
  assert.equal(big!.p4teeMpps, 2.2);
  assert.ok(Math.abs(big!.ratio - 0.88) < 1e-9);
  assert.ok(Math.abs(big!.p4teeMppsPerCpu - 2.2) < 1e-9);
  assert.equal(small!.cMpps, 3.2);
  assert.ok(Number.isNaN(small!.ratio), 'no p4tee run: no ratio');
  const table = formatGenTable([big!, small!]);
  assert.match(table, /1500 B\s+2\.500\s+2\.200\s+0\.88\s+>=0\.8 met/);
  assert.match(table, /64 B\s+3\.200\s+-\s+-/);
});
