// The TEE modes from the command line: study-forward-tee and the monitor pass their STF tests with
// identical output packets in every mode (none; extern none/isolate/process x sync/batch/switchless;
// pipeline isolate/process when the secure pipeline is built); `p4tee run` with real batches gives the
// same pcap as --tee none; an enclave killed under a live `p4tee switch --driver shm` is detected,
// fails closed, is reported and restarts from sealed state; the Gramine manifest template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../runtime/switch.js';
import type { Switch } from '../runtime/switch.js';
import type { StfSwitch } from '../runtime/control/stf-runner.js';
import { readPcap, writePcap } from '../runtime/io/pcap.js';
import { ControlClient } from '../runtime/control/server.js';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { nativeStatus } from '../runtime/io/native.js';
import { isPortError, openPort } from '../runtime/io/port.js';
import type { Port } from '../runtime/io/port.js';
import type { TeeGateHandle } from '../tee/api.js';
import { runStfTests } from './stf.js';
import { gramineManifest, parseTeeFlags } from './tee.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const studyTee = join(root, 'examples/study-forward/study-forward-tee.p4');
const studyStf = join(root, 'examples/study-forward/study-forward-tee.stf');
const studyCommands = join(root, 'examples/study-forward/commands-tee.txt');
const monitorP4 = join(root, 'examples/monitor/monitor.p4');
const monitorStf = join(root, 'examples/monitor/monitor.stf');
const monitorCommands = join(root, 'examples/monitor/commands.txt');
const KEY = 0x5a5aa5a5;

/** The arguments of a CLI child process. */
function cliArgs(args: string[]): string[] {
  return [join(root, 'bin/p4tee.js'), ...args];
}

function cli(args: string[], env: NodeJS.ProcessEnv = process.env): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, cliArgs(args), { cwd: root, encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const EXTERN_MODES = ['none', 'isolate', 'process'].flatMap((b) => ['sync', 'batch', 'switchless'].map((t) => `extern:${b}:${t}`));
const MODES = ['none', ...EXTERN_MODES, 'pipeline:isolate', 'pipeline:process'];

test('--tee flags: parsed in one place, bad values refused', () => {
  const a = parseTeeFlags({ tee: 'extern:process' });
  assert.ok(!('error' in a));
  if (!('error' in a)) assert.deepEqual(a.spec, { mode: 'extern', backend: 'process', transition: 'sync' });
  const b = parseTeeFlags({ tee: 'pipeline:isolate', teeTransitionNs: '500', teeTimeoutMs: '100', teeSealDir: '/x' });
  assert.ok(!('error' in b));
  if (!('error' in b)) {
    assert.deepEqual(b.spec, { mode: 'pipeline', backend: 'isolate' });
    assert.equal(b.transitionNs, 500);
    assert.equal(b.timeoutMs, 100);
    assert.equal(b.sealDir, '/x');
    assert.equal(b.depth, undefined);
  }
  const d = parseTeeFlags({ tee: 'pipeline:process', teeDepth: '8' });
  assert.ok(!('error' in d) && d.depth === 8 && d.coalesce === undefined);
  const c = parseTeeFlags({ tee: 'pipeline:isolate', teeCoalesce: '64' });
  assert.ok(!('error' in c) && c.coalesce === 64);
  const none = parseTeeFlags({});
  assert.ok(!('error' in none) && none.spec === null);
  for (const bad of [{ tee: 'extern:sgx' }, { tee: 'extern:process:fast' }, { tee: 'pipeline:none' }, { tee: 'x' },
    { tee: 'extern:isolate', teeTransitionNs: '-1' }, { tee: 'extern:isolate', teeTimeoutMs: '0' }, { teeTransitionNs: '10' },
    { tee: 'pipeline:isolate', teeDepth: '0' }, { tee: 'pipeline:isolate', teeDepth: '17' }, { tee: 'extern:isolate:batch', teeDepth: '4' },
    { tee: 'pipeline:isolate', teeCoalesce: '0' }, { tee: 'pipeline:isolate', teeCoalesce: '1025' }, { tee: 'pipeline:isolate', teeCoalesce: '8.5' }, { tee: 'extern:process:batch', teeCoalesce: '64' }]) {
    assert.ok('error' in parseTeeFlags(bad), JSON.stringify(bad));
  }
});

test('study-forward-tee and the monitor: STF passes with identical output packets in every TEE mode', async () => {
  const outputs = new Map<string, string[]>();
  for (const mode of MODES) {
    const tee = parseTeeFlags({ tee: mode });
    assert.ok(!('error' in tee), mode);
    if ('error' in tee) continue;
    const seen: string[] = [];
    const enclaves: { pid: number | null; threadId: number | null }[] = [];
    const switches: StfSwitch[] = [];
    const log: string[] = [];
    const reports = await runStfTests({
      tests: [studyStf, monitorStf], program: undefined, frontend: { includeDirs: [], defines: new Map() }, options: {},
      namedPortsOnly: false, tee, loader: loadSwitch, log: (l) => { log.push(l); },
      wrap: (sw, t) => {
        switches.push(sw);
        const g = (sw as Partial<Switch>).tee?.gate as TeeGateHandle | undefined;
        if (g !== undefined && typeof g.enclaveInfo === 'function') enclaves.push(g.enclaveInfo());
        return {
          info: sw.info,
          command: (l) => sw.command(l),
          inject: (p, b) => { sw.inject(p, b); },
          run: () => { sw.run(); },
          takeOutput: () => {
            const o = sw.takeOutput();
            for (const x of o) seen.push(`${basename(t)} ${x.port} ${hex(x.bytes)}`);
            return o;
          },
        };
      },
    });
    for (const r of reports) assert.ok(r.ok, `${mode}: ${r.test}: ${r.failures.join('\n')} ${r.internalError ?? ''}\n${log.join('\n')}`);
    assert.equal(switches.length, 2, `${mode}: one switch per test`);
    // The boundary was really there: the gate of the mode (its backend), a separate process for `process`.
    if (mode.startsWith('extern:')) {
      const backend = mode.split(':')[1];
      for (const sw of switches) assert.equal((sw as Switch).tee?.gate.backend, backend, mode);
      if (backend === 'process') for (const e of enclaves) assert.ok(e.pid !== null && e.pid !== process.pid, `${mode}: enclave in another process`);
      if (backend === 'isolate') for (const e of enclaves) assert.ok(e.threadId !== null, `${mode}: enclave in a worker thread`);
    }
    outputs.set(mode, seen);
  }
  const base = outputs.get('none')!;
  assert.ok(base.length >= 10, 'the tests send packets');
  for (const [mode, seen] of outputs) assert.deepEqual(seen, base, `${mode}: same output packets as --tee none`);
});

test('p4tee stf --tee from the command line (child process), and a clear error for a bad mode', () => {
  const r = cli(['stf', '--tee', 'extern:process:batch', studyStf, monitorStf]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 passed, 0 failed/);
  assert.match(r.stderr, /software isolation: separate OS process/);
  const bad = cli(['stf', '--tee', 'extern:sgx', studyStf]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /bad --tee value/);
  const none = cli(['stf', '--tee', 'pipeline:none', studyStf]);
  assert.equal(none.status, 2);
});

/** An IPv4/UDP frame of 60 bytes; dst port 7777 makes it a study packet (seq @42, secret @46). */
function udpFrame(src: number, dstPort: number, seq: number, secret: number): Uint8Array {
  const b = new Uint8Array(60);
  const dv = new DataView(b.buffer);
  b.set([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  b[14] = 0x45;
  dv.setUint16(16, 46);
  b[22] = 64;
  b[23] = 17;
  dv.setUint32(26, src);
  dv.setUint32(30, 0x0a000002);
  dv.setUint16(34, 40000);
  dv.setUint16(36, dstPort);
  dv.setUint16(38, 26);
  dv.setUint16(40, 0xabcd);
  dv.setUint32(42, seq);
  dv.setUint32(46, secret);
  return b;
}

const crypt = (s: number): number => (((((s ^ KEY) >>> 0) + 1) >>> 0) ^ KEY) >>> 0;

test('p4tee run with real batches (extern:isolate:batch, pipeline) writes the same pcap as --tee none', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-teerun-'));
  try {
    const N = 300;
    // Study packets, other UDP, and several sources so the monitor blocks some mid-batch.
    const pkts = Array.from({ length: N }, (_, i) => ({
      sec: 1, nsec: i,
      data: udpFrame(0x0a000000 + (i % 7) + 1, i % 5 === 0 ? 53 : 7777, i, (i * 2654435761) >>> 0),
    }));
    writeFileSync(join(dir, 'in.pcap'), writePcap(pkts));
    for (const [name, p4, cmds] of [['study', studyTee, studyCommands], ['monitor', monitorP4, monitorCommands]] as const) {
      const modes = ['none', 'extern:isolate:batch', 'extern:process:batch', 'pipeline:isolate'];
      const results: string[][] = [];
      for (const mode of modes) {
        const out = join(dir, `${name}-${mode.replace(/:/g, '_')}.pcap`);
        const r = cli(['run', p4, '--commands', cmds, '--tee', mode, '--pcap-in', `0=${join(dir, 'in.pcap')}`, '--pcap-out', `1=${out}`]);
        assert.equal(r.status, 0, `${name} ${mode}: ${r.stderr}`);
        if (mode.startsWith('extern:')) {
          // Real batches: far fewer crossings than records (the default batch is 32 packets).
          const m = /tee: (\d+) crossings carried (\d+) records/.exec(r.stderr);
          assert.ok(m !== null, r.stderr);
          const [crossings, records] = [Number(m[1]), Number(m[2])];
          assert.ok(records > 0 && crossings * 4 <= records, `${name} ${mode}: ${crossings} crossings for ${records} records`);
        }
        const pc = readPcap(readFileSync(out));
        assert.ok(pc.ok);
        results.push(pc.ok ? pc.records.map((x) => hex(x.data)) : []);
      }
      assert.ok(results[0]!.length > 0);
      for (let i = 1; i < results.length; i++) assert.deepEqual(results[i], results[0], `${name}: ${modes[i]} = none`);
      if (name === 'study') {
        const first = readPcap(readFileSync(join(dir, 'study-none.pcap')));
        assert.ok(first.ok && first.records.length === N);
        if (first.ok) {
          const dv = new DataView(first.records[1]!.data.buffer, first.records[1]!.data.byteOffset);
          assert.equal(dv.getUint32(46), crypt((1 * 2654435761) >>> 0), 'the key from commands-tee.txt was used');
        }
      } else {
        assert.ok(results[0]!.length < N, 'the monitor blocked some packets');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('p4tee tee gramine-manifest writes a manifest template with the expected keys', () => {
  const text = gramineManifest({ root: '/opt/p4tee', moduleFiles: ['/opt/p4tee/dist/tee/modules/study-xor.js', '/srv/my-module.js'], node: '/usr/bin/node', enclaveSize: '4G', maxThreads: 32 });
  for (const key of ['loader.entrypoint', 'libos.entrypoint', 'fs.mounts', 'sgx.enclave_size', 'sgx.max_threads', 'sgx.trusted_files', 'sys.insecure__allow_eventfd']) {
    assert.match(text, new RegExp(`^${key.replace(/\./g, '\\.')} = `, 'm'), key);
  }
  assert.match(text, /^libos\.entrypoint = "\/usr\/bin\/node"$/m);
  assert.match(text, /process-entry\.js/);
  assert.match(text, /type = "untrusted_shm"/);
  assert.match(text, /"file:\/srv\/my-module\.js"/);
  assert.match(text, /^sgx\.enclave_size = "4G"$/m);
  // TOML-ish: outside comments and arrays every line is `key = value`; brackets balance; strings close.
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (depth === 0) assert.match(line, /^[A-Za-z_][A-Za-z0-9_.]* = .+$/, line);
    const unquoted = line.replace(/"(?:[^"\\]|\\.)*"/g, '');
    assert.equal(unquoted.includes('"'), false, `unbalanced quotes: ${line}`);
    for (const c of unquoted) depth += c === '[' || c === '{' ? 1 : c === ']' || c === '}' ? -1 : 0;
    assert.ok(depth >= 0, line);
  }
  assert.equal(depth, 0, 'brackets balance');
  // From the command line.
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-gramine-'));
  try {
    const out = join(dir, 'p4tee-enclave.manifest.template');
    const r = cli(['tee', 'gramine-manifest', '--out', out, '--module', 'study-xor']);
    assert.equal(r.status, 0, r.stderr);
    const written = readFileSync(out, 'utf8');
    assert.match(written, /study-xor\.js|dist\//);
    assert.match(written, new RegExp(`libos\\.entrypoint = ${JSON.stringify(process.execPath).replace(/[/.]/g, '\\$&')}`));
    const bad = cli(['tee', 'gramine-manifest', '--module', 'no-such-module']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown enclave module/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function waitFor(child: ChildProcess, re: RegExp, getText: () => string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { reject(new Error(`timed out waiting for ${re}; output so far:\n${getText()}`)); }, ms);
    const check = (): void => { if (re.test(getText())) { clearTimeout(t); resolve(); } };
    child.stderr!.on('data', check);
    child.on('exit', () => { clearTimeout(t); if (re.test(getText())) resolve(); else reject(new Error(`exited before ${re}:\n${getText()}`)); });
    check();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => { setTimeout(r, ms); });

interface TeeStats { up: boolean; incarnation: number; crossings: number; failDrops: number; failedCalls: number; enclave: { pid: number | null } }

test('an enclave killed under a live switch (shm, extern:process:sync): detected, fails closed, says so, restarts from sealed state',
  { skip: nativeStatus().ok ? false : 'native addon not built (shm driver, process backend)' }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p4tee-teecrash-'));
    const sock = join(dir, 'ctl.sock');
    const names = [`p4tee-teecrash-${process.pid}-0`, `p4tee-teecrash-${process.pid}-1`];
    const ports: Port[] = [];
    let child: ChildProcess | null = null;
    try {
      for (const n of names) {
        const p = openPort({ driver: 'shm', iface: n, ringSize: 256, shmRole: 'create' });
        if (isPortError(p)) assert.fail(p.error);
        ports.push(p);
      }
      const [inPort, outPort] = ports as [Port, Port];
      let err = '';
      child = spawn(process.execPath, cliArgs([
        'switch', studyTee, '--driver', 'shm', '-i', `0@${names[0]}`, '-i', `1@${names[1]}`,
        '--commands', studyCommands, '--control', sock, '--stats', '0',
        '--tee', 'extern:process:sync', '--tee-seal-dir', join(dir, 'seal'), '--tee-timeout-ms', '200',
        '--idle-sleep', '1ms',
      ]), { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, P4TEE_PLATFORM_SECRET: join(dir, 'platform-secret') } });
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (d: string) => { err += d; });
      const exited = new Promise<number | null>((resolve) => { child!.on('exit', (code) => resolve(code)); });
      await waitFor(child, /ready in \d+ ms/, () => err, 60_000);
      assert.match(err, /tee extern:process:sync \(software isolation/);

      const pool = new PacketPool(512);
      const slots = new Int32Array(64);
      const got: Uint8Array[] = [];
      const send = (frames: Uint8Array[]): void => {
        let k = 0;
        for (const f of frames) {
          const s = pool.alloc();
          pool.write(s, f);
          slots[k++] = s;
        }
        let sent = 0;
        for (let tries = 0; sent < k && tries < 1000; tries++) sent += inPort.tx(pool, slots.subarray(sent), k - sent);
        assert.equal(sent, k, 'the shm ring took the frames');
      };
      const receive = (): void => {
        for (;;) {
          const n = outPort.rx(pool, slots, 64);
          for (let i = 0; i < n; i++) { got.push(pool.bytes(slots[i]!).slice()); pool.free(slots[i]!); }
          if (n === 0) break;
        }
      };
      const client = await ControlClient.connect(sock);
      if ('error' in client) throw new Error(client.error);
      const teeStats = async (): Promise<TeeStats> => {
        const r = await client.request({ cmd: 'stats' });
        assert.ok(r.ok, JSON.stringify(r));
        return (r.stats as { tee: TeeStats }).tee;
      };
      const drainUntil = async (count: number): Promise<void> => {
        for (let i = 0; i < 3000 && got.length < count; i++) { receive(); if (got.length < count) await sleep(5); }
      };

      // 1. The enclave works: 20 study packets, crypt with the key set by tee_control.
      send(Array.from({ length: 20 }, (_, i) => udpFrame(0x0a000001, 7777, i, 1000 + i)));
      await drainUntil(20);
      assert.equal(got.length, 20);
      got.forEach((f, i) => assert.equal(new DataView(f.buffer, f.byteOffset).getUint32(46), crypt(1000 + i)));
      const before = await teeStats();
      assert.equal(before.up, true);
      assert.ok(before.crossings >= 20);
      const pid = before.enclave.pid;
      assert.ok(pid !== null && pid !== child.pid, 'the enclave is its own process');

      // 2. Kill it; keep traffic flowing (study packets need the enclave, port-53 packets do not).
      got.length = 0;
      process.kill(pid!, 'SIGKILL');
      let study = 0;
      let other = 0;
      let after = before;
      for (let i = 0; i < 3000; i++) {
        send([udpFrame(0x0a000001, 7777, 100 + i, 5000 + i), udpFrame(0x0a000001, 53, 100 + i, 0)]);
        study++;
        other++;
        receive();
        await sleep(2);
        if (i % 10 === 9) {
          after = await teeStats();
          if (after.up && after.incarnation >= 2 && after.failDrops > 0) break;
        }
      }
      assert.ok(after.up && after.incarnation >= 2, `restarted: ${JSON.stringify(after)}\n${err}`);
      assert.ok(after.failDrops > 0, 'packets needing the enclave were dropped (and counted) while it was down');
      await drainUntil(study + other - after.failDrops);
      receive();
      const outOther = got.filter((f) => new DataView(f.buffer, f.byteOffset).getUint16(36) === 53).length;
      const outStudy = got.length - outOther;
      assert.equal(outOther, other, 'packets that do not need the enclave kept flowing');
      assert.equal(outStudy, study - after.failDrops, 'study packets: all but the fail-closed drops');
      // Seen by the exit event (crash) or by a call that got no reply (hang), whichever comes first.
      assert.match(err, /tee: (crash|hang): enclave (crashed|hung) \(process backend/);
      assert.match(err, /fail closed/);
      assert.match(err, /tee: restart: enclave restarted .*from sealed state study-xor v\d+/);
      assert.notEqual(after.enclave.pid, pid, 'a new enclave process');

      // 3. The key survived (restored from the sealed state).
      got.length = 0;
      send(Array.from({ length: 20 }, (_, i) => udpFrame(0x0a000001, 7777, 900 + i, 7000 + i)));
      await drainUntil(20);
      assert.equal(got.length, 20);
      got.forEach((f, i) => assert.equal(new DataView(f.buffer, f.byteOffset).getUint32(46), crypt(7000 + i), 'same key after restart'));
      client.close();

      child.kill('SIGTERM');
      assert.equal(await exited, 0, err);
      child = null;
      assert.match(err, /stopped by SIGTERM/);
    } finally {
      if (child !== null) child.kill('SIGKILL');
      for (const p of ports) p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
