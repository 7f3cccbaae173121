// `npm run bench:pipeline`: per-packet processing cost of examples/study-forward, compiled and run
// through the v1model batch entry point (V1Model.injectBatch + run, traffic manager and deparser
// included) on 1500-byte packets in batches of 32 from memory, next to the hand-written loop of
// study-baseline.ts on the same pool and batches, in the same run. Prints medians in ns/packet and
// their ratio (`--json`: {"nsPerPacket": x, "baselineNsPerPacket": y}). Asserts nothing.
import { fileURLToPath } from 'node:url';
import { PerformanceObserver } from 'node:perf_hooks';
import { loadSwitch } from '../runtime/switch.js';
import type { RegisterArray } from '../runtime/externs/registers.js';
import { studyBaselineBatch } from './study-baseline.js';
import { median } from '../measure/stats.js';

const BATCH = 32;
const PACKET_BYTES = 1500;
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const numArg = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
};
/** Packets in memory (a multiple of the batch size). */
const PACKETS = numArg('--packets', 512);
/** Timed repetitions of each loop (medians are reported) and passes over all packets per repetition. */
const REPS = numArg('--reps', 41);
const PASSES = numArg('--passes', 40);

const program = fileURLToPath(new URL('../../examples/study-forward/study-forward.p4', import.meta.url));
const loaded = loadSwitch(program, { includeDirs: [], defines: new Map() }, { poolSlots: Math.max(1024, PACKETS * 2) });
if (!loaded.ok) {
  console.error(loaded.diagnostics.join('\n'));
  process.exit(1);
}
const sw = loaded.sw;
const key = sw.command('register_write StudyIngress.key 0 0x5A5AA5A5');
if (!key.ok) {
  console.error(key.error);
  process.exit(1);
}
const arch = sw.arch;
const pool = arch.pool;
const keyWords = (sw.target.registers.get('StudyIngress.key') as RegisterArray).words;

/** A 1500-byte study packet: Ethernet / IPv4 / UDP to 7777 / study header / payload. */
function studyPacket(i: number): Uint8Array {
  const b = new Uint8Array(PACKET_BYTES);
  const dv = new DataView(b.buffer);
  b.set([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  const ip = 14;
  b[ip] = 0x45;
  dv.setUint16(ip + 2, PACKET_BYTES - 14);
  dv.setUint16(ip + 4, i & 0xffff);
  b[ip + 8] = 64;
  b[ip + 9] = 17;
  dv.setUint32(ip + 12, 0x0a000001);
  dv.setUint32(ip + 16, 0x0a000002 + (i & 0xff));
  let sum = 0;
  for (let j = 0; j < 20; j += 2) sum += dv.getUint16(ip + j);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(ip + 10, ~sum & 0xffff);
  const udp = ip + 20;
  dv.setUint16(udp, 40000);
  dv.setUint16(udp + 2, 7777);
  dv.setUint16(udp + 4, PACKET_BYTES - 34);
  dv.setUint16(udp + 6, 0xabcd);
  const st = udp + 8;
  dv.setUint32(st, i);
  dv.setUint32(st + 4, Math.imul(i + 1, 0x9e3779b1) >>> 0);
  for (let j = st + 8; j < PACKET_BYTES; j++) b[j] = (i + j) & 0xff;
  return b;
}

const slots = new Int32Array(PACKETS);
for (let i = 0; i < PACKETS; i++) {
  const p = pool.alloc();
  if (p < 0 || !pool.write(p, studyPacket(i))) throw new Error('packet pool too small');
  pool.port[p] = i % 8;
  slots[i] = p;
}
const batches: Int32Array[] = [];
for (let i = 0; i + BATCH <= PACKETS; i += BATCH) batches.push(slots.subarray(i, i + BATCH));
const sentBuf = new Int32Array(BATCH);

/** One pass of the pipeline over every batch; the sent slots are taken back (as a driver would after transmit) and reused. */
function pipelinePass(): number {
  let sent = 0;
  for (let i = 0; i < batches.length; i++) {
    arch.injectBatch(batches[i], BATCH);
    arch.run();
    while (arch.takeSent() >= 0) sent++;
  }
  return sent;
}

function baselinePass(): number {
  let sent = 0;
  for (let i = 0; i < batches.length; i++) sent += studyBaselineBatch(pool, batches[i], BATCH, keyWords, sentBuf);
  return sent;
}

// --- The two loops must do the same thing: compare their output on the same input.
function snapshot(): { bytes: Uint8Array[]; ports: number[]; starts: number[] } {
  const bytes: Uint8Array[] = [];
  const ports: number[] = [];
  const starts: number[] = [];
  for (const p of slots) { bytes.push(pool.bytes(p)); ports.push(pool.port[p]); starts.push(pool.start[p]); }
  return { bytes, ports, starts };
}
function restore(s: ReturnType<typeof snapshot>): void {
  slots.forEach((p, i) => {
    pool.start[p] = s.starts[i]!;
    pool.length[p] = s.bytes[i]!.length;
    pool.buf.set(s.bytes[i]!, s.starts[i]!);
    pool.port[p] = s.ports[i]!;
  });
}
{
  const before = snapshot();
  const n1 = pipelinePass();
  const a = snapshot();
  restore(before);
  const n2 = baselinePass();
  const b = snapshot();
  restore(before);
  let diff = n1 !== n2 || n1 !== PACKETS ? `sent ${n1} vs ${n2} of ${PACKETS}` : '';
  for (let i = 0; i < PACKETS && diff === ''; i++) {
    if (a.ports[i] !== b.ports[i] || a.starts[i] !== b.starts[i] || Buffer.compare(a.bytes[i]!, b.bytes[i]!) !== 0) diff = `packet ${i} differs`;
    else if (Buffer.compare(a.bytes[i]!, before.bytes[i]!) === 0) diff = `packet ${i} unchanged by the pipeline`;
  }
  if (diff !== '') {
    console.error(`pipeline and hand-written loop disagree: ${diff}`);
    process.exit(1);
  }
}

function timePasses(pass: () => number, passes: number): number {
  const t = process.hrtime.bigint();
  let n = 0;
  for (let i = 0; i < passes; i++) n += pass();
  return Number(process.hrtime.bigint() - t) / n;
}

// Warm-up: let both loops reach their optimised code.
const warmUntil = Date.now() + 700;
while (Date.now() < warmUntil) { timePasses(pipelinePass, 4); timePasses(baselinePass, 4); }

// Timed repetitions, interleaved so that both see the same machine noise.
const pipe: number[] = [];
const base: number[] = [];
for (let r = 0; r < REPS; r++) {
  pipe.push(timePasses(pipelinePass, PASSES));
  base.push(timePasses(baselinePass, PASSES));
}

// Allocation check: garbage collections and heap growth while the pipeline handles ~1e6 packets.
let gcs = 0;
const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
obs.observe({ entryTypes: ['gc'] });
const heap0 = process.memoryUsage().heapUsed;
const allocPasses = Math.ceil(1e6 / PACKETS);
for (let i = 0; i < allocPasses; i++) pipelinePass();
const heapGrowth = process.memoryUsage().heapUsed - heap0;
await new Promise((r) => setTimeout(r, 10));
obs.disconnect();

const nsPerPacket = +median(pipe).toFixed(1);
const baselineNsPerPacket = +median(base).toFixed(1);
if (json) console.log(JSON.stringify({ nsPerPacket, baselineNsPerPacket }));
else {
  const ratio = nsPerPacket / baselineNsPerPacket;
  console.log(`study-forward, ${PACKET_BYTES}-byte packets, batches of ${BATCH}, ${PACKETS} packets in memory (${REPS} repetitions x ${PASSES} passes, medians)`);
  console.log(`  compiled pipeline (V1Model.injectBatch + run)  ${nsPerPacket.toFixed(1)} ns/packet   [min ${Math.min(...pipe).toFixed(1)}, max ${Math.max(...pipe).toFixed(1)}]`);
  console.log(`  hand-written TypeScript loop                   ${baselineNsPerPacket.toFixed(1)} ns/packet   [min ${Math.min(...base).toFixed(1)}, max ${Math.max(...base).toFixed(1)}]`);
  console.log(`  ratio                                          ${ratio.toFixed(2)}x   (target: <= 1.5x and <= 100 ns/packet)`);
  console.log(`  allocation: ${allocPasses * PACKETS} packets, heap growth ${(heapGrowth / 1024).toFixed(0)} KiB, ${gcs} GC(s)`);
}
