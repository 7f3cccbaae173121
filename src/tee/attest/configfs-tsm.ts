// Hardware evidence from inside a guest through configfs-tsm (Linux 6.7+, Documentation/ABI/testing/
// configfs-tsm): mkdir ROOT/NAME, write up to 64 bytes to inblob (they become report_data), read
// outblob (SEV-SNP report or TDX quote), auxblob (SNP certificate table, if the host supplies one)
// and provider, and compare generation before and after to detect another writer. The file system
// calls go through TsmIo so tests can run on a fake tree in a temp dir. Also: the SNP certificate
// table (GHCB spec: GUID, offset, length entries) and the /dev/sev-guest fallback status.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { errorText } from './certs.js';

export const DEFAULT_TSM_ROOT = '/sys/kernel/config/tsm/report';

/** The file operations collection needs (node:fs by default). */
export interface TsmIo {
  mkdir(path: string): void;
  rmdir(path: string): void;
  read(path: string): Uint8Array;
  write(path: string, data: Uint8Array): void;
  exists(path: string): boolean;
}

export const nodeTsmIo: TsmIo = {
  mkdir: (p) => { mkdirSync(p); },
  rmdir: (p) => { rmdirSync(p); },
  read: (p) => readFileSync(p),
  write: (p, d) => { writeFileSync(p, d); },
  exists: (p) => existsSync(p),
};

export interface TsmOptions {
  /** The configfs-tsm report directory (default /sys/kernel/config/tsm/report). */
  readonly root?: string;
  readonly io?: TsmIo;
  /** Entry name (default p4tee-PID-RANDOM). */
  readonly name?: string;
}

export interface TsmEvidence {
  /** 'sev_guest', 'tdx_guest', ... as the kernel names the provider. */
  readonly provider: string;
  readonly generation: number;
  readonly inblob: Uint8Array;
  readonly outblob: Uint8Array;
  readonly auxblob: Uint8Array | null;
}

function readText(io: TsmIo, p: string): string {
  return Buffer.from(io.read(p)).toString('utf8').trim();
}

function readGeneration(io: TsmIo, dir: string): number | string {
  const t = readText(io, join(dir, 'generation'));
  const n = Number(t);
  return Number.isInteger(n) && n >= 0 ? n : `generation is '${t}', not a number`;
}

/** Collects one report; never throws. */
export function collectTsm(inblob: Uint8Array, opts: TsmOptions = {}): TsmEvidence | string {
  const io = opts.io ?? nodeTsmIo;
  const root = opts.root ?? DEFAULT_TSM_ROOT;
  if (inblob.length > 64) return `inblob has at most 64 bytes, not ${inblob.length}`;
  if (!io.exists(root)) return `configfs-tsm is not available at ${root} (it needs Linux 6.7+, configfs mounted, and a TDX or SEV-SNP guest)`;
  const dir = join(root, opts.name ?? `p4tee-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    io.mkdir(dir);
  } catch (e) {
    return `cannot create ${dir}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`;
  }
  try {
    const g0 = readGeneration(io, dir);
    if (typeof g0 === 'string') return g0;
    io.write(join(dir, 'inblob'), inblob);
    const outblob = io.read(join(dir, 'outblob'));
    let auxblob: Uint8Array | null = null;
    if (io.exists(join(dir, 'auxblob'))) {
      try { auxblob = io.read(join(dir, 'auxblob')); } catch { auxblob = null; }
      if (auxblob !== null && auxblob.length === 0) auxblob = null;
    }
    const provider = io.exists(join(dir, 'provider')) ? readText(io, join(dir, 'provider')) : 'unknown';
    const g1 = readGeneration(io, dir);
    if (typeof g1 === 'string') return g1;
    // Our one write to inblob moves generation by exactly one; more means another writer raced us.
    if (g1 !== g0 + 1) return `configfs-tsm entry ${dir} was changed by another writer (generation ${g0} -> ${g1}); try again`;
    if (outblob.length === 0) return `the ${provider} provider returned an empty report`;
    return { provider, generation: g1, inblob, outblob, auxblob };
  } catch (e) {
    return `configfs-tsm ${dir}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`;
  } finally {
    try { io.rmdir(dir); } catch { /* the kernel removes nothing else; a stale entry is harmless */ }
  }
}

/** What can collect hardware evidence on this machine, for the error message when nothing can. */
export function fallbackStatus(io: TsmIo = nodeTsmIo): string {
  if (io.exists('/dev/sev-guest')) return '/dev/sev-guest exists, but the SNP_GET_REPORT ioctl needs native code: not available without the native addon; use a kernel with configfs-tsm (6.7+)';
  if (io.exists('/dev/tdx_guest')) return '/dev/tdx_guest exists, but its ioctl needs native code: not available without the native addon; use a kernel with configfs-tsm (6.7+)';
  return 'no /dev/sev-guest or /dev/tdx_guest either: this is not a confidential guest';
}

/** GUIDs of the SEV-SNP certificate table (GHCB specification, extended guest request). */
export const SNP_CERT_GUIDS = {
  vcek: '63da758d-e664-4564-adc5-f4b93be8accd',
  vlek: 'a8074bc2-a25a-483e-aae6-39c045a0b8a1',
  ask: '4ab7b379-bbac-4fe4-a02f-05aef327c782',
  ark: 'c0b406a4-a803-4952-9743-3fb6014cd0ae',
} as const;

/** GUID text of 16 bytes in RFC 4122 (big-endian) order. */
function guidBigEndian(b: Uint8Array): string {
  const h = Buffer.from(b).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** GUID text of 16 bytes in the mixed-endian order of EFI/Linux guid_t (first three fields little-endian). */
function guidMixedEndian(b: Uint8Array): string {
  const s = Uint8Array.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8, 16)]);
  return guidBigEndian(s);
}

export interface SnpCertTable {
  readonly vcek: Uint8Array | null;
  readonly vlek: Uint8Array | null;
  readonly ask: Uint8Array | null;
  readonly ark: Uint8Array | null;
}

/**
 * The certificate table (auxblob of sev_guest): entries { GUID[16], offset u32, length u32 } ended
 * by an all-zero entry; offsets are from the start of the table. GUIDs are matched in both byte
 * orders, since writers differ (RFC 4122 order and the EFI mixed-endian order).
 */
export function parseSnpCertTable(buf: Uint8Array): SnpCertTable | string {
  const found: Record<string, Uint8Array> = {};
  const names = Object.entries(SNP_CERT_GUIDS);
  for (let p = 0; ; p += 24) {
    if (p + 24 > buf.length) return 'the certificate table has no terminating entry';
    const g = buf.subarray(p, p + 16);
    const off = (buf[p + 16]! | (buf[p + 17]! << 8) | (buf[p + 18]! << 16) | (buf[p + 19]! << 24)) >>> 0;
    const len = (buf[p + 20]! | (buf[p + 21]! << 8) | (buf[p + 22]! << 16) | (buf[p + 23]! << 24)) >>> 0;
    if (g.every((x) => x === 0)) break;
    if (off + len > buf.length) return `certificate table entry ${p / 24} points past the end of the table`;
    const be = guidBigEndian(g);
    const me = guidMixedEndian(g);
    const hit = names.find(([, id]) => id === be || id === me);
    if (hit !== undefined) found[hit[0]] = buf.subarray(off, off + len);
  }
  return { vcek: found.vcek ?? null, vlek: found.vlek ?? null, ask: found.ask ?? null, ark: found.ark ?? null };
}

/** Builds a certificate table (RFC 4122 GUID order): for tests and for fake providers. */
export function buildSnpCertTable(entries: readonly { guid: string; data: Uint8Array }[]): Uint8Array {
  const head = 24 * (entries.length + 1);
  const total = head + entries.reduce((n, e) => n + e.data.length, 0);
  const out = Buffer.alloc(total);
  let off = head;
  entries.forEach((e, i) => {
    Buffer.from(e.guid.replace(/-/g, ''), 'hex').copy(out, i * 24);
    out.writeUInt32LE(off, i * 24 + 16);
    out.writeUInt32LE(e.data.length, i * 24 + 20);
    out.set(e.data, off);
    off += e.data.length;
  });
  return out;
}
