// Sealing of enclave state: AES-256-GCM under key = HKDF-SHA256(platform secret, salt, info = module
// measurement). Blob = header (magic, format, monotonic version, measurement; authenticated as AAD)
// + iv + ciphertext + tag. sealBlob/unsealBlob run inside the enclave realm; SealStore is the
// untrusted storage beside it (one blob and one rollback counter file per module, both replaced
// atomically, or kept in memory). Tampered, stale (version below the counter) and foreign blobs
// (other measurement, other platform secret) are refused with a one-line error.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const SEAL_MAGIC = 0x50345453; // 'P4TS'
export const SEAL_FORMAT = 1;
export const SEAL_HEADER_BYTES = 64;
export const MEASUREMENT_BYTES = 48;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = new TextEncoder().encode('p4tee seal v1');

export interface SealHeader {
  readonly format: number;
  readonly version: number;
  readonly measurement: Uint8Array;
}

function hex(b: Uint8Array, n = 12): string {
  return Buffer.from(b.subarray(0, n)).toString('hex');
}

/** The sealing key of one module on one platform. */
export function sealingKey(platformSecret: Uint8Array, measurement: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', platformSecret, SALT, measurement, 32));
}

/** Seals state as version `version` of the module with this measurement. */
export function sealBlob(state: Uint8Array, platformSecret: Uint8Array, measurement: Uint8Array, version: number): Uint8Array {
  if (measurement.length !== MEASUREMENT_BYTES) throw new RangeError('measurement must be 48 bytes (SHA-384)');
  if (!Number.isSafeInteger(version) || version < 1) throw new RangeError('seal version must be a positive integer');
  const header = Buffer.alloc(SEAL_HEADER_BYTES);
  header.writeUInt32BE(SEAL_MAGIC, 0);
  header.writeUInt16BE(SEAL_FORMAT, 4);
  header.writeBigUInt64BE(BigInt(version), 8);
  header.set(measurement, 16);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(platformSecret, measurement), iv);
  cipher.setAAD(header);
  const body = Buffer.concat([cipher.update(state), cipher.final()]);
  return new Uint8Array(Buffer.concat([header, iv, body, cipher.getAuthTag()]));
}

/** Reads a blob's header (not yet authenticated), or why it is no blob. */
export function readSealHeader(blob: Uint8Array): SealHeader | { error: string } {
  if (blob.length < SEAL_HEADER_BYTES + IV_BYTES + TAG_BYTES) return { error: `sealed blob truncated (${blob.length} bytes)` };
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (b.readUInt32BE(0) !== SEAL_MAGIC) return { error: 'not a p4tee sealed blob (bad magic): tampered or not a blob' };
  const format = b.readUInt16BE(4);
  if (format !== SEAL_FORMAT) return { error: `sealed blob format ${format} is not supported (expected ${SEAL_FORMAT}): tampered or newer p4tee` };
  const version = Number(b.readBigUInt64BE(8));
  return { format, version, measurement: new Uint8Array(blob.subarray(16, 16 + MEASUREMENT_BYTES)) };
}

/**
 * Unseals a blob for the module with this measurement; refuses it when its version is below
 * minVersion (the rollback counter), when it belongs to another module, or fails authentication.
 */
export function unsealBlob(
  blob: Uint8Array,
  platformSecret: Uint8Array,
  measurement: Uint8Array,
  minVersion: number,
): { state: Uint8Array; version: number } | { error: string } {
  const h = readSealHeader(blob);
  if ('error' in h) return h;
  if (h.measurement.length !== measurement.length || !timingSafeEqual(h.measurement, measurement)) {
    return {
      error: `foreign sealed blob refused: sealed for module measurement ${hex(h.measurement)}..., this module is ${hex(measurement)}... (other module code, or tampered)`,
    };
  }
  if (h.version < minVersion) {
    return { error: `stale sealed blob refused: version ${h.version} is older than the rollback counter ${minVersion} (rollback)` };
  }
  const iv = blob.subarray(SEAL_HEADER_BYTES, SEAL_HEADER_BYTES + IV_BYTES);
  const body = blob.subarray(SEAL_HEADER_BYTES + IV_BYTES, blob.length - TAG_BYTES);
  const tag = blob.subarray(blob.length - TAG_BYTES);
  try {
    const d = createDecipheriv('aes-256-gcm', sealingKey(platformSecret, measurement), iv);
    d.setAAD(blob.subarray(0, SEAL_HEADER_BYTES));
    d.setAuthTag(tag);
    const state = Buffer.concat([d.update(body), d.final()]);
    return { state: new Uint8Array(state), version: h.version };
  } catch {
    return { error: 'sealed blob failed authentication: tampered, or sealed under another platform secret (foreign)' };
  }
}

/** Writes a file by write-to-temporary, fsync, rename: readers see the old or the new bytes. */
function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Untrusted storage of one module's sealed blobs and its rollback counter (the highest version
 * ever stored). dir null: kept in memory (survives enclave restarts, not the process).
 */
export class SealStore {
  readonly dir: string | null;
  readonly name: string;
  private memBlob: Uint8Array | null = null;
  private memCounter = 0;

  constructor(dir: string | null, name: string) {
    this.dir = dir;
    this.name = name;
  }

  get blobPath(): string | null {
    return this.dir === null ? null : join(this.dir, `${this.name}.sealed`);
  }

  get counterPath(): string | null {
    return this.dir === null ? null : join(this.dir, `${this.name}.counter`);
  }

  /** The rollback counter (0 when nothing was sealed yet). */
  counter(): number | { error: string } {
    const p = this.counterPath;
    if (p === null) return this.memCounter;
    if (!existsSync(p)) return 0;
    const text = readFileSync(p, 'utf8').trim();
    if (!/^[0-9]{1,15}$/.test(text)) return { error: `rollback counter ${p} is corrupt ('${text.slice(0, 20)}')` };
    return Number(text);
  }

  /** Stores a blob sealed as `version`, then raises the counter to it (blob first: a crash in between leaves blob > counter, still accepted). */
  store(blob: Uint8Array, version: number): { error: string } | null {
    const c = this.counter();
    if (typeof c !== 'number') return c;
    if (version <= c) return { error: `seal version ${version} is not above the rollback counter ${c}` };
    if (this.dir === null) {
      this.memBlob = blob;
      this.memCounter = version;
      return null;
    }
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeAtomic(this.blobPath as string, blob);
      writeAtomic(this.counterPath as string, new TextEncoder().encode(`${version}\n`));
      return null;
    } catch (e) {
      return { error: `cannot store sealed state in ${this.dir}: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** Raises the counter (after a blob newer than the counter was restored). */
  raiseCounter(version: number): void {
    const c = this.counter();
    if (typeof c !== 'number' || version <= c) return;
    if (this.dir === null) this.memCounter = version;
    else writeAtomic(this.counterPath as string, new TextEncoder().encode(`${version}\n`));
  }

  /** The stored blob and the counter; blob null when nothing was sealed. A missing blob with a counter above 0 is an error (deleted state is a rollback too). */
  load(): { blob: Uint8Array | null; counter: number } | { error: string } {
    const c = this.counter();
    if (typeof c !== 'number') return c;
    let blob: Uint8Array | null = this.memBlob;
    const p = this.blobPath;
    if (p !== null) {
      try {
        blob = existsSync(p) ? new Uint8Array(readFileSync(p)) : null;
      } catch (e) {
        return { error: `cannot read sealed blob ${p}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
    if (blob === null && c > 0) {
      return { error: `sealed blob of '${this.name}' is missing but the rollback counter says version ${c} was sealed (refused; remove ${this.counterPath ?? 'the counter'} to start fresh)` };
    }
    return { blob, counter: c };
  }
}
