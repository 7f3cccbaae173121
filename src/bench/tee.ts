// `npm run bench:tee`: what the TEE boundary costs, without traffic. Two measurements, each as a
// median over repetitions, in one process run on one core (the npm script runs it under
// `taskset -c 0`, as `p4tee bench` pins the switch and its enclave):
//  1. crossing: one batch-mode gate call of study-xor with one record, per backend (`isolate`,
//     `process`): the round trip of a hand-over to the enclave and back, in ns;
//  2. secure pipeline: examples/study-forward on 1500-byte packets in batches of 32 through the
//     secure pipeline (`isolate`, `process`) and through the plain pipeline in the same run, in ns per
//     packet, and their ratio (the plain pipeline is the baseline).
// `--json` prints the figures as JSON. Asserts nothing.
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../runtime/switch.js';
import type { LoopPipeline } from '../runtime/core/poll-loop.js';
import { openTeeGate, isTeeGateError } from '../tee/gate.js';
import { openSecurePipelineHandle } from '../tee/pipeline/secure-pipeline.js';
import { nativeStatus } from '../runtime/io/native.js';
import { studyTemplate } from '../trafficgen/template.js';
import { median } from './io-lib.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const BATCH = 32;
const PACKET_BYTES = 1500;
/** Packets cycled through (their slots spread over 2 MB of the pool, as a live switch's would). */
const SPREAD = 1024;
const REPS = 9;

const root = (p: string): string => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const P4 = root('examples/study-forward/study-forward.p4');
const COMMANDS = root('examples/study-forward/commands.txt');

const log = (s: string): void => {
  if (!json) process.stdout.write(s + '\n');
};

async function crossingNs(backend: 'isolate' | 'process'): Promise<number> {
  const g = await openTeeGate({ backend, transition: 'batch', modules: ['study-xor'], sealIntervalMs: 0 });
  if (isTeeGateError(g)) throw new Error(g.error);
  try {
    if (!(await g.whenUp(15000))) throw new Error(`the ${backend} enclave did not come up`);
    const fn = g.resolve('study-xor', 'crypt');
    const calls = 20000;
    for (let i = 0; i < calls; i++) g.call(fn, 0, 0, 1);
    const runs: number[] = [];
    for (let r = 0; r < REPS; r++) {
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < calls; i++) g.call(fn, 0, 0, 1);
      runs.push(Number(process.hrtime.bigint() - t0) / calls);
    }
    return median(runs);
  } finally {
    await g.close();
  }
}

/** ns per packet through `arch`: batches of 32 cycled over SPREAD packets; sent slots are fed back in. */
function perPacketNs(arch: LoopPipeline): number {
  const pool = arch.pool;
  const tpl = studyTemplate({ size: PACKET_BYTES });
  if ('error' in tpl) throw new Error(tpl.error);
  const frame = tpl.frames[0]!;
  const ring = new Int32Array(SPREAD);
  for (let i = 0; i < SPREAD; i++) {
    const p = pool.alloc();
    if (p < 0 || !pool.write(p, frame)) throw new Error('packet pool too small');
    pool.port[p] = 1;
    ring[i] = p;
  }
  const batch = new Int32Array(BATCH);
  let head = 0;
  const pass = (batches: number): number => {
    let sent = 0;
    for (let b = 0; b < batches; b++) {
      for (let i = 0; i < BATCH; i++) batch[i] = ring[(head + i) % SPREAD]!;
      arch.injectBatch(batch, BATCH);
      arch.run();
      let q: number;
      let j = 0;
      while ((q = arch.takeSent()) >= 0) ring[(head + j++) % SPREAD] = q;
      if (j !== BATCH) throw new Error(`a batch of ${BATCH} gave ${j} packets back`);
      head = (head + BATCH) % SPREAD;
      sent += j;
    }
    return sent;
  };
  pass(2000);
  const runs: number[] = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = process.hrtime.bigint();
    const sent = pass(3000);
    runs.push(Number(process.hrtime.bigint() - t0) / sent);
  }
  return median(runs);
}

async function pipelineNs(backend: 'plain' | 'isolate' | 'process'): Promise<number> {
  if (backend === 'plain') {
    const r = loadSwitch(P4, { includeDirs: [], defines: new Map() }, { poolSlots: 4096 });
    if (!r.ok) throw new Error(r.diagnostics.join('\n'));
    const c = r.sw.command('register_write StudyIngress.key 0 0x5A5AA5A5');
    if (!c.ok) throw new Error(c.error);
    return perPacketNs(r.sw.arch);
  }
  const sp = await openSecurePipelineHandle({ backend, p4file: P4, commandsFile: COMMANDS, poolSlots: 4096, sealIntervalMs: 0 });
  if ('error' in sp) throw new Error(sp.error);
  try {
    if (!(await sp.whenUp(15000))) throw new Error(`the ${backend} secure pipeline did not come up`);
    return perPacketNs(sp.arch);
  } finally {
    await sp.close();
  }
}

async function main(): Promise<void> {
  const backends: ('isolate' | 'process')[] = nativeStatus().ok ? ['isolate', 'process'] : ['isolate'];
  if (backends.length === 1) log('(no native addon: the process backend is skipped)');
  log(`bench:tee: one core (${process.env.P4TEE_BENCH_PINNED === '1' ? 'pinned with taskset -c 0' : 'not pinned: run it with npm run bench:tee'}), medians of ${REPS} runs`);
  const crossing: Record<string, number> = {};
  for (const b of backends) {
    crossing[b] = await crossingNs(b);
    log(`crossing (batch call of 1 record, round trip)  ${b.padEnd(8)} ${crossing[b]!.toFixed(0).padStart(6)} ns`);
  }
  const plain = await pipelineNs('plain');
  log(`study-forward, 1500 B, batches of 32          plain    ${plain.toFixed(1).padStart(6)} ns/packet  1.00`);
  const pipeline: Record<string, number> = {};
  for (const b of backends) {
    pipeline[b] = await pipelineNs(b);
    log(`  secure pipeline (2 copies + 1 crossing/batch) ${b.padEnd(8)} ${pipeline[b]!.toFixed(1).padStart(6)} ns/packet  ${(pipeline[b]! / plain).toFixed(2)}x the plain pipeline's cost`);
  }
  if (json) process.stdout.write(JSON.stringify({ crossingNs: crossing, plainNsPerPacket: plain, pipelineNsPerPacket: pipeline }) + '\n');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench:tee: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
