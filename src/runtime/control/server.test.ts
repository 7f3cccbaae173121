// Tests of the control socket: an in-process server over a running poll loop (study-forward with
// fake ports), requests through ControlClient and a raw socket, replies, and socket file cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../switch.js';
import { PollLoop, loopControlHandler } from '../core/poll-loop.js';
import { PortStats } from '../io/port.js';
import type { Port } from '../io/port.js';
import type { PacketPool } from '../core/packet-pool.js';
import { ControlClient, ControlServer, parseRequest } from './server.js';

const program = fileURLToPath(new URL('../../../examples/study-forward/study-forward.p4', import.meta.url));

class NullPort implements Port {
  readonly driver = 'pcap' as const;
  readonly stats = new PortStats();
  readonly name: string;
  constructor(name: string) { this.name = name; }
  rx(_pool: PacketPool, _out: Int32Array, _max: number): number { return 0; }
  tx(pool: PacketPool, slots: Int32Array, n: number): number { for (let i = 0; i < n; i++) pool.free(slots[i]); return n; }
  close(): void {}
}

function sockPath(tag: string): string {
  return `/tmp/p4tee-test-${process.pid}-${tag}.sock`;
}

async function setup(tag: string): Promise<{ loop: PollLoop; server: ControlServer; client: ControlClient }> {
  const r = loadSwitch(program, { includeDirs: [], defines: new Map() });
  if (!r.ok) throw new Error(r.diagnostics.join('\n'));
  const loop = new PollLoop(r.sw, [{ num: 0, port: new NullPort('a') }, { num: 1, port: new NullPort('b') }]);
  loop.start();
  const server = await ControlServer.listen(sockPath(tag), loopControlHandler(loop));
  if ('error' in server) throw new Error(server.error);
  const client = await ControlClient.connect(server.path);
  if ('error' in client) throw new Error(client.error);
  return { loop, server, client };
}

test('commands, stats and telemetry round trip through the socket', async () => {
  const { loop, server, client } = await setup('rt');
  try {
    const w = await client.request({ cmd: 'register_write StudyIngress.key 0 0x1234' });
    assert.equal(w.ok, true, JSON.stringify(w));
    const rd = await client.request({ cmd: 'register_read StudyIngress.key 0', id: 7 });
    assert.equal(rd.ok, true);
    assert.match(rd.message ?? '', /= 4660$/);
    assert.equal(rd.id, 7);
    const bad = await client.request({ cmd: 'table_add NoSuchTable x 1 => 2' });
    assert.equal(bad.ok, false);
    assert.ok((bad.error ?? '').length > 0);
    const many = await client.request({ cmds: ['register_write StudyIngress.key 0 1', '# comment', 'register_write StudyIngress.key 0 2'] });
    assert.equal(many.ok, true);
    assert.equal(many.results!.length, 2);
    const stats = await client.request({ cmd: 'stats' });
    assert.equal(stats.ok, true);
    const s = stats.stats as { running: boolean; commandsApplied: number; ports: unknown[]; drops: Record<string, number> };
    assert.equal(s.running, true);
    assert.equal(s.commandsApplied, 4, 'two writes, one read, one pair');
    assert.equal(s.ports.length, 2);
    assert.equal(typeof s.drops['tx-full'], 'number');
    const tel = await client.request({ cmd: 'telemetry' });
    assert.equal(tel.ok, true);
    const t = tel.telemetry as { batches: unknown[]; histogram: number[]; totals: { batches: number } };
    assert.ok(Array.isArray(t.batches) && Array.isArray(t.histogram));
    assert.equal(typeof t.totals.batches, 'number');
    assert.equal((await client.request({ cmd: 'telemetry reset' })).ok, true);
    assert.equal((await client.request({ cmd: 'telemetry x' })).ok, false);
    assert.match((await client.request({ cmd: 'help' })).message ?? '', /table_add/);
    assert.equal((await client.request({ cmd: '' })).ok, false);
    assert.equal((await client.request({} as never)).ok, false);
  } finally {
    client.close();
    loop.stop();
    await server.close();
  }
  assert.equal(existsSync(server.path), false, 'socket file removed');
});

test('plain-text lines and bad JSON over a raw socket', async () => {
  const { loop, server, client } = await setup('raw');
  client.close();
  try {
    const replies = await new Promise<string[]>((resolve, reject) => {
      const s = net.connect(server.path);
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        buf += d;
        const lines = buf.split('\n').filter((x) => x !== '');
        if (lines.length === 2) { s.end(); resolve(lines); }
      });
      s.on('error', reject);
      s.write('register_read StudyIngress.key 0\n{not json\n');
    });
    const a = JSON.parse(replies[0]!) as { ok: boolean };
    const b = JSON.parse(replies[1]!) as { ok: boolean; error: string };
    assert.equal(a.ok, true);
    assert.equal(b.ok, false);
    assert.match(b.error, /bad JSON/);
  } finally {
    loop.stop();
    await server.close();
  }
});

test('a stale socket file is replaced; a live one or a regular file is refused', async () => {
  const { loop, server, client } = await setup('live');
  try {
    const again = await ControlServer.listen(server.path, loopControlHandler(loop));
    assert.ok('error' in again && /another switch/.test(again.error));
  } finally {
    client.close();
    loop.stop();
    await server.close();
  }
  // A stale socket: a server that went away without removing its file.
  const stalePath = sockPath('stale');
  // A child that exits without closing its server leaves the file behind.
  spawnSync(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stalePath)}, () => process.exit(0))`]);
  assert.ok(existsSync(stalePath), 'the child left its socket file behind');
  const r = loadSwitch(program, { includeDirs: [], defines: new Map() });
  assert.ok(r.ok);
  const loop2 = new PollLoop(r.ok ? r.sw : (null as never), []);
  const s2 = await ControlServer.listen(stalePath, loopControlHandler(loop2));
  assert.ok(!('error' in s2), 'stale socket replaced');
  if (!('error' in s2)) await s2.close();
  const filePath = sockPath('file');
  writeFileSync(filePath, 'x');
  try {
    const s3 = await ControlServer.listen(filePath, loopControlHandler(loop2));
    assert.ok('error' in s3 && /not a socket/.test(s3.error));
  } finally {
    unlinkSync(filePath);
  }
});

test('a client of a missing socket gets a clear error', async () => {
  const c = await ControlClient.connect(sockPath('missing'), 1000);
  assert.ok('error' in c && /no such socket/.test(c.error));
});

test('parseRequest takes JSON objects and plain commands', () => {
  assert.deepEqual(parseRequest('{"cmd":"stats"}'), { cmd: 'stats' });
  assert.deepEqual(parseRequest('  mc_dump '), { cmd: 'mc_dump' });
  assert.equal(typeof parseRequest('{"cmd":'), 'string');
});
