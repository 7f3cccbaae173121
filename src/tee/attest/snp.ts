// AMD SEV-SNP attestation reports: parse the 0x4A0-byte ATTESTATION_REPORT (versions 2 and 3;
// later versions with the same layout of the fields read here) and verify it: ECDSA P-384 signature
// by the VCEK or VLEK, chain VCEK/VLEK -> ASK/ASVK -> ARK (RSA-PSS SHA-384) to a pinned AMD root,
// chip id and TCB extensions of the VCEK, report data and measurement. Output: a list of checks.
import { verify as cryptoVerify } from 'node:crypto';
import type { X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { certificateExtensions, decodeUnsigned } from './asn1.js';
import type { Extension } from './asn1.js';
import {
  AMD_ROOTS, OID_RSASSA_PSS, checkLink, checkRoot, checkValidity, commonName, fail, pass, skip,
} from './certs.js';
import type { AmdProduct, Check, PinnedRoot } from './certs.js';

export const SNP_REPORT_BYTES = 0x4a0;
/** The signature covers bytes 0x000..0x29F. */
export const SNP_SIGNED_BYTES = 0x2a0;

/** The four (Turin: five) security version numbers of a TCB_VERSION. */
export interface SnpTcb {
  readonly raw: bigint;
  readonly fmc: number | null;
  readonly bootloader: number;
  readonly tee: number;
  readonly snp: number;
  readonly microcode: number;
}

export interface SnpReport {
  readonly version: number;
  readonly guestSvn: number;
  readonly policy: bigint;
  readonly familyId: Uint8Array;
  readonly imageId: Uint8Array;
  readonly vmpl: number;
  readonly signatureAlgo: number;
  readonly currentTcb: Uint8Array;
  readonly platformInfo: bigint;
  /** The u32 at 0x48: bit 0 author key enabled, bit 1 MASK_CHIP_KEY, bits 2-4 signing key. */
  readonly signerInfo: number;
  /** 0 VCEK, 1 VLEK, 7 none (bits 2-4 of signerInfo). */
  readonly signingKey: number;
  readonly maskChipKey: boolean;
  readonly reportData: Uint8Array;
  readonly measurement: Uint8Array;
  readonly hostData: Uint8Array;
  readonly idKeyDigest: Uint8Array;
  readonly authorKeyDigest: Uint8Array;
  readonly reportId: Uint8Array;
  readonly reportIdMa: Uint8Array;
  readonly reportedTcb: Uint8Array;
  /** CPUID family, model, stepping (report version 3 and later), else null. */
  readonly cpuid: { readonly family: number; readonly model: number; readonly stepping: number } | null;
  readonly chipId: Uint8Array;
  readonly committedTcb: Uint8Array;
  readonly currentVersion: string;
  readonly committedVersion: string;
  readonly launchTcb: Uint8Array;
  /** r || s, big-endian, 48 bytes each (IEEE P1363), converted from the report's little-endian fields. */
  readonly signature: Uint8Array;
  readonly raw: Uint8Array;
}

const u32 = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, o: number): bigint => (BigInt(u32(b, o + 4)) << 32n) | BigInt(u32(b, o));

/** Ranges that must be zero: reserved fields and the unused high bytes of r and s. */
function reservedRanges(version: number): [number, number][] {
  return [
    [0x4c, 0x50],
    version >= 3 ? [0x18b, 0x1a0] : [0x188, 0x1a0],
    [0x1eb, 0x1ec],
    [0x1ef, 0x1f0],
    [0x1f8, 0x2a0],
    [0x2a0 + 48, 0x2a0 + 72],
    [0x2e8 + 48, 0x2e8 + 72],
    [0x2a0 + 144, 0x4a0],
  ];
}

function littleToBig(le: Uint8Array): Uint8Array {
  const out = new Uint8Array(le.length);
  for (let i = 0; i < le.length; i++) out[i] = le[le.length - 1 - i]!;
  return out;
}

/** ATTESTATION_REPORT (SEV-SNP ABI, Table "ATTESTATION_REPORT Structure"): field by field. */
export function parseSnpReport(bytes: Uint8Array): SnpReport | string {
  if (bytes.length !== SNP_REPORT_BYTES) return `an SEV-SNP report has ${SNP_REPORT_BYTES} bytes, not ${bytes.length}`;
  const b = bytes;
  const version = u32(b, 0);
  if (version < 2 || version > 5) return `SEV-SNP report version ${version} is not supported (2 to 5)`;
  for (const [s, e] of reservedRanges(version)) {
    for (let i = s; i < e; i++) if (b[i] !== 0) return `reserved byte 0x${i.toString(16)} of the report is not zero`;
  }
  const signerInfo = u32(b, 0x48);
  const sig = new Uint8Array(96);
  sig.set(littleToBig(b.subarray(0x2a0, 0x2a0 + 48)), 0);
  sig.set(littleToBig(b.subarray(0x2e8, 0x2e8 + 48)), 48);
  const ver = (o: number): string => `${b[o + 2]}.${b[o + 1]}.${b[o]}`;
  return {
    version,
    guestSvn: u32(b, 0x04),
    policy: u64(b, 0x08),
    familyId: b.subarray(0x10, 0x20),
    imageId: b.subarray(0x20, 0x30),
    vmpl: u32(b, 0x30),
    signatureAlgo: u32(b, 0x34),
    currentTcb: b.subarray(0x38, 0x40),
    platformInfo: u64(b, 0x40),
    signerInfo,
    signingKey: (signerInfo >>> 2) & 7,
    maskChipKey: (signerInfo & 2) !== 0,
    reportData: b.subarray(0x50, 0x90),
    measurement: b.subarray(0x90, 0xc0),
    hostData: b.subarray(0xc0, 0xe0),
    idKeyDigest: b.subarray(0xe0, 0x110),
    authorKeyDigest: b.subarray(0x110, 0x140),
    reportId: b.subarray(0x140, 0x160),
    reportIdMa: b.subarray(0x160, 0x180),
    reportedTcb: b.subarray(0x180, 0x188),
    cpuid: version >= 3 ? { family: b[0x188]!, model: b[0x189]!, stepping: b[0x18a]! } : null,
    chipId: b.subarray(0x1a0, 0x1e0),
    committedTcb: b.subarray(0x1e0, 0x1e8),
    currentVersion: ver(0x1e8),
    committedVersion: ver(0x1ec),
    launchTcb: b.subarray(0x1f0, 0x1f8),
    signature: sig,
    raw: b,
  };
}

/** TCB_VERSION by product: Milan/Genoa {bl, tee, 4 reserved, snp, ucode}; Turin {fmc, bl, tee, snp, 3 reserved, ucode}. */
export function decodeTcb(tcb: Uint8Array, product: AmdProduct): SnpTcb {
  const raw = u64(tcb, 0);
  if (product === 'Turin') return { raw, fmc: tcb[0]!, bootloader: tcb[1]!, tee: tcb[2]!, snp: tcb[3]!, microcode: tcb[7]! };
  return { raw, fmc: null, bootloader: tcb[0]!, tee: tcb[1]!, snp: tcb[6]!, microcode: tcb[7]! };
}

/** The product a CPUID family/model names (AMD EPYC 7003 Milan, 9004 Genoa, 9005 Turin), or null. */
export function productOfCpuid(family: number, model: number): AmdProduct | null {
  if (family === 0x19 && model <= 0x0f) return 'Milan';
  if (family === 0x19 && ((model >= 0x10 && model <= 0x1f) || (model >= 0xa0 && model <= 0xaf))) return 'Genoa';
  if (family === 0x1a && model <= 0x1f) return 'Turin';
  return null;
}

/** AMD's VCEK/VLEK extensions (VCEK certificate specification): 1.3.6.1.4.1.3704.1.*. */
const OID = {
  productName: '1.3.6.1.4.1.3704.1.2',
  blSpl: '1.3.6.1.4.1.3704.1.3.1',
  teeSpl: '1.3.6.1.4.1.3704.1.3.2',
  snpSpl: '1.3.6.1.4.1.3704.1.3.3',
  ucodeSpl: '1.3.6.1.4.1.3704.1.3.8',
  fmcSpl: '1.3.6.1.4.1.3704.1.3.9',
  hwid: '1.3.6.1.4.1.3704.1.4',
} as const;

/** An INTEGER extension value (DER INTEGER inside the extnValue octets), or null. */
function extInteger(exts: readonly Extension[], oid: string): number | null {
  const e = exts.find((x) => x.oid === oid);
  if (e === undefined || e.value.length < 3 || e.value[0] !== 0x02 || e.value[1] !== e.value.length - 2) return null;
  return Number(decodeUnsigned(e.value.subarray(2)));
}

/** The chip id extension: raw bytes (older certificates) or wrapped in an OCTET STRING. */
function extHwid(exts: readonly Extension[]): Uint8Array | null {
  const e = exts.find((x) => x.oid === OID.hwid);
  if (e === undefined) return null;
  const v = e.value;
  if (v.length >= 2 && v[0] === 0x04 && v[1] === v.length - 2 && (v.length - 2 === 64 || v.length - 2 === 8)) return v.subarray(2);
  return v;
}

function extString(exts: readonly Extension[], oid: string): string | null {
  const e = exts.find((x) => x.oid === oid);
  if (e === undefined || e.value.length < 2 || e.value[1] !== e.value.length - 2) return null;
  return Buffer.from(e.value.subarray(2)).toString('latin1');
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

export interface SnpVerifyOptions {
  /** The VCEK or VLEK certificate. */
  readonly endorsement: X509Certificate;
  /** The ASK (or ASVK) and the ARK, in any order. */
  readonly chain: readonly X509Certificate[];
  /** Trusted roots (default: the pinned AMD ARKs). */
  readonly roots?: readonly PinnedRoot[];
  /** Expected report_data (64 bytes; shorter values are zero-padded), or null not to check. */
  readonly reportData?: Uint8Array | null;
  /** Expected launch measurement (48 bytes), or null not to check. */
  readonly measurement?: Uint8Array | null;
  /** Time at which certificates must be valid (default: now). */
  readonly at?: Date;
}

export interface Verdict {
  readonly kind: string;
  readonly ok: boolean;
  readonly checks: readonly Check[];
  /** Facts worth printing (version, product, measurement...). */
  readonly facts: readonly [string, string][];
}

export function verdictOf(kind: string, checks: Check[], facts: [string, string][]): Verdict {
  return { kind, ok: checks.length > 0 && checks.every((c) => c.status !== 'fail'), checks, facts };
}

/** Expected report data padded to 64 bytes, or a message when it is too long. */
export function padReportData(d: Uint8Array): Uint8Array | string {
  if (d.length > 64) return `report data has at most 64 bytes, not ${d.length}`;
  const out = new Uint8Array(64);
  out.set(d);
  return out;
}

/** Verifies an SEV-SNP report; never throws. */
export function verifySnpReport(bytes: Uint8Array, opts: SnpVerifyOptions): Verdict {
  const checks: Check[] = [];
  const facts: [string, string][] = [];
  const r = parseSnpReport(bytes);
  if (typeof r === 'string') return verdictOf('SEV-SNP report', [fail('report format', r)], facts);
  checks.push(pass('report format', `version ${r.version}, ${SNP_REPORT_BYTES} bytes, reserved fields zero`));
  facts.push(['version', String(r.version)], ['vmpl', String(r.vmpl)], ['policy', '0x' + r.policy.toString(16)],
    ['measurement', hex(r.measurement)], ['report_data', hex(r.reportData)], ['host_data', hex(r.hostData)],
    ['chip_id', hex(r.chipId)], ['reported_tcb', hex(r.reportedTcb)], ['firmware', r.currentVersion]);
  if (r.cpuid !== null) facts.push(['cpuid', `family 0x${r.cpuid.family.toString(16)} model 0x${r.cpuid.model.toString(16)} stepping ${r.cpuid.stepping}`]);

  // Signature algorithm and signing key.
  if (r.signatureAlgo !== 1) checks.push(fail('signature algorithm', `signature_algo ${r.signatureAlgo}; only 1 (ECDSA P-384 with SHA-384) is defined`));
  else checks.push(pass('signature algorithm', 'ECDSA P-384 with SHA-384'));
  const ek = opts.endorsement;
  const ekCn = commonName(ek.subject);
  const keyName = r.signingKey === 0 ? 'VCEK' : r.signingKey === 1 ? 'VLEK' : null;
  if (keyName === null) checks.push(fail('signing key', r.signingKey === 7 ? 'the report is not signed (signing key 7: none)' : `unknown signing key ${r.signingKey} in signer_info`));
  else if (ekCn !== `SEV-${keyName}`) checks.push(fail('signing key', `the report is signed by a ${keyName} but the certificate given is '${ekCn}'`));
  else checks.push(pass('signing key', `${keyName} ('${ekCn}')`));
  facts.push(['signer', keyName ?? `key ${r.signingKey}`]);

  // The report signature.
  const ekKey: KeyObject = ek.publicKey;
  if (ekKey.asymmetricKeyType !== 'ec' || ekKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1') {
    checks.push(fail('report signature', `the ${keyName ?? 'endorsement'} key is not an ECDSA P-384 key`));
  } else {
    let ok = false;
    try { ok = cryptoVerify('sha384', r.raw.subarray(0, SNP_SIGNED_BYTES), { key: ekKey, dsaEncoding: 'ieee-p1363' }, r.signature); } catch { ok = false; }
    checks.push(ok ? pass('report signature', `bytes 0x000-0x29f signed by the ${keyName ?? 'endorsement'} key`) : fail('report signature', `the signature does not verify with the ${keyName ?? 'endorsement'} key`));
  }

  // The chain: endorsement key <- ASK/ASVK <- ARK (self-signed, pinned).
  const roots = opts.roots ?? AMD_ROOTS;
  const ark = opts.chain.find((c) => c.issuer === c.subject) ?? null;
  const ask = opts.chain.find((c) => c.issuer !== c.subject) ?? null;
  let product: AmdProduct | null = null;
  if (ask === null || ark === null) {
    checks.push(fail('certificate chain', `need the ${keyName === 'VLEK' ? 'ASVK' : 'ASK'} and the ARK certificates (got ${opts.chain.length} certificate(s))`));
  } else {
    const askCn = commonName(ask.subject);
    const wantVlek = keyName === 'VLEK';
    if (wantVlek !== askCn.startsWith('SEV-VLEK-')) {
      checks.push(fail('intermediate kind', `a ${keyName} must be issued by ${wantVlek ? 'an ASVK (SEV-VLEK-*)' : 'an ASK (SEV-*)'}, not '${askCn}'`));
    }
    checks.push(checkLink(`${keyName ?? 'endorsement'} certificate`, ek, ask, OID_RSASSA_PSS));
    checks.push(checkLink(`${wantVlek ? 'ASVK' : 'ASK'} certificate`, ask, ark, OID_RSASSA_PSS));
    const root = checkRoot('AMD root', ark, roots);
    checks.push(root.check);
    if (root.root !== null) {
      const m = /^ARK-(Milan|Genoa|Turin)$/.exec(root.root.name);
      product = m ? (m[1] as AmdProduct) : null;
      if (product === null) { const n = /ARK-(Milan|Genoa|Turin)/.exec(commonName(ark.subject)); product = n ? (n[1] as AmdProduct) : null; }
    }
    const at = opts.at ?? new Date();
    for (const [label, c] of [[keyName ?? 'endorsement', ek], [wantVlek ? 'ASVK' : 'ASK', ask], ['ARK', ark]] as const) {
      checks.push(checkValidity(`${label} validity`, c, at));
    }
  }
  if (product !== null) facts.push(['product', product]);

  // Extensions of the endorsement certificate: product, chip id, TCB.
  const exts = certificateExtensions(ek.raw);
  if (exts === null) {
    checks.push(fail('certificate extensions', `cannot read the extensions of '${ekCn}'`));
    return verdictOf('SEV-SNP report', checks, facts);
  }
  const productName = extString(exts, OID.productName);
  if (product !== null) {
    if (productName !== null && !productName.startsWith(product)) checks.push(fail('product', `the ${keyName} is for '${productName}' but the chain is ${product}'s`));
    else if (r.cpuid !== null && productOfCpuid(r.cpuid.family, r.cpuid.model) !== product) {
      checks.push(fail('product', `the report's CPUID (family 0x${r.cpuid.family.toString(16)}, model 0x${r.cpuid.model.toString(16)}) is not a ${product} part`));
    } else checks.push(pass('product', `${product}${productName !== null ? ` (certificate product '${productName}')` : ''}${r.cpuid !== null ? ', matches the report CPUID' : ''}`));
  }
  if (keyName === 'VCEK') {
    const hw = extHwid(exts);
    if (r.maskChipKey) checks.push(skip('chip id', 'MASK_CHIP_KEY is set: the report carries no chip id'));
    else if (hw === null) checks.push(fail('chip id', 'the VCEK has no chip id extension (1.3.6.1.4.1.3704.1.4)'));
    else if (hw.length !== 64 && hw.length !== 8) checks.push(fail('chip id', `the VCEK chip id has ${hw.length} bytes (expected 64, or 8 on Turin)`));
    else if (!bytesEqual(hw, r.chipId.subarray(0, hw.length))) {
      checks.push(fail('chip id', `report chip_id ${hex(r.chipId).slice(0, 32)}... is not the VCEK's ${hex(hw).slice(0, 32)}...`));
    } else checks.push(pass('chip id', `report chip_id matches the VCEK (${hw.length} bytes)`));
  } else {
    checks.push(skip('chip id', 'a VLEK is not bound to one chip'));
  }
  if (product === null) {
    checks.push(fail('TCB', 'unknown product: cannot read the TCB layout'));
  } else {
    const tcb = decodeTcb(r.reportedTcb, product);
    const pairs: [string, string, number | null][] = [
      ['bootloader', OID.blSpl, tcb.bootloader], ['tee', OID.teeSpl, tcb.tee], ['snp', OID.snpSpl, tcb.snp], ['microcode', OID.ucodeSpl, tcb.microcode],
    ];
    if (product === 'Turin') pairs.push(['fmc', OID.fmcSpl, tcb.fmc]);
    const bad: string[] = [];
    for (const [name, oid, v] of pairs) {
      const c = extInteger(exts, oid);
      if (c === null) bad.push(`${name}: no extension ${oid}`);
      else if (c !== v) bad.push(`${name}: report ${v}, certificate ${c}`);
    }
    const text = pairs.map(([n, , v]) => `${n} ${v}`).join(', ');
    checks.push(bad.length === 0 ? pass('TCB', `reported_tcb matches the ${keyName ?? 'endorsement'} (${text})`) : fail('TCB', bad.join('; ')));
  }

  // What the verifier asked for.
  if (opts.reportData !== undefined && opts.reportData !== null) {
    const want = padReportData(opts.reportData);
    if (typeof want === 'string') checks.push(fail('report data', want));
    else checks.push(bytesEqual(want, r.reportData) ? pass('report data', 'matches the expected nonce binding') : fail('report data', `report_data ${hex(r.reportData)} is not the expected ${hex(want)}`));
  } else checks.push(skip('report data', 'no nonce given'));
  if (opts.measurement !== undefined && opts.measurement !== null) {
    checks.push(bytesEqual(opts.measurement, r.measurement) ? pass('measurement', 'matches the expected launch measurement') : fail('measurement', `measurement ${hex(r.measurement)} is not the expected ${hex(opts.measurement)}`));
  } else checks.push(skip('measurement', 'no expected launch measurement given'));
  return verdictOf('SEV-SNP report', checks, facts);
}
