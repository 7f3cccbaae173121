// Register arrays (v1model `register<T>`): cells of any width stored as uint32 words, least
// significant word first (the ABI's wide-value layout). The data plane reads and writes through
// read32/write32 (width <= 32) or readWords/writeWords; as BMv2 does, a read at an index out of
// range leaves the destination unchanged and a write there is ignored. The control plane reads,
// writes and resets with bigint values (register_read / register_write / register_reset).

import type { CommandResult } from '../abi.js';
import { wordsFor } from '../abi.js';

export class RegisterArray {
  readonly size: number;
  readonly width: number;
  /** Words per cell: wordsFor(width). */
  readonly stride: number;
  /** size * stride words; cell i starts at i * stride. */
  readonly words: Uint32Array;
  /** Mask of the meaningful bits of a cell's most significant word. */
  readonly topMask: number;

  constructor(size: number, width: number) {
    this.size = size;
    this.width = width;
    this.stride = wordsFor(width);
    this.words = new Uint32Array(size * this.stride);
    const topBits = width - 32 * (this.stride - 1);
    this.topMask = topBits >= 32 ? 0xffffffff : topBits <= 0 ? 0 : (2 ** topBits - 1);
  }

  // ---- data plane

  /** The cell at i (width <= 32), or `current` when i is out of range (BMv2 leaves the destination alone). */
  read32(i: number, current: number): number {
    return i >= 0 && i < this.size ? this.words[i] : current;
  }

  /** Writes v (masked to the width) at i (width <= 32); ignored when i is out of range. */
  write32(i: number, v: number): void {
    if (i >= 0 && i < this.size) this.words[i] = v & this.topMask;
  }

  /** Copies cell i into dst[dstOffset..]; returns false (and copies nothing) when i is out of range. */
  readWords(i: number, dst: Uint32Array, dstOffset: number): boolean {
    if (!(i >= 0 && i < this.size)) return false;
    const n = this.stride;
    const base = i * n;
    for (let k = 0; k < n; k++) dst[dstOffset + k] = this.words[base + k];
    return true;
  }

  /** Writes cell i from src[srcOffset..] (top word masked); ignored when i is out of range. */
  writeWords(i: number, src: ArrayLike<number>, srcOffset: number): void {
    if (!(i >= 0 && i < this.size)) return;
    const n = this.stride;
    const base = i * n;
    for (let k = 0; k < n - 1; k++) this.words[base + k] = src[srcOffset + k];
    this.words[base + n - 1] = src[srcOffset + n - 1] & this.topMask;
  }

  // ---- control plane

  /** The cell at i as an unsigned bigint (0n when out of range; readEntry says why). */
  read(i: number): bigint {
    if (!this.inRange(i)) return 0n;
    const n = this.stride;
    const base = i * n;
    let v = 0n;
    for (let k = n - 1; k >= 0; k--) v = (v << 32n) | BigInt(this.words[base + k]);
    return v;
  }

  /** register_read: the value, or why the index is refused. */
  readEntry(i: number): { ok: true; value: bigint } | { ok: false; error: string } {
    if (!this.inRange(i)) return { ok: false, error: this.rangeError(i) };
    return { ok: true, value: this.read(i) };
  }

  /**
   * register_write: refused when i is out of range or v does not fit the width (a negative v is
   * accepted down to -2^(width-1) and stored as its two's complement pattern).
   */
  write(i: number, v: bigint): CommandResult {
    if (!this.inRange(i)) return { ok: false, error: this.rangeError(i) };
    const w = BigInt(this.width);
    if (v >= 1n << w || (v < 0n && (this.width === 0 || v < -(1n << (w - 1n))))) {
      return { ok: false, error: `value ${v} does not fit in ${this.width} bits` };
    }
    let x = BigInt.asUintN(this.width, v);
    const base = i * this.stride;
    for (let k = 0; k < this.stride; k++) {
      this.words[base + k] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
    return { ok: true, message: '' };
  }

  /** register_reset: every cell back to zero. */
  reset(): void {
    this.words.fill(0);
  }

  inRange(i: number): boolean {
    return Number.isInteger(i) && i >= 0 && i < this.size;
  }

  private rangeError(i: number): string {
    return `index ${i} out of range: the register has ${this.size} cells`;
  }
}
