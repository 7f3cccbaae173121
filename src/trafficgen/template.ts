// Packet templates of the traffic generator. Input: a size and field ranges, or a pcap file.
// Output: K ready frames (bytes without FCS) and the stamp layout, built once; the generator then
// cycles through them, so the per-packet cost is one copy plus the stamp. The default frame is the
// study packet: Ethernet / IPv4 (valid header checksum) / UDP to port 7777 (checksum 0) / the
// 16-byte study header (seq, secret, reserved) / zero payload. Errors are returned, never thrown.

import { readFileSync } from 'node:fs';
import { readPcap, LINKTYPE_ETHERNET } from '../runtime/io/pcap.js';
import { STUDY_LAYOUT, TAIL_LAYOUT, type StampLayout } from './stamp.js';

export const STUDY_UDP_PORT = 7777;
export const MIN_FRAME = 64;
export const MAX_FRAME = 9000;
/** Default cap on precomputed frames (K): 4096 frames of 1500 B = 6 MB. */
export const DEFAULT_MAX_FRAMES = 4096;

/** An inclusive range of unsigned integers (IPv4 addresses as u32, ports). */
export interface Range {
  readonly lo: number;
  readonly hi: number;
}

export interface StudyTemplateOptions {
  /** Frame bytes without FCS (default 1500, at least 64). */
  readonly size?: number;
  readonly srcMac?: string;
  readonly dstMac?: string;
  readonly srcIp?: Range;
  readonly dstIp?: Range;
  readonly srcPort?: Range;
  readonly dstPort?: Range;
  /** Initial value of study.secret (default 0). */
  readonly secret?: number;
  readonly ttl?: number;
  /** At most this many distinct frames are precomputed (default 4096). */
  readonly maxFrames?: number;
}

export interface Template {
  /** The frames, each a separate copy; the generator cycles through them in order. */
  readonly frames: readonly Uint8Array[];
  readonly layout: StampLayout;
  /** Human summary: 'study 1500 B, 4 flows' / 'pcap x.pcap, 12 frames'. */
  readonly description: string;
}

export const DEFAULTS = {
  srcMac: '02:00:00:00:00:01',
  dstMac: '02:00:00:00:00:02',
  srcIp: '10.111.0.1',
  dstIp: '10.111.1.1',
  srcPort: 1234,
} as const;

/** 'aa:bb:cc:dd:ee:ff' -> 6 bytes, or an error. */
export function parseMac(s: string): Uint8Array | string {
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(s.trim());
  if (!m) return `expected a MAC address such as 02:00:00:00:00:01, not '${s}'`;
  return Uint8Array.from(m.slice(1, 7).map((h) => parseInt(h, 16)));
}

/** Dotted IPv4 -> u32, or an error. */
export function parseIpv4(s: string): number | string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return `expected an IPv4 address such as 10.0.0.1, not '${s}'`;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255) return `IPv4 address '${s}' has a byte above 255`;
    v = v * 256 + b;
  }
  return v;
}

export function formatIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** 'A' or 'A-B' of IPv4 addresses (A <= B). */
export function parseIpRange(s: string): Range | string {
  const parts = s.split('-');
  if (parts.length > 2) return `expected an IPv4 range A-B, not '${s}'`;
  const lo = parseIpv4(parts[0]!);
  if (typeof lo === 'string') return lo;
  const hi = parts.length === 2 ? parseIpv4(parts[1]!) : lo;
  if (typeof hi === 'string') return hi;
  if (hi < lo) return `IPv4 range '${s}' ends before it starts`;
  return { lo, hi };
}

/** 'P' or 'P-Q' of UDP ports (0..65535, P <= Q). */
export function parsePortRange(s: string): Range | string {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s.trim());
  if (!m) return `expected a port or a port range P-Q, not '${s}'`;
  const lo = Number(m[1]);
  const hi = m[2] !== undefined ? Number(m[2]) : lo;
  if (lo > 65535 || hi > 65535) return `port range '${s}' goes above 65535`;
  if (hi < lo) return `port range '${s}' ends before it starts`;
  return { lo, hi };
}

/** The IPv4 header checksum of the 20 bytes at buf[off..]: ones' complement of the ones'-complement sum. */
export function ipv4Checksum(buf: Uint8Array, off: number, len = 20): number {
  let sum = 0;
  for (let i = 0; i < len; i += 2) sum += (buf[off + i]! << 8) | buf[off + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** One study frame with the given fields. */
function studyFrame(size: number, src: Uint8Array, dst: Uint8Array, sip: number, dip: number, sport: number, dport: number, secret: number, ttl: number): Uint8Array {
  const f = new Uint8Array(size);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  // IPv4 at 14: version 4, IHL 5, total length, DF, TTL, UDP.
  const ip = 14;
  const total = size - 14;
  f[ip] = 0x45;
  f[ip + 2] = total >>> 8;
  f[ip + 3] = total & 255;
  f[ip + 6] = 0x40;
  f[ip + 8] = ttl;
  f[ip + 9] = 17;
  f[ip + 12] = sip >>> 24;
  f[ip + 13] = (sip >>> 16) & 255;
  f[ip + 14] = (sip >>> 8) & 255;
  f[ip + 15] = sip & 255;
  f[ip + 16] = dip >>> 24;
  f[ip + 17] = (dip >>> 16) & 255;
  f[ip + 18] = (dip >>> 8) & 255;
  f[ip + 19] = dip & 255;
  const c = ipv4Checksum(f, ip);
  f[ip + 10] = c >>> 8;
  f[ip + 11] = c & 255;
  // UDP at 34; checksum 0 (none): the stamp changes per packet.
  const udp = 34;
  const ulen = size - 34;
  f[udp] = sport >>> 8;
  f[udp + 1] = sport & 255;
  f[udp + 2] = dport >>> 8;
  f[udp + 3] = dport & 255;
  f[udp + 4] = ulen >>> 8;
  f[udp + 5] = ulen & 255;
  // Study header at 42: seq (stamped), secret, reserved (stamped with the time).
  f[46] = secret >>> 24;
  f[47] = (secret >>> 16) & 255;
  f[48] = (secret >>> 8) & 255;
  f[49] = secret & 255;
  return f;
}

/**
 * The study template with field variation: each varied field steps through its range once per
 * packet, independently (field d of frame j is lo_d + j mod n_d), so K = lcm of the range sizes,
 * capped at maxFrames (then the longest ranges are only partly covered).
 */
export function studyTemplate(o: StudyTemplateOptions = {}): Template | { error: string } {
  const size = o.size ?? 1500;
  if (!Number.isInteger(size) || size < MIN_FRAME || size > MAX_FRAME) {
    return { error: `frame size must be an integer from ${MIN_FRAME} to ${MAX_FRAME} bytes (without FCS), not ${size}` };
  }
  const src = parseMac(o.srcMac ?? DEFAULTS.srcMac);
  if (typeof src === 'string') return { error: src };
  const dst = parseMac(o.dstMac ?? DEFAULTS.dstMac);
  if (typeof dst === 'string') return { error: dst };
  const sip = o.srcIp ?? { lo: parseIpv4(DEFAULTS.srcIp) as number, hi: parseIpv4(DEFAULTS.srcIp) as number };
  const dip = o.dstIp ?? { lo: parseIpv4(DEFAULTS.dstIp) as number, hi: parseIpv4(DEFAULTS.dstIp) as number };
  const sp = o.srcPort ?? { lo: DEFAULTS.srcPort, hi: DEFAULTS.srcPort };
  const dp = o.dstPort ?? { lo: STUDY_UDP_PORT, hi: STUDY_UDP_PORT };
  const maxFrames = o.maxFrames ?? DEFAULT_MAX_FRAMES;
  const ranges = [sip, dip, sp, dp];
  let k = 1;
  for (const r of ranges) {
    const n = r.hi - r.lo + 1;
    k = Math.min(maxFrames, (k / gcd(k, n)) * n);
  }
  const frames: Uint8Array[] = [];
  for (let j = 0; j < k; j++) {
    frames.push(
      studyFrame(
        size, src, dst,
        sip.lo + (j % (sip.hi - sip.lo + 1)),
        dip.lo + (j % (dip.hi - dip.lo + 1)),
        sp.lo + (j % (sp.hi - sp.lo + 1)),
        dp.lo + (j % (dp.hi - dp.lo + 1)),
        (o.secret ?? 0) >>> 0,
        o.ttl ?? 64,
      ),
    );
  }
  // A destination port other than 7777 carries no study header: the P4 program would not parse one,
  // but the bytes at 42.. are still ours, so the study layout stays valid for the receiver.
  return { frames, layout: STUDY_LAYOUT, description: `study ${size} B${k > 1 ? `, ${k} flows` : ''}` };
}

/**
 * Frames read from a pcap file (Ethernet link type), in file order. Stamps go in the last 16 bytes;
 * frames shorter than 60 bytes are refused. IPv4/UDP frames get UDP checksum 0 (the stamp changes
 * the payload per packet).
 */
export function pcapTemplate(path: string, maxFrames = DEFAULT_MAX_FRAMES, maxBytes = MAX_FRAME): Template | { error: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return { error: `cannot read '${path}': ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
  }
  const file = readPcap(bytes);
  if (!file.ok) return { error: `${path}: ${file.error}` };
  if (file.linkType !== LINKTYPE_ETHERNET) return { error: `${path}: link type ${file.linkType}, only Ethernet (1) is supported` };
  if (file.records.length === 0) return { error: `${path}: no packets` };
  const frames: Uint8Array[] = [];
  for (let i = 0; i < file.records.length && frames.length < maxFrames; i++) {
    const d = file.records[i]!.data;
    if (d.length < TAIL_LAYOUT.minFrame) return { error: `${path}: packet ${i + 1} has ${d.length} bytes; the stamp needs frames of at least ${TAIL_LAYOUT.minFrame}` };
    if (d.length > maxBytes) return { error: `${path}: packet ${i + 1} has ${d.length} bytes, more than the ${maxBytes} a buffer holds` };
    const f = Uint8Array.from(d);
    // IPv4 (no VLAN), UDP, not a later fragment: clear the UDP checksum.
    if (f[12] === 0x08 && f[13] === 0x00 && (f[14]! >> 4) === 4 && f[23] === 17) {
      const ihl = (f[14]! & 15) * 4;
      const fragOff = ((f[20]! & 0x1f) << 8) | f[21]!;
      if (fragOff === 0 && 14 + ihl + 8 <= f.length) {
        f[14 + ihl + 6] = 0;
        f[14 + ihl + 7] = 0;
      }
    }
    frames.push(f);
  }
  return { frames, layout: TAIL_LAYOUT, description: `pcap ${path}, ${frames.length} frame${frames.length === 1 ? '' : 's'}` };
}
