// TDX verification on the real quotes of testdata/attestation/tdx (v4 with trailing bytes, v5 with
// a TDX 1.5 body): both verify; changes to signed bytes, the QE report, the attestation key, the
// PCK chain, a wrong nonce or a wrong root fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AMD_ROOTS } from './certs.js';
import { parseTdxQuote, verifyTdxQuote } from './tdx.js';
import type { Verdict } from './snp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const V4 = new Uint8Array(readFileSync(`${root}testdata/attestation/tdx/gotdx-tdx_prod_quote_SPR_E4.dat`));
const V5 = new Uint8Array(readFileSync(`${root}testdata/attestation/tdx/gotdx-quote_v5_sample.dat`));
// Both chains are valid at this time (the v5 PCK certificate was issued on 2026-01-27).
const at = new Date('2026-06-01T00:00:00Z');
const failed = (v: Verdict): string[] => v.checks.filter((c) => c.status === 'fail').map((c) => c.name);

function reportDataOf(q: Uint8Array): Uint8Array {
  const p = parseTdxQuote(q);
  assert.ok(typeof p !== 'string');
  return Uint8Array.from(p.body.reportData);
}

test('both TDX fixtures verify (v4 / TDX 1.0 body, v5 / TDX 1.5 body)', () => {
  for (const q of [V4, V5]) {
    const v = verifyTdxQuote(q, { reportData: reportDataOf(q), at });
    assert.deepEqual(failed(v), []);
    assert.ok(v.ok);
  }
  const p4 = parseTdxQuote(V4);
  const p5 = parseTdxQuote(V5);
  assert.ok(typeof p4 !== 'string' && typeof p5 !== 'string');
  assert.equal(p4.version, 4);
  assert.equal(p5.version, 5);
  assert.equal(p5.bodyType, 3);
  assert.ok(p5.body.mrServiceTd !== null && p4.body.mrServiceTd === null);
});

test('the 39 trailing bytes of the v4 fixture are tolerated and reported', () => {
  const p = parseTdxQuote(V4);
  assert.ok(typeof p !== 'string');
  assert.equal(p.trailing, 39);
  const v = verifyTdxQuote(V4, { at });
  assert.ok(v.facts.some(([k, val]) => k === 'trailing bytes' && val.startsWith('39 ')));
  // Without them it still verifies: they are neither signed nor read.
  assert.ok(verifyTdxQuote(V4.subarray(0, V4.length - 39), { at }).ok);
});

test('flipping a byte of header or body fails the quote signature', () => {
  for (const [name, q, bodyStart] of [['v4', V4, 48], ['v5', V5, 54]] as const) {
    // header: version stays, but att key type / tee type are checked; so sample qe_svn, vendor id, user data,
    // then body: tee_tcb_svn, mrseam, mrtd (offset 136 in the body), rtmr0, report_data (offset 520).
    const positions = [8, 12, 27, 28, 47, bodyStart, bodyStart + 16, bodyStart + 136, bodyStart + 200, bodyStart + 328, bodyStart + 520, bodyStart + 583];
    for (const p of positions) {
      const b = Uint8Array.from(q);
      b[p] = b[p]! ^ 0x01;
      const v = verifyTdxQuote(b, { at });
      assert.equal(v.ok, false, `${name}: flip at ${p} accepted`);
      assert.ok(failed(v).includes('quote signature'), `${name} flip at ${p}: ${failed(v).join(', ')}`);
    }
  }
});

test('changes to the signature data fail: quote signature, attestation key, QE report, its signature, auth data', () => {
  for (const q of [V4, V5]) {
    const p = parseTdxQuote(q);
    assert.ok(typeof p !== 'string');
    const sigOff = p.signature.byteOffset - q.byteOffset;
    const akOff = p.attestationKey.byteOffset - q.byteOffset;
    const qeOff = p.qeReport.byteOffset - q.byteOffset;
    const qeSigOff = p.qeReportSignature.byteOffset - q.byteOffset;
    const authOff = p.qeAuthData.byteOffset - q.byteOffset;
    const cases: [number, string][] = [
      [sigOff + 5, 'quote signature'],
      [akOff + 3, 'QE report binding'],
      [qeOff + 10, 'QE report signature'],
      [qeOff + 320, 'QE report binding'],
      [qeSigOff + 7, 'QE report signature'],
    ];
    if (p.qeAuthData.length > 0) cases.push([authOff, 'QE report binding']);
    for (const [pos, check] of cases) {
      const b = Uint8Array.from(q);
      b[pos] = b[pos]! ^ 0x01;
      const v = verifyTdxQuote(b, { at });
      assert.ok(failed(v).includes(check), `flip at ${pos}: expected '${check}' to fail, got ${failed(v).join(', ')}`);
    }
  }
});

test('a changed PCK certificate fails the chain', () => {
  const p = parseTdxQuote(V4);
  assert.ok(typeof p !== 'string');
  const pem = Buffer.from(p.certData).toString('latin1');
  // A byte inside the base64 of the first certificate's signature area (near its END line).
  const end = pem.indexOf('-----END CERTIFICATE-----');
  const pos = p.certData.byteOffset - V4.byteOffset + end - 10;
  const b = Uint8Array.from(V4);
  b[pos] = b[pos] === 0x41 ? 0x42 : 0x41;
  const v = verifyTdxQuote(b, { at });
  assert.equal(v.ok, false);
  assert.ok(failed(v).some((n) => n === 'PCK certificate' || n === 'PCK certificate chain'), failed(v).join(', '));
});

test('a wrong nonce fails; a wrong MRTD fails', () => {
  const rd = reportDataOf(V5);
  rd[63] = rd[63]! ^ 1;
  assert.deepEqual(failed(verifyTdxQuote(V5, { reportData: rd, at })), ['report data']);
  assert.deepEqual(failed(verifyTdxQuote(V5, { mrTd: new Uint8Array(48), at })), ['measurement']);
});

test('a root other than the pinned Intel root fails', () => {
  assert.deepEqual(failed(verifyTdxQuote(V4, { roots: AMD_ROOTS, at })), ['Intel root']);
});

test('certificate validity is checked at the given time', () => {
  assert.deepEqual(failed(verifyTdxQuote(V5, { at: new Date('2025-06-01T00:00:00Z') })), ['PCK validity']);
});

test('malformed quotes are refused with a message', () => {
  assert.match(String(parseTdxQuote(V4.subarray(0, 300))), /ends inside the TD report body/);
  assert.match(String(parseTdxQuote(V4.subarray(0, 1000))), /runs past the end/);
  const b = Uint8Array.from(V4);
  b[0] = 3;
  assert.match(String(parseTdxQuote(b)), /version 3 is not supported/);
  assert.deepEqual(failed(verifyTdxQuote(b, { at })), ['quote format']);
});
