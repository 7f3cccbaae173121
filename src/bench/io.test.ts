// Tests of bench:io's pure logic (io-lib.ts: options, medians, rates from counter samples, parsing of
// `ip -s -j` and tool output, the table, staleness of the C tools) and, as root with a C compiler,
// of the C tools themselves: both compile, and xdp-fwd forwards a handful of xdp-send's frames from
// dut0 to dut1 on a namespace pair of its own (prefix p4tc), removed afterwards with nothing left.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildTool,
  cTools,
  cpuTicksFromStat,
  formatTable,
  gbitPerSecond,
  isStale,
  lastJsonLine,
  median,
  parseIoArgs,
  parseIpLinkStats,
  rateBetween,
  ratioOf,
  summarize,
  type IoOptions,
  type RunResult,
} from './io-lib.js';
import { netnsDown, netnsUp } from '../cli/netns.js';

test('parseIoArgs: defaults, values and refusals', () => {
  const d = parseIoArgs([]) as IoOptions;
  assert.equal(d.rounds, 3);
  assert.equal(d.seconds, 5);
  assert.equal(d.size, 1500);
  assert.equal(d.rate, 0);
  assert.equal((parseIoArgs(['--rate', '1e6']) as IoOptions).rate, 1e6);
  assert.equal(d.json, false);
  assert.equal(d.telemetry, true);
  assert.deepEqual([d.dutCpu, d.genCpu], [0, 1]);
  const o = parseIoArgs(['--rounds', '5', '--seconds', '2.5', '--size', '64', '--json', '--no-telemetry', '--no-shm', '--dut-cpu', '1', '--gen-cpu', '0']) as IoOptions;
  assert.deepEqual(
    [o.rounds, o.seconds, o.size, o.json, o.telemetry, o.shm, o.afxdp, o.dutCpu, o.genCpu],
    [5, 2.5, 64, true, false, false, true, 1, 0],
  );
  assert.match(parseIoArgs(['--rounds', '0']) as string, /--rounds must be an integer from 1/);
  assert.match(parseIoArgs(['--rounds', '2.5']) as string, /--rounds must be an integer/);
  assert.match(parseIoArgs(['--size', '59']) as string, /--size/);
  assert.match(parseIoArgs(['--seconds']) as string, /needs a value/);
  assert.match(parseIoArgs(['--seconds', 'abc']) as string, /--seconds must be a number/);
  assert.match(parseIoArgs(['--frobnicate']) as string, /unknown option '--frobnicate'/);
  assert.match(parseIoArgs(['--no-shm', '--no-afxdp']) as string, /nothing to measure/);
});

test('median: odd, even, empty, non-finite values ignored', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(median([NaN, 5, Infinity, 1, 3]), 3);
});

test('rateBetween and gbitPerSecond', () => {
  assert.equal(rateBetween({ t: 10, packets: 1000 }, { t: 12, packets: 5000 }), 2000);
  assert.ok(Number.isNaN(rateBetween({ t: 10, packets: 1 }, { t: 10, packets: 5 })), 'empty window');
  assert.ok(Number.isNaN(rateBetween({ t: 10, packets: 9 }, { t: 11, packets: 5 })), 'counter went back');
  assert.ok(Number.isNaN(rateBetween({ t: 10, packets: NaN }, { t: 11, packets: 5 })), 'missing counter');
  assert.equal(gbitPerSecond(1e6, 1500), 12);
});

test('parseIpLinkStats and lastJsonLine', () => {
  const text = JSON.stringify([
    { ifname: 'lo', stats64: { rx: { packets: 0, dropped: 0 }, tx: { packets: 0, dropped: 0 } } },
    { ifname: 'gen1', stats64: { rx: { packets: 1234, dropped: 7 }, tx: { packets: 2, dropped: 0 } } },
    { ifname: 'nostats' },
  ]);
  const s = parseIpLinkStats(text);
  assert.deepEqual(s.gen1, { rxPackets: 1234, txPackets: 2, rxDropped: 7, txDropped: 0 });
  assert.equal(s.nostats, undefined);
  assert.deepEqual(parseIpLinkStats('not json'), {});
  assert.deepEqual(lastJsonLine('xdp-fwd: ready\n{"a":1}\n{"b":2}\ntrailing text\n'), { b: 2 });
  assert.equal(lastJsonLine('no json here\n[1,2]\n'), null);
});

test('summarize, ratioOf and formatTable', () => {
  const run = (setup: string, round: number, mpps: number, offered: number, cpu = 0.5): RunResult => ({ setup, round, pps: mpps * 1e6, offeredPps: offered * 1e6, cpuShare: cpu, detail: {} });
  const runs = [run('C', 0, 1.0, 1.1), run('P', 0, 0.8, 1.1, 0.4), run('C', 1, 1.2, 1.1), run('P', 1, 1.0, 1.0, 1.0), run('C', 2, 0.9, 1.2), run('P', 2, 0.85, 1.1, NaN)];
  const s = summarize(runs, 1500);
  assert.deepEqual(s.map((x) => x.setup), ['C', 'P']);
  assert.equal(s[0]!.mpps, 1.0);
  assert.equal(s[1]!.mpps, 0.85);
  assert.equal(s[0]!.gbps, 12);
  assert.equal(s[0]!.offeredMpps, 1.1);
  assert.deepEqual(s[1]!.perRoundMpps, [0.8, 1.0, 0.85]);
  assert.equal(s[0]!.cpuShare, 0.5);
  assert.equal(s[0]!.mppsPerCpu, 2.0);
  assert.equal(s[1]!.cpuShare, 0.7, 'the run without a CPU reading is left out');
  assert.equal(s[1]!.mppsPerCpu, 1.5, 'median of 0.8/0.4 and 1.0/1.0');
  assert.equal(ratioOf(s[1], s[0]), 0.85);
  assert.ok(Number.isNaN(ratioOf(undefined, s[0])));
  const table = formatTable(s, new Map([['C', 1], ['P', 0.85]]));
  const lines = table.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[0]!, /^setup\s+median Mpps\s+Gbit\/s\s+offered Mpps\s+ratio\s+DUT CPU\s+Mpps\/CPU\s+rounds \(Mpps\)$/);
  assert.match(lines[3]!, /^P\s+0\.850\s+10\.20\s+1\.100\s+0\.85\s+70%\s+1\.500\s+0\.800 1\.000 0\.850$/);
});

test('cpuTicksFromStat: utime + stime, names with spaces and parentheses', () => {
  const stat = '1234 (node (main) x) R 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 100 1000 500';
  assert.equal(cpuTicksFromStat(stat), 300);
  assert.ok(Number.isNaN(cpuTicksFromStat('garbage')));
  assert.ok(Number.isNaN(cpuTicksFromStat('1 (x) R 1 2')));
});

test('isStale: missing binary or a newer source', () => {
  assert.equal(isStale(null, [1]), true);
  assert.equal(isStale(100, [50, 99]), false);
  assert.equal(isStale(100, [50, 101]), true);
  const t = cTools('/pkg');
  assert.equal(t.fwd.output, '/pkg/build/bench/xdp-fwd');
  assert.ok(t.fwd.sources.includes('/pkg/native/xdp-prog.c'), 'xdp-fwd is rebuilt when the shared XDP program changes');
});

const isRoot = process.getuid?.() === 0;
const hasCc = spawnSync(process.env.CC ?? 'cc', ['--version']).status === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;
const PREFIX = 'p4tc';

function ipJson(args: string[]): { ifname: string; xdp?: unknown; stats64?: { rx: { packets: number } } }[] {
  const r = spawnSync('ip', ['-j', ...args], { encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout) : [];
}

function rxPackets(ns: string, dev: string): number {
  return ipJson(['-n', ns, '-s', 'link', 'show', 'dev', dev])[0]?.stats64?.rx.packets ?? NaN;
}

test(
  'C tools compile; xdp-fwd forwards xdp-send frames dut0 -> dut1 and detaches (root)',
  { skip: !isRoot || !hasCc || !hasIp ? 'needs root, a C compiler (cc) and iproute2' : false, timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p4tc-tools-'));
    const cleanup = (): void => { netnsDown(PREFIX); };
    process.once('exit', cleanup);
    try {
      // Built into a directory of the test's own: no race with a bench building build/bench.
      const t = cTools();
      const fwd = buildTool({ ...t.fwd, output: join(dir, 'xdp-fwd') });
      const send = buildTool({ ...t.send, output: join(dir, 'xdp-send') });
      assert.ok('path' in fwd, 'error' in fwd ? fwd.error : '');
      assert.ok('path' in send, 'error' in send ? send.error : '');
      const up = netnsUp(PREFIX);
      assert.ok(up.ok, up.ok ? '' : up.error);
      const gen = `${PREFIX}-gen`;
      const dut = `${PREFIX}-dut`;
      const rx0 = rxPackets(gen, 'gen1');

      const child = spawn('ip', ['netns', 'exec', dut, fwd.path, '-d', '1', 'dut0', 'dut1'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s; });
      child.stderr.setEncoding('utf8').on('data', (s: string) => { err += s; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const deadline = Date.now() + 20_000;
      while (!/xdp-fwd: ready/.test(err) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.match(err, /xdp-fwd: ready dut0 <-> dut1/, err);
      assert.ok(ipJson(['-n', dut, 'link', 'show', 'dev', 'dut0'])[0]?.xdp !== undefined, 'XDP program attached on dut0');

      // About 8 frames at 40 pps, well inside xdp-fwd's second.
      const s = spawnSync('ip', ['netns', 'exec', gen, send.path, '-r', '40', '-d', '0.2', '-s', '200', 'gen0'], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(s.status, 0, s.stderr);
      const sent = lastJsonLine(s.stdout) as { sent: number; sentAfterDrain: number; size: number } | null;
      assert.ok(sent !== null && sent.sentAfterDrain >= 4 && sent.sentAfterDrain <= 20, s.stdout);
      assert.equal(sent.size, 200);

      const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 20_000))]);
      if (code === 'timeout') child.kill('SIGKILL');
      assert.equal(code, 0, err);
      const counters = lastJsonLine(out) as { rx: number[]; tx: number[]; txFull: number[] } | null;
      assert.ok(counters !== null, out);
      assert.equal(counters.rx[0], sent.sentAfterDrain, 'every frame sent on gen0 reached xdp-fwd on dut0');
      assert.equal(counters.tx[0], sent.sentAfterDrain, 'and went out of dut1');
      assert.equal(counters.rx[1], 0, 'nothing came the other way');
      assert.equal(rxPackets(gen, 'gen1') - rx0, sent.sentAfterDrain, 'gen1 received them');
      assert.match(err, /xdp-fwd: stopped after/);
      for (const dev of ['dut0', 'dut1']) assert.equal(ipJson(['-n', dut, 'link', 'show', 'dev', dev])[0]?.xdp, undefined, `no XDP program left on ${dev}`);
    } finally {
      const down = netnsDown(PREFIX);
      process.off('exit', cleanup);
      rmSync(dir, { recursive: true, force: true });
      assert.ok(down.ok, down.ok ? '' : down.error);
    }
    assert.doesNotMatch(spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout, new RegExp(`^${PREFIX}-`, 'm'), 'namespaces removed');
  },
);
