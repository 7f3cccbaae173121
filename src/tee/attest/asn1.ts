// A minimal DER reader: enough of X.690 to walk an X.509 certificate to its extensions and its
// signature algorithm (with parameters). Input: bytes; output: TLV nodes that point into the
// input (no copies). Malformed input gives null (never throws).

/** One tag-length-value element; `start`..`end` spans the whole element, `body`..`end` its value. */
export interface Der {
  readonly tag: number;
  readonly start: number;
  readonly body: number;
  readonly end: number;
}

/** Reads one element at `off` of `buf` (definite lengths only, as DER requires); null if malformed. */
export function readDer(buf: Uint8Array, off: number, limit: number = buf.length): Der | null {
  if (off + 2 > limit) return null;
  const tag = buf[off]!;
  if ((tag & 0x1f) === 0x1f) return null; // multi-byte tags are not used by X.509
  let len = buf[off + 1]!;
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    p += n;
  }
  if (p + len > limit) return null;
  return { tag, start: off, body: p, end: p + len };
}

/** The elements inside a constructed element (SEQUENCE, SET, [n]); null if any is malformed. */
export function children(buf: Uint8Array, node: Der): Der[] | null {
  const out: Der[] = [];
  let p = node.body;
  while (p < node.end) {
    const c = readDer(buf, p, node.end);
    if (c === null) return null;
    out.push(c);
    p = c.end;
  }
  return out;
}

/** The value bytes of an element (a view, not a copy). */
export function valueOf(buf: Uint8Array, node: Der): Uint8Array {
  return buf.subarray(node.body, node.end);
}

/** Dotted text of an OBJECT IDENTIFIER element's value (X.690 8.19). */
export function decodeOid(v: Uint8Array): string {
  if (v.length === 0) return '';
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    acc = acc * 128 + (v[i]! & 0x7f);
    if ((v[i]! & 0x80) === 0) {
      if (parts.length === 0) {
        const first = acc < 80 ? Math.floor(acc / 40) : 2;
        parts.push(first, acc - first * 40);
      } else parts.push(acc);
      acc = 0;
    }
  }
  return parts.join('.');
}

/** Value of a non-negative DER INTEGER as a bigint (leading zero bytes allowed). */
export function decodeUnsigned(v: Uint8Array): bigint {
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  return n;
}

/** One X.509 v3 extension: OID, critical flag, and the extnValue octets. */
export interface Extension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/**
 * The extensions of a DER certificate (RFC 5280 4.1: Certificate ::= SEQUENCE { tbsCertificate,
 * signatureAlgorithm, signature }; extensions are the [3] EXPLICIT field of the TBSCertificate).
 */
export function certificateExtensions(der: Uint8Array): Extension[] | null {
  const cert = readDer(der, 0);
  if (cert === null || cert.tag !== 0x30) return null;
  const top = children(der, cert);
  if (top === null || top.length !== 3 || top[0]!.tag !== 0x30) return null;
  const tbs = children(der, top[0]!);
  if (tbs === null) return null;
  const wrap = tbs.find((n) => n.tag === 0xa3);
  if (wrap === undefined) return [];
  const seqs = children(der, wrap);
  if (seqs === null || seqs.length !== 1 || seqs[0]!.tag !== 0x30) return null;
  const list = children(der, seqs[0]!);
  if (list === null) return null;
  const out: Extension[] = [];
  for (const e of list) {
    const f = children(der, e);
    if (f === null || f.length < 2 || f[0]!.tag !== 0x06) return null;
    const critical = f.length === 3 && f[1]!.tag === 0x01 && der[f[1]!.body] !== 0;
    const val = f[f.length - 1]!;
    if (val.tag !== 0x04) return null;
    out.push({ oid: decodeOid(valueOf(der, f[0]!)), critical, value: valueOf(der, val) });
  }
  return out;
}

/** The signatureAlgorithm of a DER certificate (the outer one): OID and parameter bytes, or null. */
export function certificateSignatureAlgorithm(der: Uint8Array): { oid: string; params: Uint8Array } | null {
  const cert = readDer(der, 0);
  if (cert === null) return null;
  const top = children(der, cert);
  if (top === null || top.length !== 3) return null;
  const alg = children(der, top[1]!);
  if (alg === null || alg.length === 0 || alg[0]!.tag !== 0x06) return null;
  const params = alg.length > 1 ? der.subarray(alg[1]!.start, alg[alg.length - 1]!.end) : new Uint8Array(0);
  return { oid: decodeOid(valueOf(der, alg[0]!)), params };
}

export function certificateSignatureOid(der: Uint8Array): string | null {
  return certificateSignatureAlgorithm(der)?.oid ?? null;
}

/** Whether DER bytes contain an OBJECT IDENTIFIER element with this dotted value (for parameter checks). */
export function containsOid(buf: Uint8Array, oid: string): boolean {
  const walk = (start: number, end: number): boolean => {
    let p = start;
    while (p < end) {
      const n = readDer(buf, p, end);
      if (n === null) return false;
      if (n.tag === 0x06 && decodeOid(valueOf(buf, n)) === oid) return true;
      if ((n.tag & 0x20) !== 0 && walk(n.body, n.end)) return true;
      p = n.end;
    }
    return false;
  };
  return walk(0, buf.length);
}
