// configfs-tsm collection on a FAKE tree in a temp dir: a small fake "kernel" (TsmIo over real
// files) creates the attributes on mkdir, bumps generation on each inblob write and answers with
// a fixture report; then evidence detection of every kind and verification of a collected bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SNP_CERT_GUIDS, buildSnpCertTable, collectTsm, nodeTsmIo, parseSnpCertTable } from './configfs-tsm.js';
import type { TsmIo } from './configfs-tsm.js';
import { loadCertificates } from './certs.js';
import { detectEvidence, tsmBundle, verifyEvidence } from './evidence.js';
import type { Evidence } from './evidence.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const snpDir = `${root}testdata/attestation/snp/`;
const REPORT = readFileSync(`${snpDir}gosev-attestation.bin`);
const VCEK = readFileSync(`${snpDir}gosev-vcek.testcer`);
const at = new Date('2025-06-01T00:00:00Z');

function askArk(): [Uint8Array, Uint8Array] {
  const c = loadCertificates(readFileSync(`${snpDir}gosev-ask_ark_milan.pem`));
  assert.ok(Array.isArray(c));
  return [c[0]!.raw, c[1]!.raw];
}

/** A fake configfs-tsm: files in a temp dir, with the kernel's reactions simulated. */
function fakeKernel(opts: { provider: string; outblob: Uint8Array; auxblob: Uint8Array | null; extraBumps?: number }): { io: TsmIo; inblobs: Uint8Array[] } {
  const inblobs: Uint8Array[] = [];
  const io: TsmIo = {
    ...nodeTsmIo,
    mkdir: (p) => {
      mkdirSync(p);
      writeFileSync(join(p, 'generation'), '0\n');
      writeFileSync(join(p, 'provider'), `${opts.provider}\n`);
    },
    rmdir: (p) => { rmSync(p, { recursive: true }); },
    write: (p, d) => {
      writeFileSync(p, d);
      if (p.endsWith('inblob')) {
        inblobs.push(Uint8Array.from(d));
        const dir = p.slice(0, -'/inblob'.length);
        const g = Number(readFileSync(join(dir, 'generation'), 'utf8')) + 1 + (opts.extraBumps ?? 0);
        writeFileSync(join(dir, 'generation'), `${g}\n`);
        writeFileSync(join(dir, 'outblob'), opts.outblob);
        if (opts.auxblob !== null) writeFileSync(join(dir, 'auxblob'), opts.auxblob);
      }
    },
  };
  return { io, inblobs };
}

function withTree<T>(f: (tsmRoot: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-tsm-'));
  try {
    const tsmRoot = join(dir, 'tsm', 'report');
    mkdirSync(tsmRoot, { recursive: true });
    return f(tsmRoot);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('collects an SEV-SNP report and its certificate table from a fake configfs-tsm tree', () => {
  withTree((tsmRoot) => {
    const [ask, ark] = askArk();
    const aux = buildSnpCertTable([{ guid: SNP_CERT_GUIDS.vcek, data: VCEK }, { guid: SNP_CERT_GUIDS.ask, data: ask }, { guid: SNP_CERT_GUIDS.ark, data: ark }]);
    const k = fakeKernel({ provider: 'sev_guest', outblob: REPORT, auxblob: aux });
    const nonce = Buffer.from('0102030405', 'hex');
    const ev = collectTsm(nonce, { root: tsmRoot, io: k.io, name: 'test-entry' });
    assert.ok(typeof ev !== 'string', String(ev));
    assert.equal(ev.provider, 'sev_guest');
    assert.equal(ev.generation, 1);
    assert.deepEqual(Buffer.from(ev.outblob), REPORT);
    assert.deepEqual(k.inblobs, [Uint8Array.from(nonce)]);
    assert.equal(existsSync(join(tsmRoot, 'test-entry')), false, 'the entry is removed afterwards');
    // The bundle carries the certificates: it verifies without --vcek/--chain.
    const detected = detectEvidence(Buffer.from(JSON.stringify(tsmBundle(ev))));
    assert.ok(typeof detected !== 'string' && detected.kind === 'snp');
    const v = verifyEvidence({ evidence: detected, nonce, measurement: null, at });
    assert.ok(v.ok, JSON.stringify(v.checks.filter((c) => c.status === 'fail')));
    const w = verifyEvidence({ evidence: detected, nonce: Buffer.from('0102030406', 'hex'), measurement: null, at });
    assert.deepEqual(w.checks.filter((c) => c.status === 'fail').map((c) => c.name), ['report data']);
  });
});

test('a race with another writer (generation moved by more than our write) is detected', () => {
  withTree((tsmRoot) => {
    const k = fakeKernel({ provider: 'sev_guest', outblob: REPORT, auxblob: null, extraBumps: 1 });
    assert.match(String(collectTsm(new Uint8Array(8), { root: tsmRoot, io: k.io })), /changed by another writer \(generation 0 -> 2\)/);
  });
});

test('refusals: no configfs-tsm, inblob over 64 bytes, empty report', () => {
  withTree((tsmRoot) => {
    assert.match(String(collectTsm(new Uint8Array(8), { root: join(tsmRoot, 'missing') })), /configfs-tsm is not available/);
    assert.match(String(collectTsm(new Uint8Array(65), { root: tsmRoot })), /at most 64 bytes/);
    const k = fakeKernel({ provider: 'tdx_guest', outblob: new Uint8Array(0), auxblob: null });
    assert.match(String(collectTsm(new Uint8Array(8), { root: tsmRoot, io: k.io })), /empty report/);
  });
});

test('the SNP certificate table: both GUID byte orders, bounds, termination', () => {
  const data = Buffer.from('abc');
  const t = parseSnpCertTable(buildSnpCertTable([{ guid: SNP_CERT_GUIDS.vlek, data }]));
  assert.ok(typeof t !== 'string');
  assert.deepEqual(Buffer.from(t.vlek!), data);
  assert.equal(t.vcek, null);
  // The same table with the GUID in the mixed-endian (EFI guid_t) order.
  const mixed = Buffer.from(buildSnpCertTable([{ guid: SNP_CERT_GUIDS.ark, data }]));
  const g = mixed.subarray(0, 16);
  g.subarray(0, 4).reverse(); g.subarray(4, 6).reverse(); g.subarray(6, 8).reverse();
  const u = parseSnpCertTable(mixed);
  assert.ok(typeof u !== 'string' && u.ark !== null);
  assert.match(String(parseSnpCertTable(new Uint8Array(24).fill(1, 0, 16))), /no terminating entry/);
  const bad = Buffer.from(buildSnpCertTable([{ guid: SNP_CERT_GUIDS.ask, data }]));
  bad.writeUInt32LE(1000, 20);
  assert.match(String(parseSnpCertTable(bad)), /points past the end/);
});

test('evidence detection: SNP binary and hex, TDX quote, software quote, bundle, garbage', () => {
  const kind = (b: Uint8Array): string => { const e: Evidence | string = detectEvidence(b); return typeof e === 'string' ? 'error' : e.kind; };
  assert.equal(kind(REPORT), 'snp');
  assert.equal(kind(readFileSync(`${snpDir}virtee-report_milan.hex`)), 'snp');
  assert.equal(kind(readFileSync(`${root}testdata/attestation/tdx/gotdx-quote_v5_sample.dat`)), 'tdx');
  assert.equal(kind(Buffer.from('{"format":"p4tee-software-quote","version":1}')), 'software');
  assert.equal(kind(Buffer.from(JSON.stringify({ format: 'p4tee-tsm-evidence', provider: 'tdx_guest', outblob: readFileSync(`${root}testdata/attestation/tdx/gotdx-quote_v5_sample.dat`).toString('hex') }))), 'tdx');
  assert.equal(kind(Buffer.from('hello world')), 'error');
  assert.equal(kind(Buffer.from('{"format":"other"}')), 'error');
  assert.equal(kind(new Uint8Array(1184)), 'error');
});

test('SNP evidence without certificates asks for --vcek and --chain', () => {
  const e = detectEvidence(REPORT);
  assert.ok(typeof e !== 'string');
  const v = verifyEvidence({ evidence: e, nonce: null, measurement: null });
  assert.equal(v.ok, false);
  assert.match(v.checks[0]!.detail, /--vcek/);
});
