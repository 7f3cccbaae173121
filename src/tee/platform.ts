// The platform secret of the software TEE backends: 32 random bytes in a file readable by its owner
// only (mode 0600, default ~/.p4tee/platform-secret, or $P4TEE_PLATFORM_SECRET). It stands in for
// the key a TEE's hardware would hold; it is software, named so everywhere, and protects sealed
// state only as well as the file's permissions do. Input: a path; output: the secret or an error.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export const PLATFORM_SECRET_BYTES = 32;

export interface PlatformSecret {
  /** Always 'software': not rooted in hardware. */
  readonly kind: 'software';
  /** File it came from, or null for an ephemeral (in-memory) secret. */
  readonly path: string | null;
  readonly secret: Uint8Array;
  /** True when this call created the file. */
  readonly created: boolean;
}

/** $P4TEE_PLATFORM_SECRET, else ~/.p4tee/platform-secret. */
export function defaultPlatformSecretPath(): string {
  return process.env.P4TEE_PLATFORM_SECRET ?? join(homedir(), '.p4tee', 'platform-secret');
}

/** A secret that lives only as long as this process (sealed blobs become unreadable after exit). */
export function ephemeralPlatformSecret(): PlatformSecret {
  return { kind: 'software', path: null, secret: new Uint8Array(randomBytes(PLATFORM_SECRET_BYTES)), created: true };
}

function readExisting(path: string): PlatformSecret | { error: string } {
  try {
    const st = statSync(path);
    if (!st.isFile()) return { error: `platform secret ${path} is not a regular file` };
    if ((st.mode & 0o077) !== 0) {
      return { error: `platform secret ${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); run: chmod 600 ${path}` };
    }
    const bytes = readFileSync(path);
    if (bytes.length !== PLATFORM_SECRET_BYTES) {
      return { error: `platform secret ${path} has ${bytes.length} bytes, expected ${PLATFORM_SECRET_BYTES}` };
    }
    return { kind: 'software', path, secret: new Uint8Array(bytes), created: false };
  } catch (e) {
    return { error: `cannot read platform secret ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/** Reads the software platform secret, creating it (mode 0600, directory 0700) when absent and create is set. */
export function loadPlatformSecret(path: string = defaultPlatformSecretPath(), create = true): PlatformSecret | { error: string } {
  if (!create) return readExisting(path);
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    fd = openSync(path, 'wx', 0o600);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') return readExisting(path);
    return { error: `cannot create platform secret ${path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const secret = new Uint8Array(randomBytes(PLATFORM_SECRET_BYTES));
  try {
    writeSync(fd, secret);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { kind: 'software', path, secret, created: true };
}
