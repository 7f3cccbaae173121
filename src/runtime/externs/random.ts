// Seeded pseudo-random numbers for the v1model `random` extern, the `random` hash algorithm and
// anything else in the runtime that needs reproducible randomness (`--seed`). The generator is
// xoshiro128** seeded through splitmix32: 32-bit integer operations only, no allocation per draw.
// Input: a seed; output: uniform integers, including v1model's inclusive `random(lo, hi)` ranges.

const TWO32 = 4294967296;

/** A deterministic generator: the same seed gives the same sequence. */
export class Random {
  /** xoshiro128** state: four uint32 words, never all zero. */
  private readonly s = new Uint32Array(4);

  constructor(seed = 1) {
    this.reseed(seed);
  }

  /** Restarts the sequence from `seed` (any number; only its low 32 bits and sign-free value matter). */
  reseed(seed: number): void {
    // splitmix32 spreads one word of seed over the four state words.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  /** The next uniform uint32, as a non-negative number. */
  next32(): number {
    const s = this.s;
    const s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    s[1] = s1 ^ n2;
    s[0] = s0 ^ n3;
    s[2] = n2 ^ t;
    s[3] = (n3 << 11) | (n3 >>> 21);
    return r;
  }

  /** The next uniform 64-bit value, as a bigint (off the hot path). */
  next64(): bigint {
    const hi = this.next32();
    const lo = this.next32();
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /**
   * v1model `random(out result, lo, hi)` for widths up to 32: a uniform value in [lo, hi], both
   * included (unsigned bit patterns). When lo > hi the range is empty and lo is returned.
   */
  randomInRange(lo: number, hi: number): number {
    lo = lo >>> 0;
    hi = hi >>> 0;
    if (hi <= lo) return lo;
    const span = hi - lo + 1; // 2 .. 2^32
    if (span === TWO32) return this.next32();
    // Rejection sampling keeps the result unbiased when span is not a power of two.
    const limit = TWO32 - (TWO32 % span);
    let x = this.next32();
    while (x >= limit) x = this.next32();
    return lo + (x % span);
  }

  /** As randomInRange, for any width (bigint values, off the hot path). */
  randomInRangeBig(lo: bigint, hi: bigint): bigint {
    if (hi <= lo) return lo;
    const span = hi - lo + 1n;
    if (span <= 0xffffffffn) return lo + BigInt(this.randomInRange(0, Number(span - 1n)));
    const bits = span.toString(2).length;
    const words = (bits + 31) >>> 5;
    const mask = (1n << BigInt(bits)) - 1n;
    for (;;) {
      let x = 0n;
      for (let i = 0; i < words; i++) x = (x << 32n) | BigInt(this.next32());
      x &= mask;
      if (x < span) return lo + x;
    }
  }
}
