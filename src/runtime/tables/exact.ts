// HashIndex: an open-addressing hash map from a fixed number of key words (plus an integer tag)
// to an entry slot. Exact-match tables use it directly on the key words, lpm tables with the
// prefix length as tag, ternary tables to refuse duplicate entries. Linear probing with
// backward-shift deletion (no tombstones); lookups allocate nothing.

/** Mixes `words` key words starting at src[off] and a tag into a 32-bit hash. */
export function hashWords(src: Uint32Array, off: number, words: number, tag: number): number {
  let h = Math.imul(tag ^ 0x2545f491, 0x9e3779b1);
  for (let i = 0; i < words; i++) {
    h = Math.imul(h ^ src[off + i], 0x85ebca6b);
    h ^= h >>> 15;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h;
}

export class HashIndex {
  /** Words per key. */
  readonly width: number;
  /** Key words of each slot (slot * width). */
  readonly keys: Uint32Array;
  readonly tags: Int32Array;
  readonly hashes: Int32Array;
  /** slot + 1, or 0 when empty. */
  readonly buckets: Int32Array;
  readonly mask: number;
  count = 0;

  constructor(slots: number, width: number) {
    this.width = width;
    let n = 8;
    while (n < slots * 2) n *= 2;
    this.buckets = new Int32Array(n);
    this.mask = n - 1;
    this.keys = new Uint32Array(Math.max(1, slots * width));
    this.tags = new Int32Array(Math.max(1, slots));
    this.hashes = new Int32Array(Math.max(1, slots));
  }

  /** Slot whose key equals src[off..off+width) with this tag, or -1. */
  find(src: Uint32Array, off: number, tag: number): number {
    const width = this.width;
    const keys = this.keys;
    const buckets = this.buckets;
    const mask = this.mask;
    const h = hashWords(src, off, width, tag);
    let b = h & mask;
    for (;;) {
      const s = buckets[b] - 1;
      if (s < 0) return -1;
      if (this.hashes[s] === h && this.tags[s] === tag) {
        const base = s * width;
        let i = 0;
        while (i < width && keys[base + i] === src[off + i]) i++;
        if (i === width) return s;
      }
      b = (b + 1) & mask;
    }
  }

  /** Stores `slot` under the key src[off..] and tag; the caller checked it is absent. */
  insert(slot: number, src: Uint32Array, off: number, tag: number): void {
    const width = this.width;
    for (let i = 0; i < width; i++) this.keys[slot * width + i] = src[off + i];
    const h = hashWords(src, off, width, tag);
    this.tags[slot] = tag;
    this.hashes[slot] = h;
    let b = h & this.mask;
    while (this.buckets[b] !== 0) b = (b + 1) & this.mask;
    this.buckets[b] = slot + 1;
    this.count++;
  }

  /** Removes `slot` (which must be present). */
  remove(slot: number): void {
    const buckets = this.buckets;
    const mask = this.mask;
    let i = this.hashes[slot] & mask;
    while (buckets[i] !== slot + 1) i = (i + 1) & mask;
    buckets[i] = 0;
    // Backward shift: pull later members of the probe run into the hole when their home allows.
    let j = (i + 1) & mask;
    while (buckets[j] !== 0) {
      const home = this.hashes[buckets[j] - 1] & mask;
      const dist = (j - home) & mask;
      const gap = (j - i) & mask;
      if (dist >= gap) {
        buckets[i] = buckets[j];
        buckets[j] = 0;
        i = j;
      }
      j = (j + 1) & mask;
    }
    this.count--;
  }

  clear(): void {
    this.buckets.fill(0);
    this.count = 0;
  }
}
