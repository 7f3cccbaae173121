// Mirroring (clone) sessions: configuration commands and the data-plane lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_MIRROR_SESSION, MirrorSessions } from './mirroring.js';

test('a session goes to a port, then to a group, then away', () => {
  const m = new MirrorSessions();
  assert.equal(m.get(5), null);
  assert.equal(m.describe(5).ok, false);
  assert.deepEqual(m.addPort(5, 7), { ok: true, message: '' });
  assert.deepEqual(m.get(5), { id: 5, port: 7, group: -1 });
  assert.deepEqual(m.describe(5), { ok: true, message: 'MirroringSessionConfig(mgid=None, port=7)' });
  assert.ok(m.addMulticast(5, 22).ok);
  assert.deepEqual(m.get(5), { id: 5, port: -1, group: 22 });
  assert.deepEqual(m.describe(5), { ok: true, message: 'MirroringSessionConfig(mgid=22, port=None)' });
  assert.equal(m.get(5), m.get(5), 'get returns the stored record, no new object');
  assert.ok(m.delete(5).ok);
  assert.equal(m.get(5), null);
  assert.deepEqual(m.describe(5), { ok: false, error: 'Invalid mirroring operation (SESSION_NOT_FOUND)' });
  assert.equal(m.delete(5).ok, false);
});

test('out-of-range ids and ports are refused and change nothing', () => {
  const m = new MirrorSessions();
  assert.ok(m.addPort(MAX_MIRROR_SESSION, 1).ok);
  assert.equal(m.addPort(MAX_MIRROR_SESSION + 1, 1).ok, false);
  assert.equal(m.addPort(-1, 1).ok, false);
  assert.equal(m.addPort(3, 512).ok, false);
  assert.equal(m.addMulticast(3, 70000).ok, false);
  assert.equal(m.get(3), null);
  assert.equal(m.get(MAX_MIRROR_SESSION + 1), null);
  assert.equal(m.get(-1), null);
  assert.deepEqual(m.list().map((s) => s.id), [MAX_MIRROR_SESSION]);
  m.reset();
  assert.deepEqual(m.list(), []);
});
