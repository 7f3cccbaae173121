// TupleIndex: tuple-space search for priority tables whose fields are all masks (ternary,
// optional, lpm-in-ternary, exact). Entries are grouped by mask; each group (tuple) is probed with
// one hash lookup of the masked key, best tuples first, stopping once no remaining tuple can beat
// the best match. Entries with the same masked key in one tuple form a chain, best first.
// Used by Table instead of the linear scan when there are many entries and few distinct masks.

import { HashIndex } from './exact.js';

export class TupleIndex {
  readonly words: number;
  readonly hash: HashIndex;
  /** Per slot: rank (smaller is better), insertion sequence, next in chain, tuple, value words. */
  readonly rank: Float64Array;
  readonly seq: Float64Array;
  readonly next: Int32Array;
  readonly tupleOf: Int32Array;
  readonly values: Uint32Array;
  /** Per tuple id: mask words, entry count, best rank any of its entries may have. */
  readonly tupleMask: Uint32Array[] = [];
  readonly tupleCount: number[] = [];
  readonly tupleBound: number[] = [];
  /** Live tuple ids, best bound first. */
  order: Int32Array = new Int32Array(0);
  private readonly maskIds = new Map<string, number>();
  private readonly freeTuples: number[] = [];
  private readonly scratch: Uint32Array;
  private nextSeq = 0;
  count = 0;

  constructor(capacity: number, words: number) {
    this.words = words;
    this.hash = new HashIndex(capacity, words);
    const n = Math.max(1, capacity);
    this.rank = new Float64Array(n);
    this.seq = new Float64Array(n);
    this.next = new Int32Array(n).fill(-1);
    this.tupleOf = new Int32Array(n);
    this.values = new Uint32Array(Math.max(1, capacity * words));
    this.scratch = new Uint32Array(Math.max(1, words));
  }

  get tupleCountLive(): number {
    return this.order.length;
  }

  /** Best slot matching src[off..off+words), or -1. No allocation. */
  find(src: Uint32Array, off: number): number {
    const words = this.words;
    const scratch = this.scratch;
    const order = this.order;
    let best = -1;
    let bestRank = Infinity;
    let bestSeq = Infinity;
    for (let i = 0; i < order.length; i++) {
      const t = order[i];
      // Tuples are sorted by bound: from here on nothing can beat (or tie) the best match.
      if (this.tupleBound[t] > bestRank) break;
      const m = this.tupleMask[t];
      for (let w = 0; w < words; w++) scratch[w] = src[off + w] & m[w];
      const s = this.hash.find(scratch, 0, t);
      if (s >= 0) {
        const r = this.rank[s];
        if (r < bestRank || (r === bestRank && this.seq[s] < bestSeq)) {
          best = s;
          bestRank = r;
          bestSeq = this.seq[s];
        }
      }
    }
    return best;
  }

  /** Adds `slot` with masked value `a`, mask `b` and rank (smaller wins; ties: earlier wins). */
  insert(slot: number, a: Uint32Array, b: Uint32Array, rank: number): void {
    const words = this.words;
    const t = this.tupleFor(b);
    this.tupleCount[t]++;
    if (rank < this.tupleBound[t]) {
      this.tupleBound[t] = rank;
      this.sortOrder();
    }
    this.rank[slot] = rank;
    this.seq[slot] = this.nextSeq++;
    this.tupleOf[slot] = t;
    for (let w = 0; w < words; w++) this.values[slot * words + w] = a[w];
    const head = this.hash.find(a, 0, t);
    if (head < 0) {
      this.next[slot] = -1;
      this.hash.insert(slot, a, 0, t);
    } else if (rank < this.rank[head]) {
      // New best of the chain: it takes the head's place in the hash.
      this.hash.remove(head);
      this.hash.insert(slot, a, 0, t);
      this.next[slot] = head;
    } else {
      let p = head;
      while (this.next[p] >= 0 && this.rank[this.next[p]] <= rank) p = this.next[p];
      this.next[slot] = this.next[p];
      this.next[p] = slot;
    }
    this.count++;
  }

  remove(slot: number): void {
    const t = this.tupleOf[slot];
    const head = this.hash.find(this.values, slot * this.words, t);
    if (head === slot) {
      this.hash.remove(slot);
      const n = this.next[slot];
      if (n >= 0) this.hash.insert(n, this.values, n * this.words, t);
    } else {
      let p = head;
      while (p >= 0 && this.next[p] !== slot) p = this.next[p];
      if (p >= 0) this.next[p] = this.next[slot];
    }
    this.next[slot] = -1;
    this.count--;
    if (--this.tupleCount[t] === 0) {
      this.maskIds.delete(this.maskKey(this.tupleMask[t]));
      this.freeTuples.push(t);
      this.sortOrder();
    }
  }

  clear(): void {
    this.hash.clear();
    this.maskIds.clear();
    this.tupleMask.length = 0;
    this.tupleCount.length = 0;
    this.tupleBound.length = 0;
    this.freeTuples.length = 0;
    this.order = new Int32Array(0);
    this.count = 0;
  }

  private maskKey(b: Uint32Array): string {
    let k = '';
    for (let w = 0; w < this.words; w++) k += b[w].toString(16) + ',';
    return k;
  }

  private tupleFor(b: Uint32Array): number {
    const key = this.maskKey(b);
    const found = this.maskIds.get(key);
    if (found !== undefined) return found;
    const t = this.freeTuples.length > 0 ? this.freeTuples.pop()! : this.tupleMask.length;
    this.tupleMask[t] = Uint32Array.from(b.subarray(0, this.words));
    this.tupleCount[t] = 0;
    this.tupleBound[t] = Infinity;
    this.maskIds.set(key, t);
    return t;
  }

  private sortOrder(): void {
    const live = [...this.maskIds.values()].filter((t) => this.tupleCount[t] > 0 || this.tupleBound[t] !== Infinity);
    live.sort((x, y) => this.tupleBound[x] - this.tupleBound[y]);
    this.order = Int32Array.from(live);
  }
}
