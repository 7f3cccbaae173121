// Tests of zero-copy shm: numbered packets both ways between two worker threads (SharedArrayBuffer)
// and between two processes (native region), in place, in order, with every slot back home after
// many times the pool size; a peer that keeps its own pool (copy fallback); the study-forward
// switch running on the domain's pool, rewriting packets in the generator's own slots.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PacketPool } from '../core/packet-pool.js';
import { PollLoop } from '../core/poll-loop.js';
import { loadSwitch } from '../switch.js';
import { ShmDomain, ShmZcPort, attachShmZcPeer, createShmDomain, initShmZcRegion, shmZcLayout, shmZcRegionSize } from './shm-zc.js';
import { nativeStatus } from './native.js';
import { isPortError, openPort } from './port.js';

const COUNT = 20_000;
const TAG_SWITCH = 0xaa;
const TAG_PEER = 0xbb;

interface SideResult {
  sent: number;
  got: number;
  /** Received packets whose slot the receiver does not own: written by the sender, read in place. */
  inPlace: number;
  errors: string[];
  available: number;
  owned: number;
  privateLeft: number;
  stranded: number;
}

interface SideOptions {
  send: number;
  expect: number;
  /** Send every received packet back unchanged instead of freeing it. */
  echo: boolean;
  myTag: number;
  expectTag: number;
  /** Use a pool of the caller's own (copy fallback) instead of port.pool. */
  privatePool: boolean;
}

function fill(pool: PacketPool, s: number, seq: number, tag: number): void {
  const len = 60 + (seq % 1400);
  pool.setLength(s, len);
  const b = pool.buf;
  const at = pool.start[s];
  b[at] = seq >>> 24;
  b[at + 1] = (seq >>> 16) & 0xff;
  b[at + 2] = (seq >>> 8) & 0xff;
  b[at + 3] = seq & 0xff;
  b[at + 4] = tag;
  b[at + len - 1] = seq & 0xff;
}

/** One side of an exchange: sends o.send numbered packets, receives o.expect, then waits until its slots are home. */
function runSide(port: ShmZcPort, o: SideOptions, ms: number): SideResult {
  const pool = o.privatePool ? new PacketPool(256, 2048, 64) : port.pool;
  const out = new Int32Array(32);
  const inn = new Int32Array(32);
  const echoQ: number[] = [];
  const errors: string[] = [];
  let next = 0;
  let got = 0;
  let inPlace = 0;
  const deadline = Date.now() + ms;
  while ((next < o.send || got < o.expect || echoQ.length > 0) && Date.now() < deadline && errors.length < 5) {
    if (next < o.send) {
      let k = 0;
      while (k < 32 && next + k < o.send) {
        const s = pool.alloc();
        if (s < 0) break;
        fill(pool, s, next + k, o.myTag);
        out[k++] = s;
      }
      const sent = port.tx(pool, out, k);
      for (let i = sent; i < k; i++) pool.free(out[i]);
      next += sent;
    }
    const n = port.rx(pool, inn, 32);
    for (let i = 0; i < n; i++) {
      const s = inn[i];
      const b = pool.buf;
      const at = pool.start[s];
      const seq = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
      if (seq !== got) errors.push(`packet ${got}: got seq ${seq}`);
      else if (pool.length[s] !== 60 + (seq % 1400)) errors.push(`packet ${got}: length ${pool.length[s]}`);
      else if (b[at + 4] !== o.expectTag || b[at + pool.length[s] - 1] !== (seq & 0xff)) errors.push(`packet ${got}: bytes differ`);
      if (!pool.owns(s)) inPlace++;
      got++;
      if (o.echo) echoQ.push(s);
      else pool.free(s);
    }
    while (echoQ.length > 0) {
      const k = Math.min(32, echoQ.length);
      for (let i = 0; i < k; i++) out[i] = echoQ[i];
      const sent = port.tx(pool, out, k);
      echoQ.splice(0, sent);
      if (sent < k) break;
    }
  }
  // Everything this side owns must come home: the peer returns what it freed.
  const home = (): boolean => port.pool.available === port.pool.ownedCount && (!o.privatePool || pool.available === pool.slots);
  // sync() also publishes the returns of the last frees (returns go out with the next rx/tx/sync).
  do port.sync(); while (!home() && Date.now() < deadline);
  return { sent: next, got, inPlace, errors, available: port.pool.available, owned: port.pool.ownedCount, privateLeft: o.privatePool ? pool.slots - pool.available : 0, stranded: port.stranded };
}

/** What the peer does in each scenario. */
function peerOptions(mode: string): SideOptions {
  if (mode === 'echo') return { send: 0, expect: COUNT, echo: true, myTag: 0, expectTag: TAG_SWITCH, privatePool: false };
  return { send: COUNT, expect: COUNT, echo: false, myTag: TAG_PEER, expectTag: TAG_SWITCH, privatePool: mode === 'copy-peer' };
}

function switchOptions(mode: string): SideOptions {
  if (mode === 'echo') return { send: COUNT, expect: COUNT, echo: false, myTag: TAG_SWITCH, expectTag: TAG_SWITCH, privatePool: false };
  return { send: COUNT, expect: COUNT, echo: false, myTag: TAG_SWITCH, expectTag: TAG_PEER, privatePool: false };
}

function checkSide(r: SideResult, o: SideOptions, who: string, inPlaceExpected: boolean): void {
  assert.deepEqual(r.errors, [], `${who}: bytes and order`);
  assert.equal(r.sent, o.send, `${who}: sent all`);
  assert.equal(r.got, o.expect, `${who}: received all`);
  assert.equal(r.available, r.owned, `${who}: every owned slot came home (no leak)`);
  assert.equal(r.privateLeft, 0, `${who}: private pool intact`);
  assert.equal(r.stranded, 0, `${who}: no stranded return`);
  if (inPlaceExpected) assert.equal(r.inPlace, o.expect, `${who}: every packet read in the sender's slot`);
}

const SMALL = { ports: 1, slots: 64, peerSlots: 48, slotSize: 2048, ringSize: 32, headroom: 64 };

if (!isMainThread && (workerData as { zcTest?: boolean } | null)?.zcTest === true) {
  const d = workerData as { buffer: SharedArrayBuffer; mode: string };
  const port = attachShmZcPeer('thread', d.buffer, 0);
  parentPort!.postMessage(runSide(port, peerOptions(d.mode), 30_000));
} else if (process.env.P4TEE_ZC_CHILD !== undefined) {
  const r = openPort({ driver: 'shm', shmZeroCopy: true, iface: `${process.env.P4TEE_ZC_CHILD}:0`, shmRole: 'attach' });
  if (isPortError(r)) {
    console.error(r.error);
    process.exit(2);
  }
  const res = runSide(r as ShmZcPort, peerOptions('both'), 30_000);
  process.stdout.write(JSON.stringify(res));
  r.close();
  process.exit(0);
} else {
  for (const mode of ['both', 'echo', 'copy-peer']) {
    test(`zero-copy shm between two worker threads (${mode}): ${COUNT} packets each way, in order, in place, no slot leaked`, async () => {
      const l = shmZcLayout(SMALL);
      const buffer = new SharedArrayBuffer(shmZcRegionSize(l));
      initShmZcRegion(buffer, l);
      const domain = new ShmDomain('thread', buffer);
      const port = domain.port(0);
      assert.ok(port instanceof ShmZcPort);
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { zcTest: true, buffer, mode } });
      const peer = new Promise<SideResult>((resolve, reject) => { worker.on('message', resolve); worker.on('error', reject); });
      try {
        const mine = runSide(port, switchOptions(mode), 30_000);
        const theirs = await peer;
        checkSide(mine, switchOptions(mode), 'switch side', mode !== 'echo');
        checkSide(theirs, peerOptions(mode), 'peer side', mode !== 'copy-peer');
        assert.equal(port.stats.rxPackets, COUNT);
        assert.equal(port.stats.dropped, 0);
      } finally {
        await worker.terminate();
        domain.close();
      }
    });
  }

  test('zero-copy shm between two processes over a native region', { skip: nativeStatus().ok ? false : 'native addon not built' }, async () => {
    const name = `p4tee-zc-test-${process.pid}`;
    const domain = createShmDomain(name, SMALL);
    assert.ok(domain instanceof ShmDomain, 'error' in domain ? domain.error : '');
    // The switch side comes from openPort too: the domain is known to this process.
    const port = openPort({ driver: 'shm', shmZeroCopy: true, iface: `${name}:0` });
    assert.ok(port instanceof ShmZcPort);
    assert.ok(isPortError(openPort({ driver: 'shm', shmZeroCopy: true, iface: `${name}:0` })), 'a port opens once');
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { env: { ...process.env, P4TEE_ZC_CHILD: name }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const exited = new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
    try {
      const mine = runSide(port, switchOptions('both'), 30_000);
      const code = await exited;
      assert.equal(code, 0, stderr);
      checkSide(mine, switchOptions('both'), 'switch process', true);
      checkSide(JSON.parse(stdout) as SideResult, peerOptions('both'), 'peer process', true);
    } finally {
      if (child.exitCode === null) child.kill();
      port.close();
      domain.close();
    }
  });

  test('attaching to a missing domain, a copy-mode region or a bad port gives an error', () => {
    const r = openPort({ driver: 'shm', shmZeroCopy: true, iface: `p4tee-zc-missing-${process.pid}:0`, shmRole: 'attach' });
    assert.ok(isPortError(r));
    const l = shmZcLayout(SMALL);
    const buffer = new SharedArrayBuffer(shmZcRegionSize(l));
    assert.throws(() => attachShmZcPeer('x', buffer, 0), /not initialised/);
    initShmZcRegion(buffer, l);
    assert.throws(() => attachShmZcPeer('x', buffer, 1), /ports 0 to 0/);
    const d = new ShmDomain('x', buffer);
    assert.ok('error' in d.port(3));
    const sw = d.port(0);
    assert.ok(sw instanceof ShmZcPort);
    // One peer at a time; a clean detach (all its slots home) frees the port for the next one.
    const peer = attachShmZcPeer('x', buffer, 0);
    assert.throws(() => attachShmZcPeer('x', buffer, 0), /already has a peer/);
    peer.close();
    const again = attachShmZcPeer('x', buffer, 0);
    // This peer leaves a packet with the switch: its port stays taken after it closes.
    const s = again.pool.alloc();
    again.pool.setLength(s, 60);
    assert.equal(again.tx(again.pool, Int32Array.of(s), 1), 1);
    const got = new Int32Array(4);
    assert.equal(sw.rx(sw.pool, got, 4), 1);
    assert.equal(got[0], s, 'the switch holds the peer\'s slot');
    again.close();
    assert.throws(() => attachShmZcPeer('x', buffer, 0), /already has a peer/);
  });

  test('study-forward on a zero-copy domain: packets rewritten in the generator\'s own slots', () => {
    const l = shmZcLayout({ ports: 2, slots: 128, peerSlots: 64, slotSize: 2048, ringSize: 64, headroom: 256 });
    const buffer = new SharedArrayBuffer(shmZcRegionSize(l));
    initShmZcRegion(buffer, l);
    const domain = new ShmDomain('sw', buffer);
    const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));
    const loaded = loadSwitch(`${examples}study-forward/study-forward.p4`, { includeDirs: [], defines: new Map() }, { pool: domain.pool });
    if (!loaded.ok) throw new Error(loaded.diagnostics.join('\n'));
    const sw = loaded.sw;
    assert.equal(sw.arch.pool, domain.pool);
    const KEY = 0x5a5aa5a5;
    assert.ok(sw.command(`register_write StudyIngress.key 0 ${KEY}`).ok);
    const p0 = domain.port(0);
    const p1 = domain.port(1);
    assert.ok(p0 instanceof ShmZcPort && p1 instanceof ShmZcPort);
    const loop = new PollLoop(sw, [{ num: 0, port: p0 }, { num: 1, port: p1 }], { burst: 32 });
    // Generator on port 0, sink on port 1, both peers in this thread.
    const gen = attachShmZcPeer('sw', buffer, 0);
    const sink = attachShmZcPeer('sw', buffer, 1);
    const total = 20 * l.peerSlots;
    const out = new Int32Array(32);
    const inn = new Int32Array(32);
    let sent = 0;
    let got = 0;
    let inPlace = 0;
    for (let round = 0; round < 100_000 && got < total; round++) {
      let k = 0;
      while (k < 16 && sent + k < total) {
        const s = gen.pool.alloc();
        if (s < 0) break;
        gen.pool.write(s, studyPacket(sent + k, 1000 + sent + k));
        out[k++] = s;
      }
      const t = gen.tx(gen.pool, out, k);
      for (let i = t; i < k; i++) gen.pool.free(out[i]);
      sent += t;
      loop.pollOnce();
      const n = sink.rx(sink.pool, inn, 32);
      for (let i = 0; i < n; i++) {
        const s = inn[i];
        const v = new DataView(sink.pool.buf.buffer, sink.pool.buf.byteOffset + sink.pool.start[s], sink.pool.length[s]);
        assert.equal(v.getUint32(42), got, 'order kept');
        assert.equal(v.getUint32(46), ((((1000 + got) ^ KEY) >>> 0) + 1 ^ KEY) >>> 0, 'secret rewritten by the program');
        assert.equal(v.getUint16(40), 0, 'UDP checksum cleared');
        if (gen.pool.owns(s)) inPlace++;
        sink.pool.free(s);
        got++;
      }
    }
    assert.equal(got, total);
    assert.equal(inPlace, total, 'each packet came out in the slot the generator wrote');
    for (let i = 0; i < 1000 && (gen.pool.available < gen.pool.ownedCount || sw.arch.pool.available < sw.arch.pool.ownedCount); i++) {
      sink.sync();
      loop.pollOnce();
      gen.sync();
    }
    assert.equal(gen.pool.available, gen.pool.ownedCount, 'generator slots all returned');
    assert.equal(sw.arch.pool.available, sw.arch.pool.ownedCount, 'switch slots untouched');
    assert.equal(loop.totalDrops(), 0);
    assert.equal(domain.stranded + gen.stranded + sink.stranded, 0);
    domain.close();
  });
}

/** Ethernet / IPv4 / UDP to 7777 / study header (seq, secret), 100 bytes. */
function studyPacket(seq: number, secret: number, size = 100): Uint8Array {
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b.set([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, size - 14);
  b[22] = 64;
  b[23] = 17;
  dv.setUint32(26, 0x0a000001);
  dv.setUint32(30, 0x0a000002);
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
