// Tests of sealing and the software platform secret: round trip; a flipped byte anywhere, a stale
// version, another measurement and another platform secret are all refused with a clear error; the
// store's rollback counter and missing-blob refusal; platform secret creation and permission checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { SealStore, sealBlob, unsealBlob } from './seal.js';
import { loadPlatformSecret } from './platform.js';

const secret = new Uint8Array(randomBytes(32));
const measurement = new Uint8Array(createHash('sha384').update('module A').digest());
const state = new TextEncoder().encode('the study key and a sketch');

test('seal/unseal round trip', () => {
  const blob = sealBlob(state, secret, measurement, 7);
  const u = unsealBlob(blob, secret, measurement, 7);
  assert.ok(!('error' in u));
  assert.deepEqual(u.state, state);
  assert.equal(u.version, 7);
});

test('a flipped byte anywhere is refused', () => {
  const blob = sealBlob(state, secret, measurement, 3);
  for (let i = 0; i < blob.length; i++) {
    const bad = blob.slice();
    bad[i] ^= 0x01;
    const u = unsealBlob(bad, secret, measurement, 0);
    assert.ok('error' in u, `flip at byte ${i} was accepted`);
    assert.match(u.error, /tampered|foreign|stale|not a p4tee/);
  }
  assert.match((unsealBlob(blob.subarray(0, 40), secret, measurement, 0) as { error: string }).error, /truncated/);
});

test('stale and foreign blobs are refused', () => {
  const blob = sealBlob(state, secret, measurement, 2);
  assert.match((unsealBlob(blob, secret, measurement, 3) as { error: string }).error, /^stale sealed blob refused: version 2 .* counter 3/);
  const other = new Uint8Array(createHash('sha384').update('module B').digest());
  assert.match((unsealBlob(blob, secret, other, 0) as { error: string }).error, /^foreign sealed blob refused/);
  const otherSecret = new Uint8Array(randomBytes(32));
  assert.match((unsealBlob(blob, otherSecret, measurement, 0) as { error: string }).error, /another platform secret/);
});

test('SealStore: counter, rollback by restoring an old file, missing blob', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-seal-'));
  try {
    const store = new SealStore(dir, 'mod');
    assert.deepEqual(store.load(), { blob: null, counter: 0 });
    const v1 = sealBlob(state, secret, measurement, 1);
    assert.equal(store.store(v1, 1), null);
    const v2 = sealBlob(new TextEncoder().encode('newer'), secret, measurement, 2);
    assert.equal(store.store(v2, 2), null);
    assert.ok('error' in (store.store(v1, 2) as object), 'a version not above the counter is not stored');
    // An attacker puts the old blob back: the counter (2) refuses it.
    writeFileSync(join(dir, 'mod.sealed'), v1);
    const l = store.load();
    assert.ok(!('error' in l) && l.blob !== null);
    assert.match((unsealBlob(l.blob, secret, measurement, l.counter) as { error: string }).error, /stale/);
    rmSync(join(dir, 'mod.sealed'));
    assert.match((store.load() as { error: string }).error, /missing but the rollback counter says version 2/);
    const mem = new SealStore(null, 'mod');
    assert.equal(mem.store(v1, 1), null);
    assert.equal(mem.counter(), 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('platform secret: created 0600, reread, bad permissions and size refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-plat-'));
  try {
    const p = join(dir, 'sub', 'platform-secret');
    const a = loadPlatformSecret(p);
    assert.ok(!('error' in a));
    assert.equal(a.kind, 'software');
    assert.equal(a.created, true);
    assert.equal(statSync(p).mode & 0o777, 0o600);
    const b = loadPlatformSecret(p);
    assert.ok(!('error' in b));
    assert.deepEqual(b.secret, a.secret);
    assert.equal(b.created, false);
    chmodSync(p, 0o644);
    assert.match((loadPlatformSecret(p) as { error: string }).error, /chmod 600/);
    chmodSync(p, 0o600);
    writeFileSync(p, 'short');
    assert.match((loadPlatformSecret(p) as { error: string }).error, /expected 32/);
    assert.match((loadPlatformSecret(join(dir, 'nope'), false) as { error: string }).error, /cannot read/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
