// Software quotes (software isolation, not rooted in hardware) and the p4tee measurement: round
// trip, refusal of every kind of change, nonce and measurement checks, key handling, and the
// stability of the canonical measurement form.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalTableState, measure } from './measurement.js';
import type { Measurement, MeasurementInput } from './measurement.js';
import { SOFTWARE_ISOLATION, createSoftwareQuote, loadOrCreateKey, parseNonce, reportDataOf, verifySoftwareQuote } from './software.js';
import type { SoftwareQuote } from './software.js';
import type { Verdict } from './snp.js';

const INPUT: MeasurementInput = {
  enclaveCode: [{ name: 'study-xor.js', bytes: Buffer.from('export const m = 1;\n') }, { name: 'monitor.js', bytes: Buffer.from('export const n = 2;\n') }],
  program: 'function ingress(p) { return p; }\n',
  tables: canonicalTableState([{ name: 'MyIngress.fwd', text: '==========\nTABLE ENTRIES\n==========' }]),
};
const NONCE = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const failed = (v: Verdict): string[] => v.checks.filter((c) => c.status === 'fail').map((c) => c.name);

function m(input: MeasurementInput = INPUT): Measurement {
  const r = measure(input);
  assert.ok(typeof r !== 'string');
  return r;
}

function withKeyDir<T>(f: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-attest-'));
  try { return f(join(dir, 'keys')); } finally { rmSync(dir, { recursive: true, force: true }); }
}

function quote(dir: string, meas: Measurement = m()): SoftwareQuote {
  const key = loadOrCreateKey(dir);
  assert.ok(typeof key !== 'string');
  return createSoftwareQuote(meas, NONCE, key);
}

// Changing the canonical form changes every measurement ever published: this value guards it.
const GOLDEN = 'a25892796d9765b7fb98413c81f99536b77d436c5cd1365163d62e6aaa824dacce3b684cc44c9813faeab8bfa958664a';

test('measurement: stable canonical form (golden value), file order and CRLF do not matter', () => {
  const a = m();
  assert.equal(Buffer.from(a.value).toString('hex'), GOLDEN);
  const b = m({ ...INPUT, enclaveCode: [...INPUT.enclaveCode].reverse(), program: INPUT.program.replace(/\n/g, '\r\n') });
  assert.deepEqual(b.value, a.value);
  assert.equal(measure({ ...INPUT, enclaveCode: [INPUT.enclaveCode[0]!, INPUT.enclaveCode[0]!] }), "enclave code file 'study-xor.js' is given twice");
  // Each component changes the measurement, and only its own digest.
  const c = m({ ...INPUT, tables: INPUT.tables + 'x' });
  assert.notDeepEqual(c.value, a.value);
  assert.deepEqual(c.program, a.program);
  assert.notDeepEqual(c.tables, a.tables);
  // Moving bytes between a file name and its content is a different measurement (framing).
  const d = m({ ...INPUT, enclaveCode: [{ name: 'study-xor.jse', bytes: Buffer.from('xport const m = 1;\n') }, INPUT.enclaveCode[1]!] });
  assert.notDeepEqual(d.enclave, a.enclave);
});

test('canonical table state sorts tables and trims trailing spaces', () => {
  const s = canonicalTableState([{ name: 'b', text: 'x  \r\ny' }, { name: 'a', text: 'z' }]);
  assert.equal(s, 'table a\nz\ntable b\nx\ny\n');
});

test('software quote round trip verifies; it is named software', () => {
  withKeyDir((dir) => {
    const q = quote(dir);
    assert.equal(q.isolation, SOFTWARE_ISOLATION);
    const v = verifySoftwareQuote(JSON.stringify(q), { nonce: NONCE, measurement: m() });
    assert.deepEqual(failed(v), []);
    assert.ok(v.ok);
    assert.match(v.kind, /software/);
    // The words of the quote (not its key, signature or digests: base64 text can spell "sgx" by chance).
    assert.ok(!/SGX|secure hardware/i.test(`${q.format} ${q.isolation}`));
    assert.match(`${q.format} ${q.isolation}`, /software/i);
    assert.equal(q.reportData, Buffer.from(reportDataOf(m().value, NONCE)).toString('hex'));
  });
});

test('every kind of change to a software quote fails', () => {
  withKeyDir((dir) => {
    const q = quote(dir);
    const flipHex = (h: string, i = 0): string => h.slice(0, i) + (h[i] === '0' ? '1' : '0') + h.slice(i + 1);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const changes: [string, Record<string, unknown>, string][] = [
      ['measurement', { measurement: flipHex(q.measurement, 5) }, 'quote signature'],
      ['component', { components: { ...q.components, tables: flipHex(q.components.tables) } }, 'quote signature'],
      ['nonce', { nonce: flipHex(q.nonce, 3) }, 'quote signature'],
      ['reportData', { reportData: flipHex(q.reportData, 9) }, 'quote signature'],
      ['publicKey', { publicKey: other }, 'quote signature'],
      ['signature', { signature: flipHex(q.signature, 20) }, 'quote signature'],
      ['isolation', { isolation: 'hardware' }, 'quote format'],
      ['format', { format: 'p4tee-quote' }, 'quote format'],
      ['version', { version: 2 }, 'quote format'],
      ['missing field', { signature: undefined }, 'quote format'],
    ];
    for (const [what, patch, check] of changes) {
      const v = verifySoftwareQuote(JSON.stringify({ ...q, ...patch }), { nonce: NONCE, measurement: m() });
      assert.equal(v.ok, false, `${what} change accepted`);
      assert.ok(failed(v).includes(check), `${what}: ${failed(v).join(', ')}`);
    }
    // A consistent forgery by another key (re-signed) passes the signature but not a pinned key.
    const forger = withKeyDir((d2) => quote(d2));
    const key = loadOrCreateKey(dir);
    assert.ok(typeof key !== 'string');
    assert.deepEqual(failed(verifySoftwareQuote(forger, { nonce: NONCE, measurement: m(), trustedKey: key.publicKey })), ['signing key']);
    assert.deepEqual(failed(verifySoftwareQuote(q, { nonce: NONCE, measurement: m(), trustedKey: key.publicKey })), []);
    assert.deepEqual(failed(verifySoftwareQuote('{not json', {})), ['quote format']);
  });
});

test('a wrong nonce fails; a wrong measurement fails and names the component', () => {
  withKeyDir((dir) => {
    const q = quote(dir);
    assert.deepEqual(failed(verifySoftwareQuote(q, { nonce: Buffer.from('0011', 'hex'), measurement: m() })), ['nonce']);
    const v = verifySoftwareQuote(q, { nonce: NONCE, measurement: m({ ...INPUT, program: 'function ingress(p) { return null; }\n' }) });
    assert.deepEqual(failed(v), ['measurement']);
    assert.match(v.checks.find((c) => c.name === 'measurement')!.detail, /component: program/);
    const w = verifySoftwareQuote(q, { nonce: NONCE, measurement: m({ ...INPUT, enclaveCode: [INPUT.enclaveCode[0]!] }) });
    assert.match(w.checks.find((c) => c.name === 'measurement')!.detail, /component: enclave/);
  });
});

test('the key directory: created 0700 with a 0600 key, reused, refused when readable by others', () => {
  withKeyDir((dir) => {
    const a = loadOrCreateKey(dir);
    assert.ok(typeof a !== 'string' && a.created);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'software-quote-key.pem')).mode & 0o777, 0o600);
    const b = loadOrCreateKey(dir);
    assert.ok(typeof b !== 'string' && !b.created);
    assert.deepEqual(b.publicKey.export({ type: 'spki', format: 'der' }), a.publicKey.export({ type: 'spki', format: 'der' }));
    chmodSync(join(dir, 'software-quote-key.pem'), 0o644);
    assert.match(String(loadOrCreateKey(dir)), /readable by others/);
  });
});

test('nonces: hex, 1 to 64 bytes', () => {
  assert.deepEqual(parseNonce('0x0A0b'), Buffer.from([10, 11]));
  assert.match(String(parseNonce('abc')), /even number of hex digits/);
  assert.match(String(parseNonce('zz')), /hex digits/);
  assert.match(String(parseNonce('00'.repeat(65))), /at most 64 bytes/);
});
