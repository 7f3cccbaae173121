// Tests of the shm driver: ring wrap-around and flow control between two worker threads over a
// SharedArrayBuffer (no native addon needed), the same between two processes over a native
// shared-memory region (skipped when the addon is missing), the in-place TX / RX access of the
// traffic generator, and the missing-addon path.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { PacketPool } from '../core/packet-pool.js';
import { BurstCopier, ShmPort, initShmRegion, shmRegionSize, openShmPort } from './shm.js';
import { nativeStatus, setNativePath } from './native.js';
import { DropReason, isPortError, openPort, type Port } from './port.js';

const COUNT = 5000;

/** Echo side: receives `count` packets and sends each back unchanged. */
function echo(port: Port, count: number, deadlineMs: number): number {
  const pool = new PacketPool(256);
  const slots = new Int32Array(32);
  let done = 0;
  const deadline = Date.now() + deadlineMs;
  while (done < count && Date.now() < deadline) {
    const n = port.rx(pool, slots, 32);
    let sent = 0;
    while (sent < n && Date.now() < deadline) sent += port.tx(pool, slots.subarray(sent), n - sent);
    done += n;
  }
  return done;
}

/** Sends COUNT numbered packets of varying length and checks the echoes come back in order. */
function driveAndCheck(port: Port): void {
  const pool = new PacketPool(256);
  const out = new Int32Array(32);
  const inn = new Int32Array(32);
  let next = 0;
  let got = 0;
  const deadline = Date.now() + 20_000;
  while (got < COUNT && Date.now() < deadline) {
    let k = 0;
    while (k < 32 && next + k < COUNT) {
      const s = pool.alloc();
      if (s < 0) break;
      const len = 60 + ((next + k) % 1400);
      pool.setLength(s, len);
      const v = pool.view(s);
      v.fill((next + k) & 0xff);
      v[0] = (next + k) >>> 8;
      v[1] = (next + k) & 0xff;
      out[k++] = s;
    }
    const sent = port.tx(pool, out, k);
    for (let i = sent; i < k; i++) pool.free(out[i]); // refused: retry them next round
    next += sent;
    const n = port.rx(pool, inn, 32);
    for (let i = 0; i < n; i++) {
      const s = inn[i];
      const seq = (pool.buf[pool.start[s]] << 8) | pool.buf[pool.start[s] + 1];
      assert.equal(seq, got & 0xffff, 'packets in order');
      assert.equal(pool.length[s], 60 + (got % 1400), 'length kept');
      assert.equal(pool.buf[pool.start[s] + pool.length[s] - 1], got & 0xff, 'payload kept');
      pool.free(s);
      got++;
    }
  }
  assert.equal(got, COUNT, 'every packet came back');
  assert.equal(pool.available, pool.slots, 'no slot leaked');
  assert.equal(port.stats.txPackets, COUNT);
  assert.equal(port.stats.rxPackets, COUNT);
  assert.equal(port.stats.dropped, 0);
}

if (!isMainThread && (workerData as { shmTest?: boolean } | null)?.shmTest === true) {
  // Worker side of the thread test.
  const data = workerData as { buffer: SharedArrayBuffer; count: number; useNative: boolean };
  const port = new ShmPort('thread', data.buffer, 1, undefined, data.useNative);
  echo(port, data.count, 20_000);
} else if (process.env.P4TEE_SHM_CHILD !== undefined) {
  // Child-process side of the process test.
  const r = openShmPort({ driver: 'shm', iface: process.env.P4TEE_SHM_CHILD, shmRole: 'attach' });
  if (isPortError(r)) {
    console.error(r.error);
    process.exit(2);
  }
  const done = echo(r, Number(process.env.P4TEE_SHM_COUNT), 20_000);
  r.close();
  process.exit(done === Number(process.env.P4TEE_SHM_COUNT) ? 0 : 3);
} else {
  for (const useNative of [true, false]) {
    test(`shm ring between two worker threads (${useNative ? 'native copy when built' : 'pure-JS copy'}): in order, no loss, wraps around`, async () => {
      const ring = 64; // far fewer entries than packets: the indices wrap many times
      const buffer = new SharedArrayBuffer(shmRegionSize(ring, 2048));
      initShmRegion(buffer, ring, 2048);
      const port = new ShmPort('thread', buffer, 0, undefined, useNative);
      if (!useNative) assert.equal(port.copyKind, 'js');
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { shmTest: true, buffer, count: COUNT, useNative } });
      const exited = new Promise<number>((resolve) => worker.on('exit', resolve));
      try {
        driveAndCheck(port);
      } finally {
        await worker.terminate();
        await exited;
        port.close();
      }
    });
  }

  test('BurstCopier: native and pure-JS copies agree (aligned, unaligned, one array, out of bounds)', () => {
    const src = new Uint8Array(new SharedArrayBuffer(4096), 0, 4096);
    for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 0xff;
    // A destination at an odd byteOffset of its buffer: word alignment differs from the source.
    const plan = Int32Array.of(0, 0, 1500, 1, 1600, 1499, 3, 3200, 61, 64, 3300, 0, 4000, 3500, 200, 5000, 0, 1);
    const expectPlanLen = [1500, 1499, 61, 0, -1, -1];
    for (const dstOffset of [0, 1, 2, 3]) {
      const js = new BurstCopier(false);
      const nat = new BurstCopier(true);
      assert.equal(js.kind, 'js');
      const d1 = new Uint8Array(new ArrayBuffer(4000 + dstOffset), dstOffset, 4000);
      const d2 = new Uint8Array(new ArrayBuffer(4000 + dstOffset), dstOffset, 4000);
      const p1 = plan.slice();
      const p2 = plan.slice();
      assert.equal(js.copy(src, d1, p1, 6), 4);
      assert.equal(nat.copy(src, d2, p2, 6), 4);
      assert.deepEqual(d1, d2);
      assert.deepEqual(Array.from(p1).filter((_, i) => i % 3 === 2), expectPlanLen);
      assert.deepEqual(d1.subarray(1600, 1600 + 1499), src.subarray(1, 1500));
      assert.deepEqual(d1.subarray(3200, 3261), src.subarray(3, 64));
      assert.equal(d1[1599], 0, 'nothing written outside the ranges');
    }
    // Same array, overlapping ranges: copyWithin semantics.
    const one = Uint8Array.from({ length: 64 }, (_, i) => i);
    new BurstCopier(false).copy(one, one, Int32Array.of(0, 8, 32), 1);
    assert.deepEqual(Array.from(one.subarray(8, 40)), Array.from({ length: 32 }, (_, i) => i));
  });

  test('shm region between two processes (native addon)', { skip: nativeStatus().ok ? false : 'native addon not built' }, async () => {
    const name = `p4tee-test-${process.pid}`;
    const r = openPort({ driver: 'shm', iface: name, ringSize: 128, shmRole: 'create' });
    if (isPortError(r)) assert.fail(r.error);
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, P4TEE_SHM_CHILD: name, P4TEE_SHM_COUNT: String(COUNT) },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // Drive synchronously but let the event loop see the child's start between rounds.
      await new Promise((res) => setTimeout(res, 10));
      driveAndCheck(r);
      assert.equal(await exited, 0, 'child echoed everything');
    } finally {
      child.kill();
      r.close();
    }
    // The creator removed the name: attaching again fails cleanly.
    const again = openShmPort({ driver: 'shm', iface: name, shmRole: 'attach' });
    assert.ok(isPortError(again));
    assert.match(again.error, /No such file/);
  });

  test('shm: bad region names and a full ring', () => {
    const bad = openShmPort({ driver: 'shm', iface: '../etc' });
    assert.ok(isPortError(bad));
    assert.match(bad.error, /bad shm region name/);
    const buffer = new SharedArrayBuffer(shmRegionSize(4, 128));
    initShmRegion(buffer, 4, 128);
    const a = new ShmPort('a', buffer, 0);
    const pool = new PacketPool(16, 256, 32);
    const slots = new Int32Array(8);
    for (let i = 0; i < 8; i++) {
      slots[i] = pool.alloc();
      pool.setLength(slots[i], 64);
    }
    assert.equal(a.tx(pool, slots, 8), 4, 'ring of 4 takes 4');
    assert.equal(pool.available, 12, 'accepted slots were recycled, the rest stay with the caller');
    const b = new ShmPort('b', buffer, 1);
    assert.equal(b.rx(pool, slots, 8), 4);
    assert.equal(b.rx(pool, slots, 8), 0);
  });

  test('shm in-place TX: reserve, write in the ring, commit; a full ring reserves nothing', () => {
    const buffer = new ArrayBuffer(shmRegionSize(4, 128));
    initShmRegion(buffer, 4, 128);
    const a = new ShmPort('a', buffer, 0, undefined, false);
    const b = new ShmPort('b', buffer, 1, undefined, false);
    const pool = new PacketPool(16, 256, 32);
    const slots = new Int32Array(8);
    const lens = new Int32Array(8);
    let next = 0;
    // Three rounds of 3 packets through a ring of 4: the descriptor indices wrap, and the three
    // buffers the reader returned serve the next round (last returned first).
    let prev: number[] = [];
    for (let round = 0; round < 3; round++) {
      assert.equal(a.txReserveInPlace(3), 3);
      const used = [0, 1, 2].map((k) => a.txSlotIndex(k));
      assert.equal(new Set(used).size, 3);
      assert.ok(used.every((x) => x >= 0 && x < 4));
      if (round > 0) assert.deepEqual([...used].sort(), [...prev].sort());
      prev = used;
      for (let k = 0; k < 3; k++) {
        const off = a.txSlotOffset(k);
        lens[k] = 60 + next + k;
        a.txData.fill(next + k, off, off + lens[k]!);
      }
      a.txCommit(3, lens);
      assert.equal(b.rx(pool, slots, 8), 3);
      for (let k = 0; k < 3; k++) {
        const v = pool.view(slots[k]!);
        assert.equal(v.length, 60 + next + k);
        assert.ok(v.every((x) => x === next + k), 'bytes written in place arrive');
        pool.free(slots[k]!);
      }
      next += 3;
    }
    assert.equal(a.stats.txPackets, 9);
    assert.equal(a.stats.txBursts, 3);
    assert.equal(a.stats.txBytes, 9 * 60 + 36);
    // Full ring: 4 taken, then nothing until the reader moves.
    assert.equal(a.txReserveInPlace(8), 4);
    lens.fill(64);
    a.txCommit(4, lens);
    assert.equal(a.txReserveInPlace(8), 0);
    assert.throws(() => a.txCommit(1, lens), /only 0 reserved/);
    assert.equal(b.rx(pool, slots, 2), 2);
    assert.equal(a.txReserveInPlace(8), 2);
    lens[0] = 129;
    assert.throws(() => a.txCommit(1, lens), /does not fit/);
    assert.equal(b.pending(), 2, 'nothing published by a refused commit');
  });

  test('shm buffers are reused last-returned-first: a deep ring touches only the buffers its traffic in flight needs', () => {
    const ring = 1024;
    const buffer = new ArrayBuffer(shmRegionSize(ring, 128));
    initShmRegion(buffer, ring, 128);
    const a = new ShmPort('a', buffer, 0, undefined, false);
    const b = new ShmPort('b', buffer, 1, undefined, false);
    const pa = new PacketPool(64, 128, 0);
    const pb = new PacketPool(64, 128, 0);
    /** Offsets (in the region) of the buffers written in place and read in place. */
    const seen = new Set<number>();
    const offs = new Int32Array(8);
    const lens = new Int32Array(8);
    const slots = new Int32Array(8);
    const got = new Int32Array(8);
    for (let round = 0; round < 500; round++) {
      // Alternate the copy path (tx/rx) and the in-place path (reserve/commit, peek/release).
      if (round % 2 === 0) {
        for (let k = 0; k < 4; k++) {
          slots[k] = pa.alloc();
          pa.length[slots[k]!] = 60;
          pa.buf.fill(round & 0xff, pa.start[slots[k]!]!, pa.start[slots[k]!]! + 60);
        }
        assert.equal(a.tx(pa, slots, 4), 4);
      } else {
        assert.equal(a.txReserveInPlace(4), 4);
        for (let k = 0; k < 4; k++) {
          seen.add(a.txSlotOffset(k));
          a.txData.fill(round & 0xff, a.txSlotOffset(k), a.txSlotOffset(k) + 60);
          lens[k] = 60;
        }
        a.txCommit(4, lens);
      }
      if (round % 3 === 0) {
        const n = b.rx(pb, got, 8);
        assert.equal(n, 4);
        for (let k = 0; k < n; k++) {
          assert.ok(pb.buf.subarray(pb.start[got[k]!]!, pb.start[got[k]!]! + 60).every((x) => x === (round & 0xff)));
          pb.free(got[k]!);
        }
      } else {
        assert.equal(b.rxPeek(8, offs, lens), 4);
        for (let k = 0; k < 4; k++) {
          seen.add(offs[k]!);
          assert.ok(b.rxData.subarray(offs[k]!, offs[k]! + 60).every((x) => x === (round & 0xff)), `round ${round} packet ${k}`);
        }
        b.rxRelease();
      }
    }
    // 2000 packets went through a ring of 1024 buffers four at a time: the same four buffers served them all.
    assert.equal(seen.size, 4, `buffers used: ${[...seen].join(', ')}`);
    assert.equal(a.stats.txPackets, 2000);
    assert.equal(b.stats.rxPackets, 2000);
  });

  test('shm back-pressure: once every buffer is in flight the writer gets none until the reader returns some', () => {
    const buffer = new ArrayBuffer(shmRegionSize(8, 128));
    initShmRegion(buffer, 8, 128);
    const a = new ShmPort('a', buffer, 0, undefined, false);
    const b = new ShmPort('b', buffer, 1, undefined, false);
    const lens = new Int32Array(8).fill(64);
    assert.equal(a.txReserveInPlace(8), 8);
    a.txCommit(5, lens);
    assert.equal(a.txReserveInPlace(8), 3);
    a.txCommit(3, lens);
    assert.equal(a.txReserveInPlace(8), 0);
    const offs = new Int32Array(8);
    const got = new Int32Array(8);
    // A peek does not free anything; its release does.
    assert.equal(b.rxPeek(2, offs, got), 2);
    assert.equal(a.txReserveInPlace(8), 0);
    b.rxRelease();
    assert.equal(a.txReserveInPlace(8), 2);
    // The two returned buffers are the two just read (last returned first).
    assert.deepEqual([a.txSlotOffset(0), a.txSlotOffset(1)].sort(), [offs[0]!, offs[1]!].sort());
    assert.equal(b.pending(), 6);
  });

  test('shm in-place RX: peek reads in the ring, release consumes; malformed lengths skipped and counted as rx() does', () => {
    const lensOf = [70, -5, 90, 5000, 64, 100];
    const setup = (): { a: ShmPort; b: ShmPort; buffer: ArrayBuffer } => {
      const buffer = new ArrayBuffer(shmRegionSize(8, 128));
      initShmRegion(buffer, 8, 128);
      const a = new ShmPort('a', buffer, 0, undefined, false);
      const b = new ShmPort('b', buffer, 1, undefined, false);
      // Two packets first, consumed, so that the six below wrap the ring of 8.
      const l2 = Int32Array.of(64, 64);
      a.txReserveInPlace(2);
      a.txCommit(2, l2);
      const o = new Int32Array(2);
      b.rxPeek(2, o, l2);
      b.rxRelease();
      b.stats.rxPackets = 0;
      b.stats.rxBytes = 0;
      b.stats.rxBursts = 0;
      const lens = Int32Array.from(lensOf, (x) => (x < 0 || x > 128 ? 64 : x));
      assert.equal(a.txReserveInPlace(6), 6);
      for (let k = 0; k < 6; k++) a.txData.fill(10 + k, a.txSlotOffset(k), a.txSlotOffset(k) + lens[k]!);
      a.txCommit(6, lens);
      // Corrupt two published lengths (ring 0's lengths follow the 64-byte header, 256 control bytes
      // and the 64-byte-aligned array of descriptor buffer numbers).
      const rlens = new Int32Array(buffer, 64 + 256 + 64, 8);
      rlens[(2 + 1) & 7] = -5;
      rlens[(2 + 3) & 7] = 5000;
      return { a, b, buffer };
    };
    const { b } = setup();
    const offs = new Int32Array(8);
    const lens = new Int32Array(8);
    assert.equal(b.rxPeek(8, offs, lens), 4);
    assert.deepEqual(Array.from(lens.subarray(0, 4)), [70, 90, 64, 100]);
    for (const [k, fill] of [[0, 10], [1, 12], [2, 14], [3, 15]] as const) {
      assert.ok(b.rxData.subarray(offs[k]!, offs[k]! + lens[k]!).every((x) => x === fill), `packet ${k} read in place`);
    }
    // Not consumed until released: a second peek sees the same, nothing counted yet.
    assert.equal(b.rxPeek(8, offs, lens), 4);
    assert.equal(b.stats.rxPackets, 0);
    assert.equal(b.pending(), 6);
    b.rxRelease();
    assert.equal(b.pending(), 0);
    assert.equal(b.stats.rxPackets, 4);
    assert.equal(b.stats.rxBytes, 70 + 90 + 64 + 100);
    assert.equal(b.stats.rxBursts, 1);
    assert.equal(b.stats.drops[DropReason.Malformed], 2);
    b.rxRelease();
    assert.equal(b.stats.drops[DropReason.Malformed], 2, 'a second release counts nothing');
    // rx() on the same ring contents: same packets, same counts.
    const c = setup().b;
    const pool = new PacketPool(16, 256, 32);
    const slots = new Int32Array(8);
    assert.equal(c.rx(pool, slots, 8), 4);
    assert.deepEqual(Array.from(slots.subarray(0, 4), (s) => pool.length[s]), [70, 90, 64, 100]);
    assert.equal(c.stats.drops[DropReason.Malformed], 2);
    assert.equal(c.stats.rxBytes, b.stats.rxBytes);
    // Only malformed entries waiting: a peek finds none, the release still consumes them.
    const d = setup();
    new Int32Array(d.buffer, 64 + 256 + 64, 8).fill(-1);
    assert.equal(d.b.rxPeek(8, offs, lens), 0);
    d.b.rxRelease();
    assert.equal(d.b.pending(), 0);
    assert.equal(d.b.stats.drops[DropReason.Malformed], 6);
    // A peek is bounded by max and by the arrays.
    const e = setup().b;
    assert.equal(e.rxPeek(2, offs, lens), 1, 'two entries looked at, one malformed');
    assert.equal(e.rxPeek(8, offs.subarray(0, 3), lens), 2);
  });

  test('native addon missing: clear message, other drivers unaffected', () => {
    setNativePath('/nonexistent/p4tee_native.node');
    try {
      const st = nativeStatus();
      assert.equal(st.ok, false);
      if (!st.ok) assert.match(st.reason, /native addon missing: \/nonexistent\/p4tee_native\.node/);
      const shm = openPort({ driver: 'shm', iface: 'x' });
      assert.ok(isPortError(shm));
      assert.match(shm.error, /shm driver unavailable: native addon missing/);
      const afp = openPort({ driver: 'afpacket', iface: 'lo' });
      assert.ok(isPortError(afp));
      assert.match(afp.error, /afpacket driver unavailable/);
      const pcap = openPort({ driver: 'pcap', iface: '-' });
      assert.ok(!isPortError(pcap), 'pcap needs no addon');
      pcap.close();
    } finally {
      setNativePath(undefined);
    }
  });
}
