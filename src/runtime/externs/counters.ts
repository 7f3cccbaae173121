// Indirect and direct counters (v1model `counter`, `direct_counter`): per-index packet and byte
// totals in typed arrays. The data plane calls count(); the control plane reads, writes and resets
// (counter_read / counter_write / counter_reset). Like BMv2, both totals are kept whatever the
// counter type; the type only says which ones the program asked for.

import type { CommandResult } from '../abi.js';

export type CounterKind = 'packets' | 'bytes' | 'packets_and_bytes';

export class CounterArray {
  readonly size: number;
  readonly type: CounterKind;
  /** Packets counted at each index (whole numbers, exact up to 2^53). */
  readonly packets: Float64Array;
  /** Bytes counted at each index (BMv2 adds the packet's length at ingress). */
  readonly bytes: Float64Array;

  constructor(size: number, type: CounterKind) {
    this.size = size;
    this.type = type;
    this.packets = new Float64Array(size);
    this.bytes = new Float64Array(size);
  }

  /** Data plane: one packet of `bytes` bytes at `index`; an index out of range counts nothing (as BMv2). */
  count(index: number, bytes: number): void {
    if (index >= 0 && index < this.size) {
      this.packets[index] += 1;
      this.bytes[index] += bytes;
    }
  }

  /** The totals at index i (zero when out of range; use readEntry to be told). */
  read(i: number): { packets: bigint; bytes: bigint } {
    if (!this.inRange(i)) return { packets: 0n, bytes: 0n };
    return { packets: BigInt(this.packets[i]), bytes: BigInt(this.bytes[i]) };
  }

  /** counter_read: the totals, or why the index is refused. */
  readEntry(i: number): { ok: true; packets: bigint; bytes: bigint } | { ok: false; error: string } {
    if (!this.inRange(i)) return { ok: false, error: this.rangeError(i) };
    return { ok: true, packets: BigInt(this.packets[i]), bytes: BigInt(this.bytes[i]) };
  }

  /** counter_write: sets both totals at index i. */
  write(i: number, packets: bigint, bytes: bigint): CommandResult {
    if (!this.inRange(i)) return { ok: false, error: this.rangeError(i) };
    if (packets < 0n || bytes < 0n || packets > 2n ** 53n || bytes > 2n ** 53n) {
      return { ok: false, error: 'counter values must be between 0 and 2^53' };
    }
    this.packets[i] = Number(packets);
    this.bytes[i] = Number(bytes);
    return { ok: true, message: '' };
  }

  /** counter_reset: every index back to zero. */
  reset(): void {
    this.packets.fill(0);
    this.bytes.fill(0);
  }

  /** Index i back to zero. */
  resetIndex(i: number): CommandResult {
    if (!this.inRange(i)) return { ok: false, error: this.rangeError(i) };
    this.packets[i] = 0;
    this.bytes[i] = 0;
    return { ok: true, message: '' };
  }

  inRange(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size;
  }

  private rangeError(i: number): string {
    return `index ${i} out of range: the counter has ${this.size} cells`;
  }
}
