// The minimal DER reader: OIDs, lengths, malformed input, and the extensions of a real VCEK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { certificateExtensions, certificateSignatureAlgorithm, certificateSignatureOid, containsOid, decodeOid, readDer } from './asn1.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('OIDs and lengths', () => {
  assert.equal(decodeOid(Uint8Array.from([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a])), '1.2.840.113549.1.1.10');
  assert.equal(decodeOid(Uint8Array.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0x9c, 0x78, 0x01, 0x04])), '1.3.6.1.4.1.3704.1.4');
  const long = Uint8Array.from([0x04, 0x81, 0x80, ...new Array<number>(0x80).fill(7)]);
  assert.deepEqual(readDer(long, 0), { tag: 4, start: 0, body: 3, end: 0x83 });
  assert.equal(readDer(Uint8Array.from([0x04, 0x05, 1, 2]), 0), null, 'length past the end');
  assert.equal(readDer(Uint8Array.from([0x04, 0x80]), 0), null, 'indefinite length is not DER');
  assert.equal(certificateExtensions(Uint8Array.from([0x30, 0x00])), null);
  assert.equal(certificateExtensions(new Uint8Array(0)), null);
});

test('the extensions of a real VCEK', () => {
  const der = readFileSync(`${root}testdata/attestation/snp/gosev-vcek.testcer`);
  assert.equal(certificateSignatureOid(der), '1.2.840.113549.1.1.10');
  const alg = certificateSignatureAlgorithm(der);
  assert.ok(alg !== null && containsOid(alg.params, '2.16.840.1.101.3.4.2.2'), 'RSA-PSS with SHA-384');
  assert.ok(!containsOid(alg.params, '2.16.840.1.101.3.4.2.1'), 'not SHA-256');
  const exts = certificateExtensions(der);
  assert.ok(exts !== null);
  const hwid = exts.find((e) => e.oid === '1.3.6.1.4.1.3704.1.4');
  assert.equal(hwid?.value.length, 64);
  const snp = exts.find((e) => e.oid === '1.3.6.1.4.1.3704.1.3.3');
  assert.deepEqual(Array.from(snp!.value), [0x02, 0x01, 0x05]);
});
