// `p4tee attest quote|verify|collect` end to end through the command functions: exit statuses,
// the software quote round trip against the program and its table state (from a commands file
// and from a running switch's control socket), and hardware fixtures with certificates and roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../runtime/switch.js';
import { ControlServer } from '../runtime/control/server.js';
import { runCollect, runQuote, runVerify } from './attest.js';
import type { AttestFlags } from './attest.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const router = `${root}examples/ipv4-router/`;
const snp = `${root}testdata/attestation/snp/`;
const tdx = `${root}testdata/attestation/tdx/`;
const NONCE = '00112233445566778899aabbccddeeff';

function flags(extra: Partial<AttestFlags>): AttestFlags {
  return { enclave: [], include: [], define: [], ...extra };
}

async function withDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-attest-cli-'));
  try { return await f(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('quote then verify: a software quote round trip, and each mismatch fails with status 1', async () => {
  await withDir(async (dir) => {
    const base = { program: `${router}ipv4-router.p4`, commands: `${router}commands.txt`, keyDir: join(dir, 'keys') };
    const q = await runQuote(flags({ ...base, nonce: NONCE, out: join(dir, 'q.json') }));
    assert.equal(q.status, 0, q.stderr);
    assert.match(q.stderr, /software quote \(software isolation, not rooted in hardware\)/);
    const quote = JSON.parse(readFileSync(join(dir, 'q.json'), 'utf8')) as { isolation: string };
    assert.equal(quote.isolation, 'software (not rooted in hardware)');

    const ok = await runVerify(join(dir, 'q.json'), flags({ ...base, nonce: NONCE }));
    assert.equal(ok.status, 0, ok.stdout);
    assert.match(ok.stdout, /verdict: VERIFIED/);

    const badNonce = await runVerify(join(dir, 'q.json'), flags({ ...base, nonce: NONCE.replace(/^00/, '01') }));
    assert.equal(badNonce.status, 1);
    assert.match(badNonce.stdout, /FAIL {2}nonce/);

    // Table state differs: no commands applied.
    const noTables = await runVerify(join(dir, 'q.json'), flags({ program: base.program, nonce: NONCE }));
    assert.equal(noTables.status, 1);
    assert.match(noTables.stdout, /FAIL {2}measurement .*component: tables/);

    // One entry less in the commands file.
    const fewer = join(dir, 'fewer.txt');
    writeFileSync(fewer, readFileSync(base.commands, 'utf8').split('\n').slice(1).join('\n'));
    assert.equal((await runVerify(join(dir, 'q.json'), flags({ ...base, commands: fewer, nonce: NONCE }))).status, 1);

    // Enclave code differs.
    const mod = join(dir, 'extra-module.js');
    writeFileSync(mod, 'export default 1;\n');
    const enc = await runVerify(join(dir, 'q.json'), flags({ ...base, enclave: [mod], nonce: NONCE }));
    assert.match(enc.stdout, /component: enclave/);

    // A changed byte of the file.
    const text = readFileSync(join(dir, 'q.json'), 'utf8');
    writeFileSync(join(dir, 'q2.json'), text.replace(/"nonce": "00/, '"nonce": "01'));
    const tampered = await runVerify(join(dir, 'q2.json'), flags({ ...base, nonce: NONCE }));
    assert.equal(tampered.status, 1);
    assert.match(tampered.stdout, /FAIL {2}quote signature/);

    // Pinned key: the one in the key directory.
    const pinned = await runVerify(join(dir, 'q.json'), flags({ ...base, nonce: NONCE, trustedKey: join(dir, 'keys', 'software-quote-key.pub.pem') }));
    assert.match(pinned.stdout, /ok {4}signing key/);
  });
});

test('the table state can come from a running switch through --control', async () => {
  await withDir(async (dir) => {
    const loaded = loadSwitch(`${router}ipv4-router.p4`, { includeDirs: [], defines: new Map() });
    assert.ok(loaded.ok);
    const sw = loaded.sw;
    for (const line of readFileSync(`${router}commands.txt`, 'utf8').split('\n')) if (line.trim() !== '') assert.ok(sw.command(line).ok);
    const sock = join(dir, 'sw.sock');
    const server = await ControlServer.listen(sock, {
      submit: async (lines) => lines.map((l) => sw.command(l)),
      stats: () => ({}),
      telemetry: () => null,
      resetTelemetry: () => { /* none */ },
    });
    assert.ok(!('error' in server));
    try {
      const keyDir = join(dir, 'keys');
      const q = await runQuote(flags({ program: `${router}ipv4-router.p4`, control: sock, keyDir, nonce: NONCE, out: join(dir, 'q.json') }));
      assert.equal(q.status, 0, q.stderr);
      // Same measurement as from the commands file.
      const v = await runVerify(join(dir, 'q.json'), flags({ program: `${router}ipv4-router.p4`, commands: `${router}commands.txt`, nonce: NONCE }));
      assert.equal(v.status, 0, v.stdout);
    } finally {
      await server.close();
    }
    const gone = await runQuote(flags({ program: `${router}ipv4-router.p4`, control: sock, keyDir: join(dir, 'keys'), nonce: NONCE }));
    assert.equal(gone.status, 1);
  });
});

test('hardware fixtures through verify: SNP with --vcek/--chain/--roots, TDX', async () => {
  await withDir(async (dir) => {
    const at = '2025-06-01T00:00:00Z';
    const good = await runVerify(`${snp}gosev-attestation.bin`, flags({ nonce: '0102030405', vcek: `${snp}gosev-vcek.testcer`, chain: `${snp}gosev-ask_ark_milan.pem`, at }));
    assert.equal(good.status, 0, good.stdout);
    assert.match(good.stdout, /evidence: SEV-SNP report[\s\S]*verdict: VERIFIED/);
    const genoa = await runVerify(`${snp}gosev-attestation.bin`, flags({ nonce: '0102030405', vcek: `${snp}gosev-vcek.testcer`, chain: `${snp}gosev-ask_ark_genoa.pem`, at }));
    assert.equal(genoa.status, 1);
    const hexReport = await runVerify(`${snp}virtee-report_milan.hex`, flags({ nonce: 'd447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd', vcek: `${snp}virtee-vcek_milan.der`, chain: `${snp}virtee-cert_chain_milan`, at }));
    assert.equal(hexReport.status, 0, hexReport.stdout);
    // --roots replaces the pinned roots: a directory with only the Genoa chain's ARK refuses Milan.
    mkdirSync(join(dir, 'roots'));
    copyFileSync(`${snp}gosev-ask_ark_genoa.pem`, join(dir, 'roots', 'genoa.pem'));
    const roots = await runVerify(`${snp}gosev-attestation.bin`, flags({ nonce: '0102030405', vcek: `${snp}gosev-vcek.testcer`, chain: `${snp}gosev-ask_ark_milan.pem`, roots: join(dir, 'roots'), at }));
    assert.equal(roots.status, 1);
    assert.match(roots.stdout, /FAIL {2}AMD root/);
    const q = await runVerify(`${tdx}gotdx-tdx_prod_quote_SPR_E4.dat`, flags({ nonce: '6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113', at }));
    assert.equal(q.status, 0, q.stdout);
    assert.match(q.stdout, /trailing bytes: 39/);
    const json = await runVerify(`${tdx}gotdx-tdx_prod_quote_SPR_E4.dat`, flags({ nonce: '00', at, json: true }));
    assert.equal(json.status, 1);
    assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, false);
  });
});

test('usage and user errors: statuses 2 and 1, messages without stack traces', async () => {
  const noNonce = await runQuote(flags({ program: 'x.p4' }));
  assert.equal(noNonce.status, 2);
  assert.equal((await runQuote(flags({ nonce: 'xyz', program: 'x.p4' }))).status, 2);
  assert.equal((await runQuote(flags({ nonce: '00' }))).status, 2);
  assert.equal((await runVerify(`${snp}gosev-attestation.bin`, flags({}))).status, 2);
  assert.equal((await runVerify(`${snp}gosev-attestation.bin`, flags({ nonce: '00', at: 'yesterday' }))).status, 2);
  const missing = await runVerify('/nonexistent/evidence.bin', flags({ nonce: '00' }));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /cannot read \/nonexistent\/evidence.bin: ENOENT/);
  assert.doesNotMatch(missing.stderr, /\n\s+at /);
  const noCerts = await runVerify(`${snp}gosev-attestation.bin`, flags({ nonce: '0102030405' }));
  assert.equal(noCerts.status, 1);
  assert.match(noCerts.stdout, /--vcek/);
  const collect = await runCollect(flags({ nonce: '00', tsmRoot: '/nonexistent/tsm' }));
  assert.equal(collect.status, 1);
  assert.match(collect.stderr, /configfs-tsm is not available/);
  const badProgram = await runQuote(flags({ nonce: '00', program: '/nonexistent/p.p4', keyDir: '/nonexistent/keys' }));
  assert.equal(badProgram.status, 1);
});
