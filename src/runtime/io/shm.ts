// The shm driver: a port over a shared-memory region joining two processes (or two threads) on one
// host, with no kernel crossing per burst. The region holds two single-producer/single-consumer
// rings (side 0 -> side 1 and back). Each ring has ringSize packet buffers, a descriptor ring
// (buffer number, length) and a return ring on which the reader hands consumed buffers back; the
// writer keeps its free buffers on a stack (in the region, writer-owned) and takes the most
// recently returned one first. So the buffers in use are the few the traffic in flight needs: a
// deep ring (for example 16384 entries, to ride out a stall of several ms at millions of packets
// per second) costs memory, and speed only while it really holds a backlog. (Version 1 tied
// descriptor i to buffer i: every packet then touched the buffer used ringSize packets earlier, a
// working set of the whole ring, and measured 7% slower at 16384 entries than at 4096, and 39% at
// 32768.) Input/output: bursts of PacketPool slot indices. Also home of BurstCopier, the per-burst
// copy used by the shm, afpacket and pcap ports.
//
// Copy decision: the PacketPool owns its own buffer (it is not allocated in the region), so tx copies
// each packet into a ring buffer and rx copies it into a pool slot: one memcpy at each end, no
// system call, no allocation. The copies of a burst are planned as (src, dst, len) triples and done
// by ONE native call (copyBatch, native/shm.c); without the addon (SharedArrayBuffer between
// threads) a word loop does them. Indices are free-running uint32 counters published with
// Atomics once per burst; the writer waits for the reader (tx returns fewer than n when no buffer
// is free), so nothing is lost when the caller retries. Region layout (little-endian int32):
//   header (64 B): magic, version, ringSize, slotSize, creator pid, attacher pid
//   ring r at 64 + r * ringBytes: control (256 B: descriptor write index @0, descriptor read index
//   @64, return write index @128, return read index @192 and stack depth @196), then arrays of
//   ringSize int32 each (64-byte aligned): descriptor buffers, descriptor lengths, return ring,
//   free stack; then the data, ringSize * slotSize (64-byte aligned).
// Every buffer is in exactly one place: the writer's stack, the descriptor ring, or the return ring.
//
// In-place access (for a peer without a pool, the traffic generator): txReserveInPlace / txSlotOffset /
// txCommit let the caller build packets straight in its TX ring buffers, rxPeek / rxRelease let it
// read packets straight from its RX ring buffers; same indices, lengths and stats as tx() and rx().
//
// Zero-copy is a separate, opt-in mode (spec.shmZeroCopy, src/runtime/io/shm-zc.ts): one domain
// region holds the slots of both sides' pools, descriptor rings carry slot indices and return rings
// bring freed slots back to their owner. This copy mode stays the default: either side may use any
// pool, and a peer never holds the switch's memory.

import type { PacketPool } from '../core/packet-pool.js';
import { DropReason, PortStats, type Port, type PortSpec, type OpenPortResult } from './port.js';
import { loadNative, nativeErrorText, nativeStatus, type NativeHandle } from './native.js';
import { openShmZcPort } from './shm-zc.js';

/** copyBatch of native/shm.c: plan[3k+2] bytes src[plan[3k]] -> dst[plan[3k+1]] for k < n. */
type CopyBatchFn = (src: Uint8Array, dst: Uint8Array, plan: Int32Array, n: number) => number;

/** The native copyBatch, or undefined without the addon (or with an older addon). */
function nativeCopyBatch(): CopyBatchFn | undefined {
  const native = loadNative();
  const f = native === undefined ? undefined : native.copyBatch;
  return typeof f === 'function' ? (f as CopyBatchFn) : undefined;
}

/**
 * Copies a burst of planned byte ranges between two Uint8Arrays without allocating: plan holds
 * (srcOff, dstOff, len) triples. One native call per burst when the addon is there; otherwise
 * copyWithin when src and dst are the same array, else a loop over 32-bit words (bytes at the
 * unaligned ends). The word views of the last arrays seen are cached: one copier per direction of
 * a port keeps them stable. Entries out of bounds get len -1 and are not copied.
 */
export class BurstCopier {
  /** 'native' or 'js' (the fallback). */
  readonly kind: 'native' | 'js';
  private readonly fn: CopyBatchFn | undefined;
  private srcU8: Uint8Array | null = null;
  private srcW: Int32Array = new Int32Array(0);
  private srcBase = 0;
  private dstU8: Uint8Array | null = null;
  private dstW: Int32Array = new Int32Array(0);
  private dstBase = 0;

  /** useNative false forces the pure-JS path (tests, benchmarks). */
  constructor(useNative = true) {
    this.fn = useNative ? nativeCopyBatch() : undefined;
    this.kind = this.fn === undefined ? 'js' : 'native';
  }

  /** Copies the n planned ranges; returns how many were copied. */
  copy(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n: number): number {
    if (n <= 0) return 0;
    if (this.fn !== undefined) return this.fn(src, dst, plan, n);
    return this.copyJs(src, dst, plan, n);
  }

  private copyJs(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n: number): number {
    if (src !== this.srcU8) {
      this.srcU8 = src;
      this.srcBase = (src.byteOffset + 3) & ~3;
      this.srcW = wordView(src, this.srcBase);
    }
    if (dst !== this.dstU8) {
      this.dstU8 = dst;
      this.dstBase = (dst.byteOffset + 3) & ~3;
      this.dstW = wordView(dst, this.dstBase);
    }
    const sw = this.srcW;
    const dw = this.dstW;
    let done = 0;
    for (let k = 0; k < n; k++) {
      const j = 3 * k;
      let s = plan[j];
      let d = plan[j + 1];
      const len = plan[j + 2];
      if (s < 0 || d < 0 || len < 0 || s + len > src.length || d + len > dst.length) {
        plan[j + 2] = -1;
        continue;
      }
      done++;
      if (src === dst) {
        dst.copyWithin(d, s, s + len);
        continue;
      }
      const end = s + len;
      const sa = src.byteOffset + s;
      if ((sa & 3) === ((dst.byteOffset + d) & 3)) {
        // Bytes up to the first word boundary, then words, then the tail.
        while (s < end && ((src.byteOffset + s) & 3) !== 0) dst[d++] = src[s++];
        const words = (end - s) >> 2;
        let ws = (src.byteOffset + s - this.srcBase) >> 2;
        let wd = (dst.byteOffset + d - this.dstBase) >> 2;
        const wend = ws + words;
        while (ws < wend) dw[wd++] = sw[ws++];
        s += words << 2;
        d += words << 2;
      }
      while (s < end) dst[d++] = src[s++];
    }
    return done;
  }
}

/** An Int32Array over the whole words of u8, its first word at buffer byte `base` (4-aligned). */
function wordView(u8: Uint8Array, base: number): Int32Array {
  const end = u8.byteOffset + u8.byteLength;
  const words = end > base ? (end - base) >> 2 : 0;
  return new Int32Array(u8.buffer, base, words);
}

const MAGIC = 0x50345348; // 'P4SH'
const VERSION = 2;
const HEADER = 64;
const CTRL = 256;
/** Control words of a ring (int32 index): descriptor write/read, return write/read, stack depth. */
const W = 0;
const R = 16;
const RW = 32;
const RR = 48;
const SD = 49;

/** Bytes of one ring (control, four index arrays, data) for the given shape. */
function ringBytes(ringSize: number, slotSize: number): number {
  return CTRL + 4 * align64(4 * ringSize) + ringSize * slotSize;
}

function align64(n: number): number {
  return (n + 63) & ~63;
}

/** Total region size for two rings of ringSize buffers of slotSize bytes. */
export function shmRegionSize(ringSize: number, slotSize: number): number {
  return HEADER + 2 * ringBytes(ringSize, slotSize);
}

/** Smallest power of two >= n (at least 2). */
function pow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Writes the header of a fresh region; the magic goes last so an attacher never sees half a header. */
export function initShmRegion(buffer: ArrayBuffer | SharedArrayBuffer, ringSize: number, slotSize: number): void {
  if ((ringSize & (ringSize - 1)) !== 0 || ringSize < 2) throw new RangeError(`shm ring size ${ringSize} is not a power of two`);
  if (slotSize < 64 || slotSize % 4 !== 0) throw new RangeError(`shm slot size ${slotSize} must be a multiple of 4, at least 64`);
  if (buffer.byteLength < shmRegionSize(ringSize, slotSize)) throw new RangeError('shm region too small for its rings');
  const h = new Int32Array(buffer, 0, HEADER / 4);
  h[1] = VERSION;
  h[2] = ringSize;
  h[3] = slotSize;
  h[4] = process.pid;
  for (let r = 0; r < 2; r++) {
    const ring = new ShmRing(buffer, HEADER + r * ringBytes(ringSize, slotSize), ringSize);
    ring.ctrl.fill(0);
    // Every buffer starts on the writer's stack, buffer 0 on top.
    for (let i = 0; i < ringSize; i++) ring.stack[i] = ringSize - 1 - i;
    ring.ctrl[SD] = ringSize;
  }
  Atomics.store(h, 0, MAGIC);
}

/** Reads a region's shape, or an error when it is not an initialised p4tee region. */
export function readShmHeader(buffer: ArrayBuffer | SharedArrayBuffer): { ringSize: number; slotSize: number } | { error: string } {
  if (buffer.byteLength < HEADER) return { error: 'shm region smaller than its header' };
  const h = new Int32Array(buffer, 0, HEADER / 4);
  const magic = Atomics.load(h, 0);
  if (magic === 0) return { error: 'shm region not initialised yet (the creating side is still starting); retry' };
  if (magic !== MAGIC) return { error: `not a p4tee shm region (magic 0x${(magic >>> 0).toString(16)})` };
  if (h[1] !== VERSION) return { error: `shm region version ${h[1]}, expected ${VERSION} (both sides must run the same p4tee version)` };
  const ringSize = h[2];
  const slotSize = h[3];
  if (ringSize < 2 || (ringSize & (ringSize - 1)) !== 0 || slotSize < 64 || buffer.byteLength < shmRegionSize(ringSize, slotSize)) {
    return { error: `shm region header is corrupt (ring ${ringSize}, slot ${slotSize}, ${buffer.byteLength} bytes)` };
  }
  return { ringSize, slotSize };
}

/** One direction of the region: control words, descriptors, return ring, free stack, data. */
class ShmRing {
  /** Control words: see W, R, RW, RR, SD (writer and reader indices on separate cache lines). */
  readonly ctrl: Int32Array;
  /** Descriptor k (at index k & mask): buffer number and length. */
  readonly bufs: Int32Array;
  readonly lens: Int32Array;
  /** Buffers the reader handed back, in the order it consumed them. */
  readonly ret: Int32Array;
  /** The writer's free buffers; stack[SD - 1] is the top (the most recently returned). */
  readonly stack: Int32Array;
  readonly data: Uint8Array;
  readonly dataOffset: number;
  constructor(buffer: ArrayBuffer | SharedArrayBuffer, base: number, ringSize: number) {
    const a = align64(4 * ringSize);
    this.ctrl = new Int32Array(buffer, base, CTRL / 4);
    this.bufs = new Int32Array(buffer, base + CTRL, ringSize);
    this.lens = new Int32Array(buffer, base + CTRL + a, ringSize);
    this.ret = new Int32Array(buffer, base + CTRL + 2 * a, ringSize);
    this.stack = new Int32Array(buffer, base + CTRL + 3 * a, ringSize);
    this.dataOffset = base + CTRL + 4 * a;
    this.data = new Uint8Array(buffer);
  }
}

/** A port on one side (0: creator, 1: attacher) of a shared-memory region. */
export class ShmPort implements Port {
  readonly name: string;
  readonly driver = 'shm' as const;
  readonly stats = new PortStats();
  readonly ringSize: number;
  readonly slotSize: number;
  readonly side: number;
  private readonly mask: number;
  private readonly rxRing: ShmRing;
  private readonly txRing: ShmRing;
  private readonly onClose: (() => void) | undefined;
  /** Copy plans: (src, dst, len) per packet of a burst; a burst is at most ringSize packets. */
  private readonly plan: Int32Array;
  private readonly rxCopier: BurstCopier;
  private readonly txCopier: BurstCopier;
  /** In-place TX: the write index the current reservation starts at and how many buffers it holds (the top of the stack). */
  private resWrite = 0;
  private resN = 0;
  /** In-place RX: the read index after the last peek, and what it saw (counted on release). */
  private peekRead = 0;
  private peekN = 0;
  private peekBytes = 0;
  private peekMalformed = 0;
  private peeking = false;
  private closed = false;

  /** Joins a region already initialised with initShmRegion (any ArrayBuffer or SharedArrayBuffer). */
  constructor(name: string, buffer: ArrayBuffer | SharedArrayBuffer, side: 0 | 1, onClose?: () => void, useNative = true) {
    const shape = readShmHeader(buffer);
    if ('error' in shape) throw new Error(shape.error);
    this.name = name;
    this.side = side;
    this.ringSize = shape.ringSize;
    this.slotSize = shape.slotSize;
    this.mask = shape.ringSize - 1;
    const rb = ringBytes(shape.ringSize, shape.slotSize);
    const r0 = new ShmRing(buffer, HEADER, shape.ringSize);
    const r1 = new ShmRing(buffer, HEADER + rb, shape.ringSize);
    this.txRing = side === 0 ? r0 : r1;
    this.rxRing = side === 0 ? r1 : r0;
    this.onClose = onClose;
    this.plan = new Int32Array(3 * shape.ringSize);
    this.rxCopier = new BurstCopier(useNative);
    this.txCopier = new BurstCopier(useNative);
    if (side === 1) Atomics.store(new Int32Array(buffer, 0, HEADER / 4), 5, process.pid);
  }

  /** Copy path kind: 'native' (copyBatch) or 'js'. */
  get copyKind(): 'native' | 'js' {
    return this.rxCopier.kind;
  }

  /**
   * Writer side: moves the buffers the reader returned onto the free stack (in return order, so the
   * last one returned is on top and used first) and returns the stack depth. A corrupt return
   * (a buffer number out of range, or more than the ring holds) is skipped, never trusted.
   */
  private reap(ring: ShmRing): number {
    const ctrl = ring.ctrl;
    let depth = ctrl[SD];
    let rr = ctrl[RR];
    // Acquire: the reader wrote the returned numbers before publishing its index.
    const rw = Atomics.load(ctrl, RW);
    if (rr === rw) return depth;
    const ret = ring.ret;
    const stack = ring.stack;
    const mask = this.mask;
    const size = this.ringSize;
    while (rr !== rw) {
      const b = ret[rr & mask];
      if (b >= 0 && b < size && depth < size) stack[depth++] = b;
      rr = (rr + 1) | 0;
    }
    ctrl[RR] = rr;
    ctrl[SD] = depth;
    return depth;
  }

  /** Reader side: hands the buffers of descriptors [from, to) back to the writer (return ring). */
  private giveBack(ring: ShmRing, from: number, to: number): void {
    const ctrl = ring.ctrl;
    let rw = ctrl[RW];
    const bufs = ring.bufs;
    const ret = ring.ret;
    const mask = this.mask;
    const size = this.ringSize;
    for (let k = from; k !== to; k = (k + 1) | 0) {
      const b = bufs[k & mask];
      if (b >= 0 && b < size) {
        ret[rw & mask] = b;
        rw = (rw + 1) | 0;
      }
    }
    // Release: the numbers are written before the index moves.
    Atomics.store(ctrl, RW, rw);
  }

  rx(pool: PacketPool, out: Int32Array, max: number): number {
    if (this.closed) return 0;
    const ring = this.rxRing;
    const ctrl = ring.ctrl;
    const first = Atomics.load(ctrl, R);
    let read = first;
    // Acquire: the writer stored descriptors and data before publishing its index.
    const avail = (Atomics.load(ctrl, W) - read) >>> 0;
    let want = avail < max ? avail : max;
    if (want > out.length) want = out.length;
    const bufs = ring.bufs;
    const lens = ring.lens;
    const maxPacket = pool.slotSize - pool.headroom;
    const plan = this.plan;
    const size = this.ringSize;
    let n = 0;
    let bytes = 0;
    for (let k = 0; k < want; k++) {
      const idx = read & this.mask;
      const b = bufs[idx];
      const len = lens[idx];
      if (len < 0 || len > this.slotSize || !(b >= 0 && b < size)) {
        this.stats.drops[DropReason.Malformed]++;
        read = (read + 1) | 0;
        continue;
      }
      if (len > maxPacket) {
        this.stats.drops[DropReason.TooBig]++;
        read = (read + 1) | 0;
        continue;
      }
      const slot = pool.alloc();
      // Pool empty: leave the rest in the ring (back-pressure on the peer), not a drop.
      if (slot < 0) break;
      const j = 3 * n;
      plan[j] = ring.dataOffset + b * this.slotSize;
      plan[j + 1] = pool.start[slot];
      plan[j + 2] = len;
      pool.length[slot] = len;
      out[n++] = slot;
      bytes += len;
      read = (read + 1) | 0;
    }
    // The whole burst in one copy, before the buffers go back to the writer.
    if (n > 0) this.rxCopier.copy(ring.data, pool.buf, plan, n);
    if (read !== first) {
      this.giveBack(ring, first, read);
      // Release: the descriptors are consumed.
      Atomics.store(ctrl, R, read);
    }
    if (n > 0) {
      this.stats.rxPackets += n;
      this.stats.rxBytes += bytes;
      this.stats.rxBursts++;
    }
    return n;
  }

  tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (this.closed) return 0;
    const ring = this.txRing;
    const ctrl = ring.ctrl;
    let write = ctrl[W];
    // Free buffers bound the burst: every buffer not on the stack is in a descriptor or on its way back.
    let depth = this.reap(ring);
    const take = n < depth ? n : depth;
    const bufs = ring.bufs;
    const lens = ring.lens;
    const stack = ring.stack;
    const plan = this.plan;
    let m = 0;
    let bytes = 0;
    for (let k = 0; k < take; k++) {
      const slot = slots[k];
      const len = pool.length[slot];
      if (len > this.slotSize) {
        this.stats.drops[DropReason.TooBig]++;
        continue;
      }
      const idx = write & this.mask;
      const b = stack[--depth];
      const j = 3 * m;
      plan[j] = pool.start[slot];
      plan[j + 1] = ring.dataOffset + b * this.slotSize;
      plan[j + 2] = len;
      bufs[idx] = b;
      lens[idx] = len;
      write = (write + 1) | 0;
      m++;
      bytes += len;
    }
    if (m > 0) this.txCopier.copy(pool.buf, ring.data, plan, m);
    // Every accepted slot is ours: copied into the ring or dropped with a counted reason.
    for (let k = 0; k < take; k++) pool.free(slots[k]);
    ctrl[SD] = depth;
    // Release: data and descriptors are written before the index moves.
    Atomics.store(ctrl, W, write);
    if (take > 0) {
      this.stats.txPackets += m;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    }
    return take;
  }

  /** The bytes of the whole region: this side's TX ring buffers live in it (see txSlotOffset). */
  get txData(): Uint8Array {
    return this.txRing.data;
  }

  /** The bytes of the whole region: this side's RX ring buffers live in it (see rxPeek). */
  get rxData(): Uint8Array {
    return this.rxRing.data;
  }

  /**
   * In-place TX, step 1: reserves up to max free TX buffers (the top of the free stack) and returns
   * how many (0 when none is free: back-pressure). The caller writes packet k (k < the result) at
   * txData[txSlotOffset(k) ..] (at most slotSize bytes), then calls txCommit. A new reservation
   * replaces an uncommitted one. The buffers stay as written after the peer has read them (it only
   * reads), so a caller may leave bytes there for the next use of a buffer (txSlotIndex says which).
   */
  txReserveInPlace(max: number): number {
    if (this.closed) return 0;
    const ring = this.txRing;
    const depth = this.reap(ring);
    const n = max < depth ? (max > 0 ? max : 0) : depth;
    this.resWrite = ring.ctrl[W];
    this.resN = n;
    return n;
  }

  /** Buffer number (0 .. ringSize-1) of the k-th reserved TX slot. */
  txSlotIndex(k: number): number {
    const ring = this.txRing;
    return ring.stack[ring.ctrl[SD] - 1 - k];
  }

  /** Offset in txData of the k-th reserved TX slot (slotSize bytes). */
  txSlotOffset(k: number): number {
    const ring = this.txRing;
    return ring.dataOffset + ring.stack[ring.ctrl[SD] - 1 - k] * this.slotSize;
  }

  /**
   * In-place TX, step 2: publishes the first n reserved slots with lengths lens[0..n) (each at
   * most slotSize: the caller wrote them in place, so a bigger one is a caller bug and throws).
   * Descriptors first, then the write index with Atomics.store, as tx() does; same stats.
   */
  txCommit(n: number, lens: Int32Array): void {
    if (this.closed || n <= 0) return;
    if (n > this.resN) throw new RangeError(`shm txCommit of ${n} slots, only ${this.resN} reserved`);
    const ring = this.txRing;
    const slotSize = this.slotSize;
    for (let k = 0; k < n; k++) {
      const len = lens[k]!;
      if (len < 0 || len > slotSize) throw new RangeError(`shm txCommit: length ${len} does not fit a ${slotSize}-byte slot`);
    }
    const rbufs = ring.bufs;
    const rlens = ring.lens;
    const stack = ring.stack;
    const mask = this.mask;
    const write = this.resWrite;
    let depth = ring.ctrl[SD];
    let bytes = 0;
    for (let k = 0; k < n; k++) {
      const len = lens[k]!;
      const idx = (write + k) & mask;
      rbufs[idx] = stack[--depth];
      rlens[idx] = len;
      bytes += len;
    }
    ring.ctrl[SD] = depth;
    // Release: data and descriptors are written before the index moves.
    Atomics.store(ring.ctrl, W, (write + n) | 0);
    this.resWrite = (write + n) | 0;
    this.resN -= n;
    this.stats.txPackets += n;
    this.stats.txBytes += bytes;
    this.stats.txBursts++;
  }

  /**
   * In-place RX, step 1: fills offs[k] (offset in rxData) and lens[k] for up to max waiting
   * packets (at most offs.length) and returns how many. Descriptors with a malformed length
   * (negative or above slotSize) or buffer number are skipped and counted as rx() does. Nothing is
   * consumed until rxRelease: a second peek without release sees the same packets again.
   */
  rxPeek(max: number, offs: Int32Array, lens: Int32Array): number {
    if (this.closed) return 0;
    const ring = this.rxRing;
    const ctrl = ring.ctrl;
    let read = Atomics.load(ctrl, R);
    // Acquire: the writer stored descriptors and data before publishing its index.
    const avail = (Atomics.load(ctrl, W) - read) >>> 0;
    let want = avail < max ? avail : max;
    if (want > offs.length) want = offs.length;
    if (want > lens.length) want = lens.length;
    const rbufs = ring.bufs;
    const rlens = ring.lens;
    const mask = this.mask;
    const slotSize = this.slotSize;
    const size = this.ringSize;
    const base = ring.dataOffset;
    let n = 0;
    let bytes = 0;
    let bad = 0;
    for (let k = 0; k < want; k++) {
      const idx = read & mask;
      const b = rbufs[idx]!;
      const len = rlens[idx]!;
      read = (read + 1) | 0;
      if (len < 0 || len > slotSize || !(b >= 0 && b < size)) {
        bad++;
        continue;
      }
      offs[n] = base + b * slotSize;
      lens[n] = len;
      bytes += len;
      n++;
    }
    this.peekRead = read;
    this.peekN = n;
    this.peekBytes = bytes;
    this.peekMalformed = bad;
    this.peeking = want > 0;
    return n;
  }

  /**
   * In-place RX, step 2: hands the buffers of the last peek back to the writer (return ring, then
   * Atomics.store of the read index) and counts them. The caller must not read them afterwards.
   */
  rxRelease(): void {
    if (!this.peeking) return;
    this.peeking = false;
    const ring = this.rxRing;
    this.giveBack(ring, Atomics.load(ring.ctrl, R), this.peekRead);
    Atomics.store(ring.ctrl, R, this.peekRead);
    if (this.peekMalformed > 0) this.stats.drops[DropReason.Malformed] += this.peekMalformed;
    if (this.peekN > 0) {
      this.stats.rxPackets += this.peekN;
      this.stats.rxBytes += this.peekBytes;
      this.stats.rxBursts++;
    }
  }

  /** Packets waiting to be received on this side. */
  pending(): number {
    return (Atomics.load(this.rxRing.ctrl, W) - Atomics.load(this.rxRing.ctrl, R)) >>> 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.onClose !== undefined) this.onClose();
  }
}

/** Checks a region name: it becomes /dev/shm/NAME. */
function badName(name: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name === '.' || name === '..') {
    return `bad shm region name '${name}' (letters, digits, '.', '_' and '-', at most 200)`;
  }
  return undefined;
}

/** Opens (creating or attaching) the shm region spec.iface; never throws. */
export function openShmPort(spec: PortSpec): OpenPortResult {
  if (spec.shmZeroCopy === true) return openShmZcPort(spec);
  const bad = badName(spec.iface);
  if (bad !== undefined) return { error: bad };
  const native = loadNative();
  if (native === undefined) {
    const st = nativeStatus();
    return { error: `shm driver unavailable: ${st.ok ? 'unknown reason' : st.reason}` };
  }
  const ringSize = pow2(spec.ringSize ?? 1024);
  const slotSize = align64(spec.frameSize ?? 2048);
  const role = spec.shmRole ?? 'auto';
  const mode = role === 'create' ? 0 : role === 'attach' ? 1 : 2;
  let region: { buffer: ArrayBuffer; handle: NativeHandle; created: boolean };
  try {
    region = native.shmOpen(spec.iface, shmRegionSize(ringSize, slotSize), mode);
  } catch (e) {
    return { error: `shm region '${spec.iface}': ${nativeErrorText(e)}` };
  }
  const name = spec.iface;
  const onClose = (): void => {
    native.shmClose(region.handle, region.buffer);
    if (region.created) native.shmUnlink(name);
  };
  try {
    if (region.created) initShmRegion(region.buffer, ringSize, slotSize);
    return new ShmPort(name, region.buffer, region.created ? 0 : 1, onClose);
  } catch (e) {
    onClose();
    return { error: `shm region '${name}': ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Removes a region name left behind by a crashed creator; true when one existed. */
export function removeShmRegion(name: string): boolean {
  const native = loadNative();
  if (native === undefined || badName(name) !== undefined) return false;
  return native.shmUnlink(name);
}
