// End-to-end test of `p4tee switch` with pcap ports in a child process: start, packets forwarded
// and changed as study-forward says, `p4tee ctl` against the running switch, SIGTERM, clean exit,
// telemetry written, control socket removed. Also argument errors. No timing assertions: waits are
// bounded by generous timeouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPcap, writePcap } from '../runtime/io/pcap.js';
import { ControlClient } from '../runtime/control/server.js';
import { parseDuration, parseInterfaceSpec } from './switch.js';
import { netnsDown, netnsUp } from './netns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const program = join(root, 'examples/study-forward/study-forward.p4');

/** Runs the CLI (switch, ctl and netns registered) in a child process: `node -e` from the repo root. */
function cliArgs(args: string[]): string[] {
  const script =
    "const { Command } = await import('commander');" +
    "const p = new Command(); p.exitOverride();" +
    "for (const [f, n] of [['switch', 'registerSwitch'], ['ctl', 'registerCtl'], ['netns', 'registerNetns']]) (await import('./dist/cli/' + f + '.js'))[n](p);" +
    'try { await p.parseAsync(process.argv.slice(1), { from: "user" }); } catch (e) { process.exitCode = 2; }';
  return ['--input-type=module', '-e', script, ...args];
}

function studyPacket(seq: number, secret: number): Uint8Array {
  const b = new Uint8Array(120);
  const dv = new DataView(b.buffer);
  b.set([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, 106);
  b[22] = 64;
  b[23] = 17;
  dv.setUint32(26, 0x0a000001);
  dv.setUint32(30, 0x0a000002);
  dv.setUint16(34, 40000);
  dv.setUint16(36, 7777);
  dv.setUint16(38, 86);
  dv.setUint16(40, 0xabcd);
  dv.setUint32(42, seq);
  dv.setUint32(46, secret);
  return b;
}

function waitFor(child: ChildProcess, re: RegExp, getText: () => string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { reject(new Error(`timed out waiting for ${re}; output so far:\n${getText()}`)); }, ms);
    const check = (): void => { if (re.test(getText())) { clearTimeout(t); resolve(); } };
    child.stderr!.on('data', check);
    child.on('exit', () => { clearTimeout(t); if (re.test(getText())) resolve(); else reject(new Error(`exited before ${re}:\n${getText()}`)); });
    check();
  });
}

test('argument parsing', () => {
  assert.deepEqual(parseInterfaceSpec('0@veth0'), { num: 0, iface: 'veth0' });
  assert.deepEqual(parseInterfaceSpec('3@a.pcap,b.pcap'), { num: 3, iface: 'a.pcap,b.pcap' });
  assert.equal(typeof parseInterfaceSpec('veth0'), 'string');
  assert.equal(typeof parseInterfaceSpec('511@x'), 'string');
  assert.equal(parseDuration('1s'), 1000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('0'), 0);
  assert.equal(typeof parseDuration('fast'), 'string');
});

test('p4tee switch with pcap ports: forwards, answers ctl, stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-switch-'));
  const sock = join(dir, 'ctl.sock');
  const key = 0x5a5aa5a5;
  const N = 40;
  let child: ChildProcess | null = null;
  try {
    const inPackets = Array.from({ length: N }, (_, i) => ({ sec: 1, nsec: i, data: studyPacket(i, 1000 + i) }));
    writeFileSync(join(dir, 'in0.pcap'), writePcap(inPackets));
    writeFileSync(join(dir, 'cmds.txt'), `# the study key\nregister_write StudyIngress.key 0 ${key}\n`);
    let err = '';
    child = spawn(process.execPath, cliArgs([
      'switch', program,
      '-i', `0@${join(dir, 'in0.pcap')}`,
      '-i', `1@-,${join(dir, 'out1.pcap')}`,
      '--commands', join(dir, 'cmds.txt'),
      '--control', sock,
      '--stats', '200ms',
      '--burst', '16',
      '--telemetry-out', join(dir, 'tel.json'),
    ]), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { err += d; });
    const exited = new Promise<number | null>((resolve) => { child!.on('exit', (code) => resolve(code)); });
    await waitFor(child, /ready in \d+ ms/, () => err, 60000);
    assert.ok(existsSync(sock), 'control socket exists while running');

    // Wait (bounded) until every packet went through, asking over the control socket.
    const client = await ControlClient.connect(sock);
    if ('error' in client) throw new Error(client.error);
    let stats: { inPackets: number; outPackets: number } = { inPackets: 0, outPackets: 0 };
    for (let i = 0; i < 600 && stats.outPackets < N; i++) {
      const r = await client.request({ cmd: 'stats' });
      assert.ok(r.ok, JSON.stringify(r));
      stats = r.stats as typeof stats;
      if (stats.outPackets < N) await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(stats.inPackets, N);
    assert.equal(stats.outPackets, N);
    client.close();

    // `p4tee ctl` in its own process: a command, a refusal, telemetry.
    const ctl = (args: string[]) => spawnSync(process.execPath, cliArgs(['ctl', '--control', sock, ...args]), { cwd: root, encoding: 'utf8', timeout: 60000 });
    const rd = ctl(['register_read', 'StudyIngress.key', '0']);
    assert.equal(rd.status, 0, rd.stderr);
    assert.match(rd.stdout, new RegExp(`= ${key}`));
    const bad = ctl(['table_add', 'Nope', 'x', '1', '=>', '2']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /error:/);
    const tel = ctl(['telemetry']);
    assert.equal(tel.status, 0, tel.stderr);
    const t = JSON.parse(tel.stdout) as { totals: { packets: number }; batches: { n: number }[] };
    assert.equal(t.totals.packets, N);
    assert.ok(t.batches.every((b) => b.n >= 1 && b.n <= 16));

    child.kill('SIGTERM');
    const code = await exited;
    child = null;
    assert.equal(code, 0, err);
    assert.match(err, /stopped by SIGTERM: in 40 out 40 packets/);
    assert.equal(existsSync(sock), false, 'control socket removed');
    const out = readPcap(readFileSync(join(dir, 'out1.pcap')));
    assert.ok(out.ok);
    if (out.ok) {
      assert.equal(out.records.length, N);
      out.records.forEach((r, i) => {
        const dv = new DataView(r.data.buffer, r.data.byteOffset);
        assert.equal(dv.getUint32(42), i);
        assert.equal(dv.getUint32(46), ((((1000 + i) ^ key) >>> 0) + 1 ^ key) >>> 0);
        assert.equal(dv.getUint16(40), 0, 'UDP checksum cleared');
      });
    }
    const saved = JSON.parse(readFileSync(join(dir, 'tel.json'), 'utf8')) as { totals: { packets: number }; histogram: number[]; stats: { inPackets: number } };
    assert.equal(saved.totals.packets, N);
    assert.equal(saved.stats.inPackets, N);
    assert.equal(saved.histogram.reduce((a, b) => a + b, 0) > 0, true);
  } finally {
    if (child !== null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('p4tee switch refuses bad arguments and missing files without leaving a socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-switch-'));
  const sock = join(dir, 'ctl.sock');
  try {
    const run = (args: string[]) => spawnSync(process.execPath, cliArgs(['switch', program, '--control', sock, '--stats', '0', ...args]), { cwd: root, encoding: 'utf8', timeout: 60000 });
    const a = run(['-i', 'eth0']);
    assert.equal(a.status, 2);
    assert.match(a.stderr, /expected -i PORT@IFACE/);
    const b = run(['-i', `0@${join(dir, 'missing.pcap')}`]);
    assert.equal(b.status, 1);
    assert.match(b.stderr, /cannot read/);
    const c = run(['-i', `0@${join(dir, 'x.pcap')}`, '--driver', 'dpdk']);
    assert.equal(c.status, 2);
    const d = run([]);
    assert.equal(d.status, 2);
    assert.equal(existsSync(sock), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('p4tee ctl without a switch says so', () => {
  const r = spawnSync(process.execPath, cliArgs(['ctl', '--control', join(tmpdir(), `p4tee-none-${process.pid}.sock`), 'stats']), { cwd: root, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no such socket/);
});

/** Sends `n` 1500-byte study packets (seq from `first`) on gen0 and returns what arrives on gen1: [seq, secret] pairs. */
function sendThrough(ns: string, first: number, n: number): { ok: boolean; pairs: [number, number][]; err: string } {
  const script = `
    const { openPort } = await import('./dist/runtime/io/port.js');
    const { PacketPool } = await import('./dist/runtime/core/packet-pool.js');
    const pool = new PacketPool(512, 2048, 128);
    const a = openPort({ driver: 'afpacket', iface: 'gen0' });
    const b = openPort({ driver: 'afpacket', iface: 'gen1' });
    if (a.error || b.error) { console.error(a.error ?? b.error); process.exit(1); }
    const [first, n] = [${first}, ${n}];
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = pool.alloc(); const d = new Uint8Array(1500); const v = new DataView(d.buffer);
      d.set([2,0,0,0,0,2, 2,0,0,0,0,1]); v.setUint16(12, 0x0800); d[14] = 0x45; v.setUint16(16, 1486); d[22] = 64; d[23] = 17;
      v.setUint32(26, 0x0a6f0001); v.setUint32(30, 0x0a6f0102); v.setUint16(34, 40000); v.setUint16(36, 7777); v.setUint16(38, 1466);
      v.setUint32(42, first + i); v.setUint32(46, 1000 + first + i); pool.write(p, d); slots[i] = p;
    }
    const out = new Int32Array(64); const pairs = [];
    let sent = 0; const until = Date.now() + 20000;
    while (pairs.length < n && Date.now() < until) {
      if (sent < n) sent += a.tx(pool, slots.subarray(sent), n - sent);
      const k = b.rx(pool, out, 64);
      for (let j = 0; j < k; j++) {
        const v = new DataView(pool.buf.buffer, pool.start[out[j]]);
        if (pool.length[out[j]] === 1500 && v.getUint16(36) === 7777) pairs.push([v.getUint32(42), v.getUint32(46)]);
        pool.free(out[j]);
      }
      if (k === 0) await new Promise((r) => setTimeout(r, 1));
    }
    a.close(); b.close();
    console.log(JSON.stringify(pairs));`;
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) return { ok: false, pairs: [], err: r.stderr };
  return { ok: true, pairs: JSON.parse(r.stdout) as [number, number][], err: r.stderr };
}

const nativeBuilt = existsSync(join(root, 'build/Release/p4tee_native.node'));
const netnsSkip = process.getuid?.() !== 0 ? 'needs root (CI runs as root)' : !nativeBuilt ? 'native addon not built (build/Release/p4tee_native.node)' : false;

test('p4tee switch over afpacket between namespaces: forwards, a ctl change takes effect, SIGTERM cleans up (root)', { skip: netnsSkip }, async () => {
  const prefix = `p4t-${process.pid}-sw`;
  const cleanup = (): void => { netnsDown(prefix); };
  process.once('exit', cleanup);
  const sock = join(tmpdir(), `p4tee-test-${process.pid}-afp.sock`);
  let child: ChildProcess | null = null;
  try {
    const up = netnsUp(prefix);
    assert.ok(up.ok, up.ok ? '' : up.error);
    let err = '';
    child = spawn('ip', ['netns', 'exec', `${prefix}-dut`, process.execPath, ...cliArgs([
      'switch', program, '-i', '0@dut0', '-i', '1@dut1', '--driver', 'afpacket',
      '--commands', join(root, 'examples/study-forward/commands.txt'), '--control', sock, '--stats', '0',
    ])], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { err += d; });
    const exited = new Promise<number | null>((resolve) => { child!.on('exit', (code) => resolve(code)); });
    await waitFor(child, /ready in \d+ ms/, () => err, 60000);
    const key1 = 0x5a5aa5a5;
    const expect = (secret: number, key: number): number => ((((secret ^ key) >>> 0) + 1) ^ key) >>> 0;
    const r1 = sendThrough(`${prefix}-gen`, 0, 32);
    assert.ok(r1.ok, r1.err);
    assert.equal(r1.pairs.length, 32, err);
    for (const [seq, secret] of r1.pairs) assert.equal(secret, expect(1000 + seq, key1));
    const ctl = spawnSync(process.execPath, cliArgs(['ctl', '--control', sock, 'register_write', 'StudyIngress.key', '0', '7']), { cwd: root, encoding: 'utf8', timeout: 60000 });
    assert.equal(ctl.status, 0, ctl.stderr);
    const r2 = sendThrough(`${prefix}-gen`, 100, 32);
    assert.ok(r2.ok, r2.err);
    assert.equal(r2.pairs.length, 32);
    for (const [seq, secret] of r2.pairs) assert.equal(secret, expect(1000 + seq, 7));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, err);
    child = null;
    assert.match(err, /stopped by SIGTERM: in 64 out 64 packets/);
    assert.equal(existsSync(sock), false);
  } finally {
    if (child !== null) child.kill('SIGKILL');
    rmSync(sock, { force: true });
    cleanup();
    process.off('exit', cleanup);
  }
  assert.doesNotMatch(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout, new RegExp(prefix));
});
