// `npm run bench:io`: the forwarding rate of `p4tee switch` running examples/study-forward over
// AF_XDP (copy mode) next to the minimal C forwarder build/bench/xdp-fwd, on the veth topology
// (`p4tee netns up --prefix p4tb`), loaded by build/bench/xdp-send with 1500-byte frames, DUT and
// generator pinned to different CPUs, setups alternating within each round (medians reported);
// and the processing-bound rate of p4tee over shm rings fed by io-shm-peer. Output: a table on
// stdout (or --json), progress on stderr. Without root only the shm part runs.
import { spawnSync } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ControlClient } from '../runtime/control/server.js';
import {
  IO_USAGE,
  PACKAGE_ROOT,
  buildTool,
  cTools,
  formatTable,
  gbitPerSecond,
  lastJsonLine,
  parseIoArgs,
  parseIpLinkStats,
  rateBetween,
  ratioOf,
  summarize,
  type CounterSample,
  type IoOptions,
  type LinkCounters,
  type RunResult,
} from './io-lib.js';
import { P4TEE_BIN, cpuSeconds, finish, killAll, netns, progressTo, runScript, sleep, start, stop, tail, waitFor, type Proc } from './proc.js';

const PREFIX = 'p4tb';
const GEN_NS = `${PREFIX}-gen`;
const DUT_NS = `${PREFIX}-dut`;
const SHM_IN = `${PREFIX}-shm0`;
const SHM_OUT = `${PREFIX}-shm1`;
const PROGRAM = join(PACKAGE_ROOT, 'examples', 'study-forward', 'study-forward.p4');
const COMMANDS = join(PACKAGE_ROOT, 'examples', 'study-forward', 'commands.txt');
const SHM_PEER = join(PACKAGE_ROOT, 'dist', 'bench', 'io-shm-peer.js');
const TARGET_RATIO = 0.9;

export const SETUP_C = 'C xdp-fwd (afxdp copy)';
export const SETUP_P4TEE = 'p4tee switch (afxdp copy)';
export const SETUP_SHM = 'p4tee switch (shm)';

const progress = progressTo('io');

// ---- the topology and counters ----

/** Counters of every interface in a namespace, stamped with the middle of the read (s). */
function readLinks(ns: string): { t: number; links: Record<string, LinkCounters> } {
  const t0 = performance.now();
  const r = spawnSync('ip', ['-n', ns, '-s', '-j', 'link', 'show'], { encoding: 'utf8', timeout: 5000 });
  const t1 = performance.now();
  return { t: (t0 + t1) / 2000, links: r.status === 0 ? parseIpLinkStats(r.stdout) : {} };
}

function counter(s: { t: number; links: Record<string, LinkCounters> }, dev: string, field: keyof LinkCounters): CounterSample {
  return { t: s.t, packets: s.links[dev]?.[field] ?? NaN };
}

function share(cpu0: number, cpu1: number, t0: number, t1: number): number {
  return t1 > t0 ? (cpu1 - cpu0) / (t1 - t0) : NaN;
}

// ---- telemetry of a running p4tee switch ----

interface TelemetrySummary {
  batches: number;
  packets: number;
  meanBatch: number;
  emptyPolls: number;
  /** ns per packet spent receiving, processing and sending (batch totals / packets). */
  rxNsPerPacket: number;
  procNsPerPacket: number;
  txNsPerPacket: number;
  /** Share of the window spent inside batches (the rest: empty polls, event loop, GC). */
  busyFraction: number;
  histogramTop: [number, number][];
}

function summarizeTelemetry(t: unknown, seconds: number): TelemetrySummary | null {
  const j = t as { totals?: { batches: number; packets: number; rxNs: number; procNs: number; txNs: number; emptyPolls: number }; histogram?: number[] } | null;
  if (j === null || j === undefined || j.totals === undefined) return null;
  const tot = j.totals;
  const p = tot.packets > 0 ? tot.packets : NaN;
  const hist = (j.histogram ?? []).map((c, n) => [n, c] as [number, number]).filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1]).slice(0, 4);
  return {
    batches: tot.batches,
    packets: tot.packets,
    meanBatch: tot.batches > 0 ? tot.packets / tot.batches : 0,
    emptyPolls: tot.emptyPolls,
    rxNsPerPacket: tot.rxNs / p,
    procNsPerPacket: tot.procNs / p,
    txNsPerPacket: tot.txNs / p,
    busyFraction: (tot.rxNs + tot.procNs + tot.txNs) / (seconds * 1e9),
    histogramTop: hist,
  };
}

async function control(path: string): Promise<ControlClient | null> {
  const c = await ControlClient.connect(path, 5000);
  return 'error' in c ? null : c;
}

function switchArgs(opts: IoOptions, driver: 'afxdp' | 'shm', ctl: string): string[] {
  const ports = driver === 'afxdp' ? ['-i', '0@dut0', '-i', '1@dut1', '--mode', 'copy'] : ['-i', `0@${SHM_IN}`, '-i', `1@${SHM_OUT}`];
  return [
    process.execPath, P4TEE_BIN, 'switch', PROGRAM, '--driver', driver, ...ports, '--commands', COMMANDS,
    '--stats', '0', '--control', ctl, ...(opts.telemetry ? [] : ['--no-telemetry']),
  ];
}

let ctlSeq = 0;
function ctlPath(): string {
  return `/tmp/${PREFIX}-ctl-${process.pid}-${ctlSeq++}.sock`;
}

// ---- one measured run ----

interface Pinning {
  readonly dut: string[];
  readonly gen: string[];
}

async function runAfxdp(kind: 'c' | 'p4tee', round: number, opts: IoOptions, tools: { fwd: string; send: string }, pin: Pinning): Promise<RunResult | string> {
  const setup = kind === 'c' ? SETUP_C : SETUP_P4TEE;
  const ctl = ctlPath();
  const dutArgv = kind === 'c' ? [tools.fwd, 'dut0', 'dut1'] : switchArgs(opts, 'afxdp', ctl);
  let dut = start(setup, ['ip', 'netns', 'exec', DUT_NS, ...pin.dut, ...dutArgv]);
  let sender: Proc | null = null;
  let client: ControlClient | null = null;
  try {
    for (let attempt = 0; ; attempt++) {
      if (await waitFor(dut, kind === 'c' ? /xdp-fwd: ready/ : /ready in \d+ ms/, 60_000)) break;
      await stop(dut);
      // The kernel frees the previous run's AF_XDP socket (and its claim on the queue) a little
      // after that process exits: bind() says EBUSY meanwhile. Try again shortly.
      if (attempt >= 20 || !/resource busy|EBUSY/i.test(dut.stderr + dut.stdout)) return `${setup} did not start:\n${tail(dut.stderr + dut.stdout)}`;
      await sleep(250);
      dut = start(setup, ['ip', 'netns', 'exec', DUT_NS, ...pin.dut, ...dutArgv]);
    }
    const total = opts.warmup + opts.seconds + 1;
    sender = start('xdp-send', ['ip', 'netns', 'exec', GEN_NS, ...pin.gen, tools.send, '-s', String(opts.size), '-d', String(total), ...(opts.rate > 0 ? ['-r', String(opts.rate)] : []), 'gen0']);
    if (!(await waitFor(sender, /xdp-send: gen0 queue/, 10_000))) return `xdp-send did not start:\n${tail(sender.stderr + sender.stdout)}`;
    await sleep(opts.warmup * 1000);
    if (kind === 'p4tee' && opts.telemetry) {
      client = await control(ctl);
      await client?.request({ cmd: 'telemetry reset' });
    }
    const c0 = cpuSeconds(dut);
    const s0 = cpuSeconds(sender);
    const g0 = readLinks(GEN_NS);
    const d0 = readLinks(DUT_NS);
    await sleep(opts.seconds * 1000);
    const g1 = readLinks(GEN_NS);
    const d1 = readLinks(DUT_NS);
    const c1 = cpuSeconds(dut);
    const s1 = cpuSeconds(sender);
    const tel = client !== null ? await client.request({ cmd: 'telemetry 0' }) : null;
    client?.close();
    client = null;
    await finish(sender, (total + 10) * 1000);
    await stop(dut);
    const pps = rateBetween(counter(g0, 'gen1', 'rxPackets'), counter(g1, 'gen1', 'rxPackets'));
    const offered = rateBetween(counter(g0, 'gen0', 'txPackets'), counter(g1, 'gen0', 'txPackets'));
    const window = g1.t - g0.t;
    const detail: Record<string, unknown> = {
      windowSeconds: window,
      // Frames the DUT's veth dropped in the window (its AF_XDP RX ring was full: the DUT fell behind).
      dutRxDropped: (d1.links.dut0?.rxDropped ?? NaN) - (d0.links.dut0?.rxDropped ?? NaN),
      dutRxPps: rateBetween(counter(d0, 'dut0', 'rxPackets'), counter(d1, 'dut0', 'rxPackets')),
      sender: lastJsonLine(sender.stdout),
      senderCpuShare: share(s0, s1, g0.t, g1.t),
    };
    if (kind === 'c') detail.forwarder = lastJsonLine(dut.stdout);
    else {
      detail.switchFinal = /p4tee switch: stopped by[^\n]*/.exec(dut.stderr)?.[0] ?? tail(dut.stderr, 2);
      if (tel !== null) detail.telemetry = tel.ok ? summarizeTelemetry(tel.telemetry, window) : tel.error;
    }
    if (!Number.isFinite(pps)) return `${setup}: could not read the interface counters (ip -s -j link show)`;
    return { setup, round, pps, offeredPps: offered, cpuShare: share(c0, c1, g0.t, g1.t), detail };
  } finally {
    client?.close();
    if (sender !== null) await stop(sender);
    await stop(dut);
  }
}

function removeStaleShm(): void {
  for (const name of [SHM_IN, SHM_OUT]) {
    const p = `/dev/shm/${name}`;
    if (existsSync(p)) { try { unlinkSync(p); } catch { /* not ours to remove */ } }
  }
}

async function runShm(round: number, opts: IoOptions, pin: Pinning): Promise<RunResult | string> {
  removeStaleShm();
  const ctl = ctlPath();
  const dut = start(SETUP_SHM, [...pin.dut, ...switchArgs(opts, 'shm', ctl)]);
  let peer: Proc | null = null;
  let client: ControlClient | null = null;
  try {
    if (!(await waitFor(dut, /ready in \d+ ms/, 60_000))) return `${SETUP_SHM} did not start:\n${tail(dut.stderr + dut.stdout)}`;
    peer = start('io-shm-peer', [...pin.gen, process.execPath, SHM_PEER, SHM_IN, SHM_OUT, String(opts.size), String(opts.warmup), String(opts.seconds)]);
    if (!(await waitFor(peer, /"event":"window"/, (opts.warmup + 30) * 1000))) return `io-shm-peer did not start:\n${tail(peer.stderr + peer.stdout)}`;
    const w0 = performance.now() / 1000;
    const c0 = cpuSeconds(dut);
    if (opts.telemetry) {
      client = await control(ctl);
      await client?.request({ cmd: 'telemetry reset' });
    }
    await finish(peer, (opts.seconds + 30) * 1000);
    const w1 = performance.now() / 1000;
    const c1 = cpuSeconds(dut);
    const tel = client !== null ? await client.request({ cmd: 'telemetry 0' }) : null;
    client?.close();
    client = null;
    await stop(dut);
    const res = lastJsonLine(peer.stdout) as { pps?: number; fedPps?: number; seconds?: number } | null;
    if (res === null || typeof res.pps !== 'number') return `io-shm-peer printed no result:\n${tail(peer.stderr + peer.stdout)}`;
    const detail: Record<string, unknown> = { peer: res, switchFinal: /p4tee switch: stopped by[^\n]*/.exec(dut.stderr)?.[0] ?? tail(dut.stderr, 2) };
    if (tel !== null) detail.telemetry = tel.ok ? summarizeTelemetry(tel.telemetry, res.seconds ?? opts.seconds) : tel.error;
    return { setup: SETUP_SHM, round, pps: res.pps, offeredPps: res.fedPps ?? NaN, cpuShare: share(c0, c1, w0, w1), detail };
  } finally {
    client?.close();
    if (peer !== null) await stop(peer);
    await stop(dut);
    removeStaleShm();
  }
}

// ---- main ----

function pinning(opts: IoOptions): { pin: Pinning; note: string } {
  const cpus = os.cpus().length;
  const t = spawnSync('taskset', ['-c', String(opts.genCpu), 'true'], { timeout: 5000 });
  if (t.error !== undefined || t.status !== 0) {
    return { pin: { dut: [], gen: [] }, note: 'not pinned (taskset missing or refused)' };
  }
  if (opts.dutCpu >= cpus || opts.genCpu >= cpus) {
    return { pin: { dut: [], gen: [] }, note: `not pinned (CPU ${Math.max(opts.dutCpu, opts.genCpu)} does not exist; ${cpus} CPUs)` };
  }
  // This process (sampling counters, mostly asleep) stays off the DUT's CPU too.
  spawnSync('taskset', ['-a', '-p', '-c', String(opts.genCpu), String(process.pid)], { timeout: 5000 });
  return {
    pin: { dut: ['taskset', '-c', String(opts.dutCpu)], gen: ['taskset', '-c', String(opts.genCpu)] },
    note: `pinned with taskset: device under test on CPU ${opts.dutCpu}, generator (and this script) on CPU ${opts.genCpu}` +
      (opts.dutCpu === opts.genCpu ? ' (the same CPU: results mean little)' : '') + ` of ${cpus}`,
  };
}

function environment(): Record<string, unknown> {
  const cpus = os.cpus();
  return { kernel: os.release(), node: process.version, cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, hostname: os.hostname(), date: new Date().toISOString() };
}

let netnsIsUp = false;
const state = { interrupted: false };

function cleanupNow(): void {
  killAll('SIGKILL');
  if (netnsIsUp) {
    netns('down', PREFIX);
    netnsIsUp = false;
  }
  removeStaleShm();
}

async function main(): Promise<number> {
  const parsed = parseIoArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    process.stderr.write(`bench:io: ${parsed}\n${IO_USAGE}`);
    return 2;
  }
  const opts = parsed;
  if (opts.help) {
    process.stdout.write(IO_USAGE);
    return 0;
  }
  const notes: string[] = [];
  const isRoot = process.getuid?.() === 0;
  let afxdp = opts.afxdp;
  if (afxdp && !isRoot) {
    const msg = 'the AF_XDP part needs root (network namespaces, XDP programs, AF_XDP sockets): skipped. Run it as root: sudo npm run bench:io';
    progress(msg);
    notes.push(msg);
    afxdp = false;
    if (!opts.shm) return 0;
  }
  const { pin, note } = pinning(opts);
  progress(note);
  notes.push(note);
  notes.push('the machine may be shared: numbers are noisy; compare the setups of one run (alternating, medians), not runs across days');

  let tools: { fwd: string; send: string } | null = null;
  if (afxdp) {
    const t = cTools();
    const fwd = buildTool(t.fwd, progress);
    const send = buildTool(t.send, progress);
    if ('error' in fwd || 'error' in send) {
      progress(`cannot build the C tools: ${'error' in fwd ? fwd.error : ''}${'error' in send ? ` ${send.error}` : ''}`);
      return 1;
    }
    tools = { fwd: fwd.path, send: send.path };
    progress(`building the veth topology: p4tee netns up --prefix ${PREFIX}`);
    netnsIsUp = true;
    const e = netns('up', PREFIX);
    if (e !== null) {
      progress(`p4tee netns up failed: ${e}`);
      return 1;
    }
  }

  const runs: RunResult[] = [];
  const failures: string[] = [];
  const total = opts.rounds * ((afxdp ? 2 : 0) + (opts.shm ? 1 : 0));
  let done = 0;
  const report = (r: RunResult | string): void => {
    done++;
    if (typeof r === 'string') {
      failures.push(r);
      progress(`[${done}/${total}] failed: ${r}`);
      return;
    }
    runs.push(r);
    const tel = r.detail.telemetry as TelemetrySummary | null | undefined;
    progress(
      `[${done}/${total}] round ${r.round + 1} ${r.setup}: ${(r.pps / 1e6).toFixed(3)} Mpps (${gbitPerSecond(r.pps, opts.size).toFixed(2)} Gbit/s), ` +
        `offered ${(r.offeredPps / 1e6).toFixed(3)} Mpps, DUT CPU ${(100 * r.cpuShare).toFixed(0)}%` +
        (tel ? `, batch ${tel.meanBatch.toFixed(1)}, ns/pkt rx ${tel.rxNsPerPacket.toFixed(0)} proc ${tel.procNsPerPacket.toFixed(0)} tx ${tel.txNsPerPacket.toFixed(0)}, busy ${(100 * tel.busyFraction).toFixed(0)}%` : ''),
    );
  };
  try {
    for (let round = 0; round < opts.rounds && !state.interrupted; round++) {
      if (afxdp && tools !== null) {
        // Alternate the order so a drift in the machine's load favours neither setup.
        const order: ('c' | 'p4tee')[] = round % 2 === 0 ? ['c', 'p4tee'] : ['p4tee', 'c'];
        for (const kind of order) {
          if (state.interrupted) break;
          // build/ belongs to node-gyp too: a rebuild of the addon meanwhile wipes it; build again if so.
          const t = cTools();
          const fwd = buildTool(t.fwd, progress);
          const send = buildTool(t.send, progress);
          if ('error' in fwd || 'error' in send) {
            report(`cannot build the C tools: ${'error' in fwd ? fwd.error : ''}${'error' in send ? ` ${send.error}` : ''}`);
            continue;
          }
          progress(`round ${round + 1}/${opts.rounds}: ${kind === 'c' ? SETUP_C : SETUP_P4TEE}, ${opts.warmup} s warm-up + ${opts.seconds} s window`);
          report(await runAfxdp(kind, round, opts, tools, pin));
        }
      }
      if (opts.shm && !state.interrupted) {
        progress(`round ${round + 1}/${opts.rounds}: ${SETUP_SHM}, ${opts.warmup} s warm-up + ${opts.seconds} s window`);
        report(await runShm(round, opts, pin));
      }
    }
  } finally {
    if (netnsIsUp) {
      progress(`removing the topology: p4tee netns down --prefix ${PREFIX}`);
      const e = netns('down', PREFIX);
      netnsIsUp = false;
      if (e !== null) progress(`p4tee netns down failed: ${e}`);
    }
  }

  const summary = summarize(runs, opts.size);
  const c = summary.find((s) => s.setup === SETUP_C);
  const p = summary.find((s) => s.setup === SETUP_P4TEE);
  const ratio = ratioOf(p, c);
  for (const s of summary) {
    if (s.setup === SETUP_SHM) continue;
    if (s.mpps >= 0.97 * s.offeredMpps) {
      notes.push(`${s.setup} forwarded what the generator offered (${s.offeredMpps.toFixed(3)} Mpps): the generator set its rate, the DUT may go faster`);
    }
  }
  if (c !== undefined && p !== undefined && Math.abs(c.offeredMpps - p.offeredMpps) > 0.1 * Math.max(c.offeredMpps, p.offeredMpps)) {
    notes.push(
      'the generator offered different rates to the two setups: on veth the DUT\'s XDP receive (copy into its AF_XDP ring) runs ' +
        'in the softirq of the sending CPU, so the DUT\'s ring behaviour slows or speeds the generator; --rate PPS offers both the same load',
    );
  }
  if (c !== undefined && p !== undefined && c.mpps >= 0.97 * c.offeredMpps && p.mpps >= 0.97 * p.offeredMpps) {
    notes.push('both AF_XDP setups kept up with the generator: the ratio says p4tee kept up, not that the two have equal capacity');
  }
  if (opts.json) {
    process.stdout.write(
      JSON.stringify({
        kind: 'p4tee-bench-io',
        version: 1,
        environment: environment(),
        options: opts,
        packetBytes: opts.size,
        runs,
        summary,
        ratio: Number.isFinite(ratio) ? ratio : null,
        target: TARGET_RATIO,
        failures,
        notes,
      }) + '\n',
    );
  } else {
    const ratios = new Map<string, number>();
    if (c !== undefined) ratios.set(SETUP_C, 1);
    if (p !== undefined) ratios.set(SETUP_P4TEE, ratio);
    const out: string[] = [
      `bench:io: examples/study-forward, ${opts.size}-byte frames, ${opts.rounds} round(s) of ${opts.seconds} s windows after ${opts.warmup} s warm-up`,
      '',
      formatTable(summary, ratios),
      '',
    ];
    if (Number.isFinite(ratio)) out.push(`ratio p4tee/C: ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`);
    out.push('Mpps: frames received on gen1 (afxdp) or drained from the shm ring; offered: frames sent by xdp-send on gen0 / the shm feeder.');
    out.push('Gbit/s counts frame bytes only (no FCS, preamble or gap).');
    for (const n of notes) out.push(`note: ${n}`);
    for (const f of failures) out.push(`failed run: ${f.split('\n')[0]}`);
    process.stdout.write(out.join('\n') + '\n');
  }
  return failures.length > 0 && runs.length === 0 ? 1 : 0;
}

runScript(main, progress, 'the processes and removing the topology', cleanupNow, state);
