// The packet pool: one Uint8Array cut into fixed-size slots, a packet being a slot index. Each
// slot starts with `headroom` free bytes so the deparser can prepend headers without moving the
// payload. Per-slot state (first byte, length, port) lives in Int32Arrays; free slots sit on a
// stack in an Int32Array, so alloc() and free() allocate nothing. The bytes may live in a buffer
// given by the caller (e.g. a view into a shared-memory region), at any byteOffset.

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
    if (this.freeCount === 0) return -1;
    const i = this.freeList[--this.freeCount];
    this.used[i] = 1;
    this.start[i] = i * this.slotSize + this.headroom;
    this.length[i] = 0;
    this.port[i] = -1;
    return i;
  }

  /** Returns slot i to the pool. Freeing a slot that is not allocated is a runtime bug. */
  free(i: number): void {
    if (this.used[i] !== 1) throw new Error(`packet pool: slot ${i} freed while not allocated`);
    this.used[i] = 0;
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
