// Tests of the poll loop with in-memory fake ports (arrays of packets): study-forward forwarding,
// commands applied between batches, malformed packets, failing ports, full TX rings, unbound
// output ports, program faults, pipelines that keep batches in flight until settled, and that no
// pool slot leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../switch.js';
import type { Switch } from '../switch.js';
import { PacketPool } from './packet-pool.js';
import { PollLoop } from './poll-loop.js';
import type { LoopPipeline, LoopSwitch } from './poll-loop.js';
import { now } from './telemetry.js';
import { PortStats } from '../io/port.js';
import type { Port } from '../io/port.js';

const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

/** A port over two arrays: `input` is received in order, `output` collects what is sent. */
export class FakePort implements Port {
  readonly name: string;
  readonly driver = 'pcap' as const;
  readonly stats = new PortStats();
  readonly input: Uint8Array[] = [];
  readonly output: Uint8Array[] = [];
  rxThrows = false;
  txThrows = false;
  /** Most packets tx accepts per call (the rest: ring full). */
  txRoom = Infinity;
  closed = false;
  constructor(name: string) { this.name = name; }
  rx(pool: PacketPool, out: Int32Array, max: number): number {
    if (this.rxThrows) throw new Error('ENETDOWN');
    let n = 0;
    while (n < max && this.input.length > 0) {
      const p = pool.alloc();
      if (p < 0) break;
      pool.write(p, this.input.shift()!);
      out[n++] = p;
    }
    this.stats.rxPackets += n;
    return n;
  }
  tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (this.txThrows) throw new Error('ENXIO');
    const k = Math.min(n, this.txRoom);
    for (let i = 0; i < k; i++) {
      this.output.push(pool.bytes(slots[i]));
      pool.free(slots[i]);
    }
    this.stats.txPackets += k;
    return k;
  }
  close(): void { this.closed = true; }
}

function load(name: string): Switch {
  const r = loadSwitch(`${examples}${name}/${name}.p4`, { includeDirs: [], defines: new Map() });
  if (!r.ok) throw new Error(r.diagnostics.join('\n'));
  return r.sw;
}

const KEY = 0x5a5aa5a5;

/** Ethernet / IPv4 / UDP to 7777 / study header (seq, secret), `size` bytes in all. */
function studyPacket(seq: number, secret: number, size = 100, dstIp = 0x0a000002): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b.set([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, size - 14);
  b[22] = 64;
  b[23] = 17;
  dv.setUint32(26, 0x0a000001);
  dv.setUint32(30, dstIp);
  let sum = 0;
  for (let j = 14; j < 34; j += 2) sum += dv.getUint16(j);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(24, ~sum & 0xffff);
  dv.setUint16(34, 40000);
  dv.setUint16(36, 7777);
  dv.setUint16(38, size - 34);
  dv.setUint16(40, 0xabcd);
  dv.setUint32(42, seq);
  dv.setUint32(46, secret);
  return b;
}

const secretOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(46);
const seqOf = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint32(42);
const udpSum = (b: Uint8Array): number => new DataView(b.buffer, b.byteOffset).getUint16(40);
const expectSecret = (secret: number, key: number): number => ((((secret ^ key) >>> 0) + 1) ^ key) >>> 0;

function studySwitch(): Switch {
  const sw = load('study-forward');
  assert.ok(sw.command(`register_write StudyIngress.key 0 ${KEY}`).ok);
  return sw;
}

test('study-forward: packets come out of the paired port, changed as the program says', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 8 });
  for (let i = 0; i < 50; i++) a.input.push(studyPacket(i, 1000 + i));
  for (let i = 0; i < 20; i++) b.input.push(studyPacket(100 + i, 7 * i));
  loop.runUntil(() => a.input.length === 0 && b.input.length === 0, 1000);
  assert.equal(b.output.length, 50);
  assert.equal(a.output.length, 20);
  b.output.forEach((p, i) => {
    assert.equal(seqOf(p), i, 'order kept');
    assert.equal(secretOf(p), expectSecret(1000 + i, KEY));
    assert.equal(udpSum(p), 0);
  });
  a.output.forEach((p, i) => { assert.equal(secretOf(p), expectSecret(7 * i, KEY)); });
  assert.equal(loop.inPackets, 70);
  assert.equal(loop.outPackets, 70);
  assert.equal(loop.totalDrops(), 0);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots, 'no slot leaked');
  const tel = loop.telemetry!.toJSON();
  assert.equal(tel.totals.packets, 70);
  // Bursts of at most 8: 50 packets on a = 7 batches, 20 on b = 3.
  assert.equal(tel.totals.batches, 10);
  assert.ok(tel.batches.every((x) => x.n >= 1 && x.n <= 8 && x.rxNs >= 0 && x.procNs >= 0 && x.txNs >= 0));
  assert.equal(tel.histogram[8], 8);
});

test('a command submitted while running waits for the gap between batches, then takes effect', async () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 4 });
  loop.start();
  try {
    const pending = loop.submit('register_write StudyIngress.key 0 0x11111111');
    // Not applied yet: the loop applies it at its next pass.
    const before = sw.command('register_read StudyIngress.key 0');
    assert.ok(before.ok && before.message.endsWith(String(KEY)), JSON.stringify(before));
    const [r] = await pending;
    assert.ok(r!.ok, JSON.stringify(r));
    assert.equal(loop.commandsApplied, 1);
    a.input.push(studyPacket(1, 5));
    const until = Date.now() + 10000;
    while (b.output.length === 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 5));
    assert.equal(b.output.length, 1);
    assert.equal(secretOf(b.output[0]!), expectSecret(5, 0x11111111));
    const refused = await loop.submit(['register_write StudyIngress.nope 0 1']);
    assert.equal(refused[0]!.ok, false);
  } finally {
    loop.stop();
  }
});

test('a table entry added through the loop starts forwarding (ipv4-router)', async () => {
  const sw = load('ipv4-router');
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }]);
  a.input.push(studyPacket(1, 1, 100, 0x0a010203));
  loop.runUntil(() => a.input.length === 0, 100);
  loop.pollOnce();
  assert.equal(b.output.length, 0, 'dropped without a route');
  const [r] = await loop.submit('table_add RouterIngress.ipv4_lpm RouterIngress.set_nhop 10.0.0.0/8 => 00:00:00:00:01:01 1');
  assert.ok(r!.ok, JSON.stringify(r));
  a.input.push(studyPacket(2, 1, 100, 0x0a010203));
  loop.runUntil(() => a.input.length === 0, 100);
  assert.equal(b.output.length, 1);
  assert.deepEqual([...b.output[0]!.subarray(0, 6)], [0, 0, 0, 0, 1, 1]);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots);
});

test('malformed and truncated packets do not stop the loop', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 4 });
  const bad = [new Uint8Array(0), new Uint8Array(1), new Uint8Array(13), studyPacket(0, 0).subarray(0, 20), studyPacket(0, 0).subarray(0, 45)];
  const junk = new Uint8Array(60).fill(0xff);
  a.input.push(...bad, junk, studyPacket(9, 9));
  loop.runUntil(() => a.input.length === 0, 100);
  const last = b.output[b.output.length - 1]!;
  assert.equal(seqOf(last), 9);
  assert.equal(secretOf(last), expectSecret(9, KEY));
  assert.equal(loop.inPackets, 7);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots);
});

test('a port whose rx or tx throws is counted, not fatal; the other ports keep working', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const down = new FakePort('down');
  down.rxThrows = true;
  const errors: string[] = [];
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }, { num: 2, port: down }], { onError: (m) => errors.push(m) });
  a.input.push(studyPacket(1, 1));
  loop.pollOnce();
  loop.pollOnce();
  assert.equal(b.output.length, 1);
  assert.equal(loop.drops[3], 2, 'two failed rx bursts');
  assert.equal(errors.length, 1, 'reported once');
  assert.match(errors[0]!, /rx on down: ENETDOWN/);
  // Now b's tx fails: the packets for it are dropped and their slots recycled.
  b.txThrows = true;
  for (let i = 0; i < 5; i++) a.input.push(studyPacket(i, i));
  loop.pollOnce();
  assert.equal(loop.dropsByReason()['tx-error'], 5);
  assert.equal(loop.stats().ports[1]!.errors, 1);
  assert.match(loop.stats().ports[1]!.lastError ?? '', /ENXIO/);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots);
  // b comes back.
  b.txThrows = false;
  a.input.push(studyPacket(7, 7));
  loop.pollOnce();
  assert.equal(b.output.length, 2);
});

test('a full TX ring and an unbound output port drop by reason', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  b.txRoom = 3;
  const c = new FakePort('c');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }, { num: 2, port: c }], { burst: 32 });
  for (let i = 0; i < 10; i++) a.input.push(studyPacket(i, i));
  // From port 2 the program sends to port 3, which no port is bound to.
  c.input.push(studyPacket(1, 1), studyPacket(2, 2));
  loop.pollOnce();
  assert.equal(b.output.length, 3);
  const d = loop.dropsByReason();
  assert.equal(d['tx-full'], 7);
  assert.equal(d['no-port'], 2);
  assert.equal(loop.outPackets, 3);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots);
});

test('a program fault loses only its batch; the loop goes on', () => {
  const pool = new PacketPool(64, 256, 32);
  let fail = true;
  const sent: number[] = [];
  const sw: LoopSwitch = {
    arch: {
      pool,
      overflowDrops: 0,
      injectBatch(pkts: Int32Array, n: number) {
        if (fail) throw new Error('assert failed at prog.p4:12');
        for (let i = 0; i < n; i++) { pool.port[pkts[i]] = 1; sent.push(pkts[i]); }
      },
      run() {},
      takeSent() { return sent.length ? sent.shift()! : -1; },
    },
    command: () => ({ ok: true, message: '' }),
  };
  const a = new FakePort('a');
  const b = new FakePort('b');
  const errors: string[] = [];
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { onError: (m) => errors.push(m) });
  a.input.push(new Uint8Array(10), new Uint8Array(10), new Uint8Array(10));
  loop.pollOnce();
  assert.equal(loop.dropsByReason()['pipeline-error'], 3);
  assert.equal(pool.available, 64);
  assert.match(errors[0]!, /assert failed at prog\.p4:12/);
  fail = false;
  a.input.push(new Uint8Array(10));
  loop.pollOnce();
  assert.equal(b.output.length, 1);
  assert.equal(pool.available, 64);
});

/** A study-forward loop over two fake ports, started and past its first polls (bounded wait: a loaded machine may run timers first). */
async function startedLoop(): Promise<{ loop: PollLoop; a: FakePort; b: FakePort }> {
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(studySwitch(), [{ num: 0, port: a }, { num: 1, port: b }]);
  loop.start();
  const until = Date.now() + 20000;
  while (loop.telemetry!.emptyPolls === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  return { loop, a, b };
}

test('stop() ends the scheduled loop; closePorts closes every port', async () => {
  const { loop, a, b } = await startedLoop();
  loop.stop();
  const polls = loop.telemetry!.emptyPolls;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(loop.telemetry!.emptyPolls, polls, 'no polling after stop');
  assert.ok(polls > 0);
  loop.closePorts();
  assert.ok(a.closed && b.closed);
  // Not running: a command applies at once.
  const [r] = await loop.submit('register_read StudyIngress.key 0');
  assert.ok(r!.ok);
});

test('runt and garbage frames come out unchanged (P4 parser errors), counted as forwarded, nothing leaks', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 3 });
  const bad = [new Uint8Array(1), new Uint8Array(13).fill(0xff), studyPacket(1, 2).subarray(0, 20), studyPacket(3, 4).subarray(0, 50), new Uint8Array(300).fill(0xa5)];
  for (const f of bad) a.input.push(f.slice());
  a.input.push(studyPacket(9, 9));
  loop.runUntil(() => a.input.length === 0, 100);
  assert.equal(b.output.length, bad.length + 1);
  bad.forEach((f, i) => { assert.deepEqual([...b.output[i]!], [...f], `bad frame ${i} forwarded unchanged`); });
  assert.equal(secretOf(b.output[bad.length]!), expectSecret(9, KEY));
  assert.equal(loop.totalDrops(), 0);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots);
});

test('a full TX ring drops by reason and recovers when the ring drains', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 8 });
  b.txRoom = 0;
  for (let i = 0; i < 20; i++) a.input.push(studyPacket(i, i));
  loop.runUntil(() => a.input.length === 0, 100);
  assert.equal(b.output.length, 0);
  assert.equal(loop.dropsByReason()['tx-full'], 20);
  assert.equal(loop.inPackets, 20);
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots, 'refused slots recycled');
  b.txRoom = Infinity;
  for (let i = 20; i < 30; i++) a.input.push(studyPacket(i, i));
  loop.runUntil(() => a.input.length === 0, 100);
  assert.deepEqual(b.output.map(seqOf), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.equal(loop.dropsByReason()['tx-full'], 20, 'no new drops');
});

test('a port that fails in every way never stops the scheduled loop; it recovers, and port polls run', async () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  const c = new FakePort('c');
  let polls = 0;
  let pollThrows = true;
  (c as { poll?: () => void }).poll = () => { polls++; if (pollThrows) throw new Error('EIO'); };
  c.rxThrows = true;
  b.txThrows = true;
  const errors: string[] = [];
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }, { num: 2, port: c }], { portPollMs: 5, onError: (m) => errors.push(m) });
  loop.start();
  try {
    for (let i = 0; i < 10; i++) a.input.push(studyPacket(i, i));
    const until = Date.now() + 20000;
    while ((a.input.length > 0 || polls < 3) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.ok(loop.running);
    assert.equal(a.input.length, 0, 'port a still served');
    assert.equal(loop.dropsByReason()['tx-error'], 10);
    assert.ok(loop.dropsByReason()['rx-error'] >= 1);
    assert.ok(polls >= 3, 'port poll() called periodically');
    assert.ok(errors.some((m) => /poll on c: EIO/.test(m)) && errors.some((m) => /rx on c/.test(m)) && errors.some((m) => /tx on b/.test(m)), errors.join('\n'));
    // Everything heals: b sends again, c receives again.
    b.txThrows = false;
    c.rxThrows = false;
    pollThrows = false;
    a.input.push(studyPacket(100, 1));
    c.input.push(studyPacket(200, 2));
    const until2 = Date.now() + 20000;
    while ((b.output.length === 0 || c.input.length > 0) && Date.now() < until2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(b.output.map(seqOf), [100]);
    assert.equal(c.input.length, 0);
    assert.equal(loop.dropsByReason()['no-port'], 1, 'port 3 (2 xor 1) is unbound');
  } finally {
    loop.stop();
  }
  assert.equal(sw.arch.pool.available, sw.arch.pool.slots);
});

test('a port returning nonsense counts (negative, NaN, more than asked) is clamped', () => {
  const sw = studySwitch();
  const a = new FakePort('a');
  const b = new FakePort('b');
  let mode = 0;
  const realTx = b.tx.bind(b);
  b.tx = (pool, slots, n) => {
    const k = realTx(pool, slots, n);
    return mode === 0 ? k + 5 : mode === 1 ? Number.NaN : k;
  };
  const realRx = a.rx.bind(a);
  let rxBad = true;
  a.rx = (pool, out, max) => (rxBad ? -1 : realRx(pool, out, max));
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 4 });
  loop.pollOnce();
  assert.equal(loop.dropsByReason()['rx-error'], 1);
  rxBad = false;
  a.input.push(studyPacket(1, 1), studyPacket(2, 2));
  loop.pollOnce();
  assert.equal(loop.outPackets, 2, 'more than asked counts as n');
  mode = 1;
  a.input.push(studyPacket(3, 3));
  loop.pollOnce();
  assert.equal(b.output.length, 3);
  assert.equal(loop.outPackets, 2, 'NaN counts as 0 sent');
});

test('a fault outside the guarded calls is reported and the scheduled loop goes on', async () => {
  const pool = new PacketPool(64, 256, 32);
  let faults = 1;
  const queued: number[] = [];
  const sw: LoopSwitch = {
    arch: {
      pool,
      overflowDrops: 0,
      injectBatch(pkts: Int32Array, n: number) { for (let i = 0; i < n; i++) { pool.port[pkts[i]] = 1; queued.push(pkts[i]); } },
      run() {},
      takeSent() {
        if (faults > 0) { faults--; throw new Error('output queue corrupted'); }
        return queued.length ? queued.shift()! : -1;
      },
    },
    command: () => ({ ok: true, message: '' }),
  };
  const a = new FakePort('a');
  const b = new FakePort('b');
  const errors: string[] = [];
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { onError: (m) => errors.push(m) });
  loop.start();
  try {
    a.input.push(new Uint8Array(10), new Uint8Array(11));
    const until = Date.now() + 20000;
    while (b.output.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    assert.equal(b.output.length, 2, 'packets left over by the fault go out on a later pass');
    assert.ok(loop.running);
    assert.ok(errors.some((m) => /poll loop error.*output queue corrupted/s.test(m)), errors.join('\n'));
  } finally {
    loop.stop();
  }
});

/** A pipeline that holds every batch until settle() (like the secure pipeline with batches in flight). */
class HoldingPipeline implements LoopPipeline {
  readonly pool: PacketPool;
  overflowDrops = 0;
  deferred = false;
  settles = 0;
  private queued: number[] = [];
  private inFlight: number[] = [];
  private sent: number[] = [];
  constructor(pool: PacketPool) { this.pool = pool; }
  injectBatch(pkts: Int32Array, n: number): void { for (let i = 0; i < n; i++) this.queued.push(pkts[i]); }
  run(): void {
    for (const p of this.queued) this.pool.port[p] = 1;
    if (this.deferred) this.inFlight.push(...this.queued);
    else this.sent.push(...this.queued);
    this.queued = [];
  }
  takeSent(): number { return this.sent.length ? this.sent.shift()! : -1; }
  setDeferred(on: boolean): void { this.deferred = on; }
  settle(): void {
    this.settles++;
    // Time passes while settling (not measured: only that it lands in the telemetry).
    const t = now();
    while (now() - t < 0.05) { /* the enclave works */ }
    this.sent.push(...this.inFlight);
    this.inFlight = [];
  }
  get backlog(): number { return this.inFlight.length + this.sent.length; }
}

test('a pipeline that holds batches until settle(): nothing is stranded when traffic stops; the time goes to the last batch', () => {
  const pool = new PacketPool(64, 256, 32);
  const arch = new HoldingPipeline(pool);
  const sw: LoopSwitch = { arch, command: () => ({ ok: true, message: '' }) };
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 4 });
  assert.ok(arch.deferred, 'the loop turned deferral on');
  for (let i = 0; i < 10; i++) a.input.push(new Uint8Array(20 + i));
  // Three passes receive 4 + 4 + 2 packets: all held, nothing sent yet.
  for (let i = 0; i < 3; i++) assert.ok(loop.pollOnce() > 0);
  assert.equal(b.output.length, 0);
  assert.equal(arch.settles, 0);
  const tel = loop.telemetry!;
  const before = tel.toJSON();
  const last = before.batches[before.batches.length - 1]!;
  // A pass that receives nothing settles and sends.
  assert.equal(loop.pollOnce(), 0);
  assert.equal(arch.settles, 1);
  assert.deepEqual(b.output.map((x) => x.length), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.equal(loop.outPackets, 10);
  assert.equal(pool.available, 64);
  const after = tel.toJSON();
  assert.equal(after.totals.batches, 3, 'no batch recorded for the settle');
  const amended = after.batches[after.batches.length - 1]!;
  assert.ok(amended.procNs > last.procNs, `settle time added to the last batch (${last.procNs} -> ${amended.procNs})`);
  assert.ok(amended.txNs >= last.txNs);
  assert.deepEqual(after.batches.slice(0, 2), before.batches.slice(0, 2), 'earlier batches unchanged');
  assert.ok(after.totals.procNs > before.totals.procNs);
  // Idle passes with nothing held do not settle again.
  loop.pollOnce();
  assert.equal(arch.settles, 1);
  // stop() settles what is still held.
  a.input.push(new Uint8Array(30));
  loop.pollOnce();
  assert.equal(b.output.length, 10);
  loop.stop();
  assert.equal(b.output.length, 11);
  assert.equal(pool.available, 64);
});

/** A pipeline that coalesces: run() sends only once `coalesce` packets are queued (like the secure pipeline's crossings). */
class CoalescingPipeline implements LoopPipeline {
  readonly pool: PacketPool;
  overflowDrops = 0;
  readonly coalesce: number;
  crossings: number[] = [];
  private queued: number[] = [];
  private sent: number[] = [];
  constructor(pool: PacketPool, coalesce: number) { this.pool = pool; this.coalesce = coalesce; }
  injectBatch(pkts: Int32Array, n: number): void { for (let i = 0; i < n; i++) this.queued.push(pkts[i]); }
  run(): void { if (this.queued.length >= this.coalesce) this.cross(); }
  private cross(): void {
    for (const p of this.queued) this.pool.port[p] = 1;
    this.crossings.push(this.queued.length);
    this.sent.push(...this.queued);
    this.queued = [];
  }
  takeSent(): number { return this.sent.length ? this.sent.shift()! : -1; }
  setDeferred(): void {}
  settle(): void { if (this.queued.length > 0) this.cross(); }
  get backlog(): number { return this.queued.length + this.sent.length; }
  get held(): number { return this.queued.length; }
}

test('a coalescing pipeline: one telemetry record per crossing (the rx bursts it carried merged), record cap = crossing size', () => {
  const pool = new PacketPool(256, 256, 32);
  const arch = new CoalescingPipeline(pool, 12);
  const sw: LoopSwitch = { arch, command: () => ({ ok: true, message: '' }) };
  const a = new FakePort('a');
  const b = new FakePort('b');
  const loop = new PollLoop(sw, [{ num: 0, port: a }, { num: 1, port: b }], { burst: 4 });
  const tel = loop.telemetry!;
  assert.equal(tel.recordCap, 12);
  for (let i = 0; i < 14; i++) a.input.push(new Uint8Array(20 + i));
  // Bursts of 4, 4, 4 (a crossing of 12), then 2 that wait until a pass receives nothing.
  for (let i = 0; i < 4; i++) assert.ok(loop.pollOnce() > 0);
  assert.deepEqual(arch.crossings, [12]);
  assert.equal(loop.pollOnce(), 0);
  assert.deepEqual(arch.crossings, [12, 2]);
  assert.equal(b.output.length, 14);
  // Then single bursts of 3, each crossing on the idle pass after it: one record each.
  for (let k = 0; k < 2; k++) {
    for (let i = 0; i < 3; i++) a.input.push(new Uint8Array(40));
    assert.equal(loop.pollOnce(), 3);
    assert.equal(loop.pollOnce(), 0);
  }
  const j = tel.toJSON();
  assert.deepEqual(j.batches.map((x) => x.n), [12, 2, 3, 3], 'records follow the crossings, not the rx bursts');
  assert.deepEqual(arch.crossings, [12, 2, 3, 3]);
  assert.equal(j.totals.packets, 20);
  assert.equal(j.recordCap, 12);
  assert.equal(pool.available, 256);
});

test('the telemetry measures a pause of the event loop between two polling slices (maxYieldNs)', async () => {
  const { loop } = await startedLoop();
  const tel = loop.telemetry!;
  const until = Date.now() + 20000;
  // Hold the event loop for 30 ms between two slices (as a GC pause or a slow control request would).
  await new Promise<void>((resolve) => {
    setImmediate(() => {
      const end = Date.now() + 30;
      while (Date.now() < end) { /* the pause */ }
      resolve();
    });
  });
  const polled = tel.emptyPolls;
  while (tel.emptyPolls === polled && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  loop.stop();
  assert.ok(tel.totals().maxYieldNs >= 29e6, `maxYieldNs ${tel.totals().maxYieldNs}`);
});

test('an idle loop yields to the event loop about every idleSliceMs, not after every few empty passes', async () => {
  const sw = studySwitch();
  const loop = new PollLoop(sw, [{ num: 0, port: new FakePort('a') }, { num: 1, port: new FakePort('b') }], { idleSliceMs: 1 });
  // A setImmediate chain runs once per event-loop turn: as often as the loop yields.
  let turns = 0;
  let counting = true;
  const tick = (): void => {
    turns++;
    if (counting) setImmediate(tick);
  };
  loop.start();
  setImmediate(tick);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, 100));
  counting = false;
  const ms = Date.now() - t0;
  loop.stop();
  // Yielding after every 64 empty passes (a few µs each) gave tens of thousands of turns here.
  assert.ok(turns <= ms + 20, `${turns} event-loop turns in ${ms} ms with 1 ms idle slices`);
  assert.ok(turns >= 5, `the loop still yields while idle (${turns} turns in ${ms} ms)`);
});
