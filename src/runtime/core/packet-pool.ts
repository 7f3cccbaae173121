// The packet pool: one Uint8Array cut into fixed-size slots, a packet being a slot index. Each
// slot starts with `headroom` free bytes so the deparser can prepend headers without moving the
// payload. Per-slot state (first byte, length, port) lives in Int32Arrays; free slots sit on a
// stack in an Int32Array, so alloc() and free() allocate nothing. The bytes may live in a buffer
// given by the caller (e.g. a view into a shared-memory region), at any byteOffset. A pool may own
// only a range of its slots (setOwnedRange: zero-copy shm, where two processes share one slot
// space): free() of a slot outside the range hands it to a release callback instead of the free list.

export class PacketPool {
  readonly slots: number;
  readonly slotSize: number;
  readonly headroom: number;
  /** Every slot's bytes: slot i is buf[i * slotSize, (i + 1) * slotSize). */
  readonly buf: Uint8Array;
  /** Absolute offset in buf of each packet's first byte. */
  readonly start: Int32Array;
  /** Bytes in each packet. */
  readonly length: Int32Array;
  /** Port the packet came in on or goes out of (-1 when not set). */
  readonly port: Int32Array;
  /** Stack of free slot indices; freeList[0, freeCount) are free. */
  private readonly freeList: Int32Array;
  private freeCount: number;
  /** 1 while a slot is allocated: catches double frees. */
  private readonly used: Uint8Array;
  /** Slots [ownLo, ownLo + ownCount) are this pool's; others are foreign (all slots are ours by default). */
  private ownLo = 0;
  private ownCount: number;
  /** Where free() sends a foreign slot (to its owner's return ring). */
  private release: (i: number) => void = noRelease;
  /** Called by alloc() when the free list is empty (reaps slots returned by a peer), or null. */
  private refill: (() => void) | null = null;

  /**
   * `buffer`, when given, holds the slots (its first slots * slotSize bytes; it is not cleared),
   * e.g. a view into a shared-memory region; otherwise the pool allocates its own.
   */
  constructor(slots: number, slotSize = 2048, headroom = 128, buffer?: Uint8Array) {
    if (!(slots > 0) || !(slotSize > headroom) || headroom < 0) {
      throw new RangeError(`bad packet pool shape: ${slots} slots of ${slotSize} bytes, headroom ${headroom}`);
    }
    if (buffer !== undefined && buffer.length < slots * slotSize) {
      throw new RangeError(`packet pool buffer of ${buffer.length} bytes is smaller than ${slots} slots of ${slotSize} bytes`);
    }
    this.slots = slots;
    this.slotSize = slotSize;
    this.headroom = headroom;
    this.buf = buffer === undefined ? new Uint8Array(slots * slotSize) : buffer.subarray(0, slots * slotSize);
    this.start = new Int32Array(slots);
    this.length = new Int32Array(slots);
    this.port = new Int32Array(slots).fill(-1);
    this.freeList = new Int32Array(slots);
    this.used = new Uint8Array(slots);
    // Lowest indices come out first.
    for (let i = 0; i < slots; i++) this.freeList[i] = slots - 1 - i;
    this.freeCount = slots;
    this.ownCount = slots;
  }

  /**
   * Makes this pool own only slots [lo, hi) (the free list is rebuilt with them; call it before any
   * alloc). free() of a foreign slot calls release(i); alloc() on an empty free list calls refill()
   * once (it may hand slots back with reclaim()) before giving up.
   */
  setOwnedRange(lo: number, hi: number, release: (i: number) => void, refill: (() => void) | null = null): void {
    if (!(lo >= 0 && hi <= this.slots && lo < hi)) throw new RangeError(`packet pool: bad owned range [${lo}, ${hi}) of ${this.slots} slots`);
    if (this.freeCount !== this.ownCount || this.used.indexOf(1) >= 0) throw new Error('packet pool: setOwnedRange after slots were allocated');
    this.ownLo = lo;
    this.ownCount = hi - lo;
    this.release = release;
    this.refill = refill;
    this.freeCount = 0;
    for (let i = hi - 1; i >= lo; i--) this.freeList[this.freeCount++] = i;
  }

  /** First owned slot and number of owned slots. */
  get ownedFirst(): number {
    return this.ownLo;
  }
  get ownedCount(): number {
    return this.ownCount;
  }

  /** True when slot i belongs to this pool (is not a peer's). */
  owns(i: number): boolean {
    return (i - this.ownLo) >>> 0 < this.ownCount;
  }

  /**
   * Takes slot i as an allocated packet without touching the free list: a slot that arrived from a
   * peer (or one of ours coming back in a packet). `rel` is the first byte relative to the slot.
   * False, changing nothing, when i is out of range, already held, or the bytes overflow the slot.
   */
  adopt(i: number, rel: number, len: number): boolean {
    if (!((i >>> 0) < this.slots) || this.used[i] !== 0 || rel < 0 || len < 0 || rel + len > this.slotSize) return false;
    this.used[i] = 1;
    this.start[i] = i * this.slotSize + rel;
    this.length[i] = len;
    this.port[i] = -1;
    return true;
  }

  /** Hands allocated slot i to a peer: it is no longer held here, and not free either. */
  give(i: number): void {
    if (this.used[i] !== 1) throw new Error(`packet pool: slot ${i} given away while not allocated`);
    this.used[i] = 0;
  }

  /** An owned slot the peer returned: back on the free list. False when it is not ours or is held. */
  reclaim(i: number): boolean {
    if (!((i - this.ownLo) >>> 0 < this.ownCount) || this.used[i] !== 0 || this.freeCount >= this.ownCount) return false;
    this.freeList[this.freeCount++] = i;
    return true;
  }

  /** Free slots left. */
  get available(): number {
    return this.freeCount;
  }

  /** Bytes a packet may hold: the slot minus its headroom. */
  get maxPacket(): number {
    return this.slotSize - this.headroom;
  }

  /** A fresh empty packet (start after the headroom, length 0, port -1), or -1 when the pool is empty. */
  alloc(): number {
    if (this.freeCount === 0) {
      if (this.refill === null) return -1;
      this.refill();
      if (this.freeCount === 0) return -1;
    }
    const i = this.freeList[--this.freeCount];
    this.used[i] = 1;
    this.start[i] = i * this.slotSize + this.headroom;
    this.length[i] = 0;
    this.port[i] = -1;
    return i;
  }

  /**
   * Returns slot i to the pool, or to its owner when it is a peer's slot (one comparison decides).
   * Freeing a slot that is not allocated is a runtime bug.
   */
  free(i: number): void {
    if (this.used[i] !== 1) throw new Error(`packet pool: slot ${i} freed while not allocated`);
    this.used[i] = 0;
    if ((i - this.ownLo) >>> 0 >= this.ownCount) {
      this.release(i);
      return;
    }
    this.freeList[this.freeCount++] = i;
  }

  /** True while slot i is allocated. */
  isAllocated(i: number): boolean {
    return this.used[i] === 1;
  }

  /** Replaces packet i's bytes (placed after the headroom); false when they do not fit. */
  write(i: number, bytes: Uint8Array): boolean {
    if (bytes.length > this.slotSize - this.headroom) return false;
    const s = i * this.slotSize + this.headroom;
    this.buf.set(bytes, s);
    this.start[i] = s;
    this.length[i] = bytes.length;
    return true;
  }

  /** Packet i's bytes as a view into the pool (allocates a view: for tests and I/O, not per packet). */
  view(i: number): Uint8Array {
    return this.buf.subarray(this.start[i], this.start[i] + this.length[i]);
  }

  /** Packet i's bytes as a copy. */
  bytes(i: number): Uint8Array {
    return this.buf.slice(this.start[i], this.start[i] + this.length[i]);
  }

  /** Bytes free in front of packet i (room to prepend). */
  front(i: number): number {
    return this.start[i] - i * this.slotSize;
  }

  /** Bytes free after packet i (room to grow). */
  back(i: number): number {
    return (i + 1) * this.slotSize - this.start[i] - this.length[i];
  }

  /**
   * Moves packet i's first byte by `delta` bytes (negative: prepend room, positive: strip bytes
   * from the front) keeping its end fixed. Returns false, changing nothing, when out of bounds.
   */
  adjustFront(i: number, delta: number): boolean {
    const s = this.start[i] + delta;
    const len = this.length[i] - delta;
    if (s < i * this.slotSize || len < 0) return false;
    this.start[i] = s;
    this.length[i] = len;
    return true;
  }

  /** Sets packet i's length (truncate or grow into the slot); false when it does not fit. */
  setLength(i: number, len: number): boolean {
    if (len < 0 || this.start[i] + len > (i + 1) * this.slotSize) return false;
    this.length[i] = len;
    return true;
  }

  /** A clone of packet `from` (bytes at the same place in the new slot, length, port), or -1 when empty. */
  copy(from: number): number {
    const to = this.alloc();
    if (to < 0) return -1;
    const rel = this.start[from] - from * this.slotSize;
    const s = to * this.slotSize + rel;
    this.buf.copyWithin(s, this.start[from], this.start[from] + this.length[from]);
    this.start[to] = s;
    this.length[to] = this.length[from];
    this.port[to] = this.port[from];
    return to;
  }
}

function noRelease(i: number): void {
  throw new Error(`packet pool: slot ${i} is foreign but no release callback is set`);
}
