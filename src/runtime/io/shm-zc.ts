// Zero-copy shm: a "domain" region holding the packet slots of BOTH sides (the switch's pool and one
// slot range per peer) plus, per port, two descriptor rings (peer -> switch, switch -> peer) and two
// return rings (freed slots travelling back to their owner, like AF_XDP's fill/completion pair).
// Input/output: bursts of slot indices; a packet's bytes are written once by its producer and read
// or rewritten in place by the consumer. Copy mode (shm.ts) stays the default; this is opt-in.
//
// Ownership: slot i belongs to the switch when i < S, else to the peer of port (i - S) / P. Both
// sides see the whole slot space through a PacketPool that owns only its own range
// (PacketPool.setOwnedRange): tx hands a slot over (give) and writes (slot, offset, length) on the
// descriptor ring; rx adopts it. free() of a foreign slot pushes it on a return ring: a peer always
// returns to the switch, the switch forwards each returned slot to its owner (itself or another
// peer). Return rings hold every slot of the domain, so they never overflow. Returns are written at
// once and published (one Atomics.store per ring) at the end of each rx/tx call.
// Region layout (little-endian int32): header (256 B: magic, version, ports, slotSize, S, P,
// ringSize, returnSize, headroom, creator pid, slot area offset; peer pid of port k at word 16 + k);
// per port k at 256 + k * portBytes: desc ring peer->switch, desc ring switch->peer (128 B control:
// write index @0, read index @64; then ringSize entries of 16 B: slot, offset in slot, length, 0),
// return ring peer->switch, return ring switch->peer (control, then returnSize u32 slots); the slot
// area (page aligned) after the last port. A peer that dies holding slots strands them (no reclaim),
// and its port then refuses new peers until the switch restarts.

import { PacketPool } from '../core/packet-pool.js';
import { DropReason, PortStats, type OpenPortResult, type Port, type PortSpec } from './port.js';
import { BurstCopier } from './shm.js';
import { loadNative, nativeErrorText, nativeStatus, type NativeHandle } from './native.js';

const MAGIC = 0x50345a43; // 'P4ZC'
const VERSION = 1;
const HEADER = 256;
const CTRL = 128;
const DESC = 16;
/** Ports per domain (peer pids live in header words 16..63). */
export const SHM_ZC_MAX_PORTS = 48;
const W = 0;
const R = 16;

/** Shape of a zero-copy domain. */
export interface ShmZcLayout {
  /** Ports (one peer each). */
  readonly ports: number;
  /** Slots owned by the switch side (its pool's free list). */
  readonly slots: number;
  /** Slots owned by each port's peer. */
  readonly peerSlots: number;
  /** Bytes per slot (multiple of 64). */
  readonly slotSize: number;
  /** Descriptors per direction and port (power of two). */
  readonly ringSize: number;
  /** Headroom of a fresh packet on either side. */
  readonly headroom: number;
}

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function pow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Every slot of the domain. */
function totalSlots(l: ShmZcLayout): number {
  return l.slots + l.ports * l.peerSlots;
}

/** Entries of a return ring: room for every slot of the domain. */
function returnSize(l: ShmZcLayout): number {
  return pow2(totalSlots(l));
}

function descBytes(l: ShmZcLayout): number {
  return CTRL + l.ringSize * DESC;
}

function retBytes(l: ShmZcLayout): number {
  return CTRL + align(4 * returnSize(l), 64);
}

function portBytes(l: ShmZcLayout): number {
  return 2 * descBytes(l) + 2 * retBytes(l);
}

function slotAreaOffset(l: ShmZcLayout): number {
  return align(HEADER + l.ports * portBytes(l), 4096);
}

/** Bytes of a domain region with this layout. */
export function shmZcRegionSize(l: ShmZcLayout): number {
  return slotAreaOffset(l) + totalSlots(l) * l.slotSize;
}

/** A layout from options with defaults (slot size rounded up to 64, ring to a power of two). */
export function shmZcLayout(o: { ports: number; slots?: number; peerSlots?: number; slotSize?: number; ringSize?: number; headroom?: number }): ShmZcLayout {
  const slots = Math.floor(o.slots ?? 4096);
  return {
    ports: Math.floor(o.ports),
    slots,
    peerSlots: Math.floor(o.peerSlots ?? slots),
    slotSize: align(o.slotSize ?? 2560, 64),
    ringSize: pow2(o.ringSize ?? 1024),
    headroom: Math.floor(o.headroom ?? 512),
  };
}

/** Why a layout cannot be used, or undefined. */
function badLayout(l: ShmZcLayout): string | undefined {
  if (!(l.ports >= 1 && l.ports <= SHM_ZC_MAX_PORTS)) return `zero-copy shm: ${l.ports} ports (1 to ${SHM_ZC_MAX_PORTS})`;
  if (!(l.slots >= 1 && l.peerSlots >= 1) || totalSlots(l) > 1 << 22) return `zero-copy shm: bad slot counts (${l.slots} switch, ${l.peerSlots} per peer)`;
  if (!(l.slotSize >= 128 && l.slotSize % 64 === 0 && l.slotSize <= 1 << 16)) return `zero-copy shm: slot size ${l.slotSize} (a multiple of 64, 128 to 65536)`;
  if (!(l.headroom >= 0 && l.headroom < l.slotSize - 64)) return `zero-copy shm: headroom ${l.headroom} leaves no room in ${l.slotSize}-byte slots`;
  if (!(l.ringSize >= 2 && (l.ringSize & (l.ringSize - 1)) === 0 && l.ringSize <= 1 << 20)) return `zero-copy shm: ring size ${l.ringSize} is not a power of two`;
  return undefined;
}

/** Writes the header and clears the rings of a fresh domain; the magic goes last. */
export function initShmZcRegion(buffer: ArrayBuffer | SharedArrayBuffer, l: ShmZcLayout): void {
  const bad = badLayout(l);
  if (bad !== undefined) throw new RangeError(bad);
  if (buffer.byteLength < shmZcRegionSize(l)) throw new RangeError('zero-copy shm region too small for its layout');
  const h = new Int32Array(buffer, 0, HEADER / 4);
  h.fill(0, 1);
  h[1] = VERSION;
  h[2] = l.ports;
  h[3] = l.slotSize;
  h[4] = l.slots;
  h[5] = l.peerSlots;
  h[6] = l.ringSize;
  h[7] = returnSize(l);
  h[8] = l.headroom;
  h[9] = process.pid;
  h[10] = slotAreaOffset(l);
  new Int32Array(buffer, HEADER, (l.ports * portBytes(l)) / 4).fill(0);
  Atomics.store(h, 0, MAGIC);
}

/** A domain's layout, or an error when the buffer is not an initialised zero-copy domain. */
export function readShmZcHeader(buffer: ArrayBuffer | SharedArrayBuffer): ShmZcLayout | { error: string } {
  if (buffer.byteLength < HEADER) return { error: 'zero-copy shm region smaller than its header' };
  const h = new Int32Array(buffer, 0, HEADER / 4);
  const magic = Atomics.load(h, 0);
  if (magic === 0) return { error: 'zero-copy shm region not initialised yet (the switch is still starting); retry' };
  if (magic !== MAGIC) return { error: `not a p4tee zero-copy shm domain (magic 0x${(magic >>> 0).toString(16)}; a copy-mode region?)` };
  if (h[1] !== VERSION) return { error: `zero-copy shm domain version ${h[1]}, expected ${VERSION}` };
  const l: ShmZcLayout = { ports: h[2], slotSize: h[3], slots: h[4], peerSlots: h[5], ringSize: h[6], headroom: h[8] };
  const bad = badLayout(l);
  if (bad !== undefined || h[7] !== returnSize(l) || h[10] !== slotAreaOffset(l) || buffer.byteLength < shmZcRegionSize(l)) {
    return { error: `zero-copy shm domain header is corrupt (${bad ?? `${buffer.byteLength} bytes`})` };
  }
  return l;
}

/** A ring of slot indices (return ring): the producer writes entries and publishes its index later. */
class ReturnRing {
  readonly ctrl: Int32Array;
  readonly ent: Int32Array;
  readonly mask: number;
  readonly size: number;
  /** Producer: next write (published at publish()); consumer: next read. */
  pos: number;
  /** Producer: the consumer's read index as last seen. */
  seen: number;
  dirty = false;
  constructor(buffer: ArrayBuffer | SharedArrayBuffer, base: number, size: number, producer: boolean) {
    this.ctrl = new Int32Array(buffer, base, CTRL / 4);
    this.ent = new Int32Array(buffer, base + CTRL, size);
    this.mask = size - 1;
    this.size = size;
    this.pos = Atomics.load(this.ctrl, producer ? W : R);
    this.seen = Atomics.load(this.ctrl, R);
  }

  /** Producer: queues slot i; false when the ring is full. */
  push(i: number): boolean {
    if (((this.pos - this.seen) >>> 0) >= this.size) {
      this.seen = Atomics.load(this.ctrl, R);
      if (((this.pos - this.seen) >>> 0) >= this.size) return false;
    }
    this.ent[this.pos & this.mask] = i;
    this.pos = (this.pos + 1) | 0;
    this.dirty = true;
    return true;
  }

  /** Producer: makes the queued entries visible (release). */
  publish(): void {
    if (!this.dirty) return;
    this.dirty = false;
    Atomics.store(this.ctrl, W, this.pos);
  }
}

/**
 * The return paths of one side: the rings it writes freed foreign slots to, and the rings it reaps
 * its own (switch: also other peers') slots from. The pool's release/refill callbacks point here.
 */
class ReturnPaths {
  /** Switch side: out[k] = return ring switch -> peer k, inn[k] = peer k -> switch. Peer side: one each. */
  readonly out: ReturnRing[];
  readonly inn: ReturnRing[];
  readonly isSwitch: boolean;
  readonly switchSlots: number;
  readonly peerSlots: number;
  pool: PacketPool | null = null;
  /** Returns that could not be placed (full ring or a slot that is not ours): a protocol fault. */
  stranded = 0;
  readonly release: (i: number) => void;
  readonly refill: () => void;

  constructor(out: ReturnRing[], inn: ReturnRing[], isSwitch: boolean, l: ShmZcLayout) {
    this.out = out;
    this.inn = inn;
    this.isSwitch = isSwitch;
    this.switchSlots = l.slots;
    this.peerSlots = l.peerSlots;
    this.release = (i) => { this.route(i); };
    this.refill = () => { this.reapAll(); this.publish(); };
  }

  /** Sends foreign slot i toward its owner. */
  route(i: number): void {
    const r = this.isSwitch ? this.out[((i - this.switchSlots) / this.peerSlots) | 0] : this.out[0];
    if (r === undefined || !r.push(i)) this.stranded++;
  }

  /** Takes the slots that came back on return ring k. */
  reap(k: number): void {
    const r = this.inn[k];
    const avail = (Atomics.load(r.ctrl, W) - r.pos) >>> 0;
    if (avail === 0) return;
    const pool = this.pool!;
    let pos = r.pos;
    for (let j = 0; j < avail; j++) {
      const i = r.ent[pos & r.mask];
      pos = (pos + 1) | 0;
      if (pool.owns(i)) {
        if (!pool.reclaim(i)) this.stranded++;
      } else if (this.isSwitch && i >= 0 && i < pool.slots) {
        this.route(i);
      } else {
        this.stranded++;
      }
    }
    r.pos = pos;
    Atomics.store(r.ctrl, R, pos);
  }

  reapAll(): void {
    for (let k = 0; k < this.inn.length; k++) this.reap(k);
  }

  publish(): void {
    for (let k = 0; k < this.out.length; k++) this.out[k].publish();
  }
}

/** Descriptor ring view: control words and (slot, offset, length, 0) entries. */
class DescRing {
  readonly ctrl: Int32Array;
  readonly ent: Int32Array;
  readonly mask: number;
  readonly size: number;
  constructor(buffer: ArrayBuffer | SharedArrayBuffer, base: number, size: number) {
    this.ctrl = new Int32Array(buffer, base, CTRL / 4);
    this.ent = new Int32Array(buffer, base + CTRL, 4 * size);
    this.mask = size - 1;
    this.size = size;
  }
}

/** Ring bases of port k: [desc peer->switch, desc switch->peer, return peer->switch, return switch->peer]. */
function ringBases(l: ShmZcLayout, k: number): number[] {
  const b = HEADER + k * portBytes(l);
  const d = descBytes(l);
  return [b, b + d, b + 2 * d, b + 2 * d + retBytes(l)];
}

/** The slot area of a domain as a Uint8Array. */
function slotArea(buffer: ArrayBuffer | SharedArrayBuffer, l: ShmZcLayout): Uint8Array {
  return new Uint8Array(buffer, slotAreaOffset(l), totalSlots(l) * l.slotSize);
}

/**
 * One end of port k of a domain: the switch side (all ports share the domain's pool) or the peer.
 * rx/tx with `this.pool` move slots without copying; with any other pool they copy (one batched
 * copy per burst), so a peer that keeps its own pool still works.
 */
export class ShmZcPort implements Port {
  readonly name: string;
  readonly driver = 'shm' as const;
  readonly stats = new PortStats();
  /** The pool whose slots this port moves in place. */
  readonly pool: PacketPool;
  readonly index: number;
  readonly isSwitch: boolean;
  readonly zeroCopy = true;
  private readonly rxRing: DescRing;
  private readonly txRing: DescRing;
  private rxRead: number;
  private txWrite: number;
  private readonly paths: ReturnPaths;
  /** Return ring this port reaps (switch: index k, peer: 0). */
  private readonly reapIndex: number;
  private readonly slotSize: number;
  private readonly header: Int32Array;
  private readonly plan: Int32Array;
  private readonly held: Int32Array;
  private readonly copier: BurstCopier;
  private readonly onClose: (() => void) | undefined;
  private closed = false;

  constructor(name: string, buffer: ArrayBuffer | SharedArrayBuffer, l: ShmZcLayout, k: number, isSwitch: boolean, pool: PacketPool, paths: ReturnPaths, onClose?: () => void) {
    this.name = name;
    this.index = k;
    this.isSwitch = isSwitch;
    this.pool = pool;
    this.paths = paths;
    this.reapIndex = isSwitch ? k : 0;
    this.slotSize = l.slotSize;
    const b = ringBases(l, k);
    const toSwitch = new DescRing(buffer, b[0], l.ringSize);
    const toPeer = new DescRing(buffer, b[1], l.ringSize);
    this.rxRing = isSwitch ? toSwitch : toPeer;
    this.txRing = isSwitch ? toPeer : toSwitch;
    this.rxRead = Atomics.load(this.rxRing.ctrl, R);
    this.txWrite = Atomics.load(this.txRing.ctrl, W);
    this.header = new Int32Array(buffer, 0, HEADER / 4);
    this.plan = new Int32Array(3 * l.ringSize);
    this.held = new Int32Array(l.ringSize);
    this.copier = new BurstCopier(true);
    this.onClose = onClose;
  }

  rx(pool: PacketPool, out: Int32Array, max: number): number {
    if (this.closed) return 0;
    const paths = this.paths;
    paths.reap(this.reapIndex);
    const ring = this.rxRing;
    const ent = ring.ent;
    let read = this.rxRead;
    // Acquire: the producer wrote descriptors and bytes before publishing its index.
    const avail = (Atomics.load(ring.ctrl, W) - read) >>> 0;
    let want = avail < max ? avail : max;
    if (want > out.length) want = out.length;
    const zp = this.pool;
    let n = 0;
    let bytes = 0;
    if (pool === zp) {
      for (let j = 0; j < want; j++) {
        const e = (read & ring.mask) << 2;
        read = (read + 1) | 0;
        const slot = ent[e];
        const len = ent[e + 2];
        // A bad descriptor (range, offset, slot we already hold) is dropped; its slot is lost.
        if (!zp.adopt(slot, ent[e + 1], len)) { this.stats.drops[DropReason.Malformed]++; continue; }
        out[n++] = slot;
        bytes += len;
      }
    } else {
      // Copy into the caller's pool, then free the domain slot (back to its owner).
      const plan = this.plan;
      const held = this.held;
      const maxPacket = pool.slotSize - pool.headroom;
      for (let j = 0; j < want; j++) {
        const e = (read & ring.mask) << 2;
        const slot = ent[e];
        const len = ent[e + 2];
        if (len >= 0 && len <= maxPacket && zp.adopt(slot, ent[e + 1], len)) {
          const s = pool.alloc();
          // Caller's pool empty: leave the rest on the ring (back-pressure), not a drop.
          if (s < 0) { zp.give(slot); break; }
          const q = 3 * n;
          plan[q] = zp.start[slot];
          plan[q + 1] = pool.start[s];
          plan[q + 2] = len;
          pool.length[s] = len;
          held[n] = slot;
          out[n++] = s;
          bytes += len;
        } else if (zp.adopt(slot, 0, 0)) {
          this.stats.drops[DropReason.TooBig]++;
          zp.free(slot);
        } else {
          this.stats.drops[DropReason.Malformed]++;
        }
        read = (read + 1) | 0;
      }
      if (n > 0) this.copier.copy(zp.buf, pool.buf, plan, n);
      for (let j = 0; j < n; j++) zp.free(held[j]);
    }
    this.rxRead = read;
    Atomics.store(ring.ctrl, R, read);
    paths.publish();
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
    const ent = ring.ent;
    let write = this.txWrite;
    const room = ring.size - ((write - Atomics.load(ring.ctrl, R)) >>> 0);
    let take = n < room ? n : room;
    const zp = this.pool;
    const size = this.slotSize;
    let m = 0;
    let bytes = 0;
    if (pool === zp) {
      for (let j = 0; j < take; j++) {
        const s = slots[j];
        const len = zp.length[s];
        const e = (write & ring.mask) << 2;
        ent[e] = s;
        ent[e + 1] = zp.start[s] - s * size;
        ent[e + 2] = len;
        zp.give(s);
        write = (write + 1) | 0;
        bytes += len;
      }
      m = take;
    } else {
      const plan = this.plan;
      const maxPacket = zp.slotSize - zp.headroom;
      for (let j = 0; j < take; j++) {
        const s = slots[j];
        const len = pool.length[s];
        if (len > maxPacket) { this.stats.drops[DropReason.TooBig]++; continue; }
        const d = zp.alloc();
        // No free domain slot: the rest stay with the caller.
        if (d < 0) { take = j; break; }
        const q = 3 * m;
        plan[q] = pool.start[s];
        plan[q + 1] = zp.start[d];
        plan[q + 2] = len;
        const e = (write & ring.mask) << 2;
        ent[e] = d;
        ent[e + 1] = zp.start[d] - d * size;
        ent[e + 2] = len;
        zp.give(d);
        write = (write + 1) | 0;
        bytes += len;
        m++;
      }
      if (m > 0) this.copier.copy(pool.buf, zp.buf, plan, m);
      for (let j = 0; j < take; j++) pool.free(slots[j]);
    }
    this.txWrite = write;
    // Release: descriptors (and bytes) are written before the index moves.
    Atomics.store(ring.ctrl, W, write);
    this.paths.publish();
    if (take > 0) {
      this.stats.txPackets += m;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    }
    return take;
  }

  /** Reaps returned slots and publishes pending returns (call while idle so slots flow back). */
  sync(): void {
    if (this.closed) return;
    this.paths.reap(this.reapIndex);
    this.paths.publish();
  }

  /** Returns that could not be placed (protocol faults), over this side. */
  get stranded(): number {
    return this.paths.stranded;
  }

  /** Packets waiting to be received on this side. */
  pending(): number {
    return (Atomics.load(this.rxRing.ctrl, W) - this.rxRead) >>> 0;
  }

  /**
   * Peer end: waits (up to 200 ms, syncing) for its slots to come home, then frees the port for a
   * later peer; with slots still away the port stays taken (see attachShmZcPeer).
   */
  close(): void {
    if (this.closed) return;
    if (!this.isSwitch) {
      const until = Date.now() + 200;
      this.sync();
      while (this.pool.available < this.pool.ownedCount && Date.now() < until) this.sync();
      if (this.pool.available === this.pool.ownedCount) Atomics.store(this.header, 16 + this.index, 0);
    }
    this.closed = true;
    if (this.onClose !== undefined) this.onClose();
  }
}

/** The switch side of a domain: its pool (pass it to loadSwitch as SwitchOptions.pool) and its ports. */
export class ShmDomain {
  readonly name: string;
  readonly layout: ShmZcLayout;
  /** Owns slots [0, layout.slots); indexes the whole slot space. */
  readonly pool: PacketPool;
  private readonly buffer: ArrayBuffer | SharedArrayBuffer;
  private readonly paths: ReturnPaths;
  private readonly ports: (ShmZcPort | null)[];
  private open = 0;
  private handedOut = 0;
  private readonly onClose: (() => void) | undefined;
  private closed = false;

  /** Takes the switch side of a region initialised with initShmZcRegion. */
  constructor(name: string, buffer: ArrayBuffer | SharedArrayBuffer, onClose?: () => void) {
    const l = readShmZcHeader(buffer);
    if ('error' in l) throw new Error(l.error);
    this.name = name;
    this.layout = l;
    this.buffer = buffer;
    const out: ReturnRing[] = [];
    const inn: ReturnRing[] = [];
    for (let k = 0; k < l.ports; k++) {
      const b = ringBases(l, k);
      inn.push(new ReturnRing(buffer, b[2], returnSize(l), false));
      out.push(new ReturnRing(buffer, b[3], returnSize(l), true));
    }
    this.paths = new ReturnPaths(out, inn, true, l);
    this.pool = new PacketPool(totalSlots(l), l.slotSize, l.headroom, slotArea(buffer, l));
    this.pool.setOwnedRange(0, l.slots, this.paths.release, this.paths.refill);
    this.paths.pool = this.pool;
    this.ports = new Array<ShmZcPort | null>(l.ports).fill(null);
    this.onClose = onClose;
  }

  /** The switch end of port k (one instance per k; closing every port handed out closes the domain). */
  port(k: number): ShmZcPort | { error: string } {
    if (this.closed) return { error: `zero-copy shm domain '${this.name}' is closed` };
    if (!(Number.isInteger(k) && k >= 0 && k < this.layout.ports)) return { error: `zero-copy shm domain '${this.name}' has ports 0 to ${this.layout.ports - 1}, not ${k}` };
    const had = this.ports[k];
    if (had !== null) return { error: `port ${k} of zero-copy shm domain '${this.name}' is already open` };
    const p = new ShmZcPort(`${this.name}:${k}`, this.buffer, this.layout, k, true, this.pool, this.paths, () => { this.portClosed(); });
    this.ports[k] = p;
    this.open++;
    this.handedOut++;
    return p;
  }

  /** Returns that could not be placed (protocol faults). */
  get stranded(): number {
    return this.paths.stranded;
  }

  /** Reaps every port's return ring and publishes pending returns. */
  sync(): void {
    if (this.closed) return;
    this.paths.reapAll();
    this.paths.publish();
  }

  private portClosed(): void {
    if (--this.open === 0 && this.handedOut > 0) this.close();
  }

  /** Unmaps (and, for a native region this process created, unlinks) the region. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.ports) if (p !== null) p.close();
    openDomains.delete(this.name);
    if (this.onClose !== undefined) this.onClose();
  }
}

/** The peer end of port k of a domain, with the peer's own pool (owning its slot range) as `port.pool`. */
export function attachShmZcPeer(name: string, buffer: ArrayBuffer | SharedArrayBuffer, k: number, onClose?: () => void): ShmZcPort {
  const l = readShmZcHeader(buffer);
  if ('error' in l) throw new Error(l.error);
  if (!(Number.isInteger(k) && k >= 0 && k < l.ports)) throw new RangeError(`zero-copy shm domain '${name}' has ports 0 to ${l.ports - 1}, not ${k}`);
  const b = ringBases(l, k);
  const out = [new ReturnRing(buffer, b[2], returnSize(l), true)];
  const inn = [new ReturnRing(buffer, b[3], returnSize(l), false)];
  const paths = new ReturnPaths(out, inn, false, l);
  const pool = new PacketPool(totalSlots(l), l.slotSize, l.headroom, slotArea(buffer, l));
  const lo = l.slots + k * l.peerSlots;
  pool.setOwnedRange(lo, lo + l.peerSlots, paths.release, paths.refill);
  paths.pool = pool;
  // One peer per port at a time. A peer that left with slots away (held by the switch or in flight)
  // leaves its pid behind: a new peer would reuse slots still in use, so it is refused.
  const h = new Int32Array(buffer, 0, HEADER / 4);
  const prev = Atomics.compareExchange(h, 16 + k, 0, process.pid);
  if (prev !== 0) {
    let alive = true;
    try { process.kill(prev, 0); } catch { alive = false; }
    throw new Error(alive
      ? `port ${k} of zero-copy shm domain '${name}' already has a peer (pid ${prev})`
      : `the previous peer of port ${k} of zero-copy shm domain '${name}' (pid ${prev}) left without getting its slots back; restart the switch`);
  }
  return new ShmZcPort(`${name}:${k}`, buffer, l, k, false, pool, paths, onClose);
}

/** Domains created by this process, by name: openShmPort finds the switch side here. */
const openDomains = new Map<string, ShmDomain>();

function badName(name: string): string | undefined {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name === '.' || name === '..') {
    return `bad shm region name '${name}' (letters, digits, '.', '_' and '-', at most 200)`;
  }
  return undefined;
}

/**
 * Creates the native region /dev/shm/NAME for a zero-copy domain and takes its switch side. Call it
 * before loadSwitch and pass `domain.pool` as SwitchOptions.pool; then openPort({driver: 'shm',
 * shmZeroCopy: true, iface: 'NAME:K'}) in this process returns the switch end of port K. Never throws.
 */
export function createShmDomain(name: string, options: { ports: number; slots?: number; peerSlots?: number; slotSize?: number; ringSize?: number; headroom?: number }): ShmDomain | { error: string } {
  const bad = badName(name);
  if (bad !== undefined) return { error: bad };
  if (openDomains.has(name)) return { error: `zero-copy shm domain '${name}' is already open in this process` };
  const l = shmZcLayout(options);
  const badL = badLayout(l);
  if (badL !== undefined) return { error: badL };
  const native = loadNative();
  if (native === undefined) {
    const st = nativeStatus();
    return { error: `shm driver unavailable: ${st.ok ? 'unknown reason' : st.reason}` };
  }
  let region: { buffer: ArrayBuffer; handle: NativeHandle; created: boolean };
  try {
    region = native.shmOpen(name, shmZcRegionSize(l), 0);
  } catch (e) {
    return { error: `zero-copy shm domain '${name}': ${nativeErrorText(e)} (a stale region? remove /dev/shm/${name})` };
  }
  const onClose = (): void => {
    native.shmClose(region.handle, region.buffer);
    native.shmUnlink(name);
  };
  try {
    initShmZcRegion(region.buffer, l);
    const d = new ShmDomain(name, region.buffer, onClose);
    openDomains.set(name, d);
    return d;
  } catch (e) {
    onClose();
    return { error: `zero-copy shm domain '${name}': ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** The domain NAME created by this process, if any. */
export function findShmDomain(name: string): ShmDomain | undefined {
  return openDomains.get(name);
}

/** Splits 'NAME:K' (or NAME with spec.shmPort, default 0). */
function parseIface(spec: PortSpec): { name: string; k: number } | { error: string } {
  const m = /^(.*):(\d+)$/.exec(spec.iface);
  const name = m === null ? spec.iface : m[1];
  const k = m === null ? spec.shmPort ?? 0 : Number(m[2]);
  const bad = badName(name);
  if (bad !== undefined) return { error: bad };
  return { name, k };
}

/**
 * Opens port K of zero-copy domain NAME (spec.iface 'NAME:K'): the switch end when this process
 * created the domain (createShmDomain) and shmRole is not 'attach', else the peer end of the
 * existing region. Never throws.
 */
export function openShmZcPort(spec: PortSpec): OpenPortResult {
  const p = parseIface(spec);
  if ('error' in p) return p;
  const role = spec.shmRole ?? 'auto';
  const own = openDomains.get(p.name);
  if (own !== undefined && role !== 'attach') return own.port(p.k);
  if (role === 'create') return { error: `zero-copy shm domain '${p.name}': create it with createShmDomain (before loading the switch) and pass its pool to the switch` };
  const native = loadNative();
  if (native === undefined) {
    const st = nativeStatus();
    return { error: `shm driver unavailable: ${st.ok ? 'unknown reason' : st.reason}` };
  }
  let region: { buffer: ArrayBuffer; handle: NativeHandle; created: boolean };
  try {
    region = native.shmOpen(p.name, 0, 1);
  } catch (e) {
    return { error: `zero-copy shm domain '${p.name}': ${nativeErrorText(e)} (is the switch running with this domain?)` };
  }
  const onClose = (): void => { native.shmClose(region.handle, region.buffer); };
  try {
    return attachShmZcPeer(p.name, region.buffer, p.k, onClose);
  } catch (e) {
    onClose();
    return { error: `zero-copy shm domain '${p.name}': ${e instanceof Error ? e.message : String(e)}` };
  }
}
