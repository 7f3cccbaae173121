// The pure parts of `npm run bench:io` (src/bench/io.ts), kept apart so they can be unit tested:
// option parsing, medians, rates from counter samples, the result table, and building the two C
// AF_XDP tools of src/bench/c into build/bench/ with `cc -O2` when missing or older than their
// sources. Input: argv, counter samples, measured runs. Output: options, numbers, text.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from '../measure/stats.js';

/** Package root, from dist/bench/io-lib.js. */
export const PACKAGE_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface IoOptions {
  /** Rounds; each round measures every setup once (the order alternates between rounds). */
  readonly rounds: number;
  /** Length of the measuring window per run (s). */
  readonly seconds: number;
  /** Load before the window opens (JIT warm-up, rings filled) (s). */
  readonly warmup: number;
  /** Frame size in bytes (without FCS). */
  readonly size: number;
  /** xdp-send's target rate in packets/s (0: as fast as it can). */
  readonly rate: number;
  readonly json: boolean;
  /** CPU the device under test is pinned to, and the CPU of the load generator. */
  readonly dutCpu: number;
  readonly genCpu: number;
  /** Pass --no-telemetry to p4tee switch (and so take no per-batch profile). */
  readonly telemetry: boolean;
  /** Run the shm part (processing-bound rate); --no-shm skips it. */
  readonly shm: boolean;
  /** Run the AF_XDP part; --no-afxdp skips it. */
  readonly afxdp: boolean;
  readonly help: boolean;
}

export const IO_USAGE =
  'usage: node dist/bench/io.js [--rounds N] [--seconds S] [--warmup S] [--size BYTES] [--json]\n' +
  '                             [--rate PPS] [--dut-cpu N] [--gen-cpu N] [--no-telemetry] [--no-shm] [--no-afxdp]\n' +
  '  Forwarding rate of `p4tee switch` (examples/study-forward, AF_XDP copy mode) next to the C\n' +
  '  forwarder build/bench/xdp-fwd on the veth topology (namespaces p4tb-gen / p4tb-dut), load from\n' +
  '  build/bench/xdp-send; and the processing-bound rate of p4tee over shm rings. Needs root for AF_XDP.\n' +
  '  --rounds N      rounds, medians reported (default 3)\n' +
  '  --seconds S     measuring window per run (default 5)\n' +
  '  --warmup S      load before the window opens (default 2)\n' +
  '  --size BYTES    frame size, 60..1514 (default 1500)\n' +
  '  --rate PPS      pace xdp-send at this rate (default 0: as fast as it can), the same offered load for every setup\n' +
  '  --dut-cpu N     CPU of the device under test (default 0); --gen-cpu N: of the generator (default 1)\n' +
  '  --no-telemetry  run p4tee switch with --no-telemetry (no per-batch profile)\n' +
  '  --no-shm / --no-afxdp  skip a part\n' +
  '  --json          print the results as one JSON object on stdout (progress stays on stderr)\n';

/** Parses the bench's argv; a string is a usage error. */
export function parseIoArgs(argv: readonly string[]): IoOptions | string {
  let rounds = 3;
  let seconds = 5;
  let warmup = 2;
  let size = 1500;
  let rate = 0;
  let json = false;
  let dutCpu = 0;
  let genCpu = 1;
  let telemetry = true;
  let shm = true;
  let afxdp = true;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => (i + 1 < argv.length ? argv[++i] : undefined);
    const num = (name: string, min: number, max: number, integer: boolean): number | string => {
      const v = value();
      if (v === undefined) return `${name} needs a value`;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
        return `${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not '${v}'`;
      }
      return n;
    };
    let r: number | string = 0;
    switch (a) {
      case '--rounds': r = num(a, 1, 1000, true); if (typeof r === 'number') rounds = r; break;
      case '--seconds': r = num(a, 0.1, 3600, false); if (typeof r === 'number') seconds = r; break;
      case '--warmup': r = num(a, 0, 600, false); if (typeof r === 'number') warmup = r; break;
      case '--size': r = num(a, 60, 1514, true); if (typeof r === 'number') size = r; break;
      case '--rate': r = num(a, 0, 1e9, false); if (typeof r === 'number') rate = r; break;
      case '--dut-cpu': r = num(a, 0, 4095, true); if (typeof r === 'number') dutCpu = r; break;
      case '--gen-cpu': r = num(a, 0, 4095, true); if (typeof r === 'number') genCpu = r; break;
      case '--json': json = true; break;
      case '--no-telemetry': telemetry = false; break;
      case '--no-shm': shm = false; break;
      case '--no-afxdp': afxdp = false; break;
      case '-h': case '--help': help = true; break;
      default: return `unknown option '${a}'`;
    }
    if (typeof r === 'string') return r;
  }
  if (!shm && !afxdp) return '--no-shm and --no-afxdp leave nothing to measure';
  return { rounds, seconds, warmup, size, rate, json, dutCpu, genCpu, telemetry, shm, afxdp, help };
}

export { median } from '../measure/stats.js';

/** One reading of a packet counter at time t (seconds, any monotonic origin). */
export interface CounterSample {
  readonly t: number;
  readonly packets: number;
}

/** Packets per second between two samples; NaN when the window is empty or the counter went back (reset). */
export function rateBetween(a: CounterSample, b: CounterSample): number {
  const dt = b.t - a.t;
  const dp = b.packets - a.packets;
  if (!(dt > 0) || dp < 0) return NaN;
  return dp / dt;
}

/** Gbit/s carried by `pps` frames of `size` bytes (frame bytes only: no FCS, preamble or gap). */
export function gbitPerSecond(pps: number, size: number): number {
  return (pps * size * 8) / 1e9;
}

/** utime + stime (clock ticks) of a process from the text of /proc/PID/stat; NaN on bad input. */
export function cpuTicksFromStat(text: string): number {
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return NaN;
  const f = text.slice(close + 2).trim().split(/\s+/);
  // f[0] is field 3 (state); utime and stime are fields 14 and 15.
  const u = Number(f[11]);
  const st = Number(f[12]);
  return Number.isFinite(u) && Number.isFinite(st) && f.length > 12 ? u + st : NaN;
}

/** Counters of one interface as `ip -s -j link show` prints them. */
export interface LinkCounters {
  rxPackets: number;
  txPackets: number;
  rxDropped: number;
  txDropped: number;
}

/** Parses `ip -s -j link show` output into counters per interface name; {} on bad input. */
export function parseIpLinkStats(text: string): Record<string, LinkCounters> {
  const out: Record<string, LinkCounters> = {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return out;
  }
  if (!Array.isArray(data)) return out;
  for (const l of data as { ifname?: unknown; stats64?: { rx?: Record<string, unknown>; tx?: Record<string, unknown> } }[]) {
    if (typeof l.ifname !== 'string' || l.stats64 === undefined) continue;
    const n = (v: unknown): number => (typeof v === 'number' ? v : NaN);
    out[l.ifname] = {
      rxPackets: n(l.stats64.rx?.packets),
      txPackets: n(l.stats64.tx?.packets),
      rxDropped: n(l.stats64.rx?.dropped),
      txDropped: n(l.stats64.tx?.dropped),
    };
  }
  return out;
}

/** The last line of `text` that parses as a JSON object, or null. */
export function lastJsonLine(text: string): Record<string, unknown> | null {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!.trim();
    if (!l.startsWith('{')) continue;
    try {
      const v = JSON.parse(l) as unknown;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      /* not JSON: keep looking */
    }
  }
  return null;
}

/** What one measured run of one setup produced. */
export interface RunResult {
  readonly setup: string;
  readonly round: number;
  /** Packets per second out of the device under test (received on gen1, or drained from shm). */
  readonly pps: number;
  /** Packets per second the generator put on the wire into the device (gen0 tx, or shm feeder). */
  readonly offeredPps: number;
  /**
   * CPU time the device-under-test process got during the window / the window (1 = a whole CPU;
   * NaN when unknown). Below 1 on a shared machine: other processes took part of its CPU.
   */
  readonly cpuShare: number;
  /** Extra facts of the run (DUT counters, telemetry summary). */
  readonly detail: Record<string, unknown>;
}

export interface SetupSummary {
  readonly setup: string;
  readonly runs: number;
  readonly mpps: number;
  readonly gbps: number;
  readonly offeredMpps: number;
  readonly perRoundMpps: number[];
  /** Median CPU share of the DUT, and the median of per-run Mpps / CPU share (a rough correction for a shared CPU). */
  readonly cpuShare: number;
  readonly mppsPerCpu: number;
}

/** Medians per setup, in the order setups first appear. */
export function summarize(runs: readonly RunResult[], size: number): SetupSummary[] {
  const order: string[] = [];
  for (const r of runs) if (!order.includes(r.setup)) order.push(r.setup);
  return order.map((setup) => {
    const mine = runs.filter((r) => r.setup === setup);
    const pps = median(mine.map((r) => r.pps));
    return {
      setup,
      runs: mine.length,
      mpps: pps / 1e6,
      gbps: gbitPerSecond(pps, size),
      offeredMpps: median(mine.map((r) => r.offeredPps)) / 1e6,
      perRoundMpps: mine.map((r) => r.pps / 1e6),
      cpuShare: median(mine.map((r) => r.cpuShare)),
      mppsPerCpu: median(mine.map((r) => (r.cpuShare > 0 ? r.pps / r.cpuShare : NaN))) / 1e6,
    };
  });
}

/** Ratio of medians p4tee/C; NaN when either is missing. */
export function ratioOf(p4tee: SetupSummary | undefined, c: SetupSummary | undefined): number {
  if (p4tee === undefined || c === undefined || !(c.mpps > 0)) return NaN;
  return p4tee.mpps / c.mpps;
}

function fix(x: number, d: number): string {
  return Number.isFinite(x) ? x.toFixed(d) : '-';
}

/** The result table: setup, median Mpps, Gbit/s, offered Mpps, ratio (where given), per-round values. */
export function formatTable(rows: readonly SetupSummary[], ratios: ReadonlyMap<string, number>): string {
  const head = ['setup', 'median Mpps', 'Gbit/s', 'offered Mpps', 'ratio', 'DUT CPU', 'Mpps/CPU', 'rounds (Mpps)'];
  const body = rows.map((r) => [
    r.setup,
    fix(r.mpps, 3),
    fix(r.gbps, 2),
    fix(r.offeredMpps, 3),
    ratios.has(r.setup) ? fix(ratios.get(r.setup)!, 2) : '',
    Number.isFinite(r.cpuShare) ? `${(100 * r.cpuShare).toFixed(0)}%` : '-',
    fix(r.mppsPerCpu, 3),
    r.perRoundMpps.map((x) => fix(x, 3)).join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

// ---- the C tools ----

export interface CTool {
  readonly name: 'xdp-fwd' | 'xdp-send';
  /** The .c file compiled. */
  readonly main: string;
  /** Every file whose change makes the binary stale. */
  readonly sources: readonly string[];
  readonly output: string;
}

export function cTools(root: string = PACKAGE_ROOT): { fwd: CTool; send: CTool } {
  const c = join(root, 'src', 'bench', 'c');
  const out = join(root, 'build', 'bench');
  const common = join(c, 'xsk-common.h');
  return {
    fwd: {
      name: 'xdp-fwd',
      main: join(c, 'xdp-fwd.c'),
      sources: [join(c, 'xdp-fwd.c'), common, join(root, 'native', 'xdp-prog.c'), join(root, 'native', 'xdp-prog.h')],
      output: join(out, 'xdp-fwd'),
    },
    send: { name: 'xdp-send', main: join(c, 'xdp-send.c'), sources: [join(c, 'xdp-send.c'), common], output: join(out, 'xdp-send') },
  };
}

/** True when the binary is missing or older than one of its sources (times in ms). */
export function isStale(outputMtime: number | null, sourceMtimes: readonly number[]): boolean {
  if (outputMtime === null) return true;
  return sourceMtimes.some((m) => m > outputMtime);
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** Compiles a tool with `cc -O2` (or $CC) when stale. Returns its path, or an error text. */
export function buildTool(tool: CTool, log: (line: string) => void = () => {}): { path: string } | { error: string } {
  const missing = tool.sources.filter((s) => !existsSync(s));
  if (missing.length > 0) return { error: `${tool.name}: source missing: ${missing.join(', ')}` };
  if (!isStale(mtime(tool.output), tool.sources.map((s) => mtime(s) ?? Infinity))) return { path: tool.output };
  const cc = process.env.CC ?? 'cc';
  mkdirSync(dirname(tool.output), { recursive: true });
  log(`compiling ${tool.name}: ${cc} -O2 -o ${tool.output} ${tool.main}`);
  const r = spawnSync(cc, ['-O2', '-Wall', '-o', tool.output, tool.main], { encoding: 'utf8', timeout: 120_000 });
  if (r.error !== undefined) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return {
      error:
        code === 'ENOENT'
          ? `no C compiler: '${cc}' was not found. Install gcc or clang (and the kernel headers, linux-libc-dev), or set CC`
          : `${cc}: ${r.error.message}`,
    };
  }
  if (r.status !== 0) return { error: `${cc} failed to compile ${tool.main}:\n${(r.stderr || r.stdout).trim()}` };
  return { path: tool.output };
}
