// Evidence of any kind behind one door: detects what a file holds (p4tee software quote JSON, a
// configfs-tsm bundle written by `p4tee attest collect`, an SEV-SNP report as binary or hex, a TDX
// quote) and verifies it with what the verifier expects (nonce, p4tee measurement, certificates,
// roots). For hardware evidence the p4tee measurement is bound through report_data, exactly as
// `collect` wrote it: SHA-512(domain || measurement || nonce), or the bare nonce without a program.
import { X509Certificate } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { errorText, fail, skip } from './certs.js';
import type { PinnedRoot } from './certs.js';
import { parseSnpCertTable } from './configfs-tsm.js';
import type { SnpCertTable, TsmEvidence } from './configfs-tsm.js';
import type { Measurement } from './measurement.js';
import { SNP_REPORT_BYTES, hex, verdictOf, verifySnpReport } from './snp.js';
import type { Verdict } from './snp.js';
import { SOFTWARE_QUOTE_FORMAT, reportDataOf, verifySoftwareQuote } from './software.js';
import { verifyTdxQuote } from './tdx.js';

export const TSM_BUNDLE_FORMAT = 'p4tee-tsm-evidence';

export type Evidence =
  | { readonly kind: 'software'; readonly quote: unknown }
  | { readonly kind: 'snp'; readonly report: Uint8Array; readonly certs: SnpCertTable | null }
  | { readonly kind: 'tdx'; readonly quote: Uint8Array };

/** The JSON `collect` writes: what configfs-tsm returned, hex-encoded. */
export interface TsmBundle {
  readonly format: typeof TSM_BUNDLE_FORMAT;
  readonly version: 1;
  readonly isolation: string;
  readonly provider: string;
  readonly generation: number;
  readonly inblob: string;
  readonly outblob: string;
  readonly auxblob: string | null;
}

export function tsmBundle(ev: TsmEvidence): TsmBundle {
  return {
    format: TSM_BUNDLE_FORMAT, version: 1, isolation: `hardware (${ev.provider})`, provider: ev.provider, generation: ev.generation,
    inblob: hex(ev.inblob), outblob: hex(ev.outblob), auxblob: ev.auxblob === null ? null : hex(ev.auxblob),
  };
}

function detectBinary(b: Uint8Array): Evidence | string {
  const u16 = (o: number): number => b[o]! | (b[o + 1]! << 8);
  const u32 = (o: number): number => (u16(o) | (u16(o + 2) << 16)) >>> 0;
  if (b.length >= 8 && (u16(0) === 4 || u16(0) === 5) && u32(4) === 0x81) return { kind: 'tdx', quote: b };
  if (b.length === SNP_REPORT_BYTES && u32(0) >= 2 && u32(0) <= 5) return { kind: 'snp', report: b, certs: null };
  return `not recognised as evidence: not a p4tee software quote, a configfs-tsm bundle, an SEV-SNP report (${SNP_REPORT_BYTES} bytes) or a TDX quote (v4/v5)`;
}

/** What a file holds. */
export function detectEvidence(bytes: Uint8Array): Evidence | string {
  const head = Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart();
  if (head.startsWith('{')) {
    let v: { format?: unknown; provider?: unknown; outblob?: unknown; auxblob?: unknown };
    try { v = JSON.parse(Buffer.from(bytes).toString('utf8')) as typeof v; } catch (e) { return `JSON evidence does not parse: ${errorText(e)}`; }
    if (v.format === SOFTWARE_QUOTE_FORMAT) return { kind: 'software', quote: v };
    if (v.format === TSM_BUNDLE_FORMAT) {
      if (typeof v.outblob !== 'string' || !/^([0-9a-f]{2})+$/.test(v.outblob)) return 'the configfs-tsm bundle has no outblob';
      const out = detectBinary(Buffer.from(v.outblob, 'hex'));
      if (typeof out === 'string') return `the outblob of the ${String(v.provider)} bundle is ${out}`;
      if (out.kind === 'snp' && typeof v.auxblob === 'string' && v.auxblob.length > 0) {
        const t = parseSnpCertTable(Buffer.from(v.auxblob, 'hex'));
        if (typeof t === 'string') return `auxblob: ${t}`;
        return { kind: 'snp', report: out.report, certs: t };
      }
      return out;
    }
    return `JSON evidence of unknown format '${String(v.format)}'`;
  }
  const text = Buffer.from(bytes).toString('latin1');
  if (/^[\s0-9a-fA-F]+$/.test(text)) {
    const h = text.replace(/\s+/g, '');
    if (h.length % 2 === 0 && h.length > 0) return detectBinary(Buffer.from(h, 'hex'));
  }
  return detectBinary(bytes);
}

export interface VerifyRequest {
  readonly evidence: Evidence;
  /** The nonce the verifier sent; null not to check freshness. */
  readonly nonce: Uint8Array | null;
  /** The p4tee measurement expected (from --program/--commands), or null. */
  readonly measurement: Measurement | null;
  /** SEV-SNP endorsement certificate (VCEK or VLEK) and chain, when not in the evidence. */
  readonly endorsement?: X509Certificate | null;
  readonly chain?: readonly X509Certificate[] | null;
  /** Trusted roots replacing the pinned vendor roots. */
  readonly roots?: readonly PinnedRoot[] | null;
  readonly trustedKey?: KeyObject | null;
  readonly at?: Date;
}

/** Expected report_data of hardware evidence for this nonce and measurement. */
export function expectedReportData(nonce: Uint8Array | null, measurement: Measurement | null): Uint8Array | null {
  if (nonce === null) return null;
  return measurement === null ? nonce : reportDataOf(measurement.value, nonce);
}

function cert(bytes: Uint8Array | null): X509Certificate | null {
  if (bytes === null) return null;
  try { return new X509Certificate(Buffer.from(bytes)); } catch { return null; }
}

/** Verifies evidence of any kind; never throws. */
export function verifyEvidence(req: VerifyRequest): Verdict {
  const ev = req.evidence;
  const at = req.at ?? new Date();
  const roots = req.roots ?? undefined;
  if (ev.kind === 'software') {
    return verifySoftwareQuote(ev.quote, { nonce: req.nonce, measurement: req.measurement, trustedKey: req.trustedKey ?? null });
  }
  const reportData = expectedReportData(req.nonce, req.measurement);
  if (ev.kind === 'tdx') return verifyTdxQuote(ev.quote, { roots, reportData, at });
  const t = ev.certs;
  const endorsement = req.endorsement ?? cert(t?.vcek ?? null) ?? cert(t?.vlek ?? null);
  const chain = req.chain && req.chain.length > 0 ? req.chain : [cert(t?.ask ?? null), cert(t?.ark ?? null)].filter((c): c is X509Certificate => c !== null);
  if (endorsement === null) {
    return verdictOf('SEV-SNP report', [fail('certificates', 'no VCEK/VLEK certificate: pass --vcek FILE (and --chain FILE with the ASK/ASVK and ARK), or collect with a host that supplies the certificate table'), skip('report data', 'not checked')], []);
  }
  return verifySnpReport(ev.report, { endorsement, chain, roots, reportData, at });
}
