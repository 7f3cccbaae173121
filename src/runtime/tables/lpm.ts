// LpmIndex: longest-prefix match over a key of one lpm field plus any exact fields. One HashIndex
// holds every entry under its masked key words, tagged with its prefix length; a lookup masks the
// search key for each prefix length present, longest first, and probes. No allocation per lookup.
// Input: key words (exact words verbatim, lpm words masked); output: the matching slot or -1.

import { HashIndex } from './exact.js';

export class LpmIndex {
  readonly hash: HashIndex;
  /** Words of the whole match key, and where the lpm field sits in it. */
  readonly words: number;
  readonly lpmOffset: number;
  readonly lpmWords: number;
  readonly lpmWidth: number;
  /** Mask words for each prefix length: masks[len * lpmWords + i]. */
  readonly masks: Uint32Array;
  /** Entries per prefix length. */
  readonly counts: Int32Array;
  /** Present prefix lengths, longest first; `lengthCount` of them are valid. */
  readonly lengths: Int32Array;
  lengthCount = 0;
  readonly scratch: Uint32Array;

  constructor(slots: number, words: number, lpmOffset: number, lpmWords: number, lpmWidth: number) {
    this.hash = new HashIndex(slots, words);
    this.words = words;
    this.lpmOffset = lpmOffset;
    this.lpmWords = lpmWords;
    this.lpmWidth = lpmWidth;
    this.masks = new Uint32Array((lpmWidth + 1) * lpmWords);
    for (let len = 0; len <= lpmWidth; len++) {
      // Bit b of the field (0 = least significant) is in the prefix when b >= width - len.
      for (let b = lpmWidth - len; b < lpmWidth; b++) {
        const i = len * lpmWords + (b >>> 5);
        this.masks[i] = (this.masks[i] | (1 << (b & 31))) >>> 0;
      }
    }
    this.counts = new Int32Array(lpmWidth + 1);
    this.lengths = new Int32Array(lpmWidth + 1);
    this.scratch = new Uint32Array(Math.max(1, words));
  }

  /** Slot of the longest prefix matching src[off..off+words), or -1. */
  find(src: Uint32Array, off: number): number {
    const scratch = this.scratch;
    const words = this.words;
    for (let i = 0; i < words; i++) scratch[i] = src[off + i];
    const lo = this.lpmOffset;
    const lw = this.lpmWords;
    const masks = this.masks;
    const lengths = this.lengths;
    for (let k = 0; k < this.lengthCount; k++) {
      const len = lengths[k];
      const m = len * lw;
      for (let i = 0; i < lw; i++) scratch[lo + i] = src[off + lo + i] & masks[m + i];
      const s = this.hash.find(scratch, 0, len);
      if (s >= 0) return s;
    }
    return -1;
  }

  /** Slot of the entry with exactly this (already masked) key and prefix length, or -1. */
  findExact(key: Uint32Array, prefixLength: number): number {
    return this.hash.find(key, 0, prefixLength);
  }

  insert(slot: number, key: Uint32Array, prefixLength: number): void {
    this.hash.insert(slot, key, 0, prefixLength);
    if (this.counts[prefixLength]++ === 0) this.rebuildLengths();
  }

  remove(slot: number): void {
    const len = this.hash.tags[slot];
    this.hash.remove(slot);
    if (--this.counts[len] === 0) this.rebuildLengths();
  }

  clear(): void {
    this.hash.clear();
    this.counts.fill(0);
    this.lengthCount = 0;
  }

  private rebuildLengths(): void {
    let n = 0;
    for (let len = this.lpmWidth; len >= 0; len--) if (this.counts[len] > 0) this.lengths[n++] = len;
    this.lengthCount = n;
  }
}
