// `npm run bench:gen`: the send rate of `p4tee gen --driver afxdp --mode copy` next to the minimal
// C AF_XDP sender build/bench/xdp-send (compiled from src/bench/c as bench:io does), both as fast as
// they can on veth gen0 of the namespaces p4tg-PID-gen / p4tg-PID-dut (`p4tee netns up`, always
// removed), pinned to the same CPU, alternating within each round, per frame size (default 1500 and
// 64 bytes). Rate = packets that left gen0 (interface counters) per second. Output: a table with
// medians and the ratio p4tee/C (target >= 0.8) on stdout (or --json); progress on stderr.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { buildTool, cTools, lastJsonLine, parseIpLinkStats, rateBetween } from './io-lib.js';
import { P4TEE_BIN, cpuSeconds, killAll, netns, progressTo, runScript, sleep, start, stop, tail, waitFor } from './proc.js';
import {
  GEN_BENCH_USAGE,
  SETUP_C_SEND,
  SETUP_P4TEE_GEN,
  TARGET_GEN_RATIO,
  formatGenTable,
  parseGenBenchArgs,
  summarizeGen,
  type GenBenchOptions,
  type GenRun,
} from './gen-lib.js';

const PREFIX = `p4tg-${process.pid}`;
const GEN_NS = `${PREFIX}-gen`;
/** Far above what either sender reaches: p4tee gen then sends a full burst on every pass. */
const FULL_SPEED = '30Mpps';

const progress = progressTo('gen');

/** gen0's TX packet counter, stamped with the middle of the read (s). */
function gen0Tx(): { t: number; packets: number } {
  const t0 = performance.now();
  const r = spawnSync('ip', ['-n', GEN_NS, '-s', '-j', 'link', 'show', 'dev', 'gen0'], { encoding: 'utf8', timeout: 5000 });
  const t1 = performance.now();
  const links = r.status === 0 ? parseIpLinkStats(r.stdout) : {};
  return { t: (t0 + t1) / 2000, packets: links.gen0?.txPackets ?? NaN };
}

async function runOne(kind: 'c' | 'p4tee', size: number, round: number, opts: GenBenchOptions, send: string, pin: string[]): Promise<GenRun | string> {
  const setup = kind === 'c' ? SETUP_C_SEND : SETUP_P4TEE_GEN;
  const dur = opts.warmup + opts.seconds + 2;
  const argv =
    kind === 'c'
      ? [send, '-s', String(size), '-d', String(dur), 'gen0']
      : [process.execPath, P4TEE_BIN, 'gen', '--driver', 'afxdp', '--mode', 'copy', '--tx', 'gen0', '--rate', FULL_SPEED,
        '--size', String(size), '--duration', `${dur}s`, '--burst', '32', '--ring', '2048', '--json'];
  const ready = kind === 'c' ? /xdp-send: gen0 queue/ : /p4tee gen: .* tx afxdp gen0/;
  let p = start('', ['ip', 'netns', 'exec', GEN_NS, ...pin, ...argv]);
  try {
    for (let attempt = 0; ; attempt++) {
      if (await waitFor(p, ready, 30_000)) break;
      await stop(p);
      // The previous run's AF_XDP socket is freed by the kernel a little after its process ended:
      // bind() says EBUSY meanwhile.
      if (attempt >= 20 || !/busy|EBUSY/i.test(p.out)) return `${setup} (${size} B) did not start:\n${tail(p.out, 6)}`;
      await sleep(250);
      p = start('', ['ip', 'netns', 'exec', GEN_NS, ...pin, ...argv]);
    }
    await sleep(opts.warmup * 1000);
    const c0 = cpuSeconds(p);
    const a = gen0Tx();
    await sleep(opts.seconds * 1000);
    const b = gen0Tx();
    const c1 = cpuSeconds(p);
    const alive = p.exitCode === undefined;
    await stop(p);
    if (!alive) return `${setup} (${size} B) ended before the window closed:\n${tail(p.out, 6)}`;
    const pps = rateBetween(a, b);
    if (!Number.isFinite(pps)) return `${setup}: could not read gen0's counters (ip -s -j link show)`;
    const detail: Record<string, unknown> = { windowSeconds: b.t - a.t, packets: b.packets - a.packets };
    const j = lastJsonLine(p.out);
    if (j !== null) detail.result = kind === 'c' ? j : { sent: j.sent, achievedPps: j.achievedPps, backpressure: j.backpressure };
    return { setup, size, round, pps, cpuShare: b.t > a.t ? (c1 - c0) / (b.t - a.t) : NaN, detail };
  } finally {
    await stop(p);
  }
}

let netnsIsUp = false;
const state = { interrupted: false };

function cleanupNow(): void {
  killAll('SIGKILL');
  if (netnsIsUp) {
    netns('down', PREFIX);
    netnsIsUp = false;
  }
}

async function main(): Promise<number> {
  const parsed = parseGenBenchArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stderr.write(`bench:gen: ${parsed}\n${GEN_BENCH_USAGE}`);
    return 2;
  }
  const opts = parsed;
  if (opts.help) {
    process.stdout.write(GEN_BENCH_USAGE);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    progress('needs root (network namespaces, XDP programs, AF_XDP sockets): nothing measured. Run it as root: sudo npm run bench:gen');
    return 0;
  }
  const notes: string[] = ['the machine may be shared: compare the two senders of one run (alternating, medians), not runs across days'];
  const cpus = os.cpus().length;
  let pin: string[] = [];
  const ts = spawnSync('taskset', ['-c', String(opts.cpu), 'true'], { timeout: 5000 });
  if (opts.cpu < cpus && ts.error === undefined && ts.status === 0) {
    pin = ['taskset', '-c', String(opts.cpu)];
    // This script (mostly asleep) keeps off the senders' CPU when there is another one.
    if (cpus > 1) spawnSync('taskset', ['-a', '-p', '-c', String(opts.cpu === 0 ? 1 : 0), String(process.pid)], { timeout: 5000 });
    notes.push(`both senders pinned to CPU ${opts.cpu} of ${cpus} (taskset)`);
  } else {
    notes.push('senders not pinned (taskset missing or CPU absent)');
  }
  progress(notes[notes.length - 1]!);
  const tool = buildTool(cTools().send, progress);
  if ('error' in tool) {
    progress(`cannot build xdp-send: ${tool.error}`);
    return 1;
  }
  progress(`building the veth topology: p4tee netns up --prefix ${PREFIX}`);
  netnsIsUp = true;
  const e = netns('up', PREFIX);
  if (e !== null) {
    progress(`p4tee netns up failed: ${e}`);
    return 1;
  }
  const runs: GenRun[] = [];
  const failures: string[] = [];
  const total = opts.rounds * opts.sizes.length * 2;
  let done = 0;
  try {
    for (let round = 0; round < opts.rounds && !state.interrupted; round++) {
      for (const size of opts.sizes) {
        const order: ('c' | 'p4tee')[] = round % 2 === 0 ? ['c', 'p4tee'] : ['p4tee', 'c'];
        for (const kind of order) {
          if (state.interrupted) break;
          // build/ belongs to node-gyp too: a rebuild of the addon meanwhile wipes it; build again if so.
          const t = buildTool(cTools().send, progress);
          const r = 'error' in t ? `cannot build xdp-send: ${t.error}` : await runOne(kind, size, round, opts, t.path, pin);
          done++;
          if (typeof r === 'string') {
            failures.push(r);
            progress(`[${done}/${total}] failed: ${r}`);
          } else {
            runs.push(r);
            progress(`[${done}/${total}] round ${round + 1} ${size} B ${r.setup}: ${(r.pps / 1e6).toFixed(3)} Mpps, CPU ${(100 * r.cpuShare).toFixed(0)}%`);
          }
        }
      }
    }
  } finally {
    progress(`removing the topology: p4tee netns down --prefix ${PREFIX}`);
    const d = netns('down', PREFIX);
    netnsIsUp = false;
    if (d !== null) progress(`p4tee netns down failed: ${d}`);
  }
  const summary = summarizeGen(runs, opts.sizes);
  if (opts.json) {
    const cpu = os.cpus();
    process.stdout.write(JSON.stringify({
      kind: 'p4tee-bench-gen', version: 1,
      environment: { kernel: os.release(), node: process.version, cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, hostname: os.hostname(), date: new Date().toISOString() },
      options: opts, runs, summary, target: TARGET_GEN_RATIO, failures, notes,
    }) + '\n');
  } else {
    const out = [
      `bench:gen: AF_XDP copy mode on veth gen0, as fast as each sender can, ${opts.rounds} round(s) of ${opts.seconds} s windows after ${opts.warmup} s warm-up`,
      '',
      formatGenTable(summary),
      '',
      `Mpps: packets that left gen0 (ip -s link counters) per second; ratio = p4tee gen / C xdp-send (medians), target >= ${TARGET_GEN_RATIO}.`,
      'CPU: CPU time of the sender process / window (the veth transmit runs in that process\'s sendto()); below 100%: other',
      'processes took part of the CPU; ratio per CPU = ratio of the medians of Mpps / CPU share (a rough correction, not the result).',
      ...notes.map((n) => `note: ${n}`),
      ...failures.map((f) => `failed run: ${f.split('\n')[0]}`),
    ];
    process.stdout.write(out.join('\n') + '\n');
  }
  return failures.length > 0 && runs.length === 0 ? 1 : 0;
}

runScript(main, progress, 'the senders and removing the topology', cleanupNow, state);
