import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketPool } from './packet-pool.js';

test('alloc until empty, free, alloc again', () => {
  const p = new PacketPool(3, 256, 32);
  assert.equal(p.available, 3);
  const a = p.alloc(), b = p.alloc(), c = p.alloc();
  assert.deepEqual([a, b, c], [0, 1, 2]);
  assert.equal(p.alloc(), -1);
  assert.equal(p.available, 0);
  p.free(b);
  assert.equal(p.available, 1);
  assert.equal(p.alloc(), b);
  assert.equal(p.start[b], b * 256 + 32);
  assert.equal(p.length[b], 0);
  assert.equal(p.port[b], -1);
  assert.throws(() => { p.free(a); p.free(a); });
});

test('write, view, copy and headroom', () => {
  const p = new PacketPool(4, 128, 16);
  const i = p.alloc();
  assert.equal(p.write(i, Uint8Array.of(1, 2, 3)), true);
  p.port[i] = 7;
  assert.deepEqual(p.view(i), Uint8Array.of(1, 2, 3));
  assert.equal(p.front(i), 16);
  assert.equal(p.back(i), 128 - 16 - 3);
  // Prepend two bytes into the headroom.
  assert.equal(p.adjustFront(i, -2), true);
  p.buf[p.start[i]] = 0xaa;
  p.buf[p.start[i] + 1] = 0xbb;
  assert.deepEqual(p.bytes(i), Uint8Array.of(0xaa, 0xbb, 1, 2, 3));
  assert.equal(p.adjustFront(i, -15), false);
  assert.equal(p.adjustFront(i, 6), false);
  const j = p.copy(i);
  assert.notEqual(j, i);
  assert.deepEqual(p.view(j), p.view(i));
  assert.equal(p.port[j], 7);
  assert.equal(p.front(j), p.front(i));
  p.buf[p.start[i]] = 0;
  assert.equal(p.view(j)[0], 0xaa);
  assert.equal(p.setLength(j, 2), true);
  assert.deepEqual(p.view(j), Uint8Array.of(0xaa, 0xbb));
  assert.equal(p.setLength(j, 1000), false);
  // Too big for a slot.
  assert.equal(p.write(i, new Uint8Array(113)), false);
  assert.equal(p.write(i, new Uint8Array(112)), true);
  assert.equal(p.maxPacket, 112);
});

test('copy from a full pool fails cleanly', () => {
  const p = new PacketPool(1);
  const i = p.alloc();
  p.write(i, Uint8Array.of(9));
  assert.equal(p.copy(i), -1);
  assert.deepEqual(p.view(i), Uint8Array.of(9));
});

test('no slot is handed out twice across many alloc/free cycles', () => {
  const p = new PacketPool(8, 64, 8);
  const live = new Set<number>();
  let seed = 1;
  for (let n = 0; n < 5000; n++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    if ((seed >>> 16) & 1 && live.size > 0) {
      const x = [...live][(seed >>> 8) % live.size];
      live.delete(x);
      p.free(x);
    } else {
      const x = p.alloc();
      if (live.size === 8) assert.equal(x, -1);
      else {
        assert.ok(!live.has(x) && x >= 0 && x < 8);
        live.add(x);
      }
    }
    assert.equal(p.available, 8 - live.size);
  }
});

test('external buffer: slots live in the given bytes, at its byteOffset', () => {
  const backing = new ArrayBuffer(64 + 4 * 256 + 100);
  const ext = new Uint8Array(backing, 64, 4 * 256 + 100);
  const p = new PacketPool(4, 256, 32, ext);
  assert.equal(p.buf.buffer, backing);
  assert.equal(p.buf.byteOffset, 64);
  assert.equal(p.buf.length, 4 * 256);
  const i = p.alloc();
  assert.equal(p.write(i, Uint8Array.of(9, 8, 7)), true);
  assert.deepEqual(Array.from(new Uint8Array(backing, 64 + i * 256 + 32, 3)), [9, 8, 7]);
  const j = p.copy(i);
  assert.deepEqual(p.view(j), Uint8Array.of(9, 8, 7));
  assert.throws(() => new PacketPool(5, 256, 32, ext), /smaller than 5 slots/);
});

test('owned range: foreign slots go to the release callback, adopt/give/reclaim, refill on empty', () => {
  // Two pools over one buffer: a owns slots [0, 2), b owns [2, 4).
  const buf = new Uint8Array(4 * 128);
  const a = new PacketPool(4, 128, 16, buf);
  const b = new PacketPool(4, 128, 16, buf);
  const toA: number[] = [];
  const toB: number[] = [];
  let refills = 0;
  a.setOwnedRange(0, 2, (i) => toB.push(i), () => { refills++; while (toA.length > 0) a.reclaim(toA.shift()!); });
  b.setOwnedRange(2, 4, (i) => toA.push(i));
  assert.equal(a.available, 2);
  assert.equal(b.available, 2);
  assert.ok(a.owns(1) && !a.owns(2) && b.owns(3) && !b.owns(0));
  const x = a.alloc();
  assert.equal(x, 0);
  a.write(x, Uint8Array.of(9, 8, 7));
  // a hands x to b: b adopts it in place, reads it, frees it: it goes back to a, not on b's list.
  const rel = a.start[x] - x * 128;
  a.give(x);
  assert.equal(a.isAllocated(x), false);
  assert.equal(b.adopt(x, rel, a.length[x]), true);
  assert.equal(b.adopt(x, rel, 3), false, 'already held');
  assert.deepEqual(b.view(x), Uint8Array.of(9, 8, 7));
  b.free(x);
  assert.deepEqual(toA, [0]);
  assert.equal(b.available, 2, 'b did not take a foreign slot');
  // a runs dry: refill reaps what came back.
  assert.equal(a.alloc(), 1);
  assert.equal(a.alloc(), 0);
  assert.equal(refills, 1);
  assert.equal(a.alloc(), -1);
  assert.equal(refills, 2);
  // Bad descriptors are refused; reclaim refuses foreign or held slots.
  assert.equal(b.adopt(9, 0, 1), false);
  assert.equal(b.adopt(1, 100, 100), false);
  assert.equal(a.reclaim(3), false);
  assert.equal(a.reclaim(0), false, 'slot 0 is held');
  // Without a range, free() never calls a release callback (default behaviour unchanged).
  const p = new PacketPool(2, 64, 0);
  const s = p.alloc();
  p.free(s);
  assert.equal(p.available, 2);
  assert.throws(() => p.setOwnedRange(1, 5, () => {}));
});
