// Tests of the generator engine: loopback and shm ports in one process, and (root only) a pair of
// afxdp ports on a veth pair in a private namespace, where this file runs itself as a child inside
// the namespace (env P4TEE_GEN_AFXDP_CHILD=1) and prints one RESULT line for the parent to check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { PortStats, type Port } from '../runtime/io/port.js';
import { ShmPort, initShmRegion, shmRegionSize } from '../runtime/io/shm.js';
import { afxdpNative } from '../runtime/io/afxdp.js';
import { vethNetns } from '../runtime/io/veth-test-helpers.js';
import { Generator, openGenPorts } from './generator.js';
import { studyTemplate, type Template } from './template.js';
import { readRunId, readSeq, readTimeNs, writeStamp, STUDY_LAYOUT, TAIL_LAYOUT } from './stamp.js';
import { intendedCount } from './schedule.js';
import { monoNs } from './clock.js';

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

/** Packets of the afxdp trials: over ten times the RX frames of a socket with ringSize 256 (fill ring 512). */
const AFXDP_PPS = 20_000;
const AFXDP_SECONDS = 0.3;

if (process.env.P4TEE_GEN_AFXDP_CHILD === '1') {
  // Inside the namespace: run the afxdp trials, print the result, and register no tests.
  const out = await afxdpChild(process.env.P4TEE_GEN_IF_A ?? '', process.env.P4TEE_GEN_IF_B ?? '');
  process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  process.exit(0);
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
  const gen = new Generator(a, [b], t, { ...LENIENT, nativeCopy: false, graceNs: 5e9, inPlaceTx: false, inPlaceRx: false });
  assert.equal(gen.copyMode, 'js');
  assert.equal(gen.inPlaceRxPorts, 0);
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
  const g2 = new Generator(a, [], t, { ...LENIENT, nativeCopy: false, inPlaceTx: false });
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

/**
 * The far side of an shm region for in-place tests, run from inside the generator's poll loop: as
 * an RX port listed BEFORE the generator's own shm port, each rx() call takes what side 1 received
 * (keeping a copy of every frame), drops / duplicates / adds foreign frames as asked, and sends the
 * rest back on side 1. It always returns 0 itself: the generator receives the echoes on side 0.
 */
class EchoTap implements Port {
  readonly name = 'tap';
  readonly driver = 'shm' as const;
  readonly stats = new PortStats();
  readonly frames: Uint8Array[] = [];
  private readonly b: ShmPort;
  private readonly pool = new PacketPool(512, 2048, 0);
  private readonly slots = new Int32Array(64);
  private readonly queue: number[] = [];
  private readonly out = new Int32Array(512);
  private readonly drop: (seq: number) => boolean;
  private readonly dup: (seq: number) => boolean;
  private foreignEvery: number;
  constructor(b: ShmPort, drop: (seq: number) => boolean = () => false, dup: (seq: number) => boolean = () => false, foreignEvery = 0) {
    this.b = b;
    this.drop = drop;
    this.dup = dup;
    this.foreignEvery = foreignEvery;
  }
  tx(): number {
    return 0;
  }
  rx(): number {
    const pool = this.pool;
    const n = this.b.rx(pool, this.slots, 64);
    for (let k = 0; k < n; k++) {
      const s = this.slots[k]!;
      const bytes = pool.bytes(s);
      this.frames.push(bytes);
      const layout = bytes.length >= 1000 || bytes.length < 62 ? TAIL_LAYOUT : STUDY_LAYOUT;
      const seq = readSeq(bytes, layout, 0, bytes.length);
      if (this.dup(seq)) {
        const d = pool.alloc();
        pool.write(d, bytes);
        this.queue.push(s, d);
      } else if (this.drop(seq)) {
        pool.free(s);
      } else {
        this.queue.push(s);
      }
      if (this.foreignEvery > 0 && this.frames.length % this.foreignEvery === 0) {
        const f = pool.alloc();
        pool.write(f, new Uint8Array(100).fill(0x5a));
        this.queue.push(f);
      }
    }
    // Echo in order; what side 1's ring refuses waits for the next call.
    const m = Math.min(this.queue.length, this.out.length);
    for (let k = 0; k < m; k++) this.out[k] = this.queue[k]!;
    const took = this.b.tx(pool, this.out, m);
    this.queue.splice(0, took);
    return 0;
  }
  close(): void {}
}

/** One trial over a fresh shm region (ring of `ring` buffers) with the echo tap; in place or the pool path. */
async function shmTrial(
  t: Template,
  inPlace: boolean,
  req: { pps: number; durationS: number; pattern?: { kind: 'cbr' } | { kind: 'burst'; k: number } },
  o: { ring?: number; burst?: number; runId?: number; drop?: (s: number) => boolean; dup?: (s: number) => boolean; foreignEvery?: number } = {},
) {
  const ring = o.ring ?? 16;
  const buffer = new ArrayBuffer(shmRegionSize(ring, 2048));
  initShmRegion(buffer, ring, 2048);
  const a = new ShmPort('t', buffer, 0, undefined, false);
  const b = new ShmPort('t', buffer, 1, undefined, false);
  const tap = new EchoTap(b, o.drop, o.dup, o.foreignEvery);
  const gen = new Generator(a, [tap, a], t, { ...LENIENT, graceNs: 2e9, burst: o.burst ?? 32, inPlaceTx: inPlace, inPlaceRx: inPlace, nativeCopy: false });
  assert.equal(gen.copyMode, inPlace ? 'shm-inplace' : 'js');
  assert.equal(gen.inPlaceRxPorts, inPlace ? 1 : 0);
  const r = await gen.runTrial({ ...req, runId: o.runId ?? 0x1234 });
  gen.close();
  return { r, frames: tap.frames, a };
}

/** Frames of several sizes with the tail stamp: a template the study layout cannot describe. */
function mixedTemplate(): Template {
  const frames = [100, 1500, 300].map((len, i) => Uint8Array.from({ length: len }, (_, j) => (j * 13 + i * 7 + 1) & 0xff));
  return { frames, layout: TAIL_LAYOUT, description: 'mixed sizes' };
}

for (const [name, t] of [
  ['study template cycling 4 destination ports', ((): Template => {
    const x = studyTemplate({ size: 1500, dstPort: { lo: 7000, hi: 7003 } });
    if ('error' in x) throw new Error(x.error);
    return x;
  })()],
  ['tail stamps, frames of 100, 1500 and 300 bytes', mixedTemplate()],
] as const) {
  test(`in-place shm TX and RX give the same frames and counts as the pool path (${name}, ring wraps)`, async () => {
    const req = { pps: 10000, durationS: 0.05 };
    const ip = await shmTrial(t, true, req);
    const pp = await shmTrial(t, false, req);
    for (const { r, frames } of [ip, pp]) {
      assert.equal(r.intended, 500);
      assert.equal(r.sent, 500);
      assert.equal(r.received, 500);
      assert.equal(r.lost, 0);
      assert.equal(r.duplicates, 0);
      assert.equal(r.foreign, 0);
      assert.equal(frames.length, 500);
    }
    const L = t.layout;
    for (let i = 0; i < 500; i++) {
      const f = ip.frames[i]!;
      const g = pp.frames[i]!;
      assert.equal(f.length, t.frames[i % t.frames.length]!.length, `frame ${i} length`);
      assert.equal(readSeq(f, L, 0, f.length), i);
      assert.equal(readRunId(f, L, 0, f.length), 0x1234);
      // Intended times differ only by the start of each trial (rounded to whole ns).
      const di = readTimeNs(f, L, 0, f.length) - ip.r.startNs;
      const dp = readTimeNs(g, L, 0, g.length) - pp.r.startNs;
      assert.ok(Math.abs(di - dp) <= 1 && Math.abs(di - i * 1e5) <= 1, `frame ${i} time ${di} vs ${dp}`);
      // Everything else byte for byte: the template around the stamp, same as the pool path.
      const tb = L.fromEnd ? f.length : 0;
      const fz = f.slice();
      const gz = g.slice();
      fz.fill(0, tb + L.timeOff, tb + L.timeOff + 8);
      gz.fill(0, tb + L.timeOff, tb + L.timeOff + 8);
      assert.deepEqual(fz, gz, `frame ${i} bytes`);
      const tpl = t.frames[i % t.frames.length]!.slice();
      writeStamp(tpl, L, 0, tpl.length, 0x1234, i, 0);
      assert.deepEqual(fz, tpl, `frame ${i} is its template plus the stamp`);
    }
    assert.equal(ip.a.stats.txPackets, 500);
    assert.equal(ip.a.stats.rxPackets, 500);
  });
}

test('in-place shm TX: trials back to back on one generator restamp the run id in every ring buffer', async () => {
  const buffer = new ArrayBuffer(shmRegionSize(16, 2048));
  initShmRegion(buffer, 16, 2048);
  const a = new ShmPort('t', buffer, 0, undefined, false);
  const tap = new EchoTap(new ShmPort('t', buffer, 1, undefined, false));
  const gen = new Generator(a, [tap, a], template(), { ...LENIENT, graceNs: 2e9, inPlaceTx: true, inPlaceRx: true });
  const r1 = await gen.runTrial({ pps: 10000, durationS: 0.01, runId: 1 });
  const r2 = await gen.runTrial({ pps: 10000, durationS: 0.01, runId: 2 });
  assert.equal(r1.received, 100);
  assert.equal(r2.received, 100);
  assert.equal(r2.foreign, 0);
  assert.deepEqual(tap.frames.map((f) => readRunId(f, STUDY_LAYOUT, 0, f.length)), [...Array(100).fill(1), ...Array(100).fill(2)]);
});

test('in-place shm TX: a full ring gives back-pressure, refused packets go later and in order, as on the pool path', async () => {
  const t = studyTemplate({ size: 1500, dstPort: { lo: 7000, hi: 7002 } });
  if ('error' in t) throw new Error(t.error);
  // Bursts of 32 at once into a ring of 8: each burst takes 4 sends, 24 packets counted refused once.
  const req = { pps: 3200, durationS: 0.1, pattern: { kind: 'burst' as const, k: 32 } };
  const ip = await shmTrial(t, true, req, { ring: 8, burst: 32 });
  const pp = await shmTrial(t, false, req, { ring: 8, burst: 32 });
  for (const { r, frames } of [ip, pp]) {
    assert.equal(r.intended, 320);
    assert.equal(r.sent, 320);
    assert.equal(r.received, 320);
    assert.equal(r.backpressure, 10 * 24);
    assert.deepEqual(frames.map((f) => readSeq(f, STUDY_LAYOUT, 0, f.length)), Array.from({ length: 320 }, (_, i) => i));
    // A refused packet keeps its template when it goes later: destination ports still cycle.
    assert.deepEqual(frames.map((f) => (f[36]! << 8) | f[37]!), Array.from({ length: 320 }, (_, i) => 7000 + (i % 3)));
  }
  assert.equal(ip.r.lateSends, pp.r.lateSends);
});

test('in-place shm RX counts loss, duplicates and foreign frames exactly as the pool path', async () => {
  const t = template(200);
  const opts = { ring: 64, drop: (s: number) => s % 10 === 3, dup: (s: number) => s % 50 === 7, foreignEvery: 100 };
  const req = { pps: 10000, durationS: 0.05 };
  const ip = await shmTrial(t, true, req, opts);
  const pp = await shmTrial(t, false, req, opts);
  for (const { r } of [ip, pp]) {
    assert.equal(r.sent, 500);
    assert.equal(r.received, 450);
    assert.equal(r.lost, 50);
    assert.equal(r.duplicates, 10);
    assert.equal(r.foreign, 5);
  }
});

test('P4TEE_GEN_INPLACE=0 turns both shm in-place paths off unless the options say otherwise', () => {
  const buffer = new ArrayBuffer(shmRegionSize(8, 2048));
  initShmRegion(buffer, 8, 2048);
  const a = new ShmPort('t', buffer, 0, undefined, false);
  const before = process.env.P4TEE_GEN_INPLACE;
  try {
    process.env.P4TEE_GEN_INPLACE = '0';
    const off = new Generator(a, [a], template(), { nativeCopy: false });
    assert.equal(off.copyMode, 'js');
    assert.equal(off.inPlaceRxPorts, 0);
    const on = new Generator(a, [a], template(), { nativeCopy: false, inPlaceTx: true, inPlaceRx: true });
    assert.equal(on.copyMode, 'shm-inplace');
    assert.equal(on.inPlaceRxPorts, 1);
    delete process.env.P4TEE_GEN_INPLACE;
    assert.equal(new Generator(a, [a], template(), { nativeCopy: false }).copyMode, 'shm-inplace');
    // A frame bigger than a ring buffer: the pool path (whose port counts it as too big).
    const small = new ArrayBuffer(shmRegionSize(8, 128));
    initShmRegion(small, 8, 128);
    assert.equal(new Generator(new ShmPort('s', small, 0), [], template(200), { nativeCopy: false }).copyMode, 'js');
  } finally {
    if (before === undefined) delete process.env.P4TEE_GEN_INPLACE;
    else process.env.P4TEE_GEN_INPLACE = before;
  }
});

// ---- afxdp: a generator sending on one veth end and receiving on the other ----

/** One afxdp trial's numbers, as the child reports them. */
interface AfxdpTrial {
  inPlace: boolean;
  copyMode: string;
  inPlaceRxPorts: number;
  intended: number;
  sent: number;
  received: number;
  lost: number;
  duplicates: number;
  foreign: number;
  /** Frames the receiver took (ours or not) and the RX port's rxPackets: equal when counted once. */
  frames: number;
  rxPackets: number;
  txPackets: number;
  p50: number | null;
}

/**
 * Child: one pair of ports (a socket closed and opened again at once on the same queue can find
 * the queue still busy), and on it a generator in place, then one over the pools; each runs
 * warm-up trials, then the measured one.
 */
async function afxdpChild(ifA: string, ifB: string): Promise<{ error?: string; trials?: AfxdpTrial[] }> {
  const t = studyTemplate({ size: 1500, dstPort: { lo: 7000, hi: 7003 } });
  if ('error' in t) return { error: t.error };
  const trials: AfxdpTrial[] = [];
  const ports = openGenPorts({ driver: 'afxdp', tx: ifA, rx: [ifB], mode: 'copy', ringSize: 256, maxFrame: 1500 });
  if ('error' in ports) return { error: ports.error };
  for (const inPlace of [true, false]) {
    const gen = new Generator(ports.tx, ports.rx, t, { ...LENIENT, graceNs: 2e9, inPlaceTx: inPlace, inPlaceRx: inPlace });
    // Warm-up (the link may still be settling), not checked.
    for (let i = 0; i < 20; i++) {
      const w = await gen.runTrial({ pps: 1000, durationS: 0.02 });
      if (w.received === w.sent) break;
    }
    const rxPort = ports.rx[0]!;
    const rx0 = rxPort.stats.rxPackets;
    const tx0 = ports.tx.stats.txPackets;
    const r = await gen.runTrial({ pps: AFXDP_PPS, durationS: AFXDP_SECONDS });
    trials.push({
      inPlace, copyMode: gen.copyMode, inPlaceRxPorts: gen.inPlaceRxPorts, intended: r.intended, sent: r.sent, received: r.received,
      lost: r.lost, duplicates: r.duplicates, foreign: r.foreign, frames: gen.receiver.frames, rxPackets: rxPort.stats.rxPackets - rx0,
      txPackets: ports.tx.stats.txPackets - tx0, p50: r.latencyNs.p50,
    });
    // The last generator closes the ports; the first one holds nothing else.
    if (!inPlace) gen.close();
  }
  return { trials };
}

{
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const nat = afxdpNative();
  const skip = !isRoot
    ? 'needs root (network namespaces, AF_XDP)'
    : 'error' in nat
      ? `native addon unavailable: ${nat.error}`
      : spawnSync('ip', ['-V'], { encoding: 'utf8' }).status !== 0
        ? 'iproute2 (ip) not installed'
        : false;
  test('over a pair of afxdp ports on a veth pair: in-place TX and RX count exactly as the pool path', { skip, timeout: 120_000 }, (t) => {
    const { ns, a: vA, b: vB, ip, remove } = vethNetns(`p4tg-${process.pid}-ns`, `p4tg${process.pid}a`, `p4tg${process.pid}b`);
    try {
      const child = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url)], {
        encoding: 'utf8',
        timeout: 90_000,
        env: { ...process.env, P4TEE_GEN_AFXDP_CHILD: '1', P4TEE_GEN_IF_A: vA, P4TEE_GEN_IF_B: vB },
      });
      const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      assert.ok(line !== undefined, `child printed no result (status ${child.status}, signal ${child.signal}):\n${child.stdout}\n${child.stderr}`);
      const res = JSON.parse(line.slice('RESULT '.length)) as { error?: string; trials?: AfxdpTrial[] };
      assert.equal(res.error, undefined, `child failed: ${res.error}`);
      const [ipr, pp] = res.trials!;
      assert.equal(ipr!.copyMode, 'umem');
      assert.equal(ipr!.inPlaceRxPorts, 1);
      assert.notEqual(pp!.copyMode, 'umem');
      assert.equal(pp!.inPlaceRxPorts, 0);
      const want = Math.round(AFXDP_PPS * AFXDP_SECONDS);
      for (const r of [ipr!, pp!]) {
        const what = r.inPlace ? 'in place' : 'pool path';
        assert.equal(r.intended, want, what);
        assert.equal(r.sent, want, what);
        assert.ok(want >= 10 * 512, 'many more packets than the RX frames of a socket');
        assert.equal(r.received, r.sent, `${what}: ${r.received} of ${r.sent} received`);
        assert.equal(r.lost, 0, what);
        assert.equal(r.duplicates, 0, what);
        assert.equal(r.txPackets, r.sent, `${what}: the TX port counts each packet once`);
        assert.equal(r.rxPackets, r.frames, `${what}: the RX port counts each frame the receiver saw once`);
        assert.ok(r.p50 !== null && r.p50 > 0, `${what}: latency measured`);
      }
      t.diagnostic(`afxdp trials: ${JSON.stringify(res.trials)}`);
      const after = ip('-n', ns, 'link', 'show');
      assert.doesNotMatch(after, /xdp/, 'no XDP program left after close');
    } finally {
      remove();
    }
  });
}

/** A LoopPort whose first transmit stalls the generator for stallMs, and that records when each sequence number left. */
class StallPort extends LoopPort {
  readonly sentAt = new Map<number, number>();
  private stalled = false;
  private readonly stallMs: number;
  constructor(stallMs: number) {
    super();
    this.stallMs = stallMs;
  }
  override tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (n > 0 && !this.stalled) {
      this.stalled = true;
      const end = monoNs() + this.stallMs * 1e6;
      while (monoNs() < end) { /* the generator is held up */ }
    }
    const before = this.seqs.length;
    const took = super.tx(pool, slots, n);
    const now = monoNs();
    for (let i = before; i < this.seqs.length; i++) this.sentAt.set(this.seqs[i]!, now);
    return took;
  }
}

test('a generator held up catches up at most catchUp x the offered rate, not in one burst', async () => {
  // 50 kpps, held up 40 ms on its first send: about 2000 packets are late. At most 1.5 x 50 kpps they
  // need at least 2000 / 75 kpps = 26.7 ms to go out (a slower machine only takes longer).
  const port = new StallPort(40);
  const gen = new Generator(port, [port], template(), { ...LENIENT, lateToleranceNs: 100_000, graceNs: 5e9, catchUp: 1.5 });
  const r = await gen.runTrial({ pps: 50_000, durationS: 0.3 });
  assert.equal(r.sent, r.intended);
  assert.equal(r.received, r.intended);
  assert.ok(r.lateSends > 1000, `late sends ${r.lateSends}`);
  const first = port.sentAt.get(100);
  const last = port.sentAt.get(1900);
  assert.ok(first !== undefined && last !== undefined);
  assert.ok((last - first) / 1e6 >= 1800 / 75_000 * 1e3 * 0.9, `packets 100..1900 left within ${((last - first) / 1e6).toFixed(2)} ms`);
  gen.close();
});
