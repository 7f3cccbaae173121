// Classic pcap files (not pcapng): read and write whole files in memory.
// Input of readPcap: the file's bytes, in either byte order, with microsecond or nanosecond
// timestamps. Output: the link type and the records with {sec, nsec} timestamps. writePcap
// produces a little-endian file (LINKTYPE_ETHERNET by default) that tcpdump/tshark read.

export const LINKTYPE_ETHERNET = 1;

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;
const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const DEFAULT_SNAPLEN = 262144;

export interface PcapRecord {
  /** Seconds since the epoch. */
  readonly sec: number;
  /** Nanoseconds within the second (microsecond files are scaled up). */
  readonly nsec: number;
  /** The captured bytes (a copy, not a view into the file). */
  readonly data: Uint8Array;
  /** Length of the packet on the wire (at least data.length). */
  readonly origLen: number;
}

export interface PcapFile {
  readonly linkType: number;
  readonly nanosecond: boolean;
  readonly snaplen: number;
  readonly records: PcapRecord[];
  /** Set when the file ends in the middle of a record (the partial record is dropped). */
  readonly truncated: boolean;
}

export type PcapReadResult = ({ readonly ok: true } & PcapFile) | { readonly ok: false; readonly error: string };

/** Parses a classic pcap file; never throws on bad input. */
export function readPcap(buf: Uint8Array): PcapReadResult {
  if (buf.length < GLOBAL_HEADER) return { ok: false, error: `not a pcap file: ${buf.length} bytes, shorter than the 24-byte header` };
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let little: boolean;
  let nanosecond: boolean;
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  if (le === MAGIC_MICRO || le === MAGIC_NANO) {
    little = true;
    nanosecond = le === MAGIC_NANO;
  } else if (be === MAGIC_MICRO || be === MAGIC_NANO) {
    little = false;
    nanosecond = be === MAGIC_NANO;
  } else if (le === 0x0a0d0d0a) {
    return { ok: false, error: 'pcapng files are not supported; convert with: editcap -F pcap IN OUT' };
  } else {
    return { ok: false, error: `not a pcap file: bad magic number 0x${be.toString(16).padStart(8, '0')}` };
  }
  const major = view.getUint16(4, little);
  if (major !== 2) return { ok: false, error: `unsupported pcap version ${major}.${view.getUint16(6, little)}` };
  const snaplen = view.getUint32(16, little);
  const linkType = view.getUint32(20, little) & 0x0fffffff;
  const records: PcapRecord[] = [];
  let off = GLOBAL_HEADER;
  let truncated = false;
  while (off < buf.length) {
    if (off + RECORD_HEADER > buf.length) {
      truncated = true;
      break;
    }
    const sec = view.getUint32(off, little);
    const frac = view.getUint32(off + 4, little);
    const incl = view.getUint32(off + 8, little);
    const orig = view.getUint32(off + 12, little);
    if (off + RECORD_HEADER + incl > buf.length) {
      truncated = true;
      break;
    }
    const start = off + RECORD_HEADER;
    records.push({
      sec,
      nsec: nanosecond ? frac : frac * 1000,
      data: buf.slice(start, start + incl),
      origLen: Math.max(orig, incl),
    });
    off = start + incl;
  }
  return { ok: true, linkType, nanosecond, snaplen, records, truncated };
}

export interface PcapWriteOptions {
  /** Write nanosecond timestamps (magic 0xa1b23c4d); default microseconds. */
  readonly nanosecond?: boolean;
  readonly linkType?: number;
  readonly snaplen?: number;
}

export interface PcapOutPacket {
  readonly sec: number;
  readonly nsec: number;
  readonly data: Uint8Array;
  /** Defaults to data.length. */
  readonly origLen?: number;
}

/** Builds a little-endian classic pcap file from packets (kept in the given order). */
export function writePcap(packets: readonly PcapOutPacket[], options: PcapWriteOptions = {}): Uint8Array {
  const nano = options.nanosecond === true;
  const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
  let size = GLOBAL_HEADER;
  for (const p of packets) size += RECORD_HEADER + Math.min(p.data.length, snaplen);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, nano ? MAGIC_NANO : MAGIC_MICRO, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setInt32(8, 0, true);
  view.setUint32(12, 0, true);
  view.setUint32(16, snaplen, true);
  view.setUint32(20, options.linkType ?? LINKTYPE_ETHERNET, true);
  let off = GLOBAL_HEADER;
  for (const p of packets) {
    const incl = Math.min(p.data.length, snaplen);
    view.setUint32(off, p.sec >>> 0, true);
    view.setUint32(off + 4, nano ? p.nsec >>> 0 : Math.floor(p.nsec / 1000) >>> 0, true);
    view.setUint32(off + 8, incl, true);
    view.setUint32(off + 12, Math.max(p.origLen ?? p.data.length, incl), true);
    out.set(p.data.subarray(0, incl), off + RECORD_HEADER);
    off += RECORD_HEADER + incl;
  }
  return out;
}

/** Orders two timestamps: negative when a is earlier. */
export function compareTime(a: { sec: number; nsec: number }, b: { sec: number; nsec: number }): number {
  return a.sec !== b.sec ? a.sec - b.sec : a.nsec - b.nsec;
}
