// Tests of the afpacket driver over a veth pair in a private network namespace (root and the
// native addon needed; skipped otherwise). The test creates namespace p4t-<pid>, runs this file
// again inside it (ip netns exec) to send frames with one afpacket port and receive them on the
// other end, and always deletes the namespace (and with it the veth pair). The order test does the
// same with the sender and the receiver in two processes (namespace p4tz-<pid>): N numbered frames
// must never arrive older than one already seen (losses are allowed: the sender outruns the receiver).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PacketPool } from '../core/packet-pool.js';
import { nativeStatus, type AfpRings, type NativeAddon } from './native.js';
import { AfPacketPort } from './afpacket.js';
import { DropReason, isPortError, openPort, type Port } from './port.js';

const ETHERTYPE = 0x88b5; // IEEE local experimental: nothing else in the namespace sends it
const FRAMES = 200;

/** Child side, inside the namespace: sends FRAMES frames a -> b and 50 back b -> a. */
function child(a: string, b: string): void {
  const result: Record<string, unknown> = {};
  const deadline = Date.now() + 10_000;
  // veth carrier comes up asynchronously.
  const up = (n: string): boolean => readFileSync(`/sys/class/net/${n}/operstate`, 'utf8').trim() === 'up';
  while (!(up(a) && up(b)) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
  const pa = openPort({ driver: 'afpacket', iface: a, ringSize: 256 });
  const pb = openPort({ driver: 'afpacket', iface: b, ringSize: 256 });
  if (isPortError(pa) || isPortError(pb)) {
    console.log(JSON.stringify({ error: isPortError(pa) ? pa.error : (pb as { error: string }).error }));
    return;
  }
  const pool = new PacketPool(1024);
  result.ab = transfer(pa, pb, pool, FRAMES, deadline);
  result.ba = transfer(pb, pa, pool, 50, deadline);
  result.poolLeft = pool.slots - pool.available;
  pa.poll?.();
  result.statsA = pa.stats.toJSON();
  result.statsB = pb.stats.toJSON();
  pa.close();
  pb.close();
  console.log(JSON.stringify(result));
}

/** Sends `count` numbered frames from tx to rx; returns the sequence numbers received, in order. */
function transfer(tx: Port, rx: Port, pool: PacketPool, count: number, deadline: number): number[] {
  const got: number[] = [];
  const slots = new Int32Array(32);
  const inn = new Int32Array(32);
  let next = 0;
  while (got.length < count && Date.now() < deadline) {
    let k = 0;
    while (k < 32 && next + k < count) {
      const s = pool.alloc();
      const len = 64 + ((next + k) % 1000);
      pool.setLength(s, len);
      const v = pool.view(s);
      v.fill(0xab);
      v.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, ETHERTYPE >> 8, ETHERTYPE & 0xff, (next + k) >> 8, (next + k) & 0xff], 0);
      slots[k++] = s;
    }
    const sent = tx.tx(pool, slots, k);
    for (let i = sent; i < k; i++) pool.free(slots[i]);
    next += sent;
    const n = rx.rx(pool, inn, 32);
    for (let i = 0; i < n; i++) {
      const v = pool.view(inn[i]);
      if (((v[12] << 8) | v[13]) === ETHERTYPE && v.length === 64 + (((v[14] << 8) | v[15]) % 1000)) got.push((v[14] << 8) | v[15]);
      pool.free(inn[i]);
    }
    if (n === 0 && next >= count) spawnSync('sleep', ['0.002']);
  }
  return got;
}

function ip(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() };
}

const ORDER_FRAMES = 20000;

/** Waits (bounded) for the interface's carrier. */
function waitUp(n: string, deadline: number): void {
  while (readFileSync(`/sys/class/net/${n}/operstate`, 'utf8').trim() !== 'up' && Date.now() < deadline) spawnSync('sleep', ['0.05']);
}

/** Order test, sender process: `count` numbered frames (seq u32 at 14) as fast as the TX ring takes them. */
function orderSender(iface: string, count: number): void {
  const deadline = Date.now() + 30_000;
  waitUp(iface, deadline);
  const port = openPort({ driver: 'afpacket', iface, ringSize: 256 });
  if (isPortError(port)) {
    console.log(JSON.stringify({ error: port.error }));
    return;
  }
  const pool = new PacketPool(512);
  const slots = new Int32Array(32);
  let next = 0;
  while (next < count && Date.now() < deadline) {
    let k = 0;
    while (k < 32 && next + k < count) {
      const s = pool.alloc();
      const seq = next + k;
      pool.setLength(s, 64 + (seq % 1400));
      const v = pool.view(s);
      v.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, ETHERTYPE >> 8, ETHERTYPE & 0xff, seq >>> 24, (seq >>> 16) & 0xff, (seq >>> 8) & 0xff, seq & 0xff], 0);
      slots[k++] = s;
    }
    const sent = port.tx(pool, slots, k);
    for (let i = sent; i < k; i++) pool.free(slots[i]);
    next += sent;
    port.poll?.();
  }
  // Let the kernel take the last frames before the socket goes.
  const until = Date.now() + 500;
  while ((port as { txPending?(): number }).txPending?.() !== 0 && Date.now() < until) port.poll?.();
  console.log(JSON.stringify({ sent: next, stats: port.stats.toJSON() }));
  port.close();
}

/** Order test, receiver process: counts frames older than the newest seen (late) and gaps (lost). */
function orderReceiver(iface: string, count: number): void {
  const deadline = Date.now() + 30_000;
  waitUp(iface, deadline);
  const port = openPort({ driver: 'afpacket', iface, ringSize: 1024 });
  if (isPortError(port)) {
    console.log(JSON.stringify({ error: port.error }));
    return;
  }
  // Ready: the sender starts when this line is seen.
  console.log('ready');
  const pool = new PacketPool(1024);
  const inn = new Int32Array(64);
  let got = 0;
  let newest = -1;
  let late = 0;
  let gaps = 0;
  let badLength = 0;
  const lateExamples: number[][] = [];
  let idleSince = Date.now();
  while (newest < count - 1 && Date.now() < deadline && (got === 0 || Date.now() - idleSince < 2000)) {
    const n = port.rx(pool, inn, 64);
    if (n > 0) idleSince = Date.now();
    for (let i = 0; i < n; i++) {
      const v = pool.view(inn[i]);
      if (v.length >= 18 && ((v[12] << 8) | v[13]) === ETHERTYPE) {
        const seq = ((v[14] << 24) | (v[15] << 16) | (v[16] << 8) | v[17]) >>> 0;
        if (v.length !== 64 + (seq % 1400)) badLength++;
        if (seq <= newest) {
          late++;
          if (lateExamples.length < 5) lateExamples.push([got, seq, newest]);
        } else {
          if (seq !== newest + 1) gaps++;
          newest = seq;
        }
        got++;
      }
      pool.free(inn[i]);
    }
  }
  port.poll?.();
  console.log(JSON.stringify({ got, late, gaps, badLength, newest, lateExamples, stats: port.stats.toJSON() }));
  port.close();
}

/** Runs `node THIS_FILE` in namespace ns with env; resolves with its stdout lines; onLine sees each line as it comes. */
function runIn(ns: string, env: Record<string, string>, onLine?: (line: string) => void): Promise<{ code: number | null; lines: string[]; err: string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let err = '';
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    partial += d;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts) {
      lines.push(l);
      onLine?.(l);
    }
  });
  child.stderr.on('data', (d: string) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (partial !== '') lines.push(partial);
      resolve({ code, lines, err });
    });
  });
}

const childArgs = process.env.P4TEE_AFP_CHILD;
if (childArgs !== undefined) {
  const [a, b] = childArgs.split(',');
  child(a, b);
} else if (process.env.P4TEE_AFP_SEND !== undefined) {
  const [iface, n] = process.env.P4TEE_AFP_SEND.split(',');
  orderSender(iface, Number(n));
} else if (process.env.P4TEE_AFP_RECV !== undefined) {
  const [iface, n] = process.env.P4TEE_AFP_RECV.split(',');
  orderReceiver(iface, Number(n));
} else {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const st = nativeStatus();
  const skip = !isRoot ? 'needs root (network namespaces)' : !st.ok ? st.reason : false;

  test('afpacket over a veth pair in a private namespace', { skip, timeout: 60_000 }, () => {
    const ns = `p4t-${process.pid}`;
    const a = `p4t${process.pid}a`.slice(0, 15);
    const b = `p4t${process.pid}b`.slice(0, 15);
    const cleanup = (): void => {
      ip('netns', 'del', ns);
    };
    process.on('exit', cleanup);
    try {
      const made = ip('netns', 'add', ns);
      assert.ok(made.ok, `ip netns add: ${made.err}`);
      for (const cmd of [
        ['link', 'add', 'name', a, 'type', 'veth', 'peer', 'name', b],
        ['link', 'set', a, 'up'],
        ['link', 'set', b, 'up'],
      ]) {
        const r = ip('-n', ns, ...cmd);
        assert.ok(r.ok, `ip -n ${ns} ${cmd.join(' ')}: ${r.err}`);
      }
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url)], {
        env: { ...process.env, P4TEE_AFP_CHILD: `${a},${b}` },
        encoding: 'utf8',
        timeout: 45_000,
      });
      assert.equal(r.status, 0, `child failed: ${r.stderr}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
        error?: string;
        ab: number[];
        ba: number[];
        poolLeft: number;
        statsA: { txPackets: number };
      };
      assert.equal(res.error, undefined);
      assert.deepEqual(res.ab, Array.from({ length: FRAMES }, (_, i) => i), 'a -> b: every frame, in order');
      assert.deepEqual(res.ba, Array.from({ length: 50 }, (_, i) => i), 'b -> a: every frame, in order');
      assert.equal(res.poolLeft, 0, 'no slot leaked');
      assert.equal(res.statsA.txPackets, FRAMES);
    } finally {
      cleanup();
      process.off('exit', cleanup);
    }
    assert.ok(!ip('netns', 'list').err && !spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(ns), 'namespace removed');
  });

  test('afpacket order: numbered frames from one process to another never arrive out of order (p4tz namespace)', { skip, timeout: 90_000 }, async (t) => {
    const ns = `p4tz-${process.pid}`;
    const a = `p4tz${process.pid}a`.slice(0, 15);
    const b = `p4tz${process.pid}b`.slice(0, 15);
    const cleanup = (): void => {
      ip('netns', 'del', ns);
    };
    process.on('exit', cleanup);
    try {
      const made = ip('netns', 'add', ns);
      assert.ok(made.ok, `ip netns add: ${made.err}`);
      for (const cmd of [
        ['link', 'add', 'name', a, 'type', 'veth', 'peer', 'name', b],
        ['link', 'set', a, 'up'],
        ['link', 'set', b, 'up'],
      ]) {
        const r = ip('-n', ns, ...cmd);
        assert.ok(r.ok, `ip -n ${ns} ${cmd.join(' ')}: ${r.err}`);
      }
      let sender: Promise<{ code: number | null; lines: string[]; err: string }> | null = null;
      const receiver = runIn(ns, { P4TEE_AFP_RECV: `${b},${ORDER_FRAMES}` }, (line) => {
        if (line === 'ready' && sender === null) sender = runIn(ns, { P4TEE_AFP_SEND: `${a},${ORDER_FRAMES}` });
      });
      const rr = await receiver;
      assert.equal(rr.code, 0, `receiver failed: ${rr.err}`);
      assert.notEqual(sender, null, 'receiver never got ready');
      const sr = await (sender as unknown as Promise<{ code: number | null; lines: string[]; err: string }>);
      assert.equal(sr.code, 0, `sender failed: ${sr.err}`);
      const sent = JSON.parse(sr.lines.filter((l) => l.startsWith('{')).pop() ?? '{}') as { sent?: number; error?: string };
      const got = JSON.parse(rr.lines.filter((l) => l.startsWith('{')).pop() ?? '{}') as {
        got?: number; late?: number; gaps?: number; badLength?: number; lateExamples?: number[][]; error?: string;
      };
      t.diagnostic(`sent ${sent.sent}, received ${got.got}, late ${got.late}, gaps (losses) ${got.gaps}`);
      assert.equal(sent.error, undefined);
      assert.equal(got.error, undefined);
      assert.equal(sent.sent, ORDER_FRAMES);
      assert.ok((got.got ?? 0) >= ORDER_FRAMES / 20, `too few frames arrived to say anything: ${JSON.stringify(got)}`);
      assert.equal(got.late, 0, `frames older than one already received: ${JSON.stringify(got)}`);
      assert.equal(got.badLength, 0, 'frame lengths kept');
    } finally {
      cleanup();
      process.off('exit', cleanup);
    }
  });

  test('afpacket: unknown interface is an error result', { skip: st.ok ? false : 'native addon missing' }, () => {
    const r = openPort({ driver: 'afpacket', iface: 'p4t-no-such-if' });
    assert.ok(isPortError(r));
    assert.match(r.error, /no interface 'p4t-no-such-if'/);
  });

  // TX ring behaviour against a fake addon: 4 TX frames of 256 bytes in an ArrayBuffer; afpSend
  // answers what the test says and, when it "sends", hands every requested frame back.
  const FRAME = 256;
  const TXN = 4;
  function fakePort(): { port: AfPacketPort; sends: () => number; answer: (errno: number, send: boolean) => void; status: (f: number) => number } {
    const buffer = new ArrayBuffer(FRAME * TXN);
    const i32 = new Int32Array(buffer);
    let calls = 0;
    let errno = 0;
    let sends = true;
    const native = {
      afpSend: (): number => {
        calls++;
        if (sends) for (let f = 0; f < TXN; f++) i32[(f * FRAME + 20) >> 2] = 0;
        return errno === 0 ? 0 : -errno;
      },
      afpStats: (): [number, number, number] => [0, 0, 0],
      afpClose: (): void => {},
    } as unknown as NativeAddon;
    const rings = { buffer, handle: {}, fd: -1, rxOffset: 0, rxBlockSize: 0, rxBlockCount: 0, txOffset: 0, txFrameSize: FRAME, txFrameCount: TXN, txDataOffset: 32, sllOffset: 0 } as unknown as AfpRings;
    return {
      port: new AfPacketPort('fake0', 1, native, rings),
      sends: () => calls,
      answer: (e, s) => { errno = e; sends = s; },
      status: (f) => i32[(f * FRAME + 20) >> 2],
    };
  }
  function burst(pool: PacketPool, n: number): Int32Array {
    const slots = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      slots[k] = pool.alloc();
      pool.setLength(slots[k], 60);
    }
    return slots;
  }

  test('afpacket tx: frames left by a failed send are sent again when the ring is full', () => {
    const f = fakePort();
    const pool = new PacketPool(64);
    f.answer(105, false); // ENOBUFS: nothing leaves, frames stay requested
    assert.equal(f.port.tx(pool, burst(pool, TXN), TXN), TXN);
    assert.equal(f.port.lastSendErrno, 105);
    assert.equal(f.status(0), 1, 'frame still SEND_REQUEST');
    f.answer(0, true);
    const before = f.sends();
    // Ring full: nothing is taken, but the stuck frames must be kicked again (not only by poll()).
    const s2 = burst(pool, 2);
    assert.equal(f.port.tx(pool, s2, 2), 0);
    assert.equal(f.sends(), before + 1, 'kicked again although nothing new was queued');
    assert.equal(f.port.lastSendErrno, 0);
    assert.equal(f.port.tx(pool, s2, 2), 2, 'the ring has room again');
  });

  test('afpacket tx: interface down drops bursts as tx-error, not tx-full', () => {
    const f = fakePort();
    const pool = new PacketPool(64);
    f.answer(100, false); // ENETDOWN
    assert.equal(f.port.tx(pool, burst(pool, 2), 2), 2);
    assert.equal(f.port.lastSendErrno, 100);
    const free0 = pool.available;
    assert.equal(f.port.tx(pool, burst(pool, 3), 3), 3, 'taken (and dropped)');
    assert.equal(pool.available, free0, 'dropped slots are freed');
    assert.equal(f.port.stats.drops[DropReason.TxError], 3);
    assert.equal(f.port.stats.drops[DropReason.TxFull], 0);
    assert.equal(f.port.stats.txPackets, 2);
    // Back up: the next burst is queued and the earlier frames leave with its kick.
    f.answer(0, true);
    assert.equal(f.port.tx(pool, burst(pool, 2), 2), 2);
    assert.equal(f.port.lastSendErrno, 0);
    assert.equal(f.port.stats.txPackets, 4);
    assert.equal(f.port.stats.drops[DropReason.TxError], 3);
  });
}
