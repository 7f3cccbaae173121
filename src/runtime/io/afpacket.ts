// The afpacket driver: a raw AF_PACKET socket on one interface with a TPACKET_V3 RX ring of blocks
// and a TX ring of frames, both mmap'd by the native addon and walked here without a native call
// per packet. rx plans the copies of a burst out of retired blocks into pool slots, does them in one
// native call (copyBatch, see BurstCopier in shm.ts) and only then hands the walked blocks back to
// the kernel; tx plans the copies of pool packets into TX frames, does them in one call, then marks
// the frames in ring order and kicks the kernel once per burst. No allocation per packet.
// Our own transmissions are filtered out of RX (PACKET_IGNORE_OUTGOING, plus a check of sll_pkttype).
// Order: the kernel fills and retires RX blocks in ring order (one lock orders every CPU's writes)
// and sends TX frames from its head in ring order; this file walks both the same way, so a port
// never reorders (afpacket.test.ts checks 20,000 frames between two processes). Over veth the only
// reordering left would be the kernel's: a frame queued on one CPU's backlog while the sender moves
// to another; the backlog is drained inline at the end of each send, and none was seen in ~1.3M
// frames received, some with the sender moved between the two CPUs ~200 times a run.

import type { PacketPool } from '../core/packet-pool.js';
import { DropReason, PortStats, type Port, type PortSpec, type OpenPortResult } from './port.js';
import { BurstCopier } from './shm.js';
import { loadNative, nativeErrorText, nativeStatus, type AfpRings, type NativeAddon, type NativeHandle } from './native.js';

// struct tpacket_block_desc: block_status at 8, num_pkts at 12, offset_to_first_pkt at 16.
const BLK_STATUS = 8;
const BLK_NUM = 12;
const BLK_FIRST = 16;
// struct tpacket3_hdr: tp_next_offset 0, tp_snaplen 12, tp_len 16, tp_status 20, tp_mac 24.
const PKT_NEXT = 0;
const PKT_SNAPLEN = 12;
const PKT_LEN = 16;
const PKT_STATUS = 20;
const PKT_MAC = 24;
// sockaddr_ll.sll_pkttype, after the packet header.
const SLL_PKTTYPE = 10;
const PACKET_OUTGOING = 4;
const TP_STATUS_KERNEL = 0;
const TP_STATUS_USER = 1;
const TP_STATUS_SEND_REQUEST = 1;
const TP_STATUS_SENDING = 2;
const TP_STATUS_WRONG_FORMAT = 4;
/** Most packets one rx or tx call handles (callers use bursts of 32 to 256). */
const PLAN_MAX = 1024;
const ENETDOWN = 100;

export class AfPacketPort implements Port {
  readonly name: string;
  readonly driver = 'afpacket' as const;
  readonly stats = new PortStats();
  readonly ifindex: number;
  /** errno of the last failed TX kick (0: none); frames stay queued and go with the next kick. */
  lastSendErrno = 0;
  /**
   * A kick left frames queued (the kernel stopped early: socket buffer full, device busy): poll()
   * kicks again, so the tail of a burst does not wait for the next tx() (a stall, not a reorder:
   * the kernel resumes from its head, in ring order).
   */
  kickPending = false;
  private readonly native: NativeAddon;
  private readonly rings: AfpRings;
  private readonly handle: NativeHandle;
  private readonly u8: Uint8Array;
  private readonly i32: Int32Array;
  private readonly u16: Uint16Array;
  private readonly blockSize: number;
  private readonly blockCount: number;
  private readonly txFrameSize: number;
  private readonly txFrameCount: number;
  private readonly txBase: number;
  private readonly txData: number;
  private readonly sll: number;
  /** RX position: current block, packets left in it (0: not entered yet), next packet's offset. */
  private blk = 0;
  private pktLeft = 0;
  private pktOff = 0;
  /** Next TX frame (the kernel walks frames in the same order). */
  private txHead = 0;
  /** Copy plans, (src, dst, len) per packet; bursts are clamped to PLAN_MAX packets. */
  private readonly plan = new Int32Array(3 * PLAN_MAX);
  private readonly rxCopier = new BurstCopier();
  private readonly txCopier = new BurstCopier();
  private closed = false;

  constructor(name: string, ifindex: number, native: NativeAddon, rings: AfpRings) {
    this.name = name;
    this.ifindex = ifindex;
    this.native = native;
    this.rings = rings;
    this.handle = rings.handle;
    this.u8 = new Uint8Array(rings.buffer);
    this.i32 = new Int32Array(rings.buffer, 0, rings.buffer.byteLength >> 2);
    this.u16 = new Uint16Array(rings.buffer, 0, rings.buffer.byteLength >> 1);
    this.blockSize = rings.rxBlockSize;
    this.blockCount = rings.rxBlockCount;
    this.txFrameSize = rings.txFrameSize;
    this.txFrameCount = rings.txFrameCount;
    this.txBase = rings.txOffset;
    this.txData = rings.txDataOffset;
    this.sll = rings.sllOffset;
  }

  rx(pool: PacketPool, out: Int32Array, max: number): number {
    if (this.closed) return 0;
    const i32 = this.i32;
    const maxPacket = pool.slotSize - pool.headroom;
    const plan = this.plan;
    if (max > out.length) max = out.length;
    if (max > PLAN_MAX) max = PLAN_MAX;
    // Blocks walked to the end in this call: released only after the copy (the kernel may refill
    // a block as soon as it is released). They are consecutive, from firstBlk.
    const firstBlk = this.blk;
    let done = 0;
    let n = 0;
    let bytes = 0;
    while (n < max) {
      const base = this.blk * this.blockSize;
      if (this.pktLeft === 0) {
        // Every block walked and still held: do not come round to the first one again.
        if (done === this.blockCount) break;
        // Acquire the block: the kernel fills it before setting TP_STATUS_USER.
        if ((Atomics.load(i32, (base + BLK_STATUS) >> 2) & TP_STATUS_USER) === 0) break;
        this.pktLeft = i32[(base + BLK_NUM) >> 2];
        this.pktOff = base + i32[(base + BLK_FIRST) >> 2];
        if (this.pktLeft <= 0) {
          this.nextBlock();
          done++;
          continue;
        }
      }
      const off = this.pktOff;
      if (this.u8[off + this.sll + SLL_PKTTYPE] !== PACKET_OUTGOING) {
        const snap = i32[(off + PKT_SNAPLEN) >> 2];
        if (snap > maxPacket) {
          this.stats.drops[DropReason.TooBig]++;
        } else if (snap < i32[(off + PKT_LEN) >> 2] || snap <= 0) {
          this.stats.drops[DropReason.Malformed]++;
        } else {
          const slot = pool.alloc();
          // Pool empty: stay on this packet; the kernel drops (and counts) if the ring fills.
          if (slot < 0) break;
          const j = 3 * n;
          plan[j] = off + this.u16[(off + PKT_MAC) >> 1];
          plan[j + 1] = pool.start[slot];
          plan[j + 2] = snap;
          pool.length[slot] = snap;
          out[n++] = slot;
          bytes += snap;
        }
      }
      this.pktOff = off + i32[(off + PKT_NEXT) >> 2];
      if (--this.pktLeft === 0) {
        this.nextBlock();
        done++;
      }
    }
    if (n > 0) this.rxCopier.copy(this.u8, pool.buf, plan, n);
    // Release: the walked blocks go back to the kernel, in ring order, after their bytes were copied.
    let b = firstBlk;
    for (let k = 0; k < done; k++) {
      Atomics.store(i32, (b * this.blockSize + BLK_STATUS) >> 2, TP_STATUS_KERNEL);
      b = b + 1 === this.blockCount ? 0 : b + 1;
    }
    if (n > 0) {
      this.stats.rxPackets += n;
      this.stats.rxBytes += bytes;
      this.stats.rxBursts++;
    }
    return n;
  }

  /** Leaves the current block (released by rx after the burst's copy) for the next one. */
  private nextBlock(): void {
    this.pktLeft = 0;
    this.blk = this.blk + 1 === this.blockCount ? 0 : this.blk + 1;
  }

  tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (this.closed) return 0;
    if (this.lastSendErrno === ENETDOWN) {
      // The last kick said the interface is down: ask again (one syscall per burst while it is
      // down). Still down: the burst is dropped (tx-error, as afxdp does) instead of filling the
      // ring with stale frames; the frames already queued leave when it comes back up.
      this.kick();
      if (this.lastSendErrno === ENETDOWN) {
        if (n > PLAN_MAX) n = PLAN_MAX;
        for (let k = 0; k < n; k++) pool.free(slots[k]);
        this.stats.drops[DropReason.TxError] += n;
        return n;
      }
    }
    const i32 = this.i32;
    const room = this.txFrameSize - this.txData;
    const plan = this.plan;
    if (n > PLAN_MAX) n = PLAN_MAX;
    let taken = 0;
    let queued = 0;
    let bytes = 0;
    // Frames are claimed in ring order from txHead; the kernel sends from its head in the same order.
    let head = this.txHead;
    while (taken < n) {
      const frame = this.txBase + head * this.txFrameSize;
      const st = Atomics.load(i32, (frame + PKT_STATUS) >> 2);
      // Frame still owned by the kernel: the ring is full, the rest stays with the caller.
      if ((st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) !== 0) break;
      // A frame held by this burst already (the ring wrapped within one call): full too.
      if (queued === this.txFrameCount) break;
      if ((st & TP_STATUS_WRONG_FORMAT) !== 0) {
        this.stats.drops[DropReason.Malformed]++;
        i32[(frame + PKT_STATUS) >> 2] = 0;
      }
      const slot = slots[taken++];
      const len = pool.length[slot];
      if (len > room) {
        this.stats.drops[DropReason.TooBig]++;
        continue;
      }
      const j = 3 * queued;
      plan[j] = pool.start[slot];
      plan[j + 1] = frame + this.txData;
      plan[j + 2] = len;
      i32[(frame + PKT_NEXT) >> 2] = 0;
      i32[(frame + PKT_SNAPLEN) >> 2] = len;
      i32[(frame + PKT_LEN) >> 2] = len;
      head = head + 1 === this.txFrameCount ? 0 : head + 1;
      queued++;
      bytes += len;
    }
    if (queued > 0) {
      this.txCopier.copy(pool.buf, this.u8, plan, queued);
      // Release, in ring order: each frame's bytes are in place before the kernel may take it.
      for (let k = 0; k < queued; k++) {
        Atomics.store(i32, (plan[3 * k + 1] - this.txData + PKT_STATUS) >> 2, TP_STATUS_SEND_REQUEST);
      }
      this.txHead = head;
    }
    // Every taken slot is ours: copied into a frame or dropped with a counted reason.
    for (let k = 0; k < taken; k++) pool.free(slots[k]);
    if (queued > 0) {
      this.kick();
      this.stats.txPackets += queued;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    } else if (this.lastSendErrno !== 0 || this.kickPending) {
      // Nothing new queued (the ring is full, or n = 0), but frames a failed or short kick left
      // behind are still requested: kick again, or the port stays stuck until poll().
      this.kick();
    }
    return taken;
  }

  /** Asks the kernel to send the queued frames; notes whether some are still waiting. */
  private kick(): void {
    const r = this.native.afpSend(this.handle);
    // EAGAIN/ENOBUFS/ENETDOWN: frames stay queued and leave with the next kick.
    this.lastSendErrno = r < 0 ? -r : 0;
    // The last queued frame still requested: the kernel did not get to it.
    const last = this.txHead === 0 ? this.txFrameCount - 1 : this.txHead - 1;
    const st = Atomics.load(this.i32, (this.txBase + last * this.txFrameSize + PKT_STATUS) >> 2);
    this.kickPending = (st & TP_STATUS_SEND_REQUEST) !== 0;
  }

  /** Frames queued for TX and not yet released by the kernel. */
  txPending(): number {
    let k = 0;
    for (let f = 0; f < this.txFrameCount; f++) {
      const st = Atomics.load(this.i32, (this.txBase + f * this.txFrameSize + PKT_STATUS) >> 2);
      if ((st & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) !== 0) k++;
    }
    return k;
  }

  /** Re-kicks queued TX frames (after EAGAIN or a short send) and folds the kernel's drop counter into stats. */
  poll(): void {
    if (this.closed) return;
    if (this.lastSendErrno !== 0 || this.kickPending) this.kick();
    try {
      const s = this.native.afpStats(this.handle);
      this.stats.drops[DropReason.Kernel] += s[1];
    } catch {
      // Socket gone (interface removed): nothing to add.
    }
  }

  /** Waits up to timeoutMs for RX data (poll(2)); returns revents or -errno. Not for the hot loop. */
  wait(timeoutMs: number): number {
    return this.closed ? 0 : this.native.afpPoll(this.handle, timeoutMs, false);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.afpClose(this.handle, this.rings.buffer);
  }
}

/** Opens an AF_PACKET port on interface spec.iface; never throws. */
export function openAfPacketPort(spec: PortSpec): OpenPortResult {
  const native = loadNative();
  if (native === undefined) {
    const st = nativeStatus();
    return { error: `afpacket driver unavailable: ${st.ok ? 'unknown reason' : st.reason}` };
  }
  let ifindex: number;
  try {
    ifindex = native.ifIndex(spec.iface);
  } catch (e) {
    return { error: `afpacket: no interface '${spec.iface}' (${nativeErrorText(e)})` };
  }
  const frame = spec.frameSize ?? 2048;
  const ring = Math.max(64, spec.ringSize ?? 1024);
  const blockSize = 1 << 16;
  const perBlock = blockSize / frame;
  const blocks = Math.max(4, Math.ceil(ring / (perBlock > 0 ? perBlock : 1)));
  let txFrames = 2;
  while (txFrames < ring) txFrames *= 2;
  try {
    const rings = native.afpOpen(ifindex, {
      rxBlockSize: blockSize,
      rxBlockCount: blocks,
      rxFrameSize: frame,
      txFrameSize: frame,
      txFrameCount: txFrames,
      blockTimeoutMs: spec.blockTimeoutMs ?? 1,
      qdiscBypass: spec.qdiscBypass ?? true,
    });
    return new AfPacketPort(spec.iface, ifindex, native, rings);
  } catch (e) {
    return { error: `afpacket port '${spec.iface}': ${nativeErrorText(e)}` };
  }
}
