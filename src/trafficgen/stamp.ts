// The stamp every generated packet carries: a 32-bit run id (which trial it belongs to), its
// sequence number (u32) and its INTENDED send time (u64 ns of monoNs), all big-endian. Study
// template: seq at frame offset 42 (study.seq), time at 50 (study.reserved), run id at 58 (the
// first payload bytes after the study header; study.secret cannot hold it: the switch rewrites it).
// Other templates: the last 16 bytes of the frame (run id, seq, time); frames < 60 bytes are refused.

/** Where the stamp fields sit: offsets from the frame's first byte, or from its end when fromEnd. */
export interface StampLayout {
  readonly name: 'study' | 'tail';
  readonly fromEnd: boolean;
  readonly runOff: number;
  readonly seqOff: number;
  readonly timeOff: number;
  /** Smallest frame the layout fits. */
  readonly minFrame: number;
}

/** The study packet: Ethernet (14) + IPv4 (20) + UDP (8) = 42, then the 16-byte study header. */
export const STUDY_LAYOUT: StampLayout = { name: 'study', fromEnd: false, runOff: 58, seqOff: 42, timeOff: 50, minFrame: 62 };

/** Any other frame: the last 16 bytes. */
export const TAIL_LAYOUT: StampLayout = { name: 'tail', fromEnd: true, runOff: -16, seqOff: -12, timeOff: -8, minFrame: 60 };

const TWO32 = 4294967296;

/** Absolute offset in buf where a frame's stamp offsets count from. */
export function stampBase(layout: StampLayout, start: number, len: number): number {
  return layout.fromEnd ? start + len : start;
}

/** Writes a big-endian u32. */
export function putU32(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v >>> 24;
  buf[at + 1] = v >>> 16;
  buf[at + 2] = v >>> 8;
  buf[at + 3] = v;
}

/** Reads a big-endian u32. */
export function getU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Writes a non-negative integer < 2^53 as a big-endian u64. */
export function putU64(buf: Uint8Array, at: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  putU32(buf, at, hi);
  putU32(buf, at + 4, v - hi * TWO32);
}

/** Reads a big-endian u64 as a double (exact below 2^53). */
export function getU64(buf: Uint8Array, at: number): number {
  return getU32(buf, at) * TWO32 + getU32(buf, at + 4);
}

/** Stamps the frame at buf[start, start+len): run id, seq and intended time (rounded to whole ns). */
export function writeStamp(buf: Uint8Array, layout: StampLayout, start: number, len: number, runId: number, seq: number, intendedNs: number): void {
  const base = layout.fromEnd ? start + len : start;
  putU32(buf, base + layout.runOff, runId);
  putU32(buf, base + layout.seqOff, seq);
  putU64(buf, base + layout.timeOff, Math.round(intendedNs));
}

/** Run id of a received frame, or -1 when the frame is too short to carry a stamp. */
export function readRunId(buf: Uint8Array, layout: StampLayout, start: number, len: number): number {
  if (len < layout.minFrame) return -1;
  return getU32(buf, (layout.fromEnd ? start + len : start) + layout.runOff);
}

export function readSeq(buf: Uint8Array, layout: StampLayout, start: number, len: number): number {
  return getU32(buf, (layout.fromEnd ? start + len : start) + layout.seqOff);
}

export function readTimeNs(buf: Uint8Array, layout: StampLayout, start: number, len: number): number {
  return getU64(buf, (layout.fromEnd ? start + len : start) + layout.timeOff);
}

/** A fresh nonzero 32-bit run id. */
export function newRunId(): number {
  let id = 0;
  while (id === 0) id = (Math.random() * TWO32) >>> 0;
  return id;
}
