// The afxdp Port: one AF_XDP socket on one NIC queue. The native addon (native/afxdp.c) creates the
// socket, its UMEM and four rings and lends their memory as ArrayBuffers; this file runs the rings:
// it keeps the fill ring full, copies each received burst from UMEM frames into packet-pool slots,
// copies sent slots into free UMEM TX frames, reaps completions, and wakes the kernel only when
// need_wakeup asks. One native call per burst (a batched memcpy, a wakeup), never one per packet.
//
// Zero-copy between UMEM and the pool is not done: the pool is an ordinary Uint8Array owned by the
// caller. A sender that builds its frames itself (the traffic generator) can skip the pool and the
// copy: txReserve/txSubmit hand out UMEM TX frames to write in place; a receiver that only reads a
// few bytes of each frame can read them in UMEM: rxPeek/rxRelease.
//
// Ring indices and memory order: the producer/consumer words are shared with the kernel only. A
// kernel-written index is first read with a plain load (an idle poll costs one load, not an
// Atomics call); only when it shows new descriptors is it read again with Atomics.load, the one
// acquire fence of the burst, before any descriptor is read. Indices we publish are written with
// Atomics.store (release: descriptors and frame bytes first), once per burst. A plain read of the
// TX consumer index is enough: a stale value only means less room, and our descriptor writes depend
// on the value read, so no CPU lets them pass it.

import type { PacketPool } from '../core/packet-pool.js';
import { DropReason, PortStats, registerPortDriver, type OpenPortResult, type Port, type PortSpec } from './port.js';
import { loadNative, nativeErrorText, nativeStatus, type NativeHandle } from './native.js';

/** One ring's offsets inside its mmap'ed region (bytes), and its size in descriptors. */
interface RingOffsets {
  readonly producer: number;
  readonly consumer: number;
  readonly desc: number;
  readonly flags: number;
  readonly size: number;
}

interface XskSocket {
  readonly fd: number;
  readonly zerocopy: number;
  readonly handle: NativeHandle;
  readonly umem: ArrayBuffer;
  readonly fill: ArrayBuffer;
  readonly comp: ArrayBuffer;
  readonly rx: ArrayBuffer;
  readonly tx: ArrayBuffer;
  readonly offsets: { readonly fill: RingOffsets; readonly comp: RingOffsets; readonly rx: RingOffsets; readonly tx: RingOffsets };
}

/** The functions native/afxdp.c exports under `afxdp`. */
export interface AfxdpNative {
  xskOpen(options: Record<string, number>): XskSocket;
  xskClose(handle: NativeHandle): void;
  /** dir 0: RX wakeup (recvfrom), 1: TX wakeup (sendto). 0 or -errno. */
  xskKick(fd: number, dir: number): number;
  /** events: 1 in, 4 out. revents or -errno. */
  xskPoll(fd: number, events: number, timeoutMs: number): number;
  /** out: rx_dropped, rx_invalid, tx_invalid, rx_ring_full, fill_ring_empty, tx_ring_empty. */
  xskStats(fd: number, out: Float64Array): number;
  /** Copies plan[3k+2] bytes src[plan[3k]] -> dst[plan[3k+1]] for k < n. */
  memcpyBatch(src: Uint8Array, dst: Uint8Array, plan: Int32Array, n: number): number;
  ifNameToIndex(name: string): number;
  xdpMapCreate(maxEntries: number): number;
  xdpProgLoad(mapFd: number, fallbackAction: number): number;
  xdpMapSet(mapFd: number, key: number, fd: number): number;
  xdpMapDelete(mapFd: number, key: number): number;
  xdpAttach(ifindex: number, progFd: number, flags: number, expectedFd: number): number;
  xdpQuery(ifindex: number): { progId: number; mode: number };
  /** BPF link attach (kernel >= 5.9): link fd; closing it (or dying) detaches. Absent in older builds. */
  xdpLinkCreate?(progFd: number, ifindex: number, flags: number): number;
  closeFd(fd: number): number;
}

/** Options beyond the common PortSpec. */
export interface AfxdpSpec extends PortSpec {
  /** Bind with XDP_USE_NEED_WAKEUP (default true): the kernel says when a wakeup syscall is needed. */
  readonly needWakeup?: boolean;
  /** SO_BUSY_POLL in microseconds when busyPoll is true (default 20). */
  readonly busyPollUsecs?: number;
  /** How the XDP program is attached: 'drv' (native), 'skb' (generic) or 'auto' (drv, else skb). */
  readonly xdpMode?: 'drv' | 'skb' | 'auto';
  /** Separate ring sizes (default: ringSize for rx/tx, twice that for fill/completion). */
  readonly rxSize?: number;
  readonly txSize?: number;
  readonly fillSize?: number;
  readonly compSize?: number;
}

const XDP_PASS = 2;
const XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
const XDP_FLAGS_SKB_MODE = 2;
const XDP_FLAGS_DRV_MODE = 4;
const XDP_RING_NEED_WAKEUP = 1;
const XSK_MAP_ENTRIES = 64;
const EAGAIN = 11;
const EBUSY = 16;
const ENOBUFS = 105;
const EOPNOTSUPP = 95;
const EINVAL = 22;
const ENETDOWN = 100;
const EEXIST = 17;

/** How long the addon retries a bind() that says EBUSY (the kernel frees a closed socket late). */
const BIND_BUSY_MS = 2000;

/** xskOpen, with its error as text and errno instead of a throw. */
function openSocket(nat: AfxdpNative, options: Record<string, number>): { sock: XskSocket } | { error: string; errno: number | undefined } {
  try {
    return { sock: nat.xskOpen(options) };
  } catch (e) {
    return { error: nativeErrorText(e), errno: (e as { errno?: number }).errno };
  }
}

/** Names of the kernel's XDP_STATISTICS counters, in xskStats order. */
export const XSK_KERNEL_STAT_NAMES: readonly string[] = [
  'rx-dropped',
  'rx-invalid-descs',
  'tx-invalid-descs',
  'rx-ring-full',
  'fill-ring-empty',
  'tx-ring-empty',
];

/** The addon's afxdp functions, or a reason why there are none. */
export function afxdpNative(): AfxdpNative | { readonly error: string } {
  const addon = loadNative();
  if (addon === undefined) {
    const st = nativeStatus();
    return { error: st.ok ? 'native addon missing' : st.reason };
  }
  const x = (addon as { afxdp?: unknown }).afxdp;
  if (x === undefined || typeof (x as { xskOpen?: unknown }).xskOpen !== 'function') {
    return { error: 'native addon was built without AF_XDP support (native/afxdp.c): rebuild with node scripts/build-native.js' };
  }
  return x as AfxdpNative;
}

// ---- the XDP program, shared by every socket on one interface ----

interface AttachedProgram {
  readonly ifindex: number;
  readonly iface: string;
  readonly progFd: number;
  readonly mapFd: number;
  /** XDP_FLAGS_SKB_MODE or XDP_FLAGS_DRV_MODE. */
  readonly modeFlags: number;
  /** The BPF link holding the attachment, or -1 when attached over rtnetlink. */
  readonly linkFd: number;
  readonly queues: Set<number>;
}

const programs = new Map<number, AttachedProgram>();
let exitHookInstalled = false;

/** Detaches every program this process still has attached (process exit: no XDP left behind). */
function detachAll(nat: AfxdpNative): void {
  for (const p of programs.values()) detachProgram(nat, p);
  programs.clear();
}

function detachProgram(nat: AfxdpNative, p: AttachedProgram): void {
  if (p.linkFd >= 0) {
    // Closing the link's last fd detaches the program.
    nat.closeFd(p.linkFd);
    nat.closeFd(p.progFd);
    nat.closeFd(p.mapFd);
    return;
  }
  try {
    nat.xdpAttach(p.ifindex, -1, p.modeFlags, p.progFd);
  } catch {
    // Kernels before 5.7 know no IFLA_XDP_EXPECTED_FD: detach without the check.
    try {
      nat.xdpAttach(p.ifindex, -1, p.modeFlags, -1);
    } catch {
      // The interface is gone (or someone replaced the program): nothing left to remove.
    }
  }
  nat.closeFd(p.progFd);
  nat.closeFd(p.mapFd);
}

/** Loads and attaches the redirect program on ifindex, or reuses the one this process attached. */
function acquireProgram(nat: AfxdpNative, ifindex: number, iface: string, mode: 'drv' | 'skb' | 'auto'): AttachedProgram | string {
  const have = programs.get(ifindex);
  if (have !== undefined) return have;
  let mapFd = -1;
  let progFd = -1;
  try {
    mapFd = nat.xdpMapCreate(XSK_MAP_ENTRIES);
    progFd = nat.xdpProgLoad(mapFd, XDP_PASS);
  } catch (e) {
    if (mapFd >= 0) nat.closeFd(mapFd);
    return `loading the XDP program: ${nativeErrorText(e)}`;
  }
  const tries = mode === 'drv' ? [XDP_FLAGS_DRV_MODE] : mode === 'skb' ? [XDP_FLAGS_SKB_MODE] : [XDP_FLAGS_DRV_MODE, XDP_FLAGS_SKB_MODE];
  let lastErr = '';
  const attached = (modeFlags: number, linkFd: number): AttachedProgram => {
    const p: AttachedProgram = { ifindex, iface, progFd, mapFd, modeFlags, linkFd, queues: new Set() };
    programs.set(ifindex, p);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', () => detachAll(nat));
    }
    return p;
  };
  for (const modeFlags of tries) {
    // A BPF link first: the kernel detaches the program when the process dies, even by SIGKILL.
    // Kernels before 5.9 (no XDP links) refuse it; rtnetlink then attaches in the same mode.
    if (nat.xdpLinkCreate !== undefined) {
      try {
        return attached(modeFlags, nat.xdpLinkCreate(progFd, ifindex, modeFlags));
      } catch (e) {
        const errno = (e as { errno?: number }).errno;
        if (errno === EBUSY || errno === EEXIST) {
          lastErr = `another XDP program is attached (${nativeErrorText(e)}); remove it first (ip link set dev ${iface} xdp off)`;
          break;
        }
      }
    }
    try {
      nat.xdpAttach(ifindex, progFd, modeFlags | XDP_FLAGS_UPDATE_IF_NOEXIST, -1);
      return attached(modeFlags, -1);
    } catch (e) {
      lastErr = nativeErrorText(e);
      const errno = (e as { errno?: number }).errno;
      // Only a driver without native XDP is worth a second try in generic mode.
      if (errno !== EOPNOTSUPP && errno !== EINVAL) break;
    }
  }
  nat.closeFd(progFd);
  nat.closeFd(mapFd);
  return `attaching the XDP program to ${iface}: ${lastErr}`;
}

function releaseProgram(nat: AfxdpNative, p: AttachedProgram, queue: number): void {
  nat.xdpMapDelete(p.mapFd, queue);
  p.queues.delete(queue);
  if (p.queues.size > 0) return;
  programs.delete(p.ifindex);
  detachProgram(nat, p);
}

// ---- the port ----

function pow2AtLeast(n: number, min: number): number {
  let v = min;
  while (v < n && v < 1 << 20) v *= 2;
  return v;
}

/** Per-port AF_XDP counters beyond PortStats (refusals and wakeups are not drops). */
export class AfxdpCounters {
  /** tx(): packets refused because the TX ring or the free TX frames ran out (left with the caller). */
  txRefused = 0;
  /** Wakeup syscalls made (RX recvfrom / TX sendto) and how many failed with a non-transient error. */
  rxWakeups = 0;
  txWakeups = 0;
  wakeupErrors = 0;
  /** Last errno of a failed wakeup (ENETDOWN when the interface went down), 0 if none. */
  lastWakeupErrno = 0;
  /** The kernel's XDP_STATISTICS, in XSK_KERNEL_STAT_NAMES order (refreshed by poll()). */
  readonly kernel = new Float64Array(6);
}

/**
 * PortStats whose JSON also carries the AF_XDP counters (`p4tee ctl stats`, final counters). Not a
 * subclass: port.ts and this module import each other, and PortStats may not exist yet when this
 * module's body runs.
 */
function afxdpPortStats(x: AfxdpCounters): PortStats {
  const st = new PortStats();
  const base = st.toJSON.bind(st);
  st.toJSON = (): Record<string, unknown> => {
    const j = base();
    const kernel: Record<string, number> = {};
    XSK_KERNEL_STAT_NAMES.forEach((name, i) => { kernel[name] = x.kernel[i]; });
    j.afxdp = { txRefused: x.txRefused, rxWakeups: x.rxWakeups, txWakeups: x.txWakeups, wakeupErrors: x.wakeupErrors, lastWakeupErrno: x.lastWakeupErrno, kernel };
    return j;
  };
  return st;
}

export class AfxdpPort implements Port {
  readonly name: string;
  readonly driver = 'afxdp' as const;
  readonly xdp = new AfxdpCounters();
  readonly stats = afxdpPortStats(this.xdp);
  readonly queue: number;
  readonly ifindex: number;
  /** True when the kernel bound the socket in zero-copy mode. */
  readonly zerocopy: boolean;
  /** 'drv' or 'skb': how the XDP program is attached. */
  readonly xdpMode: 'drv' | 'skb';
  /** 'link': through a BPF link (the kernel detaches it if the process dies); 'netlink': rtnetlink. */
  readonly xdpAttach: 'link' | 'netlink';

  private readonly nat: AfxdpNative;
  private readonly sock: XskSocket;
  private readonly prog: AttachedProgram;
  private readonly fd: number;
  private readonly umem: Uint8Array;
  private readonly frameSize: number;
  private readonly needWakeup: boolean;
  private readonly busyPoll: boolean;
  // Rings as u32 words: [producer index, consumer index, flags index, first descriptor word, mask].
  private readonly fillW: Uint32Array;
  private readonly compW: Uint32Array;
  private readonly rxW: Uint32Array;
  private readonly txW: Uint32Array;
  private readonly fillProd: number;
  private readonly fillFlags: number;
  private readonly fillDesc: number;
  private readonly fillMask: number;
  private readonly compProd: number;
  private readonly compCons: number;
  private readonly compDesc: number;
  private readonly compMask: number;
  private readonly rxProd: number;
  private readonly rxCons: number;
  private readonly rxDesc: number;
  private readonly rxMask: number;
  private readonly txProd: number;
  private readonly txCons: number;
  private readonly txFlags: number;
  private readonly txDesc: number;
  private readonly txMask: number;
  private readonly txSize: number;
  /** Our copies of the indices we own. */
  private fillHead = 0;
  private rxHead = 0;
  private txHead = 0;
  private compHead = 0;
  /** Free TX frames (UMEM byte offsets), a stack. */
  private readonly txFree: Uint32Array;
  private txFreeCount = 0;
  /** Frames handed out by the last txReserve, not yet submitted. */
  private txReserved = 0;
  /** The last rxPeek, not yet released: RX consumer index and fill producer index to publish, counts. */
  private peeking = false;
  private peekCons = 0;
  private peekFill = 0;
  private peekN = 0;
  private peekBytes = 0;
  private peekMalformed = 0;
  /** memcpyBatch plans: [src, dst, len] per packet. */
  private readonly plan: Int32Array;
  private readonly planCap: number;
  private closed = false;
  /** The last TX wakeup failed with ENETDOWN (cleared by the next one that does not). */
  private linkDown = false;

  constructor(nat: AfxdpNative, spec: AfxdpSpec, ifindex: number, sock: XskSocket, prog: AttachedProgram, frameSize: number, rxFrames: number) {
    this.nat = nat;
    this.name = spec.iface + (spec.queue ? `@${spec.queue}` : '');
    this.queue = spec.queue ?? 0;
    this.ifindex = ifindex;
    this.sock = sock;
    this.prog = prog;
    this.fd = sock.fd;
    this.zerocopy = sock.zerocopy !== 0;
    this.xdpMode = prog.modeFlags === XDP_FLAGS_DRV_MODE ? 'drv' : 'skb';
    this.xdpAttach = prog.linkFd >= 0 ? 'link' : 'netlink';
    this.umem = new Uint8Array(sock.umem);
    this.frameSize = frameSize;
    this.needWakeup = spec.needWakeup !== false;
    this.busyPoll = spec.busyPoll === true;
    const o = sock.offsets;
    this.fillW = new Uint32Array(sock.fill);
    this.compW = new Uint32Array(sock.comp);
    this.rxW = new Uint32Array(sock.rx);
    this.txW = new Uint32Array(sock.tx);
    this.fillProd = o.fill.producer >>> 2;
    this.fillFlags = o.fill.flags >>> 2;
    this.fillDesc = o.fill.desc >>> 2;
    this.fillMask = o.fill.size - 1;
    this.compProd = o.comp.producer >>> 2;
    this.compCons = o.comp.consumer >>> 2;
    this.compDesc = o.comp.desc >>> 2;
    this.compMask = o.comp.size - 1;
    this.rxProd = o.rx.producer >>> 2;
    this.rxCons = o.rx.consumer >>> 2;
    this.rxDesc = o.rx.desc >>> 2;
    this.rxMask = o.rx.size - 1;
    this.txProd = o.tx.producer >>> 2;
    this.txCons = o.tx.consumer >>> 2;
    this.txFlags = o.tx.flags >>> 2;
    this.txDesc = o.tx.desc >>> 2;
    this.txMask = o.tx.size - 1;
    this.txSize = o.tx.size;
    this.fillHead = Atomics.load(this.fillW, this.fillProd);
    this.rxHead = Atomics.load(this.rxW, this.rxCons);
    this.txHead = Atomics.load(this.txW, this.txProd);
    this.compHead = Atomics.load(this.compW, this.compCons);
    // Frames [0, rxFrames) feed the fill ring; the rest are TX frames.
    const totalFrames = sock.umem.byteLength / frameSize;
    this.txFree = new Uint32Array(totalFrames - rxFrames);
    for (let f = totalFrames - 1; f >= rxFrames; f--) this.txFree[this.txFreeCount++] = f * frameSize;
    this.planCap = Math.max(o.rx.size, o.tx.size);
    this.plan = new Int32Array(3 * this.planCap);
    // Fill ring kept full: every RX frame goes in now, and each one comes back as soon as it is copied.
    let p = this.fillHead;
    for (let f = 0; f < rxFrames; f++) {
      const d = this.fillDesc + 2 * (p & this.fillMask);
      this.fillW[d] = f * frameSize;
      this.fillW[d + 1] = 0;
      p = (p + 1) >>> 0;
    }
    this.fillHead = p;
    Atomics.store(this.fillW, this.fillProd, p);
  }

  /**
   * The start of every receive (rx and rxPeek): wakes the kernel if it asked, and returns how many
   * received descriptors wait at rxHead, at most max (0: none).
   */
  private rxReady(max: number): number {
    // Busy polling runs the driver's NAPI inside recvfrom: call it every burst. Otherwise only
    // when the kernel set need_wakeup on the fill ring (it ran dry and stopped the queue).
    // The flags word is a hint read every burst: a plain load (a stale value delays one wakeup).
    if (this.busyPoll || (this.needWakeup && (this.fillW[this.fillFlags] & XDP_RING_NEED_WAKEUP) !== 0)) {
      this.kick(0);
    }
    const rxW = this.rxW;
    // Plain check first (the idle path); the acquire load only when there is something to read.
    if (rxW[this.rxProd] === this.rxHead) return 0;
    const avail = (Atomics.load(rxW, this.rxProd) - this.rxHead) >>> 0;
    return avail < max ? avail : max;
  }

  rx(pool: PacketPool, out: Int32Array, max: number): number {
    if (this.closed) return 0;
    let want = this.rxReady(max);
    if (want <= 0) return 0;
    const rxW = this.rxW;
    const cons = this.rxHead;
    if (want > out.length) want = out.length;
    if (want > this.planCap) want = this.planCap;
    if (want === 0) return 0;
    const plan = this.plan;
    const fillW = this.fillW;
    const frameMask = this.frameSize - 1;
    const maxPacket = pool.slotSize - pool.headroom;
    const umemLen = this.umem.length;
    let fp = this.fillHead;
    let n = 0;
    let bytes = 0;
    let k = 0;
    for (; k < want; k++) {
      const d = this.rxDesc + 4 * (((cons + k) >>> 0) & this.rxMask);
      const addr = rxW[d];
      const len = rxW[d + 2];
      if (rxW[d + 1] !== 0 || addr + len > umemLen) {
        // A descriptor outside the UMEM: nothing sane to recycle either.
        this.stats.drops[DropReason.Malformed]++;
        continue;
      }
      if (len > maxPacket) {
        this.stats.drops[DropReason.TooBig]++;
      } else {
        const slot = pool.alloc();
        // Pool empty: leave the rest in the RX ring (the kernel counts what it cannot queue).
        if (slot < 0) break;
        const j = 3 * n;
        plan[j] = addr;
        plan[j + 1] = pool.start[slot];
        plan[j + 2] = len;
        pool.length[slot] = len;
        out[n++] = slot;
        bytes += len;
      }
      // The frame goes back to the fill ring (published below, after the copy).
      const fd = this.fillDesc + 2 * (fp & this.fillMask);
      fillW[fd] = addr - (addr & frameMask);
      fillW[fd + 1] = 0;
      fp = (fp + 1) >>> 0;
    }
    if (n > 0) this.nat.memcpyBatch(this.umem, pool.buf, plan, n);
    this.rxHead = (cons + k) >>> 0;
    Atomics.store(rxW, this.rxCons, this.rxHead);
    this.fillHead = fp;
    Atomics.store(fillW, this.fillProd, fp);
    if (n > 0) {
      this.stats.rxPackets += n;
      this.stats.rxBytes += bytes;
      this.stats.rxBursts++;
    }
    return n;
  }

  tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (this.closed) return 0;
    if (this.linkDown) {
      // The last TX wakeup said the interface is down: ask again (one syscall per burst while it
      // is down). Still down: the burst is dropped (tx-error) rather than left to fill the TX
      // ring with stale packets that would leave when the link comes back.
      this.kick(1);
      if (this.linkDown) {
        for (let k = 0; k < n; k++) pool.free(slots[k]);
        this.stats.drops[DropReason.TxError] += n;
        return n;
      }
    }
    this.reapCompletions();
    const txW = this.txW;
    let prod = this.txHead;
    let room = this.txSize - ((prod - txW[this.txCons]) >>> 0);
    if (room > this.txFreeCount) room = this.txFreeCount;
    if (room > this.planCap) room = this.planCap;
    const take = n < room ? n : room;
    const plan = this.plan;
    const frameSize = this.frameSize;
    let m = 0;
    let bytes = 0;
    for (let k = 0; k < take; k++) {
      const slot = slots[k];
      const len = pool.length[slot];
      if (len > frameSize) {
        this.stats.drops[DropReason.TooBig]++;
        continue;
      }
      if (len <= 0) {
        this.stats.drops[DropReason.Malformed]++;
        continue;
      }
      const addr = this.txFree[--this.txFreeCount];
      const j = 3 * m;
      plan[j] = pool.start[slot];
      plan[j + 1] = addr;
      plan[j + 2] = len;
      const d = this.txDesc + 4 * (prod & this.txMask);
      txW[d] = addr;
      txW[d + 1] = 0;
      txW[d + 2] = len;
      txW[d + 3] = 0;
      prod = (prod + 1) >>> 0;
      m++;
      bytes += len;
    }
    if (m > 0) this.nat.memcpyBatch(pool.buf, this.umem, plan, m);
    // Every accepted slot is ours now: its bytes are in UMEM (or it was dropped with a reason).
    for (let k = 0; k < take; k++) pool.free(slots[k]);
    if (take < n) this.xdp.txRefused += n - take;
    if (m > 0) {
      this.txHead = prod;
      Atomics.store(txW, this.txProd, prod);
      this.stats.txPackets += m;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    }
    this.txWake(prod);
    return take;
  }

  /** The UMEM, for in-place TX (txReserve / txSubmit). */
  get umemBytes(): Uint8Array {
    return this.umem;
  }

  /** The UMEM again, under the name in-place readers use (rxPeek offsets point into it). */
  get rxData(): Uint8Array {
    return this.umem;
  }

  /**
   * In-place RX, step 1, for a receiver that reads frames where the kernel put them (the traffic
   * generator reads a 16-byte stamp; a copy of the whole frame into a pool would cost far more).
   * Fills offs[k] (byte offset in rxData) and lens[k] for up to max received descriptors (at most
   * offs.length) and returns how many. A descriptor outside the UMEM is skipped and counted as
   * malformed, as rx() does (there is no pool here, so no too-big check). Nothing is consumed
   * until rxRelease: a second peek without release sees the same frames again, and counts are
   * taken once, at release. rx() must not run between the two calls.
   */
  rxPeek(max: number, offs: Int32Array, lens: Int32Array): number {
    this.peeking = false;
    if (this.closed) return 0;
    let want = this.rxReady(max);
    if (want <= 0) return 0;
    const rxW = this.rxW;
    const cons = this.rxHead;
    if (want > offs.length) want = offs.length;
    if (want > lens.length) want = lens.length;
    if (want <= 0) return 0;
    const fillW = this.fillW;
    const frameMask = this.frameSize - 1;
    const umemLen = this.umem.length;
    let fp = this.fillHead;
    let n = 0;
    let bytes = 0;
    let bad = 0;
    for (let k = 0; k < want; k++) {
      const d = this.rxDesc + 4 * (((cons + k) >>> 0) & this.rxMask);
      const addr = rxW[d];
      const len = rxW[d + 2];
      if (rxW[d + 1] !== 0 || addr + len > umemLen) {
        bad++;
        continue;
      }
      offs[n] = addr;
      lens[n] = len;
      bytes += len;
      n++;
      // The frame's fill descriptor is written now, past the published producer index (the
      // kernel reads none of it yet; there is always room: the fill ring holds every RX frame).
      // rxRelease publishes it; a second peek writes the same entries again.
      const fd = this.fillDesc + 2 * (fp & this.fillMask);
      fillW[fd] = addr - (addr & frameMask);
      fillW[fd + 1] = 0;
      fp = (fp + 1) >>> 0;
    }
    this.peeking = true;
    this.peekCons = (cons + want) >>> 0;
    this.peekFill = fp;
    this.peekN = n;
    this.peekBytes = bytes;
    this.peekMalformed = bad;
    return n;
  }

  /**
   * In-place RX, step 2: releases the RX ring entries of the last rxPeek and hands their frames
   * back to the fill ring (the same bookkeeping rx() does after its copy), then counts them. The
   * caller must not read those frames afterwards: the kernel may fill them again at once.
   */
  rxRelease(): void {
    if (!this.peeking) return;
    this.peeking = false;
    if (this.closed) return;
    this.rxHead = this.peekCons;
    Atomics.store(this.rxW, this.rxCons, this.peekCons);
    this.fillHead = this.peekFill;
    Atomics.store(this.fillW, this.fillProd, this.peekFill);
    if (this.peekMalformed > 0) this.stats.drops[DropReason.Malformed] += this.peekMalformed;
    if (this.peekN > 0) {
      this.stats.rxPackets += this.peekN;
      this.stats.rxBytes += this.peekBytes;
      this.stats.rxBursts++;
    }
  }

  /** Bytes per UMEM frame (the largest frame txSubmit takes). */
  get frameBytes(): number {
    return this.frameSize;
  }

  /**
   * In-place TX, for a sender that builds its frames in UMEM itself (the traffic generator): no
   * pool slot and no copy. Reserves up to `max` free TX frames that also fit in the TX ring and
   * writes their UMEM byte offsets to addrs[0..n); returns n. The caller writes frame k at
   * umemBytes[addrs[k]..] and then calls txSubmit. Only the caller ever writes a TX frame (the
   * kernel reads it, rx never uses it), so the bytes it left in a frame are still there when the
   * same frame is handed out again: a template can be written once per frame and only the fields
   * that change rewritten. Returns -k when the interface is down: k packets count as dropped
   * (tx-error, as tx() does) and nothing is reserved. tx() must not run between the two calls.
   */
  txReserve(addrs: Int32Array, max: number): number {
    if (this.closed) return 0;
    if (this.linkDown) {
      this.kick(1);
      if (this.linkDown) {
        this.stats.drops[DropReason.TxError] += max;
        return -max;
      }
    }
    this.reapCompletions();
    let room = this.txSize - ((this.txHead - this.txW[this.txCons]) >>> 0);
    if (room > this.txFreeCount) room = this.txFreeCount;
    if (room > addrs.length) room = addrs.length;
    const n = max < room ? max : room;
    const free = this.txFree;
    let c = this.txFreeCount;
    for (let k = 0; k < n; k++) addrs[k] = free[--c];
    this.txFreeCount = c;
    this.txReserved = n;
    if (n < max) this.xdp.txRefused += max - n;
    return n;
  }

  /**
   * Posts the first n frames of the last txReserve with lengths lens[0..n) (a frame of a bad
   * length is dropped with its reason), gives back the reserved frames beyond n, and wakes the
   * kernel when it asks to be woken. n = 0 only pushes out what the TX ring still holds.
   */
  txSubmit(addrs: Int32Array, lens: Int32Array, n: number): void {
    if (this.closed) return;
    const reserved = this.txReserved;
    this.txReserved = 0;
    if (n > reserved) n = reserved;
    const txW = this.txW;
    const frameSize = this.frameSize;
    let prod = this.txHead;
    let m = 0;
    let bytes = 0;
    for (let k = 0; k < n; k++) {
      const len = lens[k];
      if (len > frameSize || len <= 0) {
        this.stats.drops[len > frameSize ? DropReason.TooBig : DropReason.Malformed]++;
        this.txFree[this.txFreeCount++] = addrs[k];
        continue;
      }
      const d = this.txDesc + 4 * (prod & this.txMask);
      txW[d] = addrs[k];
      txW[d + 1] = 0;
      txW[d + 2] = len;
      txW[d + 3] = 0;
      prod = (prod + 1) >>> 0;
      m++;
      bytes += len;
    }
    for (let k = n; k < reserved; k++) this.txFree[this.txFreeCount++] = addrs[k];
    if (m > 0) {
      this.txHead = prod;
      Atomics.store(txW, this.txProd, prod);
      this.stats.txPackets += m;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    } else if (n === 0) {
      this.reapCompletions();
    }
    this.txWake(prod);
  }

  /** Copy mode sends only inside sendto(); with need_wakeup the kernel says when it is needed. */
  private txWake(prod: number): void {
    const txW = this.txW;
    const pending = (prod - txW[this.txCons]) >>> 0;
    if (pending === 0) return;
    if (this.needWakeup && !this.busyPoll && (txW[this.txFlags] & XDP_RING_NEED_WAKEUP) === 0) return;
    // In copy mode one sendto sends at most the kernel's TX budget (32 frames) and says EAGAIN when
    // more are queued: kick again until the ring is consumed (at most once per 32 pending, plus one),
    // so a burst bigger than 32 (coalesced crossings, replication) leaves now, not with later bursts.
    for (let tries = (pending >>> 5) + 1; tries > 0; tries--) {
      if (this.kick(1) !== -EAGAIN) return;
      if (((prod - Atomics.load(txW, this.txCons)) >>> 0) === 0) return;
    }
  }

  /** Refreshes the kernel's XDP_STATISTICS into xdp.kernel and the Kernel drop reason. */
  poll(): void {
    if (this.closed) return;
    const k = this.xdp.kernel;
    if (this.nat.xskStats(this.fd, k) !== 0) return;
    // rx_dropped covers frames lost for want of a fill-ring buffer; rx_ring_full the RX ring overflowing.
    this.stats.drops[DropReason.Kernel] = k[0] + k[1] + k[2] + k[3];
  }

  /** Waits up to timeoutMs for RX descriptors (events 1) or TX room (4); revents, or -errno. */
  wait(events: number, timeoutMs: number): number {
    if (this.closed) return 0;
    return this.nat.xskPoll(this.fd, events, timeoutMs);
  }

  /** Descriptors in the TX ring the kernel has not consumed yet plus completions not reaped. */
  txPending(): number {
    if (this.closed) return 0;
    return (this.txHead - this.compHead) >>> 0;
  }

  close(): void {
    if (this.closed) return;
    this.poll();
    this.closed = true;
    releaseProgram(this.nat, this.prog, this.queue);
    this.nat.xskClose(this.sock.handle);
  }

  /** Moves sent TX frames from the completion ring back onto the free stack. */
  private reapCompletions(): void {
    const compW = this.compW;
    let c = this.compHead;
    // Plain check, then the acquire load before reading completion descriptors.
    if (compW[this.compProd] === c) return;
    const prod = Atomics.load(compW, this.compProd);
    while (c !== prod) {
      this.txFree[this.txFreeCount++] = compW[this.compDesc + 2 * (c & this.compMask)];
      c = (c + 1) >>> 0;
    }
    this.compHead = c;
    Atomics.store(compW, this.compCons, c);
  }

  private kick(dir: number): number {
    const r = this.nat.xskKick(this.fd, dir);
    if (dir === 0) this.xdp.rxWakeups++;
    else {
      this.xdp.txWakeups++;
      this.linkDown = r === -ENETDOWN;
    }
    // EAGAIN/EBUSY/ENOBUFS: the kernel is busy or the ring is momentarily full; next burst retries.
    if (r < 0 && r !== -EAGAIN && r !== -EBUSY && r !== -ENOBUFS) {
      this.xdp.wakeupErrors++;
      this.xdp.lastWakeupErrno = -r;
    }
    return r;
  }
}

/** Opens an afxdp port; never throws. */
export function openAfxdpPort(spec: AfxdpSpec): OpenPortResult {
  const nat = afxdpNative();
  if ('error' in nat) return { error: `afxdp port '${spec.iface}': ${nat.error}` };
  const ifindex = nat.ifNameToIndex(spec.iface);
  if (ifindex === 0) return { error: `afxdp port: no interface named '${spec.iface}'` };
  const queue = spec.queue ?? 0;
  if (!Number.isInteger(queue) || queue < 0 || queue >= XSK_MAP_ENTRIES) {
    return { error: `afxdp port '${spec.iface}': queue ${queue} out of range 0..${XSK_MAP_ENTRIES - 1}` };
  }
  const ring = pow2AtLeast(spec.ringSize ?? 2048, 64);
  const rxSize = pow2AtLeast(spec.rxSize ?? ring, 64);
  const txSize = pow2AtLeast(spec.txSize ?? ring, 64);
  const fillSize = pow2AtLeast(spec.fillSize ?? 2 * rxSize, 64);
  const compSize = pow2AtLeast(spec.compSize ?? 2 * txSize, 64);
  const frameSize = pow2AtLeast(spec.frameSize ?? 2048, 2048);
  // Enough RX frames to fill the fill ring; as many TX frames as the TX ring holds.
  const rxFrames = fillSize;
  const frameCount = rxFrames + txSize;
  const modeNum = spec.mode === 'copy' ? 1 : spec.mode === 'zerocopy' ? 2 : 0;
  // The kernel frees a closed AF_XDP socket's claim on its queue a little later (deferred work):
  // bind() says EBUSY meanwhile, after a close in this process or a previous process's exit. The
  // addon retries the bind of the same socket (and UMEM) for up to BIND_BUSY_MS.
  const opened = openSocket(nat, {
    ifindex,
    queue,
    frameSize,
    frameCount,
    fillSize,
    compSize,
    rxSize,
    txSize,
    mode: modeNum,
    needWakeup: spec.needWakeup === false ? 0 : 1,
    busyPoll: spec.busyPoll === true ? (spec.busyPollUsecs ?? 20) : 0,
    preferBusyPoll: spec.preferBusyPoll === true ? 1 : 0,
    busyBudget: spec.busyBudget ?? 0,
    bindBusyMs: BIND_BUSY_MS,
  });
  if (!('sock' in opened)) {
    const waited = opened.errno === EBUSY ? ` (still busy after ${BIND_BUSY_MS} ms: another AF_XDP socket holds this queue)` : '';
    return { error: `afxdp port '${spec.iface}' queue ${queue}: ${opened.error}${waited}` };
  }
  const sock = opened.sock;
  const xdpMode = spec.xdpMode ?? 'auto';
  const prog = acquireProgram(nat, ifindex, spec.iface, xdpMode);
  if (typeof prog === 'string') {
    nat.xskClose(sock.handle);
    return { error: `afxdp port '${spec.iface}': ${prog}` };
  }
  if (prog.queues.has(queue)) {
    nat.xskClose(sock.handle);
    return { error: `afxdp port '${spec.iface}': queue ${queue} already has an AF_XDP socket in this process` };
  }
  // Insert after bind: the XSKMAP only takes bound sockets.
  const r = nat.xdpMapSet(prog.mapFd, queue, sock.fd);
  if (r < 0) {
    nat.xskClose(sock.handle);
    if (prog.queues.size === 0) {
      programs.delete(ifindex);
      detachProgram(nat, prog);
    }
    return { error: `afxdp port '${spec.iface}': inserting the socket into the XSKMAP failed (errno ${-r})` };
  }
  prog.queues.add(queue);
  return new AfxdpPort(nat, spec, ifindex, sock, prog, frameSize, rxFrames);
}

registerPortDriver('afxdp', openAfxdpPort);
