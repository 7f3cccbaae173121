// A parser value_set instance: the entries the control plane adds (pvs_add / pvs_remove / pvs_clear),
// matched by the generated parser. An entry is one value of the set's "compressed" width (BMv2's
// term: the element type's fields concatenated, first field most significant, no padding). Sets
// up to 32 bits match a number (`has`); wider ones match the words the parser writes into `key`
// (least significant word first) with `match()`. Exact matching only, as BMv2 does.
import type { CommandResult } from '../abi.js';

export class ValueSet {
  /** Most entries the set holds (the size given in the program). */
  readonly size: number;
  /** Compressed width in bits (1 at least). */
  readonly width: number;
  /** Words per entry. */
  readonly words: number;
  /** Entries, `words` words each, least significant word first; `count` are in use. */
  readonly flat: Uint32Array;
  count = 0;
  /** The key of a wide match, written by the parser before `match()`. */
  readonly key: Uint32Array;

  constructor(size: number, width: number) {
    this.size = Math.max(1, size);
    this.width = Math.max(1, width);
    this.words = (this.width + 31) >>> 5;
    this.flat = new Uint32Array(this.size * this.words);
    this.key = new Uint32Array(this.words);
  }

  /** Hot path, width <= 32: is `v` in the set? */
  has(v: number): boolean {
    const f = this.flat;
    for (let i = 0; i < this.count; i++) if (f[i] === v) return true;
    return false;
  }

  /** Hot path, any width: is `key` in the set? */
  match(): boolean {
    const f = this.flat;
    const n = this.words;
    const k = this.key;
    for (let i = 0, at = 0; i < this.count; i++, at += n) {
      let j = 0;
      while (j < n && f[at + j] === k[j]) j++;
      if (j === n) return true;
    }
    return false;
  }

  /** Off the hot path: is the value `v` in the set? */
  hasValue(v: bigint): boolean {
    return this.indexOf(v) >= 0;
  }

  /** Adds an entry; an entry already there is not added twice (and is not an error, as in BMv2). */
  add(v: bigint): CommandResult {
    if (v < 0n || v >> BigInt(this.width) !== 0n) return { ok: false, error: `value ${v} does not fit in the value set's ${this.width} bits` };
    if (this.indexOf(v) >= 0) return { ok: true, message: '' };
    if (this.count >= this.size) return { ok: false, error: `value set is full (${this.size} entries)` };
    this.put(this.count++, v);
    return { ok: true, message: '' };
  }

  /** Removes an entry; removing a value that is not there is not an error (as in BMv2). */
  remove(v: bigint): CommandResult {
    if (v < 0n || v >> BigInt(this.width) !== 0n) return { ok: false, error: `value ${v} does not fit in the value set's ${this.width} bits` };
    const i = this.indexOf(v);
    if (i < 0) return { ok: true, message: '' };
    const n = this.words;
    this.flat.copyWithin(i * n, (i + 1) * n, this.count * n);
    this.count--;
    return { ok: true, message: '' };
  }

  clear(): void {
    this.count = 0;
  }

  /** The entries in the order they were added. */
  entries(): bigint[] {
    const out: bigint[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.get(i));
    return out;
  }

  private get(i: number): bigint {
    let v = 0n;
    for (let j = this.words - 1; j >= 0; j--) v = (v << 32n) | BigInt(this.flat[i * this.words + j]);
    return v;
  }

  private put(i: number, v: bigint): void {
    for (let j = 0; j < this.words; j++) this.flat[i * this.words + j] = Number((v >> BigInt(32 * j)) & 0xffffffffn);
  }

  private indexOf(v: bigint): number {
    for (let i = 0; i < this.count; i++) if (this.get(i) === v) return i;
    return -1;
  }
}
