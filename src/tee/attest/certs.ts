// Certificates for attestation: PEM/DER loading, the pinned vendor roots (AMD ARK Milan, Genoa,
// Turin; the Intel SGX Root CA) and one-link chain checks with node:crypto's X509Certificate.
// Roots are pinned by the SHA-256 of their SubjectPublicKeyInfo, so a re-issued root with the same
// key is still accepted and a self-made root never is. Output: checks, never exceptions.
import { X509Certificate, createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateSignatureAlgorithm, containsOid } from './asn1.js';

/** One line of a verdict: what was checked, whether it held, and the detail that shows it. */
export interface Check {
  readonly name: string;
  /** 'skip': not applicable or not requested (never counted as a failure). */
  readonly status: 'pass' | 'fail' | 'skip';
  readonly detail: string;
}

export function pass(name: string, detail: string): Check { return { name, status: 'pass', detail }; }
export function fail(name: string, detail: string): Check { return { name, status: 'fail', detail }; }
export function skip(name: string, detail: string): Check { return { name, status: 'skip', detail }; }

export type AmdProduct = 'Milan' | 'Genoa' | 'Turin';

/** A trusted root: a product name and the SHA-256 (hex) of its SubjectPublicKeyInfo DER. */
export interface PinnedRoot {
  readonly vendor: 'amd' | 'intel' | 'user';
  readonly name: string;
  readonly spkiSha256: string;
  /** SHA-256 of the certificate DER as published (for the docs and error messages). */
  readonly certSha256: string;
}

/**
 * AMD root keys (ARK), from AMD's Key Distribution Service (kdsintf.amd.com/vcek/v1/PRODUCT/cert_chain).
 * Milan and Genoa: the ARKs of testdata/attestation/snp/gosev-ask_ark_*.pem. Turin: the ARK of
 * testdata/attestation/amd-ark-turin.pem (see its README for the cross-check of the fingerprint).
 */
export const AMD_ROOTS: readonly PinnedRoot[] = [
  { vendor: 'amd', name: 'ARK-Milan', spkiSha256: '9f056bee44377e29308cb5ffa895bdfb62d18881fa6bed8d6f075b0204089cb9', certSha256: '69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd' },
  { vendor: 'amd', name: 'ARK-Genoa', spkiSha256: '429a69c9422aa258ee4d8db5fcda9c6470ef15f8cd5a9cebd6cbc7d90b863831', certSha256: '4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1' },
  { vendor: 'amd', name: 'ARK-Turin', spkiSha256: '4f125410563a2ab9a50356f9243f6fe0b6f73de98603f53f90339c70e9d7ad08', certSha256: '1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a' },
];

/** Intel SGX Root CA (the root of every PCK chain, SGX and TDX alike): testdata/attestation/tdx/gotdx-trusted_root.pem. */
export const INTEL_ROOTS: readonly PinnedRoot[] = [
  { vendor: 'intel', name: 'Intel SGX Root CA', spkiSha256: 'a0af031289f5d5d4132f9186068a7fc13628633ba235777472e29b6b6c67a49e', certSha256: '44a0196b2b99f889b8e149e95b807a350e7424964399e885a7cbb8ccfab674d3' },
];

/** OIDs of the certificate signature algorithms we expect. */
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
export const OID_SHA384 = '2.16.840.1.101.3.4.2.2';

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function spkiSha256(cert: X509Certificate): string {
  return sha256Hex(cert.publicKey.export({ type: 'spki', format: 'der' }));
}

/** Every certificate in a PEM text, in order; an empty list when there is none. */
export function parsePemCertificates(text: string): X509Certificate[] | string {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const out: X509Certificate[] = [];
  for (let i = 0; i < blocks.length; i++) {
    try { out.push(new X509Certificate(blocks[i]!)); } catch (e) { return `certificate ${i + 1} of the PEM text is not valid: ${errorText(e)}`; }
  }
  return out;
}

/** A certificate file: DER, or PEM with one or more certificates. */
export function loadCertificates(bytes: Uint8Array): X509Certificate[] | string {
  const head = Buffer.from(bytes.subarray(0, Math.min(bytes.length, 4096))).toString('latin1');
  if (head.includes('-----BEGIN CERTIFICATE-----')) return parsePemCertificates(Buffer.from(bytes).toString('latin1'));
  try { return [new X509Certificate(Buffer.from(bytes))]; } catch (e) { return `not a DER or PEM certificate: ${errorText(e)}`; }
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The CN of a subject/issuer text as X509Certificate prints it ('CN=SEV-Milan' lines). */
export function commonName(dn: string): string {
  const m = /(?:^|\n|,\s*)CN=([^\n,]*)/.exec(dn);
  return m ? m[1]! : dn.replace(/\n/g, ', ');
}

/** A pinned root for every certificate file (*.pem, *.der, *.crt, *.cer) of a directory. */
export function loadRootsDir(dir: string): PinnedRoot[] | string {
  let names: string[];
  try { names = readdirSync(dir).filter((n) => /\.(pem|der|crt|cer)$/i.test(n)).sort(); } catch (e) {
    return `cannot read --roots directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`;
  }
  const out: PinnedRoot[] = [];
  for (const n of names) {
    let certs: X509Certificate[] | string;
    try { certs = loadCertificates(readFileSync(join(dir, n))); } catch (e) { return `cannot read ${join(dir, n)}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`; }
    if (typeof certs === 'string') return `${join(dir, n)}: ${certs}`;
    for (const c of certs) out.push(rootOf(c, 'user'));
  }
  return out;
}

export function rootOf(cert: X509Certificate, vendor: PinnedRoot['vendor']): PinnedRoot {
  return { vendor, name: commonName(cert.subject), spkiSha256: spkiSha256(cert), certSha256: sha256Hex(cert.raw) };
}

/** The pinned root whose key this certificate carries, or null. */
export function findRoot(cert: X509Certificate, roots: readonly PinnedRoot[]): PinnedRoot | null {
  const k = spkiSha256(cert);
  return roots.find((r) => r.spkiSha256 === k) ?? null;
}

/**
 * One link of a chain: `child` names `parent` as its issuer and carries a valid signature by the
 * parent's key. X509Certificate.verify handles RSA-PSS (parameters from the certificate) and ECDSA.
 */
export function checkLink(label: string, child: X509Certificate, parent: X509Certificate, expectSigOid: string | null): Check {
  const alg = certificateSignatureAlgorithm(child.raw);
  const oid = alg?.oid ?? null;
  if (expectSigOid !== null && oid !== expectSigOid) return fail(label, `signature algorithm ${oid ?? '(unreadable)'}, expected ${expectSigOid}`);
  // AMD's chain uses RSA-PSS with SHA-384 (hash and MGF1 hash in the parameters).
  if (expectSigOid === OID_RSASSA_PSS && !containsOid(alg!.params, OID_SHA384)) return fail(label, 'RSA-PSS parameters do not name SHA-384');
  if (child.issuer !== parent.subject) return fail(label, `issuer '${commonName(child.issuer)}' is not '${commonName(parent.subject)}'`);
  let ok = false;
  try { ok = child.verify(parent.publicKey); } catch (e) { return fail(label, `signature check failed: ${errorText(e)}`); }
  return ok ? pass(label, `'${commonName(child.subject)}' signed by '${commonName(parent.subject)}'`) : fail(label, `signature of '${commonName(child.subject)}' does not verify with the key of '${commonName(parent.subject)}'`);
}

/** The validity period of a certificate at a time. */
export function checkValidity(label: string, cert: X509Certificate, at: Date): Check {
  const from = new Date(cert.validFrom);
  const to = new Date(cert.validTo);
  if (at < from || at > to) return fail(label, `'${commonName(cert.subject)}' is valid from ${from.toISOString()} to ${to.toISOString()}, not at ${at.toISOString()}`);
  return pass(label, `'${commonName(cert.subject)}' valid until ${to.toISOString()}`);
}

/** A self-signed root that is one of the trusted roots. */
export function checkRoot(label: string, root: X509Certificate, trusted: readonly PinnedRoot[]): { check: Check; root: PinnedRoot | null } {
  if (root.issuer !== root.subject) return { check: fail(label, `'${commonName(root.subject)}' is not self-signed`), root: null };
  let self = false;
  try { self = root.verify(root.publicKey); } catch { self = false; }
  if (!self) return { check: fail(label, `the self-signature of '${commonName(root.subject)}' does not verify`), root: null };
  const pin = findRoot(root, trusted);
  if (pin === null) return { check: fail(label, `'${commonName(root.subject)}' (key SHA-256 ${spkiSha256(root)}) is not a trusted root`), root: null };
  return { check: pass(label, `'${commonName(root.subject)}' is the pinned root ${pin.name}`), root: pin };
}
