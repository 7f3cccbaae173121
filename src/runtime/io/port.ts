// The Port interface every packet I/O driver implements (afxdp, afpacket, shm, pcap), its counters,
// and openPort(spec), which picks the driver. Ports move bursts of packet-pool slot indices: rx fills
// slots from the wire, tx takes slots and recycles them; neither allocates nor makes a native call
// per packet. Opening a port never throws: a bad spec or a missing native addon gives {error}.

import type { PacketPool } from '../core/packet-pool.js';
import { widenFields } from '../core/doubles.js';
import { openShmPort } from './shm.js';
import { openAfPacketPort } from './afpacket.js';
import { openPcapPort } from './pcap-port.js';
// For its side effect: registers the afxdp driver (see registerPortDriver).
import './afxdp.js';

export type DriverName = 'afxdp' | 'afpacket' | 'shm' | 'pcap';

/** Why a packet was dropped at a port; index into PortStats.drops. */
export const DropReason = {
  /** rx: no free slot in the packet pool (packet left in the ring or lost). */
  PoolEmpty: 0,
  /** Packet longer than a pool slot or a TX frame. */
  TooBig: 1,
  /** tx: ring full, packet refused (stays with the caller, counted here by the caller or port). */
  TxFull: 2,
  /** Dropped by the kernel (socket statistics) or by the peer. */
  Kernel: 3,
  /** Malformed descriptor or frame (bad length or offset). */
  Malformed: 4,
  /** Send failed (interface down, socket error). */
  TxError: 5,
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];
export const DROP_REASON_NAMES: readonly string[] = ['pool-empty', 'too-big', 'tx-full', 'kernel', 'malformed', 'tx-error'];

/** Counters of one port; plain numbers with a fixed shape, updated once per burst. */
export class PortStats {
  rxPackets = 0;
  rxBytes = 0;
  txPackets = 0;
  txBytes = 0;
  /** Bursts that returned at least one packet / took at least one packet. */
  rxBursts = 0;
  txBursts = 0;
  /** Drops by reason (index: DropReason). */
  readonly drops = new Float64Array(DROP_REASON_NAMES.length);

  constructor() {
    widenFields(this, 'rxPackets', 'rxBytes', 'txPackets', 'txBytes', 'rxBursts', 'txBursts');
  }

  /** Total drops over all reasons. */
  get dropped(): number {
    let s = 0;
    for (let i = 0; i < this.drops.length; i++) s += this.drops[i];
    return s;
  }

  /** A plain snapshot for JSON output. */
  toJSON(): Record<string, unknown> {
    const drops: Record<string, number> = {};
    for (let i = 0; i < DROP_REASON_NAMES.length; i++) drops[DROP_REASON_NAMES[i]] = this.drops[i];
    return {
      rxPackets: this.rxPackets,
      rxBytes: this.rxBytes,
      txPackets: this.txPackets,
      txBytes: this.txBytes,
      rxBursts: this.rxBursts,
      txBursts: this.txBursts,
      drops,
    };
  }
}

export interface Port {
  readonly name: string;
  readonly driver: DriverName;
  /** Receive up to max packets into pool slots; writes slot indices into out[0..n); returns n. No allocation. */
  rx(pool: PacketPool, out: Int32Array, max: number): number;
  /**
   * Send n packets given by slot indices; returns how many were accepted (slots[0..k)). The port
   * owns and recycles (pool.free) every slot it accepted, sent or dropped with a counted reason;
   * slots[k..n) stay with the caller (ring full: retry or drop them).
   */
  tx(pool: PacketPool, slots: Int32Array, n: number): number;
  readonly stats: PortStats;
  /** Optional: refresh counters kept by the kernel (e.g. AF_PACKET socket drops) into stats. */
  poll?(): void;
  close(): void;
}

export interface PortSpec {
  readonly driver: DriverName;
  /** Interface name (afxdp, afpacket), region name (shm) or "IN.pcap[,OUT.pcap]"-style path (pcap). */
  readonly iface: string;
  /** NIC queue (afxdp). */
  readonly queue?: number;
  /** Descriptors per ring (rounded up to a power of two where the driver needs one). */
  readonly ringSize?: number;
  /** Bind mode (afxdp). */
  readonly mode?: 'copy' | 'zerocopy';
  /** Busy-poll options (afxdp). */
  readonly busyPoll?: boolean;
  readonly preferBusyPoll?: boolean;
  readonly busyBudget?: number;
  /** Bytes per frame / buffer slot (default 2048). */
  readonly frameSize?: number;
  /** shm: 'create' makes the region, 'attach' joins it, 'auto' (default) attaches when it exists. */
  readonly shmRole?: 'create' | 'attach' | 'auto';
  /**
   * shm: zero-copy mode (src/runtime/io/shm-zc.ts): iface is 'DOMAIN:K', port K of a domain region
   * holding both sides' packet slots. The switch process creates the domain (createShmDomain) and
   * gets its end of port K; any other opener attaches as the peer of port K.
   */
  readonly shmZeroCopy?: boolean;
  /** shm zero-copy: port index in the domain when iface has no ':K' suffix (default 0). */
  readonly shmPort?: number;
  /** pcap: file to write sent packets to (default: none, packets are only counted). */
  readonly pcapOut?: string;
  /** afpacket: block retire timeout in ms (default 1). */
  readonly blockTimeoutMs?: number;
  /** afpacket: bypass the qdisc layer on TX (default true). */
  readonly qdiscBypass?: boolean;
}

export type OpenPortResult = Port | { readonly error: string };

export type PortOpener = (spec: PortSpec) => OpenPortResult;

/**
 * Drivers that register themselves (afxdp calls registerPortDriver when its module loads). A
 * hoisted `var`, created on first use: afxdp.ts and this file import each other, and afxdp.ts may
 * run its registration before this module's body has run.
 */
// eslint-disable-next-line no-var
var extraDrivers: Map<DriverName, PortOpener> | undefined;

/** Makes openPort use `open` for `driver` (used by the AF_XDP driver module). */
export function registerPortDriver(driver: DriverName, open: PortOpener): void {
  (extraDrivers ??= new Map()).set(driver, open);
}

/** Opens a port of spec.driver; never throws. */
export function openPort(spec: PortSpec): OpenPortResult {
  try {
    const extra = extraDrivers?.get(spec.driver);
    if (extra !== undefined) return extra(spec);
    switch (spec.driver) {
      case 'shm':
        return openShmPort(spec);
      case 'afpacket':
        return openAfPacketPort(spec);
      case 'pcap':
        return openPcapPort(spec);
      case 'afxdp':
        return { error: 'afxdp driver not registered (src/runtime/io/afxdp.ts did not load)' };
      default:
        return { error: `unknown driver '${String((spec as { driver: unknown }).driver)}' (expected afxdp, afpacket, shm or pcap)` };
    }
  } catch (e) {
    return { error: `${spec.driver} port '${spec.iface}': ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** True when r is an error result rather than a port. */
export function isPortError(r: OpenPortResult): r is { readonly error: string } {
  return (r as { error?: unknown }).error !== undefined && typeof (r as { error?: unknown }).error === 'string';
}
