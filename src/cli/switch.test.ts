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
import { parseDuration, parseInterfaceSpec, runSwitch } from './switch.js';
import { netnsDown, netnsUp } from './netns.js';
import { liveSwitchScenario, namespacesWith, netnsSkipReason } from './netns-test-helpers.js';

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

test('a SIGTERM that comes while the switch is still starting stops it cleanly once it runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-switch-'));
  const sock = join(dir, 'ctl.sock');
  const lines: string[] = [];
  try {
    const running = runSwitch(program, {
      interface: [`0@-,${join(dir, 'out0.pcap')}`], burst: '32', ring: '64', control: sock, stats: '0',
      telemetry: true, telemetryBatches: '1024', include: [], define: [],
    }, { log: (l) => { lines.push(l); } });
    // Delivered before compiling even started: held, then acted on.
    process.emit('SIGTERM', 'SIGTERM');
    const timeout = new Promise<string>((r) => { setTimeout(() => r('still running after 60 s'), 60000).unref(); });
    const code = await Promise.race([running, timeout]);
    assert.equal(code, 0, lines.join('\n'));
    assert.match(lines.join('\n'), /ready in \d+ ms[^]*stopped by SIGTERM: in 0 out 0 packets/);
    assert.equal(existsSync(sock), false);
    assert.equal(process.listenerCount('SIGTERM'), 0, 'handlers removed');
  } finally {
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

const netnsSkip = netnsSkipReason();
const prefix = `p4te-${process.pid}`;

test('p4tee switch over afpacket between namespaces: forwards, ctl, bad frames, link down/up, SIGTERM cleans up (root)', { skip: netnsSkip }, async (t) => {
  const cleanup = (): void => { netnsDown(prefix); };
  process.once('exit', cleanup);
  try {
    const up = netnsUp(prefix);
    assert.ok(up.ok, up.ok ? '' : up.error);
    await liveSwitchScenario(t, prefix, 'afpacket');
  } finally {
    const r = netnsDown(prefix);
    process.off('exit', cleanup);
    assert.ok(r.ok, r.ok ? '' : r.error);
  }
  assert.deepEqual(namespacesWith(prefix + '-'), []);
});
