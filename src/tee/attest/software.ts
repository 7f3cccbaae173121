// Software attestation: a quote for the software backends, signed with a locally generated ECDSA
// P-384 key. It is evidence of *software* isolation only: nothing roots it in hardware, and anyone
// with the key file can make one. Input: a measurement, a nonce, a key directory; output: the quote
// JSON, and a Verdict when verifying (signature, nonce binding, expected measurement, pinned key).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { errorText, fail, pass, skip } from './certs.js';
import type { Check } from './certs.js';
import { combineMeasurement } from './measurement.js';
import type { Measurement } from './measurement.js';
import { bytesEqual, hex, verdictOf } from './snp.js';
import type { Verdict } from './snp.js';

export const SOFTWARE_QUOTE_FORMAT = 'p4tee-software-quote';
export const SOFTWARE_ISOLATION = 'software (not rooted in hardware)';
const REPORT_DATA_DOMAIN = 'p4tee-report-data/v1\0';
const KEY_FILE = 'software-quote-key.pem';
const PUB_FILE = 'software-quote-key.pub.pem';

export interface SoftwareQuote {
  readonly format: typeof SOFTWARE_QUOTE_FORMAT;
  readonly version: 1;
  readonly isolation: typeof SOFTWARE_ISOLATION;
  /** hex, 48 bytes */
  readonly measurement: string;
  /** hex digests of the three components (enclave code, compiled program, table state). */
  readonly components: { readonly enclave: string; readonly program: string; readonly tables: string };
  readonly nonce: string;
  /** hex, 64 bytes: SHA-512(domain || measurement || nonce). */
  readonly reportData: string;
  /** SPKI PEM of the signing key. */
  readonly publicKey: string;
  /** ECDSA P-384 / SHA-384 over signedBytes(quote), r || s hex (IEEE P1363). */
  readonly signature: string;
}

export function defaultKeyDir(): string {
  return join(homedir(), '.p4tee', 'attest');
}

/** The binding of a measurement and a nonce: SHA-512(domain || measurement || nonce), 64 bytes (fits report_data). */
export function reportDataOf(measurement: Uint8Array, nonce: Uint8Array): Uint8Array {
  return createHash('sha512').update(REPORT_DATA_DOMAIN).update(measurement).update(nonce).digest();
}

/** A nonce given as hex: 1 to 64 bytes. */
export function parseNonce(text: string): Uint8Array | string {
  const t = text.trim().replace(/^0x/i, '');
  if (t.length === 0 || t.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(t)) return `--nonce must be an even number of hex digits, not '${text}'`;
  if (t.length > 128) return `--nonce has at most 64 bytes (128 hex digits), not ${t.length / 2}`;
  return Buffer.from(t, 'hex');
}

/** The signing key of a key directory; created (0700 directory, 0600 private key) on first use. */
export function loadOrCreateKey(dir: string): { privateKey: KeyObject; publicKey: KeyObject; created: boolean } | string {
  const keyPath = join(dir, KEY_FILE);
  try {
    if (existsSync(keyPath)) {
      const st = statSync(keyPath);
      if ((st.mode & 0o077) !== 0) return `${keyPath} is readable by others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`;
      const privateKey = createPrivateKey(readFileSync(keyPath));
      if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return `${keyPath} is not an ECDSA P-384 key`;
      return { privateKey, publicKey: createPublicKey(privateKey), created: false };
    }
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(keyPath, 0o600);
    writeFileSync(join(dir, PUB_FILE), publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    return { privateKey, publicKey, created: true };
  } catch (e) {
    return `key directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`;
  }
}

/** The bytes the signature covers: every field but the signature, in a fixed order, as JSON. */
export function signedBytes(q: Omit<SoftwareQuote, 'signature'>): Buffer {
  const ordered = [q.format, q.version, q.isolation, q.measurement, q.components.enclave, q.components.program, q.components.tables, q.nonce, q.reportData, q.publicKey];
  return Buffer.from(JSON.stringify(ordered), 'utf8');
}

export function createSoftwareQuote(m: Measurement, nonce: Uint8Array, key: { privateKey: KeyObject; publicKey: KeyObject }): SoftwareQuote {
  const body: Omit<SoftwareQuote, 'signature'> = {
    format: SOFTWARE_QUOTE_FORMAT,
    version: 1,
    isolation: SOFTWARE_ISOLATION,
    measurement: hex(m.value),
    components: { enclave: hex(m.enclave), program: hex(m.program), tables: hex(m.tables) },
    nonce: hex(nonce),
    reportData: hex(reportDataOf(m.value, nonce)),
    publicKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const signature = cryptoSign('sha384', signedBytes(body), { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return { ...body, signature: signature.toString('hex') };
}

export interface SoftwareVerifyOptions {
  readonly nonce?: Uint8Array | null;
  readonly measurement?: Measurement | null;
  /** The public key the quote must be signed with (pinning), or null not to check. */
  readonly trustedKey?: KeyObject | null;
}

const isHex = (s: unknown, bytes: number): s is string => typeof s === 'string' && s.length === bytes * 2 && /^[0-9a-f]*$/.test(s);

/** Verifies a software quote (its JSON text or parsed value); never throws. */
export function verifySoftwareQuote(input: string | unknown, opts: SoftwareVerifyOptions = {}): Verdict {
  const kind = 'p4tee software quote (software isolation, not rooted in hardware)';
  const checks: Check[] = [];
  const facts: [string, string][] = [];
  let v: unknown = input;
  if (typeof input === 'string') {
    try { v = JSON.parse(input); } catch (e) { return verdictOf(kind, [fail('quote format', `not JSON: ${errorText(e)}`)], facts); }
  }
  const q = v as Partial<SoftwareQuote> & { components?: Partial<SoftwareQuote['components']> };
  if (typeof q !== 'object' || q === null || q.format !== SOFTWARE_QUOTE_FORMAT || q.version !== 1) {
    return verdictOf(kind, [fail('quote format', `not a ${SOFTWARE_QUOTE_FORMAT} version 1 document`)], facts);
  }
  const c = q.components;
  if (q.isolation !== SOFTWARE_ISOLATION || !isHex(q.measurement, 48) || typeof c !== 'object' || c === null || !isHex(c.enclave, 48) || !isHex(c.program, 48) || !isHex(c.tables, 48)
    || typeof q.nonce !== 'string' || !/^([0-9a-f]{2}){1,64}$/.test(q.nonce) || !isHex(q.reportData, 64) || typeof q.publicKey !== 'string' || !isHex(q.signature, 96)) {
    return verdictOf(kind, [fail('quote format', 'a field is missing or malformed (isolation, measurement, components, nonce, reportData, publicKey, signature)')], facts);
  }
  checks.push(pass('quote format', `${SOFTWARE_QUOTE_FORMAT} v1, isolation: ${SOFTWARE_ISOLATION}`));
  facts.push(['isolation', SOFTWARE_ISOLATION], ['measurement', q.measurement], ['nonce', q.nonce]);
  let key: KeyObject | null = null;
  try { key = createPublicKey(q.publicKey); } catch { key = null; }
  if (key === null || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    checks.push(fail('quote signature', 'publicKey is not an ECDSA P-384 public key'));
  } else {
    let ok = false;
    try { ok = cryptoVerify('sha384', signedBytes(q as SoftwareQuote), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(q.signature, 'hex')); } catch { ok = false; }
    checks.push(ok ? pass('quote signature', 'ECDSA P-384 over every field, by the quote\'s key') : fail('quote signature', 'the signature does not verify: the quote was changed or signed by another key'));
  }
  const m = Buffer.from(q.measurement, 'hex');
  const combined = combineMeasurement(Buffer.from(c.enclave, 'hex'), Buffer.from(c.program, 'hex'), Buffer.from(c.tables, 'hex'));
  checks.push(bytesEqual(combined, m) ? pass('measurement components', 'measurement = SHA-384 of its three components') : fail('measurement components', 'the measurement is not the combination of its components'));
  const nonce = Buffer.from(q.nonce, 'hex');
  checks.push(bytesEqual(reportDataOf(m, nonce), Buffer.from(q.reportData, 'hex')) ? pass('report data binding', 'reportData = SHA-512(domain || measurement || nonce)') : fail('report data binding', 'reportData does not bind the measurement and the nonce'));
  if (opts.nonce !== undefined && opts.nonce !== null) {
    checks.push(bytesEqual(opts.nonce, nonce) ? pass('nonce', 'matches the expected nonce') : fail('nonce', `quote nonce ${q.nonce} is not the expected ${hex(opts.nonce)}`));
  } else checks.push(skip('nonce', 'no nonce given: freshness not checked'));
  if (opts.measurement !== undefined && opts.measurement !== null) {
    const want = opts.measurement;
    if (bytesEqual(want.value, m)) checks.push(pass('measurement', 'matches the measurement of the given program, table state and enclave code'));
    else {
      const differ = (['enclave', 'program', 'tables'] as const).filter((k) => c[k] !== hex(want[k]));
      checks.push(fail('measurement', `differs from the expected ${hex(want.value).slice(0, 24)}...${differ.length ? ` (component${differ.length > 1 ? 's' : ''}: ${differ.join(', ')})` : ''}`));
    }
  } else checks.push(skip('measurement', 'no program given: measurement not compared'));
  if (opts.trustedKey !== undefined && opts.trustedKey !== null && key !== null) {
    const a = opts.trustedKey.export({ type: 'spki', format: 'der' });
    const b = key.export({ type: 'spki', format: 'der' });
    checks.push(a.equals(b) ? pass('signing key', 'is the trusted key') : fail('signing key', 'the quote is signed by a key other than the trusted one'));
  } else checks.push(skip('signing key', 'not pinned (the key is generated locally; pass --trusted-key to pin it)'));
  return verdictOf(kind, checks, facts);
}
