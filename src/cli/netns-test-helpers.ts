// Helpers shared by the live-switch tests that run in network namespaces (switch.test.ts,
// switch-afxdp.test.ts): a traffic generator process inside the generator namespace (study frames
// out of gen0, whatever comes back on gen1 recorded by sequence number), starting `p4tee switch` in
// the DUT namespace, `p4tee ctl`, and probes of kernel state (XDP programs, AF_XDP / AF_PACKET
// sockets, namespaces). When run with P4TEE_TEST_GEN=1 this module is the generator itself.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const studyProgram = join(repoRoot, 'examples/study-forward/study-forward.p4');
const bin = join(repoRoot, 'bin/p4tee.js');
const self = fileURLToPath(import.meta.url);

/** Why the namespace tests cannot run here, or false when they can. */
export function netnsSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces (CI runs as root)';
  if (!existsSync(join(repoRoot, 'build/Release/p4tee_native.node'))) return 'native addon not built (node scripts/build-native.js)';
  if (spawnSync('ip', ['-V'], { encoding: 'utf8' }).status !== 0) return 'iproute2 `ip` not installed';
  return false;
}

/** The secret a study frame with sequence number seq carries when it is sent. */
export function secretFor(seq: number): number {
  return (0x10000000 + seq * 7) >>> 0;
}

/** What study-forward makes of `secret` under `key`: decrypt, +1, encrypt. */
export function expectedSecret(secret: number, key: number): number {
  return ((((secret ^ key) >>> 0) + 1) ^ key) >>> 0;
}

/** Ethernet / IPv4 / UDP to 7777 / study header (seq, secretFor(seq)), `size` bytes (>= 58). */
export function studyFrame(seq: number, size = 1500): Uint8Array {
  const d = new Uint8Array(size);
  const v = new DataView(d.buffer);
  d.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
  v.setUint16(12, 0x0800);
  d[14] = 0x45;
  v.setUint16(16, size - 14);
  d[22] = 64;
  d[23] = 17;
  v.setUint32(26, 0x0a6f0001);
  v.setUint32(30, 0x0a6f0102);
  let sum = 0;
  for (let j = 14; j < 34; j += 2) sum += v.getUint16(j);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  v.setUint16(24, ~sum & 0xffff);
  v.setUint16(34, 40000);
  v.setUint16(36, 7777);
  v.setUint16(38, size - 34);
  v.setUint16(40, 0xabcd);
  v.setUint32(42, seq);
  v.setUint32(46, secretFor(seq));
  return d;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

// ---- the generator (a child process inside the generator namespace) ----

/** A study frame that came back: sequence number, secret, frame length. */
export type StudyRx = [seq: number, secret: number, len: number];

export interface GenReport {
  /** Study frames sent so far (all time) and the next sequence number the stream would use. */
  sent: number;
  nextSeq: number;
  /** Frames received on gen1 since the previous report: full study frames, and the others as hex. */
  rx: StudyRx[];
  other: string[];
  txErrors: number;
}

type GenCommand =
  | { op: 'send'; first: number; n: number; size?: number }
  | { op: 'raw'; hex: string }
  | { op: 'stream'; first?: number; perTick: number; size?: number }
  | { op: 'report' }
  | { op: 'quit' };

/** The generator's main: reads one JSON command per stdin line, answers one JSON line each. */
async function generatorMain(): Promise<void> {
  const { openPort, isPortError } = await import('../runtime/io/port.js');
  const { PacketPool } = await import('../runtime/core/packet-pool.js');
  const pool = new PacketPool(4096, 2048, 0);
  const a = openPort({ driver: 'afpacket', iface: process.env.P4TEE_TEST_GEN_TX ?? 'gen0' });
  const b = openPort({ driver: 'afpacket', iface: process.env.P4TEE_TEST_GEN_RX ?? 'gen1' });
  if (isPortError(a) || isPortError(b)) {
    process.stdout.write(JSON.stringify({ error: isPortError(a) ? a.error : (b as { error: string }).error }) + '\n');
    process.exit(1);
  }
  const queue: Uint8Array[] = [];
  let sent = 0;
  let txErrors = 0;
  let streamPerTick = 0;
  let streamSize = 1500;
  let nextSeq = 0;
  let rx: StudyRx[] = [];
  let other: string[] = [];
  const slots = new Int32Array(256);
  const out = new Int32Array(256);
  let stopped = false;

  const tick = (): void => {
    if (stopped) return;
    for (let i = 0; i < streamPerTick; i++) queue.push(studyFrame(nextSeq++, streamSize));
    // Send what is queued, 64 at a time at most; a refused or failed send is retried next tick.
    let n = 0;
    while (n < 64 && n < queue.length) {
      const p = pool.alloc();
      if (p < 0) break;
      pool.write(p, queue[n]!);
      slots[n++] = p;
    }
    let k = 0;
    try {
      k = n > 0 ? a.tx(pool, slots, n) : 0;
    } catch {
      txErrors++;
    }
    for (let i = k; i < n; i++) pool.free(slots[i]!);
    // Re-kicks TX frames a failed send left queued (gen0 loses its carrier while dut0 is down).
    if (n > k) a.poll?.();
    for (let i = 0; i < k; i++) if (queue[i]!.length >= 58 && queue[i]![36] === 0x1e && queue[i]![37] === 0x61) sent++;
    queue.splice(0, k);
    for (;;) {
      const m = b.rx(pool, out, 256);
      for (let j = 0; j < m; j++) {
        const f = pool.bytes(out[j]!);
        const v = new DataView(f.buffer, f.byteOffset, f.byteLength);
        // Only whole study headers count as study frames: cut ones are reported as bytes.
        if (f.length >= 58 && v.getUint16(12) === 0x0800 && f[23] === 17 && v.getUint16(36) === 7777) {
          rx.push([v.getUint32(42), v.getUint32(46), f.length]);
        } else if (other.length < 1000) {
          other.push(toHex(f));
        }
        pool.free(out[j]!);
      }
      if (m < 256) break;
    }
    setTimeout(tick, 1);
  };
  setTimeout(tick, 1);

  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const c = JSON.parse(line) as GenCommand;
    if (c.op === 'send') {
      for (let i = 0; i < c.n; i++) queue.push(studyFrame(c.first + i, c.size ?? 1500));
      process.stdout.write('{"ok":true}\n');
    } else if (c.op === 'raw') {
      queue.push(new Uint8Array(Buffer.from(c.hex, 'hex')));
      process.stdout.write('{"ok":true}\n');
    } else if (c.op === 'stream') {
      if (c.first !== undefined) nextSeq = c.first;
      streamPerTick = c.perTick;
      streamSize = c.size ?? 1500;
      process.stdout.write('{"ok":true}\n');
    } else if (c.op === 'report') {
      const r: GenReport = { sent, nextSeq, rx, other, txErrors };
      rx = [];
      other = [];
      process.stdout.write(JSON.stringify(r) + '\n');
    } else if (c.op === 'quit') {
      break;
    }
  }
  stopped = true;
  a.close();
  b.close();
  process.stdout.write('{"ok":true}\n');
  process.exit(0);
}

/** The test's handle on a generator process running in namespace `ns`. */
export class Generator {
  private readonly child: ChildProcess;
  private readonly waiting: ((line: string) => void)[] = [];
  private stderr = '';
  private exited = false;

  private constructor(child: ChildProcess) {
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { this.stderr += d; });
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (line) => { this.waiting.shift()?.(line); });
    child.on('exit', () => {
      this.exited = true;
      for (const w of this.waiting.splice(0)) w(JSON.stringify({ error: `generator exited: ${this.stderr}` }));
    });
  }

  static start(ns: string): Generator {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, self], {
      cwd: repoRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, P4TEE_TEST_GEN: '1' },
    });
    return new Generator(child);
  }

  private request<T>(cmd: GenCommand): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.exited) { reject(new Error(`generator exited: ${this.stderr}`)); return; }
      const t = setTimeout(() => { reject(new Error(`generator did not answer ${cmd.op} in 30 s: ${this.stderr}`)); }, 30000);
      this.waiting.push((line) => {
        clearTimeout(t);
        const r = JSON.parse(line) as T & { error?: string };
        if (r.error !== undefined) reject(new Error(r.error));
        else resolve(r);
      });
      this.child.stdin!.write(JSON.stringify(cmd) + '\n');
    });
  }

  send(first: number, n: number, size = 1500): Promise<unknown> { return this.request({ op: 'send', first, n, size }); }
  raw(frame: Uint8Array): Promise<unknown> { return this.request({ op: 'raw', hex: toHex(frame) }); }
  stream(perTick: number, first?: number, size = 1500): Promise<unknown> { return this.request({ op: 'stream', perTick, first, size }); }
  report(): Promise<GenReport> { return this.request({ op: 'report' }); }

  /**
   * Collects reports until `done(all received so far)` holds or `ms` passes; returns everything
   * received (study frames by sequence number: a later copy of a number replaces the earlier).
   */
  async collect(done: (rx: Map<number, StudyRx>, other: string[]) => boolean, ms = 20000): Promise<{ rx: Map<number, StudyRx>; other: string[] }> {
    const rx = new Map<number, StudyRx>();
    const other: string[] = [];
    const until = Date.now() + ms;
    for (;;) {
      const r = await this.report();
      for (const x of r.rx) rx.set(x[0], x);
      other.push(...r.other);
      if (done(rx, other) || Date.now() > until) return { rx, other };
      await sleep(50);
    }
  }

  async quit(): Promise<void> {
    if (this.exited) return;
    try {
      await this.request({ op: 'quit' });
    } catch {
      // already gone
    }
    this.kill();
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

// ---- the switch under test ----

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `p4tee switch ...` running in a namespace (or not), with its stderr collected. */
export class SwitchProc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  err = '';
  running = true;

  constructor(ns: string | null, args: string[]) {
    const cmd = [process.execPath, bin, 'switch', ...args];
    this.child = ns === null
      ? spawn(cmd[0]!, cmd.slice(1), { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('ip', ['netns', 'exec', ns, ...cmd], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (d: string) => { this.err += d; });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (d: string) => { this.err += d; });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => { this.running = false; resolve({ code, signal }); });
    });
  }

  /** Waits (bounded) until the output matches re; rejects with the output when it does not. */
  async waitFor(re: RegExp, ms = 60000): Promise<void> {
    const until = Date.now() + ms;
    while (!re.test(this.err)) {
      if (!this.running) throw new Error(`switch exited before ${re}:\n${this.err}`);
      if (Date.now() > until) throw new Error(`timed out waiting for ${re}; output so far:\n${this.err}`);
      await sleep(20);
    }
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', ms = 30000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const t = new Promise<null>((res) => { timer = setTimeout(() => res(null), ms); });
    const r = await Promise.race([this.exited, t]);
    clearTimeout(timer);
    if (r === null) {
      this.child.kill('SIGKILL');
      throw new Error(`switch did not stop within ${ms} ms after ${signal}:\n${this.err}`);
    }
    return r;
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }
}

/** `p4tee ctl --control sock ...` in its own process. */
export function ctl(sock: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, 'ctl', '--control', sock, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The running switch's `stats` (the loop's counters), or an error text. */
export interface SwitchStats {
  inPackets: number;
  outPackets: number;
  drops: Record<string, number>;
  ports: { num: number; name: string; in: number; out: number; errors: number; lastError: string | null; stats: { drops: Record<string, number> } }[];
}

export function ctlStats(sock: string): SwitchStats {
  const r = ctl(sock, ['stats']);
  if (r.status !== 0) throw new Error(`p4tee ctl stats: ${r.stderr}`);
  return JSON.parse(r.stdout) as SwitchStats;
}

/** All drops of a stats snapshot by reason: the loop's, then each port's as PORTNAME:reason. */
export function dropsOf(s: SwitchStats): Record<string, number> {
  const d: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.drops)) if (v !== 0) d[k] = v;
  for (const p of s.ports) for (const [k, v] of Object.entries(p.stats.drops)) if (v !== 0) d[`${p.name}:${k}`] = v;
  return d;
}

// ---- kernel state ----

export function ip(args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 20000 });
  return { ok: r.status === 0, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** True when `ip -d link show` reports an XDP program on dev in ns. */
export function hasXdp(ns: string, dev: string): boolean {
  const r = ip(['-n', ns, '-d', 'link', 'show', 'dev', dev]);
  if (!r.ok) throw new Error(`ip -n ${ns} link show ${dev}: ${r.err}`);
  return /\bxdp|prog\/xdp/.test(r.out);
}

/** Sockets of a protocol family open in namespace ns, from /proc/net/protocols ('XDP', 'PACKET'). */
export function socketCount(ns: string, protocol: string): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, 'cat', '/proc/net/protocols'], { encoding: 'utf8', timeout: 20000 });
  const line = (r.stdout ?? '').split('\n').find((l) => l.split(/\s+/)[0] === protocol);
  if (line === undefined) throw new Error(`no ${protocol} line in /proc/net/protocols of ${ns}`);
  return Number(line.split(/\s+/)[2]);
}

/** Polls `probe` until it returns true or ms pass; returns the last value. Kernel state may lag. */
export async function eventually(probe: () => boolean, ms = 10000): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (probe()) return true;
    if (Date.now() > until) return false;
    await sleep(50);
  }
}

/** Namespaces whose name starts with prefix. */
export function namespacesWith(prefix: string): string[] {
  return ip(['netns', 'list']).out.split('\n').map((l) => l.trim().split(/\s+/)[0]!).filter((n) => n !== '' && n.startsWith(prefix));
}

// ---- the scenario both live tests run ----

function checkStudy(rx: Map<number, StudyRx>, first: number, n: number, key: number): void {
  for (let s = first; s < first + n; s++) {
    const got = rx.get(s);
    assert.ok(got !== undefined, `study frame seq ${s} did not come out of gen1 (got ${rx.size} frames)`);
    assert.equal(got[1], expectedSecret(secretFor(s), key), `seq ${s}: secret`);
    assert.equal(got[2], 1500, `seq ${s}: length`);
  }
}

const allOf = (first: number, n: number) => (rx: Map<number, StudyRx>): boolean => {
  for (let s = first; s < first + n; s++) if (!rx.has(s)) return false;
  return true;
};

const total = (d: Record<string, number>): number => Object.values(d).reduce((x, y) => x + y, 0);

/**
 * Runs `p4tee switch` (study-forward, --driver `driver`) in namespace dut of the topology with
 * prefix `prefix` and checks, as subtests of t: forwarding with key 0, a key set with `p4tee ctl`,
 * truncated and garbage frames, dut1 down and up under traffic; then SIGTERM: exit 0 with final
 * counters, control socket removed, no XDP program and no AF_XDP / AF_PACKET socket left in dut.
 */
export async function liveSwitchScenario(t: TestContext, prefix: string, driver: 'afxdp' | 'afpacket', extra: string[] = []): Promise<void> {
  const gen = `${prefix}-gen`;
  const dut = `${prefix}-dut`;
  const KEY = 0x5a5aa5a5;
  const sock = join(tmpdir(), `${prefix}-${driver}.sock`);
  let sw: SwitchProc | null = null;
  let g: Generator | null = null;
  try {
    sw = new SwitchProc(dut, [studyProgram, '--driver', driver, '-i', '0@dut0', '-i', '1@dut1', '--control', sock, '--stats', '0', '--ring', '256', ...extra]);
    await sw.waitFor(/ready in \d+ ms/);
    if (driver === 'afxdp') {
      assert.ok(hasXdp(dut, 'dut0') && hasXdp(dut, 'dut1'), 'XDP programs attached while running');
      assert.equal(socketCount(dut, 'XDP'), 2, 'two AF_XDP sockets while running');
    } else {
      assert.ok(socketCount(dut, 'PACKET') >= 2, 'AF_PACKET sockets while running');
    }
    g = Generator.start(gen);
    const gg = g;
    const s0 = sw;

    await t.test('study frames come out of gen1 changed (key 0: secret + 1)', async () => {
      await gg.send(0, 32);
      const { rx } = await gg.collect(allOf(0, 32));
      checkStudy(rx, 0, 32, 0);
    });

    await t.test('a key set with p4tee ctl while running takes effect', async () => {
      const r = ctl(sock, ['register_write', 'StudyIngress.key', '0', '0x5A5AA5A5']);
      assert.equal(r.status, 0, r.stderr);
      await gg.send(100, 32);
      const { rx } = await gg.collect(allOf(100, 32));
      checkStudy(rx, 100, 32, KEY);
    });

    await t.test('truncated and garbage frames are forwarded unchanged; the loop goes on', async () => {
      // A study frame cut inside the study header (parser error PacketTooShort: forwarded as it
      // is), an IPv4 frame cut inside the IPv4 header, and bytes of no protocol at all.
      const cut = studyFrame(0xeeee0001, 1500).slice(0, 50);
      const ipCut = studyFrame(0xeeee0002, 1500).slice(0, 20);
      ipCut.set([2, 0, 0, 0, 0, 0xee], 6);
      const junk = new Uint8Array(64).fill(0xa5);
      junk.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 0xef], 0);
      for (const f of [cut, ipCut, junk]) await gg.raw(f);
      await gg.send(200, 16);
      const want = [toHex(cut), toHex(ipCut), toHex(junk)];
      const { rx, other } = await gg.collect((r, o) => allOf(200, 16)(r) && want.every((w) => o.includes(w)));
      for (const w of want) assert.ok(other.includes(w), `frame ${w.slice(0, 40)}... did not come out unchanged; got ${other.map((o) => o.slice(0, 40)).join(', ')}`);
      checkStudy(rx, 200, 16, KEY);
    });

    await t.test('dut1 down under traffic: drops counted by reason, the loop goes on, forwarding resumes after up', async () => {
      await gg.stream(4, 10000);
      const first = await gg.collect((r) => r.size >= 20);
      assert.ok(first.rx.size >= 20, 'traffic flows before the link goes down');
      const before = ctlStats(sock);
      assert.ok(ip(['-n', dut, 'link', 'set', 'dut1', 'down']).ok);
      // Keep streaming until the switch counts drops (bounded wait).
      let during = before;
      const dropped = await eventually(() => {
        during = ctlStats(sock);
        return total(dropsOf(during)) > total(dropsOf(before));
      }, 20000);
      assert.ok(dropped, `no drops counted while dut1 was down: ${JSON.stringify(during)}`);
      assert.ok(during.inPackets > before.inPackets, 'still receiving on dut0 while dut1 is down');
      const d = dropsOf(during);
      assert.ok(['tx-full', 'tx-error', 'dut1:tx-error', 'dut1:tx-full'].some((k) => (d[k] ?? 0) > 0), `drops while dut1 is down carry a TX reason: ${JSON.stringify(d)}`);
      t.diagnostic(`${driver}: drops while dut1 was down: ${JSON.stringify(dropsOf(during))}`);
      assert.ok(ip(['-n', dut, 'link', 'set', 'dut1', 'up']).ok);
      // No \`ctl stats\` from here until traffic is back: a stats request polls the ports, and
      // recovery must not depend on it.
      const mark = (await gg.report()).nextSeq;
      const after = await gg.collect((r) => [...r.keys()].some((x) => x > mark + 50), 30000);
      const late = [...after.rx.values()].filter((x) => x[0] > mark);
      assert.ok(late.length > 0, `nothing forwarded after dut1 came back:\n${s0.err}`);
      for (const x of late) assert.equal(x[1], expectedSecret(secretFor(x[0]), KEY));
      assert.ok(s0.running, 'the switch still runs');
    });

    await t.test('dut0 (the receiving side) down and up under traffic: receiving resumes', async () => {
      assert.ok(ip(['-n', dut, 'link', 'set', 'dut0', 'down']).ok);
      await sleep(300);
      await gg.report();
      assert.ok(ip(['-n', dut, 'link', 'set', 'dut0', 'up']).ok);
      const mark = (await gg.report()).nextSeq;
      const after = await gg.collect((r) => [...r.keys()].some((x) => x > mark + 50), 30000);
      const late = [...after.rx.values()].filter((x) => x[0] > mark);
      assert.ok(late.length > 0, `nothing forwarded after dut0 came back:\n${s0.err}`);
      for (const x of late) assert.equal(x[1], expectedSecret(secretFor(x[0]), KEY));
      await gg.stream(0);
      assert.ok(s0.running, 'the switch still runs');
    });

    await g.quit();
    g = null;
    const { code } = await sw.stop('SIGTERM');
    assert.equal(code, 0, sw.err);
    assert.match(sw.err, /stopped by SIGTERM: in \d+ out \d+ packets/);
    t.diagnostic(`${driver}: ${sw.err.trim().split('\n').pop()}`);
    assert.equal(existsSync(sock), false, 'control socket removed');
    assert.ok(await eventually(() => !hasXdp(dut, 'dut0') && !hasXdp(dut, 'dut1')), 'no XDP program left on dut0/dut1');
    assert.ok(await eventually(() => socketCount(dut, 'XDP') === 0), 'no AF_XDP socket left');
    assert.ok(await eventually(() => socketCount(dut, 'PACKET') === 0), 'no AF_PACKET socket left');
  } finally {
    g?.kill();
    sw?.kill();
    rmSync(sock, { force: true });
  }
}

if (process.env.P4TEE_TEST_GEN === '1') await generatorMain();
