import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { PortStats, type Port } from '../runtime/io/port.js';
import { ShmPort, initShmRegion, shmRegionSize } from '../runtime/io/shm.js';
import { Generator } from './generator.js';
import { studyTemplate, type Template } from './template.js';
import { readRunId, readSeq, writeStamp, STUDY_LAYOUT } from './stamp.js';
import { intendedCount } from './schedule.js';

/** Tests assert counts, not timing: the machine is shared, so delivery limits are switched off. */
const LENIENT = {
  lateToleranceNs: 1e12,
  maxOverrunNs: 60e9,
  validity: { minAchievedRatio: 0, maxLateRatio: 1, maxBackpressureRatio: 1 },
} as const;

function template(size = 200): Template {
  const t = studyTemplate({ size });
  if ('error' in t) throw new Error(t.error);
  return t;
}

/**
 * A port that loops what it sends back to its own rx. Drops every packet whose sequence number
 * satisfies `drop`, duplicates those matching `dup`, and refuses (ring full) every `refuseEvery`-th tx call.
 */
class LoopPort implements Port {
  readonly name = 'loop';
  readonly driver = 'shm' as const;
  readonly stats = new PortStats();
  readonly queue: Uint8Array[] = [];
  readonly seqs: number[] = [];
  txCalls = 0;
  closed = false;
  private readonly drop: (seq: number) => boolean;
  private readonly dup: (seq: number) => boolean;
  private readonly refuseEvery: number;
  constructor(drop: (seq: number) => boolean = () => false, dup: (seq: number) => boolean = () => false, refuseEvery = 0) {
    this.drop = drop;
    this.dup = dup;
    this.refuseEvery = refuseEvery;
  }
  tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (n === 0) return 0;
    this.txCalls++;
    // Refuse half of the burst on every refuseEvery-th call.
    const take = this.refuseEvery > 0 && this.txCalls % this.refuseEvery === 0 ? n >> 1 : n;
    for (let k = 0; k < take; k++) {
      const s = slots[k]!;
      const bytes = pool.bytes(s);
      const seq = readSeq(bytes, STUDY_LAYOUT, 0, bytes.length);
      this.seqs.push(seq);
      if (!this.drop(seq)) this.queue.push(bytes);
      if (this.dup(seq)) this.queue.push(bytes);
      pool.free(s);
    }
    this.stats.txPackets += take;
    return take;
  }
  rx(pool: PacketPool, out: Int32Array, max: number): number {
    let n = 0;
    while (n < max && this.queue.length > 0) {
      const s = pool.alloc();
      if (s < 0) break;
      pool.write(s, this.queue.shift()!);
      out[n++] = s;
    }
    return n;
  }
  close(): void {
    this.closed = true;
  }
}

test('a low-rate trial over a loopback port: everything arrives, stamps in order', async () => {
  const port = new LoopPort();
  const gen = new Generator(port, [port], template(), { ...LENIENT, graceNs: 5e9 });
  const r = await gen.runTrial({ pps: 2000, durationS: 0.1 });
  assert.equal(r.intended, 200);
  assert.equal(r.intended, intendedCount({ kind: 'cbr' }, 2000, 0.1e9));
  assert.equal(r.sent, 200);
  assert.equal(r.received, 200);
  assert.equal(r.lost, 0);
  assert.equal(r.lossRatio, 0);
  assert.equal(r.duplicates, 0);
  assert.equal(r.reordered, 0);
  assert.equal(r.foreign, 0);
  assert.equal(r.rxPorts, 1);
  assert.equal(r.pattern, 'cbr');
  assert.equal(r.packetBytes, 200);
  assert.deepEqual(port.seqs, Array.from({ length: 200 }, (_, i) => i));
  assert.ok(r.latencyNs.p50 !== null && r.latencyNs.max !== null && r.latencyNs.mean !== null);
  assert.ok(r.endNs > r.startNs);
  assert.equal(r.valid, true, r.invalidReason ?? '');
  gen.close();
  assert.ok(port.closed);
});

test('a dropping and duplicating port: loss and duplicates are reported exactly', async () => {
  const port = new LoopPort((s) => s % 10 === 3, (s) => s % 50 === 7);
  const gen = new Generator(port, [port], template(), { ...LENIENT, graceNs: 200e6 });
  const r = await gen.runTrial({ pps: 5000, durationS: 0.1, pattern: { kind: 'burst', k: 5 } });
  assert.equal(r.intended, 500);
  assert.equal(r.sent, 500);
  assert.equal(r.lost, 50);
  assert.equal(r.received, 450);
  assert.equal(r.lossRatio, 0.1);
  assert.equal(r.duplicates, 10);
  assert.equal(r.pattern, 'burst:5');
  // 10% lost: p99 and above are decided by lost packets; p50 is not.
  assert.equal(r.latencyNs.p99, null);
  assert.equal(r.latencyNs.max, null);
  assert.notEqual(r.latencyNs.p50, null);
  assert.notEqual(r.latencyReceivedNs.max, null);
  // Loss is the device's business: the trial itself is valid.
  assert.equal(r.valid, true, r.invalidReason ?? '');
});

test('back-pressure is counted once per packet and can make a trial invalid', async () => {
  const port = new LoopPort(() => false, () => false, 2);
  const gen = new Generator(port, [port], template(), { ...LENIENT, burst: 8, validity: { minAchievedRatio: 0, maxLateRatio: 1, maxBackpressureRatio: 0.01 } });
  const r = await gen.runTrial({ pps: 20000, durationS: 0.05, pattern: { kind: 'burst', k: 8 } });
  assert.equal(r.sent, r.intended);
  assert.equal(r.received, r.sent);
  assert.ok(r.backpressure > 0);
  assert.ok(r.backpressure <= r.intended);
  assert.equal(r.valid, false);
  assert.match(r.invalidReason ?? '', /back-pressure/);
});

test('trials back to back: a new run id each, packets of the earlier one count as foreign', async () => {
  const port = new LoopPort();
  const gen = new Generator(port, [port], template(), { ...LENIENT, graceNs: 5e9 });
  const a = await gen.runTrial({ pps: 1000, durationS: 0.02 });
  assert.equal(a.received, 20);
  // A straggler of the first trial arrives during the second.
  const late = template().frames[0]!.slice();
  writeStamp(late, STUDY_LAYOUT, 0, late.length, a.runId, 3, a.startNs);
  port.queue.push(late);
  const b = await gen.runTrial({ pps: 1000, durationS: 0.02 });
  assert.notEqual(a.runId, b.runId);
  assert.equal(b.foreign, 1);
  assert.equal(b.received, 20);
  assert.equal(b.duplicates, 0);
});

test('no receive port: loss is not measured (NaN), send side still counted', async () => {
  const port = new LoopPort();
  const gen = new Generator(port, [], template(), LENIENT);
  const r = await gen.runTrial({ pps: 1000, durationS: 0.01 });
  assert.equal(r.sent, 10);
  assert.ok(Number.isNaN(r.lossRatio));
  assert.equal(r.latencyNs.p50, null);
  assert.equal(r.rxPorts, 0);
});

test('abort cuts the trial short and makes it invalid', async () => {
  const port = new LoopPort();
  const gen = new Generator(port, [port], template(), { ...LENIENT, sliceNs: 1e6 });
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 20);
  const r = await gen.runTrial({ pps: 1000, durationS: 5 }, { signal: ac.signal });
  assert.equal(r.valid, false);
  assert.match(r.invalidReason ?? '', /cut short: aborted/);
  assert.ok(r.sent < r.intended);
  assert.equal(r.intended, 5000);
});

test('over a pair of shm ports in one process (js copy and template cycling)', async () => {
  const buffer = new ArrayBuffer(shmRegionSize(256, 2048));
  initShmRegion(buffer, 256, 2048);
  const a = new ShmPort('t', buffer, 0);
  const b = new ShmPort('t', buffer, 1);
  const t = studyTemplate({ size: 300, dstPort: { lo: 7777, hi: 7779 } });
  if ('error' in t) throw new Error(t.error);
  const gen = new Generator(a, [b], t, { ...LENIENT, nativeCopy: false, graceNs: 5e9 });
  assert.equal(gen.copyMode, 'js');
  const r = await gen.runTrial({ pps: 10000, durationS: 0.05, pattern: { kind: 'poisson' }, seed: 3 });
  assert.equal(r.intended, intendedCount({ kind: 'poisson' }, 10000, 0.05e9, 3));
  assert.equal(r.sent, r.intended);
  assert.equal(r.received, r.sent);
  assert.equal(r.lost, 0);
  assert.equal(r.pattern, 'poisson');
  // Frames on the ring carry the run id asked for and cycle through the three destination ports:
  // a second generator without a receive port leaves them on the ring to inspect.
  const pool = new PacketPool(8, 2048, 0);
  const slots = new Int32Array(8);
  const g2 = new Generator(a, [], t, { ...LENIENT, nativeCopy: false });
  const r2 = await g2.runTrial({ pps: 1000, durationS: 0.003, runId: 0xabcdef });
  assert.equal(r2.sent, 3);
  const n = b.rx(pool, slots, 8);
  assert.equal(n, 3);
  const ports: number[] = [];
  for (let k = 0; k < n; k++) {
    const v = pool.view(slots[k]!);
    assert.equal(readRunId(v, STUDY_LAYOUT, 0, v.length), 0xabcdef);
    ports.push((v[36]! << 8) | v[37]!);
  }
  assert.deepEqual(ports, [7777, 7778, 7779]);
  gen.close();
});

test('template cycling with the default copy (native when built): every frame intact and stamped', async () => {
  const t = studyTemplate({ size: 150, srcIp: { lo: 0x0a000001, hi: 0x0a000005 } });
  if ('error' in t) throw new Error(t.error);
  const port = new LoopPort();
  const gen = new Generator(port, [], t, { ...LENIENT, burst: 4 });
  const r = await gen.runTrial({ pps: 20000, durationS: 0.01, runId: 99 });
  assert.equal(r.sent, 200);
  assert.equal(port.queue.length, 200);
  for (let i = 0; i < 200; i++) {
    const f = port.queue[i]!;
    assert.equal(readSeq(f, STUDY_LAYOUT, 0, f.length), i);
    assert.equal(readRunId(f, STUDY_LAYOUT, 0, f.length), 99);
    // Source address cycles 10.0.0.1..5 and the rest is the template byte for byte.
    assert.equal(f[29], 1 + (i % 5));
    const tpl: Uint8Array = t.frames[i % 5]!;
    assert.deepEqual(f.subarray(0, 42), tpl.subarray(0, 42));
    assert.deepEqual(f.subarray(62), tpl.subarray(62));
  }
});
