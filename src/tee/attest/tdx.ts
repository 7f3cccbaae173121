// Intel TDX quotes (DCAP quote format v4 and v5): parse header, TD report body (TDX 1.0, 584 bytes;
// TDX 1.5, 648 bytes) and the ECDSA signature data, then verify: quote signature (P-256, SHA-256)
// over header and body by the attestation key; QE report binding (report_data[0..32] =
// SHA-256(attestation key || QE auth data)); QE report signed by the PCK certificate; PCK chain to
// the pinned Intel SGX Root CA; report data. Bytes after the signature data are tolerated
// (not signed, not read) and reported as a fact. Output: a Verdict.
import { createHash, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { INTEL_ROOTS, OID_ECDSA_SHA256, checkLink, checkRoot, checkValidity, commonName, fail, parsePemCertificates, pass, skip } from './certs.js';
import type { Check, PinnedRoot } from './certs.js';
import { bytesEqual, hex, padReportData, verdictOf } from './snp.js';
import type { Verdict } from './snp.js';

export const TDX_HEADER_BYTES = 48;
export const TD_BODY_10_BYTES = 584;
export const TD_BODY_15_BYTES = 648;
export const SGX_REPORT_BYTES = 384;
export const TEE_TYPE_TDX = 0x81;
export const ATT_KEY_ECDSA_P256 = 2;
/** Intel's QE vendor id (939a7233-f79c-4ca9-940a-0db3957f0607). */
export const INTEL_QE_VENDOR_ID = '939a7233f79c4ca9940a0db3957f0607';

export interface TdReportBody {
  readonly teeTcbSvn: Uint8Array;
  readonly mrSeam: Uint8Array;
  readonly mrSignerSeam: Uint8Array;
  readonly seamAttributes: Uint8Array;
  readonly tdAttributes: Uint8Array;
  readonly xfam: Uint8Array;
  readonly mrTd: Uint8Array;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmr: readonly Uint8Array[];
  readonly reportData: Uint8Array;
  /** TDX 1.5 only. */
  readonly teeTcbSvn2: Uint8Array | null;
  readonly mrServiceTd: Uint8Array | null;
}

export interface TdxQuote {
  readonly version: 4 | 5;
  readonly attestationKeyType: number;
  readonly teeType: number;
  readonly qeSvn: number;
  readonly pceSvn: number;
  readonly qeVendorId: Uint8Array;
  readonly userData: Uint8Array;
  /** v5: 2 = TDX 1.0 body, 3 = TDX 1.5 body; v4: 2. */
  readonly bodyType: number;
  readonly body: TdReportBody;
  /** Bytes covered by the quote signature: header and body (v5: with the body descriptor). */
  readonly signed: Uint8Array;
  /** Quote signature r || s (big-endian, P1363). */
  readonly signature: Uint8Array;
  /** Attestation public key x || y (64 bytes). */
  readonly attestationKey: Uint8Array;
  readonly qeReport: Uint8Array;
  readonly qeReportSignature: Uint8Array;
  readonly qeAuthData: Uint8Array;
  /** Certification data type (5 = PCK chain as PEM) and its bytes. */
  readonly certType: number;
  readonly certData: Uint8Array;
  /** Bytes after the declared signature data (tolerated; neither signed nor read). */
  readonly trailing: number;
  readonly raw: Uint8Array;
}

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

/** TD Quote Body (TDX 1.0): tee_tcb_svn, mrseam, mrsignerseam, seam_attributes, td_attributes, xfam, mrtd, mrconfigid, mrowner, mrownerconfig, rtmr0-3, report_data; 1.5 adds tee_tcb_svn2, mrservicetd. */
function parseBody(b: Uint8Array, o: number, v15: boolean): TdReportBody {
  let p = o;
  const take = (n: number): Uint8Array => { const s = b.subarray(p, p + n); p += n; return s; };
  const teeTcbSvn = take(16), mrSeam = take(48), mrSignerSeam = take(48), seamAttributes = take(8), tdAttributes = take(8), xfam = take(8);
  const mrTd = take(48), mrConfigId = take(48), mrOwner = take(48), mrOwnerConfig = take(48);
  const rtmr = [take(48), take(48), take(48), take(48)];
  const reportData = take(64);
  const teeTcbSvn2 = v15 ? take(16) : null;
  const mrServiceTd = v15 ? take(48) : null;
  return { teeTcbSvn, mrSeam, mrSignerSeam, seamAttributes, tdAttributes, xfam, mrTd, mrConfigId, mrOwner, mrOwnerConfig, rtmr, reportData, teeTcbSvn2, mrServiceTd };
}

/** Quote v4/v5 (Intel TDX DCAP Quoting Library API, appendix "Quote Format"). */
export function parseTdxQuote(bytes: Uint8Array): TdxQuote | string {
  const b = bytes;
  if (b.length < TDX_HEADER_BYTES + 4) return `a TDX quote has at least ${TDX_HEADER_BYTES + 4} bytes, not ${b.length}`;
  const version = u16(b, 0);
  if (version !== 4 && version !== 5) return `TDX quote version ${version} is not supported (4 or 5)`;
  const teeType = u32(b, 4);
  let p = TDX_HEADER_BYTES;
  let bodyType = 2;
  let bodyBytes = TD_BODY_10_BYTES;
  if (version === 5) {
    if (b.length < p + 6) return 'the quote ends inside the v5 body descriptor';
    bodyType = u16(b, p);
    bodyBytes = u32(b, p + 2);
    p += 6;
    const want = bodyType === 2 ? TD_BODY_10_BYTES : bodyType === 3 ? TD_BODY_15_BYTES : -1;
    if (want < 0) return `quote v5 body type ${bodyType} is not a TD report (2: TDX 1.0, 3: TDX 1.5)`;
    if (bodyBytes !== want) return `quote v5 body type ${bodyType} has ${want} bytes, not ${bodyBytes}`;
  }
  if (b.length < p + bodyBytes + 4) return `the quote ends inside the TD report body (${b.length} bytes)`;
  const body = parseBody(b, p, bodyType === 3);
  p += bodyBytes;
  const signed = b.subarray(0, p);
  const sigLen = u32(b, p);
  p += 4;
  const sigEnd = p + sigLen;
  if (sigEnd > b.length) return `the signature data (${sigLen} bytes) runs past the end of the quote (${b.length} bytes)`;
  if (sigLen < 64 + 64 + 6) return `the signature data has ${sigLen} bytes, too few for ECDSA signature data`;
  const signature = b.subarray(p, p + 64);
  const attestationKey = b.subarray(p + 64, p + 128);
  p += 128;
  // Outer certification data: type 6 = QE report certification data.
  const outerType = u16(b, p);
  const outerLen = u32(b, p + 2);
  p += 6;
  if (p + outerLen > sigEnd) return 'the certification data runs past the signature data';
  if (outerType !== 6) return `certification data type ${outerType} is not supported (6: QE report certification data)`;
  if (outerLen < SGX_REPORT_BYTES + 64 + 2 + 6) return 'the QE report certification data is too short';
  const qeReport = b.subarray(p, p + SGX_REPORT_BYTES);
  const qeReportSignature = b.subarray(p + SGX_REPORT_BYTES, p + SGX_REPORT_BYTES + 64);
  p += SGX_REPORT_BYTES + 64;
  const authLen = u16(b, p);
  p += 2;
  const qeAuthData = b.subarray(p, p + authLen);
  p += authLen;
  if (p + 6 > sigEnd) return 'the QE auth data runs past the signature data';
  const certType = u16(b, p);
  const certLen = u32(b, p + 2);
  p += 6;
  if (p + certLen > sigEnd) return 'the PCK certification data runs past the signature data';
  const certData = b.subarray(p, p + certLen);
  return {
    version, attestationKeyType: u16(b, 2), teeType, qeSvn: u16(b, 8), pceSvn: u16(b, 10),
    qeVendorId: b.subarray(12, 28), userData: b.subarray(28, 48), bodyType, body, signed, signature, attestationKey,
    qeReport, qeReportSignature, qeAuthData, certType, certData, trailing: b.length - sigEnd, raw: b,
  };
}

/** An uncompressed P-256 point x || y as a public key. */
function p256Key(xy: Uint8Array): KeyObject | null {
  try {
    const b64 = (s: Uint8Array): string => Buffer.from(s).toString('base64url');
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(xy.subarray(0, 32)), y: b64(xy.subarray(32, 64)) }, format: 'jwk' });
  } catch {
    return null;
  }
}

function ecdsaOk(key: KeyObject, data: Uint8Array, sig: Uint8Array): boolean {
  try { return cryptoVerify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, sig); } catch { return false; }
}

export interface TdxVerifyOptions {
  /** Trusted roots (default: the pinned Intel SGX Root CA). */
  readonly roots?: readonly PinnedRoot[];
  /** Expected TD report_data (zero-padded to 64 bytes), or null not to check. */
  readonly reportData?: Uint8Array | null;
  /** Expected MRTD (48 bytes), or null not to check. */
  readonly mrTd?: Uint8Array | null;
  readonly at?: Date;
}

/** Verifies a TDX quote; never throws. */
export function verifyTdxQuote(bytes: Uint8Array, opts: TdxVerifyOptions = {}): Verdict {
  const checks: Check[] = [];
  const facts: [string, string][] = [];
  const q = parseTdxQuote(bytes);
  if (typeof q === 'string') return verdictOf('TDX quote', [fail('quote format', q)], facts);
  checks.push(pass('quote format', `version ${q.version}, TD report body ${q.bodyType === 3 ? '1.5' : '1.0'}`));
  facts.push(['version', String(q.version)], ['mrtd', hex(q.body.mrTd)], ['report_data', hex(q.body.reportData)],
    ['rtmr0', hex(q.body.rtmr[0]!)], ['mrseam', hex(q.body.mrSeam)], ['td_attributes', hex(q.body.tdAttributes)]);
  if (q.trailing > 0) facts.push(['trailing bytes', `${q.trailing} after the signature data (ignored: neither signed nor read)`]);

  checks.push(q.teeType === TEE_TYPE_TDX ? pass('TEE type', 'TDX (0x81)') : fail('TEE type', `0x${q.teeType.toString(16)} is not TDX (0x81)`));
  checks.push(q.attestationKeyType === ATT_KEY_ECDSA_P256 ? pass('attestation key type', 'ECDSA-256-with-P-256') : fail('attestation key type', `${q.attestationKeyType} is not 2 (ECDSA-256-with-P-256)`));
  checks.push(hex(q.qeVendorId) === INTEL_QE_VENDOR_ID ? pass('QE vendor', 'Intel') : fail('QE vendor', `QE vendor id ${hex(q.qeVendorId)} is not Intel's`));

  const ak = p256Key(q.attestationKey);
  if (ak === null) checks.push(fail('quote signature', 'the attestation key is not a P-256 point'));
  else checks.push(ecdsaOk(ak, q.signed, q.signature) ? pass('quote signature', `header and body (${q.signed.length} bytes) signed by the attestation key`) : fail('quote signature', 'the quote signature does not verify with the attestation key'));

  const binding = createHash('sha256').update(q.attestationKey).update(q.qeAuthData).digest();
  const qeData = q.qeReport.subarray(320, 384);
  const bound = bytesEqual(binding, qeData.subarray(0, 32)) && qeData.subarray(32).every((x) => x === 0);
  checks.push(bound ? pass('QE report binding', 'QE report_data = SHA-256(attestation key || QE auth data)') : fail('QE report binding', 'the QE report does not vouch for this attestation key'));

  // PCK chain from the certification data (type 5: PEM, leaf first).
  if (q.certType !== 5) {
    checks.push(fail('PCK certificate chain', `certification data type ${q.certType} is not supported (5: PEM chain)`));
    return verdictOf('TDX quote', checks, facts);
  }
  const chain = parsePemCertificates(Buffer.from(q.certData).toString('latin1'));
  if (typeof chain === 'string' || chain.length < 2) {
    checks.push(fail('PCK certificate chain', typeof chain === 'string' ? chain : `expected PCK, intermediate and root certificates, got ${chain.length}`));
    return verdictOf('TDX quote', checks, facts);
  }
  const pck = chain[0]!;
  checks.push(ecdsaOk(pck.publicKey, q.qeReport, q.qeReportSignature) ? pass('QE report signature', `signed by the PCK certificate '${commonName(pck.subject)}'`) : fail('QE report signature', 'the QE report signature does not verify with the PCK key'));
  for (let i = 0; i + 1 < chain.length; i++) {
    checks.push(checkLink(i === 0 ? 'PCK certificate' : `CA certificate ${i}`, chain[i]!, chain[i + 1]!, OID_ECDSA_SHA256));
  }
  const root: X509Certificate = chain[chain.length - 1]!;
  checks.push(checkRoot('Intel root', root, opts.roots ?? INTEL_ROOTS).check);
  const at = opts.at ?? new Date();
  chain.forEach((c, i) => { checks.push(checkValidity(`${i === 0 ? 'PCK' : i === chain.length - 1 ? 'root' : 'CA'} validity`, c, at)); });

  if (opts.reportData !== undefined && opts.reportData !== null) {
    const want = padReportData(opts.reportData);
    if (typeof want === 'string') checks.push(fail('report data', want));
    else checks.push(bytesEqual(want, q.body.reportData) ? pass('report data', 'matches the expected nonce binding') : fail('report data', `report_data ${hex(q.body.reportData)} is not the expected ${hex(want)}`));
  } else checks.push(skip('report data', 'no nonce given'));
  if (opts.mrTd !== undefined && opts.mrTd !== null) {
    checks.push(bytesEqual(opts.mrTd, q.body.mrTd) ? pass('measurement', 'MRTD matches') : fail('measurement', `MRTD ${hex(q.body.mrTd)} is not the expected ${hex(opts.mrTd)}`));
  } else checks.push(skip('measurement', 'no expected MRTD given'));
  return verdictOf('TDX quote', checks, facts);
}
