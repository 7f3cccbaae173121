// The pcap driver: classic pcap files behind the Port interface, for offline runs, tests and
// benchmarks. rx hands out the input file's records in order (then nothing, until rewind()); tx
// appends sent packets to an output buffer that is written to the output file whenever it fills
// and at close(). Input: spec.iface (input path, '' or '-' for none) and spec.pcapOut (output
// path, optional). The records live in one buffer and the copies of a burst are planned and done by
// one BurstCopier call (native copyBatch or a word loop): no allocation per packet either way.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { PacketPool } from '../core/packet-pool.js';
import { readPcap, type PcapOutPacket, type PcapRecord } from './pcap.js';
import { DropReason, PortStats, type Port, type PortSpec, type OpenPortResult } from './port.js';
import { BurstCopier } from './shm.js';
import { loadNative } from './native.js';

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const SNAPLEN = 262144;
/** Output buffered before a write to the file. */
const OUT_CHUNK = 1 << 22;

export class PcapPort implements Port {
  readonly name: string;
  readonly driver = 'pcap' as const;
  readonly stats = new PortStats();
  /** Every input record's bytes back to back; record i at recOff[i], recLen[i] bytes. */
  private readonly recBytes: Uint8Array;
  private readonly recOff: Int32Array;
  private readonly recLen: Int32Array;
  private readonly count: number;
  private next = 0;
  private readonly outPath: string | undefined;
  /** Output file descriptor (-1: no output), the pending bytes and their length. */
  private fd: number;
  private out: Uint8Array;
  private outView: DataView;
  private outLen = 0;
  private plan = new Int32Array(3 * 64);
  /** clockRealtime of the addon ([sec, nsec] into an Int32Array, no allocation), else Date.now(). */
  private readonly clock: ((out: Int32Array) => void) | undefined;
  private readonly now = new Int32Array(2);
  private readonly rxCopier = new BurstCopier();
  private readonly txCopier = new BurstCopier();
  private closed = false;

  /** fd: outPath already opened for writing (-1: opened here when outPath is given). */
  constructor(name: string, records: readonly PcapRecord[], outPath: string | undefined, fd = -1) {
    this.name = name;
    this.count = records.length;
    this.recOff = new Int32Array(records.length);
    this.recLen = new Int32Array(records.length);
    let total = 0;
    for (let i = 0; i < records.length; i++) total += records[i].data.length;
    this.recBytes = new Uint8Array(total);
    let off = 0;
    for (let i = 0; i < records.length; i++) {
      this.recBytes.set(records[i].data, off);
      this.recOff[i] = off;
      this.recLen[i] = records[i].data.length;
      off += records[i].data.length;
    }
    const native = loadNative();
    const clock = native === undefined ? undefined : native.clockRealtime;
    this.clock = typeof clock === 'function' ? (clock as (out: Int32Array) => void) : undefined;
    this.outPath = outPath;
    this.fd = outPath === undefined ? -1 : fd >= 0 ? fd : openSync(outPath, 'w');
    this.out = new Uint8Array(this.fd >= 0 ? OUT_CHUNK : 0);
    this.outView = new DataView(this.out.buffer);
    if (this.fd >= 0) {
      // Little-endian, microsecond timestamps, LINKTYPE_ETHERNET (what pcap.ts writePcap writes).
      const v = this.outView;
      v.setUint32(0, 0xa1b2c3d4, true);
      v.setUint16(4, 2, true);
      v.setUint16(6, 4, true);
      v.setUint32(16, SNAPLEN, true);
      v.setUint32(20, 1, true);
      this.outLen = GLOBAL_HEADER;
    }
  }

  /** Records not yet received. */
  get remaining(): number {
    return this.count - this.next;
  }

  /** Starts the input over from its first record (benchmarks loop a small file). */
  rewind(): void {
    this.next = 0;
  }

  rx(pool: PacketPool, out: Int32Array, max: number): number {
    if (this.closed) return 0;
    if (max > out.length) max = out.length;
    const plan = this.planFor(max);
    const maxPacket = pool.slotSize - pool.headroom;
    let n = 0;
    let bytes = 0;
    while (n < max && this.next < this.count) {
      const len = this.recLen[this.next];
      if (len > maxPacket) {
        this.stats.drops[DropReason.TooBig]++;
        this.next++;
        continue;
      }
      const slot = pool.alloc();
      if (slot < 0) break;
      const j = 3 * n;
      plan[j] = this.recOff[this.next];
      plan[j + 1] = pool.start[slot];
      plan[j + 2] = len;
      pool.length[slot] = len;
      out[n++] = slot;
      bytes += len;
      this.next++;
    }
    if (n > 0) {
      this.rxCopier.copy(this.recBytes, pool.buf, plan, n);
      this.stats.rxPackets += n;
      this.stats.rxBytes += bytes;
      this.stats.rxBursts++;
    }
    return n;
  }

  tx(pool: PacketPool, slots: Int32Array, n: number): number {
    if (this.closed) return 0;
    let bytes = 0;
    if (this.fd >= 0) {
      let sec: number;
      let usec: number;
      if (this.clock !== undefined) {
        this.clock(this.now);
        sec = this.now[0] >>> 0;
        usec = (this.now[1] / 1000) | 0;
      } else {
        // A heap number per burst: the only allocation left when the addon is missing.
        const now = Date.now();
        sec = Math.floor(now / 1000);
        usec = (now % 1000) * 1000;
      }
      const plan = this.planFor(n);
      let m = 0;
      for (let k = 0; k < n; k++) {
        const slot = slots[k];
        const len = pool.length[slot];
        const incl = len < SNAPLEN ? len : SNAPLEN;
        if (this.outLen + RECORD_HEADER + incl > this.out.length) {
          // Copy what is planned, then make room (write out, or grow for a huge packet).
          this.txCopier.copy(pool.buf, this.out, plan, m);
          m = 0;
          this.flush(RECORD_HEADER + incl);
        }
        const v = this.outView;
        const o = this.outLen;
        v.setUint32(o, sec, true);
        v.setUint32(o + 4, usec, true);
        v.setUint32(o + 8, incl, true);
        v.setUint32(o + 12, len, true);
        const j = 3 * m++;
        plan[j] = pool.start[slot];
        plan[j + 1] = o + RECORD_HEADER;
        plan[j + 2] = incl;
        this.outLen = o + RECORD_HEADER + incl;
        bytes += len;
      }
      this.txCopier.copy(pool.buf, this.out, plan, m);
    } else {
      for (let k = 0; k < n; k++) bytes += pool.length[slots[k]];
    }
    for (let k = 0; k < n; k++) pool.free(slots[k]);
    if (n > 0) {
      this.stats.txPackets += n;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    }
    return n;
  }

  /** A plan for n packets (grows rarely: bursts have a fixed size). */
  private planFor(n: number): Int32Array {
    if (this.plan.length < 3 * n) this.plan = new Int32Array(3 * n);
    return this.plan;
  }

  /** Writes the pending output to the file; then makes sure `need` more bytes fit. */
  private flush(need = 0): void {
    if (this.fd < 0) return;
    let o = 0;
    while (o < this.outLen) o += writeSync(this.fd, this.out, o, this.outLen - o);
    this.outLen = 0;
    if (need > this.out.length) {
      this.out = new Uint8Array(need);
      this.outView = new DataView(this.out.buffer);
    }
  }

  /** Packets sent so far, in order (read back from the output file; empty without one). */
  sentPackets(): readonly PcapOutPacket[] {
    if (this.outPath === undefined) return [];
    this.flush();
    const file = readPcap(readFileSync(this.outPath));
    return file.ok ? file.records : [];
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.fd >= 0) {
      this.flush();
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** Opens a pcap port: reads spec.iface now and creates spec.pcapOut (written as packets go); never throws. */
export function openPcapPort(spec: PortSpec): OpenPortResult {
  let records: readonly PcapRecord[] = [];
  if (spec.iface !== '' && spec.iface !== '-') {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(spec.iface);
    } catch (e) {
      return { error: `pcap port: cannot read '${spec.iface}': ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
    const file = readPcap(bytes);
    if (!file.ok) return { error: `pcap port '${spec.iface}': ${file.error}` };
    records = file.records;
  }
  let fd = -1;
  if (spec.pcapOut !== undefined) {
    try {
      fd = openSync(spec.pcapOut, 'w');
    } catch (e) {
      return { error: `pcap port: cannot write '${spec.pcapOut}': ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  }
  return new PcapPort(spec.iface, records, spec.pcapOut, fd);
}
