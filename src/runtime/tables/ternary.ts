// TernaryIndex: priority-ordered entries for tables with ternary, range or optional fields (lpm
// and exact fields become masks). Entries are kept sorted, best first, in flat typed arrays: for
// a masked word `a` = value & mask and `b` = mask; for a range field `a` = low and `b` = high.
// A lookup scans in order and returns the first matching slot: no allocation, no indirection
// except the final position -> slot map. Covers range, ternary and optional tables of BMv2.

export class TernaryIndex {
  /** Words of the match key. */
  readonly words: number;
  readonly capacity: number;
  /** Per position, `words` words each (signed views: `&` yields int32). */
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Unsigned views of the same memory, for range comparisons. */
  readonly aU: Uint32Array;
  readonly bU: Uint32Array;
  readonly posSlot: Int32Array;
  readonly prio: Float64Array;
  count = 0;
  readonly largestWins: boolean;
  /** Field layout, used only when some field is a range. */
  readonly hasRange: boolean;
  readonly fieldOffset: Int32Array;
  readonly fieldWords: Int32Array;
  readonly fieldIsRange: Uint8Array;

  constructor(capacity: number, fieldWords: readonly number[], fieldIsRange: readonly boolean[], largestWins: boolean) {
    let words = 0;
    for (const w of fieldWords) words += w;
    this.words = words;
    this.capacity = capacity;
    this.a = new Int32Array(Math.max(1, capacity * words));
    this.b = new Int32Array(Math.max(1, capacity * words));
    this.aU = new Uint32Array(this.a.buffer, this.a.byteOffset, this.a.length);
    this.bU = new Uint32Array(this.b.buffer, this.b.byteOffset, this.b.length);
    this.posSlot = new Int32Array(Math.max(1, capacity));
    this.prio = new Float64Array(Math.max(1, capacity));
    this.largestWins = largestWins;
    this.fieldOffset = new Int32Array(fieldWords.length);
    this.fieldWords = Int32Array.from(fieldWords);
    this.fieldIsRange = Uint8Array.from(fieldIsRange.map((r) => (r ? 1 : 0)));
    let off = 0;
    for (let i = 0; i < fieldWords.length; i++) {
      this.fieldOffset[i] = off;
      off += fieldWords[i];
    }
    this.hasRange = fieldIsRange.some((r) => r);
  }

  /** First (best) slot matching src[off..off+words), or -1. */
  find(src: Uint32Array, off: number): number {
    return this.hasRange ? this.findWithRanges(src, off) : this.findMasked(src, off);
  }

  private findMasked(src: Uint32Array, off: number): number {
    const words = this.words;
    const a = this.a;
    const b = this.b;
    const n = this.count;
    if (words === 1) {
      const k = src[off];
      for (let p = 0; p < n; p++) if ((k & b[p]) === a[p]) return this.posSlot[p];
      return -1;
    }
    for (let p = 0, base = 0; p < n; p++, base += words) {
      let i = 0;
      while (i < words && (src[off + i] & b[base + i]) === a[base + i]) i++;
      if (i === words) return this.posSlot[p];
    }
    return -1;
  }

  private findWithRanges(src: Uint32Array, off: number): number {
    const words = this.words;
    const nf = this.fieldWords.length;
    const n = this.count;
    for (let p = 0, base = 0; p < n; p++, base += words) {
      let f = 0;
      for (; f < nf; f++) {
        const fo = this.fieldOffset[f];
        const fw = this.fieldWords[f];
        if (this.fieldIsRange[f] === 0) {
          let i = 0;
          while (i < fw && (src[off + fo + i] & this.b[base + fo + i]) === this.a[base + fo + i]) i++;
          if (i !== fw) break;
        } else if (!this.inRange(src, off + fo, base + fo, fw)) break;
      }
      if (f === nf) return this.posSlot[p];
    }
    return -1;
  }

  /** low <= k <= high on a `fw`-word value, compared from the most significant word. */
  private inRange(src: Uint32Array, k: number, e: number, fw: number): boolean {
    const lo = this.aU;
    const hi = this.bU;
    if (fw === 1) return src[k] >= lo[e] && src[k] <= hi[e];
    for (let i = fw - 1; i >= 0; i--) {
      const x = src[k + i];
      if (x > lo[e + i]) break;
      if (x < lo[e + i]) return false;
    }
    for (let i = fw - 1; i >= 0; i--) {
      const x = src[k + i];
      if (x < hi[e + i]) break;
      if (x > hi[e + i]) return false;
    }
    return true;
  }

  /** Inserts `slot` after every entry that beats or ties it (equal priority: earlier wins). */
  insert(slot: number, a: Uint32Array, b: Uint32Array, priority: number): void {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const q = this.prio[mid];
      const before = this.largestWins ? q >= priority : q <= priority;
      if (before) lo = mid + 1;
      else hi = mid;
    }
    const p = lo;
    const w = this.words;
    this.a.copyWithin((p + 1) * w, p * w, this.count * w);
    this.b.copyWithin((p + 1) * w, p * w, this.count * w);
    this.posSlot.copyWithin(p + 1, p, this.count);
    this.prio.copyWithin(p + 1, p, this.count);
    for (let i = 0; i < w; i++) {
      this.aU[p * w + i] = a[i];
      this.bU[p * w + i] = b[i];
    }
    this.posSlot[p] = slot;
    this.prio[p] = priority;
    this.count++;
  }

  remove(slot: number): void {
    let p = 0;
    while (p < this.count && this.posSlot[p] !== slot) p++;
    if (p === this.count) return;
    const w = this.words;
    this.a.copyWithin(p * w, (p + 1) * w, this.count * w);
    this.b.copyWithin(p * w, (p + 1) * w, this.count * w);
    this.posSlot.copyWithin(p, p + 1, this.count);
    this.prio.copyWithin(p, p + 1, this.count);
    this.count--;
  }

  clear(): void {
    this.count = 0;
  }
}
