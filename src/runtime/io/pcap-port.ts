// The pcap driver: classic pcap files behind the Port interface, for offline runs and tests. rx
// hands out the input file's records in order (then nothing); tx collects sent packets and close()
// writes them to the output file. Input: spec.iface (input path, '' or '-' for none) and
// spec.pcapOut (output path, optional). Files are read and written whole, with src/runtime/io/pcap.ts.

import { readFileSync, writeFileSync } from 'node:fs';
import type { PacketPool } from '../core/packet-pool.js';
import { readPcap, writePcap, type PcapOutPacket, type PcapRecord } from './pcap.js';
import { DropReason, PortStats, type Port, type PortSpec, type OpenPortResult } from './port.js';

export class PcapPort implements Port {
  readonly name: string;
  readonly driver = 'pcap' as const;
  readonly stats = new PortStats();
  private readonly records: readonly PcapRecord[];
  private next = 0;
  private readonly outPath: string | undefined;
  private readonly sent: PcapOutPacket[] = [];
  private closed = false;

  constructor(name: string, records: readonly PcapRecord[], outPath: string | undefined) {
    this.name = name;
    this.records = records;
    this.outPath = outPath;
  }

  /** Records not yet received. */
  get remaining(): number {
    return this.records.length - this.next;
  }

  rx(pool: PacketPool, out: Int32Array, max: number): number {
    let n = 0;
    let bytes = 0;
    while (n < max && this.next < this.records.length) {
      const rec = this.records[this.next];
      if (rec.data.length > pool.maxPacket) {
        this.stats.drops[DropReason.TooBig]++;
        this.next++;
        continue;
      }
      const slot = pool.alloc();
      if (slot < 0) break;
      pool.write(slot, rec.data);
      out[n++] = slot;
      bytes += rec.data.length;
      this.next++;
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
    const now = Date.now();
    let bytes = 0;
    for (let k = 0; k < n; k++) {
      const slot = slots[k];
      if (this.outPath !== undefined) this.sent.push({ sec: Math.floor(now / 1000), nsec: (now % 1000) * 1_000_000, data: pool.bytes(slot) });
      bytes += pool.length[slot];
      pool.free(slot);
    }
    if (n > 0) {
      this.stats.txPackets += n;
      this.stats.txBytes += bytes;
      this.stats.txBursts++;
    }
    return n;
  }

  /** Packets sent so far (copies), in order. */
  sentPackets(): readonly PcapOutPacket[] {
    return this.sent;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.outPath !== undefined) writeFileSync(this.outPath, writePcap(this.sent));
  }
}

/** Opens a pcap port: reads spec.iface now, writes spec.pcapOut at close; never throws. */
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
  return new PcapPort(spec.iface, records, spec.pcapOut);
}
