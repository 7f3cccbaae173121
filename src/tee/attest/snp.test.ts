// SEV-SNP verification on the real reports of testdata/attestation/snp: every valid fixture
// verifies; changed signed bytes, wrong report data or measurement, wrong or invalid chains fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AMD_ROOTS, INTEL_ROOTS, checkRoot, loadCertificates } from './certs.js';
import { decodeTcb, parseSnpReport, productOfCpuid, verifySnpReport } from './snp.js';
import type { SnpVerifyOptions, Verdict } from './snp.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const dir = `${root}testdata/attestation/snp/`;
const at = new Date('2025-06-01T00:00:00Z');

function report(name: string): Uint8Array {
  if (name.endsWith('.hex')) return Buffer.from(readFileSync(dir + name, 'utf8').trim(), 'hex');
  return new Uint8Array(readFileSync(dir + name));
}
const cert = (name: string): X509Certificate => new X509Certificate(readFileSync(dir + name));
function chain(name: string): X509Certificate[] {
  const c = loadCertificates(readFileSync(dir + name));
  assert.ok(Array.isArray(c));
  return c;
}

interface Fixture { report: string; ek: string; chain: string; reportData: string }
const FIXTURES: Fixture[] = [
  { report: 'gosev-attestation.bin', ek: 'gosev-vcek.testcer', chain: 'gosev-ask_ark_milan.pem', reportData: '0102030405' },
  { report: 'trustee-test-report.bin', ek: 'trustee-test-vcek.der', chain: 'gosev-ask_ark_milan.pem', reportData: 'ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2' },
  { report: 'trustee-test-vlek-report.bin', ek: 'trustee-test-vlek.der', chain: 'gosev-ask_ark_milan_vlek.pem', reportData: '819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd54e2a7ac1f5d1ca02e7d7d5ef9f73b8574fd9359e3a480d741a4478e8a7bc27ca' },
  { report: 'virtee-report_milan.hex', ek: 'virtee-vcek_milan.der', chain: 'virtee-cert_chain_milan', reportData: 'd447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd' },
];

function opts(f: Fixture, extra: Partial<SnpVerifyOptions> = {}): SnpVerifyOptions {
  return { endorsement: cert(f.ek), chain: chain(f.chain), reportData: Buffer.from(f.reportData, 'hex'), at, ...extra };
}
const failed = (v: Verdict): string[] => v.checks.filter((c) => c.status === 'fail').map((c) => c.name);

test('every valid SEV-SNP fixture verifies (VCEK and VLEK, report v2 and v3)', () => {
  for (const f of FIXTURES) {
    const v = verifySnpReport(report(f.report), opts(f));
    assert.deepEqual(failed(v), [], `${f.report}: ${JSON.stringify(v.checks.filter((c) => c.status === 'fail'))}`);
    assert.ok(v.ok, f.report);
    assert.equal(v.checks.find((c) => c.name === 'report data')?.status, 'pass');
  }
});

test('the parser reads version, signer, cpuid and measurement', () => {
  const v2 = parseSnpReport(report('gosev-attestation.bin'));
  assert.ok(typeof v2 !== 'string');
  assert.equal(v2.version, 2);
  assert.equal(v2.signingKey, 0);
  assert.equal(v2.cpuid, null);
  assert.equal(Buffer.from(v2.reportData.subarray(0, 5)).toString('hex'), '0102030405');
  const v3 = parseSnpReport(report('trustee-test-vlek-report.bin'));
  assert.ok(typeof v3 !== 'string');
  assert.equal(v3.version, 3);
  assert.equal(v3.signingKey, 1);
  assert.deepEqual(v3.cpuid, { family: 0x19, model: 1, stepping: 1 });
  assert.equal(productOfCpuid(0x19, 1), 'Milan');
  assert.equal(parseSnpReport(new Uint8Array(100)), 'an SEV-SNP report has 1184 bytes, not 100');
});

test('flipping any signed byte fails (header, report_data, measurement, chip id, TCB, ...)', () => {
  const f = FIXTURES[0]!;
  const base = report(f.report);
  // A sample across 0x000-0x29F: version, policy, family id, vmpl, current tcb, signer info,
  // report_data, measurement, host data, id key digest, report id, reported tcb, chip id, committed tcb, launch tcb.
  const positions = [0x00, 0x04, 0x08, 0x10, 0x30, 0x38, 0x40, 0x48, 0x50, 0x6f, 0x8f, 0x90, 0xa7, 0xbf, 0xc0, 0xe0, 0x140, 0x180, 0x187, 0x1a0, 0x1df, 0x1e0, 0x1e8, 0x1f0, 0x1f7, 0x200, 0x29f];
  for (const p of positions) {
    const b = Uint8Array.from(base);
    b[p] = b[p]! ^ 0x01;
    const v = verifySnpReport(b, opts(f, { reportData: null }));
    assert.equal(v.ok, false, `flip at 0x${p.toString(16)} was accepted`);
  }
  // Where the byte is not a reserved one, it is the signature that catches it.
  for (const p of [0x08, 0x50, 0x90, 0xc0, 0x1a0, 0x1e8]) {
    const b = Uint8Array.from(base);
    b[p] = b[p]! ^ 0x80;
    const v = verifySnpReport(b, opts(f, { reportData: null }));
    assert.ok(failed(v).includes('report signature'), `flip at 0x${p.toString(16)}: ${failed(v).join(', ')}`);
  }
  // And the signature itself.
  for (const p of [0x2a0, 0x2cf, 0x2e8, 0x317]) {
    const b = Uint8Array.from(base);
    b[p] = b[p]! ^ 0x01;
    assert.ok(failed(verifySnpReport(b, opts(f))).includes('report signature'), `signature flip at 0x${p.toString(16)}`);
  }
});

test('a wrong nonce (report data) fails', () => {
  for (const f of FIXTURES) {
    const v = verifySnpReport(report(f.report), opts(f, { reportData: Buffer.from('0102030406', 'hex') }));
    assert.deepEqual(failed(v), ['report data'], f.report);
  }
});

test('a wrong launch measurement fails; the right one passes', () => {
  const f = FIXTURES[1]!;
  const r = parseSnpReport(report(f.report));
  assert.ok(typeof r !== 'string');
  assert.ok(verifySnpReport(report(f.report), opts(f, { measurement: r.measurement })).ok);
  const wrong = Uint8Array.from(r.measurement);
  wrong[0] = wrong[0]! ^ 0xff;
  assert.deepEqual(failed(verifySnpReport(report(f.report), opts(f, { measurement: wrong }))), ['measurement']);
});

test('the Genoa chain for a Milan report fails', () => {
  const f = FIXTURES[0]!;
  const v = verifySnpReport(report(f.report), opts(f, { chain: chain('gosev-ask_ark_genoa.pem') }));
  assert.equal(v.ok, false);
  assert.ok(failed(v).includes('VCEK certificate'));
  assert.ok(failed(v).includes('product'));
});

test('the invalid VCEK fixtures fail', () => {
  for (const bad of ['trustee-test-vcek-invalid-legacy.der', 'trustee-test-vcek-invalid-new.der']) {
    const f = FIXTURES[1]!;
    const v = verifySnpReport(report(f.report), opts(f, { endorsement: cert(bad) }));
    assert.equal(v.ok, false, bad);
    assert.ok(failed(v).includes('VCEK certificate'), `${bad}: ${failed(v).join(', ')}`);
    assert.ok(failed(v).includes('report signature'), bad);
  }
});

test('a swapped ASK fails: Genoa ASK under the Milan ARK, ASVK for a VCEK, ASK for a VLEK', () => {
  const f = FIXTURES[0]!;
  const milanArk = chain('gosev-ask_ark_milan.pem')[1]!;
  const genoaAsk = chain('gosev-ask_ark_genoa.pem')[0]!;
  let v = verifySnpReport(report(f.report), opts(f, { chain: [genoaAsk, milanArk] }));
  assert.ok(failed(v).includes('VCEK certificate') && failed(v).includes('ASK certificate'), failed(v).join(', '));
  v = verifySnpReport(report(f.report), opts(f, { chain: chain('gosev-ask_ark_milan_vlek.pem') }));
  assert.ok(failed(v).includes('intermediate kind') && failed(v).includes('VCEK certificate'), failed(v).join(', '));
  const g = FIXTURES[2]!;
  v = verifySnpReport(report(g.report), opts(g, { chain: chain('gosev-ask_ark_milan.pem') }));
  assert.ok(failed(v).includes('intermediate kind') && failed(v).includes('VLEK certificate'), failed(v).join(', '));
  // A chain missing the ARK (without a root the product, hence the TCB layout, is unknown too).
  v = verifySnpReport(report(f.report), opts(f, { chain: [chain('gosev-ask_ark_milan.pem')[0]!] }));
  assert.deepEqual(failed(v), ['certificate chain', 'TCB']);
});

test('a VCEK given for a VLEK-signed report (and the other way) fails', () => {
  const g = FIXTURES[2]!;
  const v = verifySnpReport(report(g.report), opts(g, { endorsement: cert('trustee-test-vcek.der') }));
  assert.ok(failed(v).includes('signing key') && failed(v).includes('report signature'), failed(v).join(', '));
});

test('a root that is not pinned fails, even when the chain is consistent', () => {
  const f = FIXTURES[0]!;
  const v = verifySnpReport(report(f.report), opts(f, { roots: INTEL_ROOTS }));
  assert.deepEqual(failed(v), ['AMD root', 'TCB']);
});

test('certificate validity is checked at the given time', () => {
  const g = FIXTURES[2]!; // the VLEK expires 2025-12-10
  const v = verifySnpReport(report(g.report), opts(g, { at: new Date('2026-06-01T00:00:00Z') }));
  assert.deepEqual(failed(v), ['VLEK validity']);
});

test('a VCEK whose TCB or chip id differs from the report fails', () => {
  // trustee and virtee reports carry TCB 3/0/8/115; the gosev VCEK says 2/0/5/68 and another chip.
  const f = FIXTURES[1]!;
  const v = verifySnpReport(report(f.report), opts(f, { endorsement: cert('gosev-vcek.testcer') }));
  assert.ok(failed(v).includes('chip id') && failed(v).includes('TCB') && failed(v).includes('report signature'), failed(v).join(', '));
});

test('the Turin root is pinned and its TCB layout differs from Milan and Genoa', () => {
  const turin = loadCertificates(readFileSync(`${root}testdata/attestation/amd-ark-turin.pem`));
  assert.ok(Array.isArray(turin) && turin.length === 1);
  const r = checkRoot('AMD root', turin[0]!, AMD_ROOTS);
  assert.equal(r.check.status, 'pass');
  assert.equal(r.root?.name, 'ARK-Turin');
  const tcb = Uint8Array.from([1, 2, 3, 4, 0, 0, 0, 9]);
  assert.deepEqual(decodeTcb(tcb, 'Turin'), { raw: 0x0900000004030201n, fmc: 1, bootloader: 2, tee: 3, snp: 4, microcode: 9 });
  assert.deepEqual(decodeTcb(tcb, 'Milan'), { raw: 0x0900000004030201n, fmc: null, bootloader: 1, tee: 2, snp: 0, microcode: 9 });
  assert.equal(productOfCpuid(0x1a, 0x02), 'Turin');
  assert.equal(productOfCpuid(0x19, 0x11), 'Genoa');
  assert.equal(productOfCpuid(0x17, 0x31), null);
});
