// The pure parts of `npm run bench:gen` (src/bench/gen.ts), apart so they can be unit tested:
// option parsing, medians per (setup, frame size), the ratio p4tee gen / C sender and the result
// table. Input: argv, measured runs. Output: options, summaries, text.
import { gbitPerSecond, median } from './io-lib.js';

export interface GenBenchOptions {
  readonly rounds: number;
  /** Measuring window per run (s). */
  readonly seconds: number;
  /** Sending before the window opens (JIT warm-up, rings filled) (s). */
  readonly warmup: number;
  /** Frame sizes, each measured for both setups in every round. */
  readonly sizes: readonly number[];
  /** CPU both senders are pinned to (the same core for both). */
  readonly cpu: number;
  readonly json: boolean;
  readonly help: boolean;
}

export const GEN_BENCH_USAGE =
  'usage: node dist/bench/gen.js [--rounds N] [--seconds S] [--warmup S] [--sizes 1500,64] [--cpu N] [--json]\n' +
  '  Send rate of `p4tee gen --driver afxdp --mode copy` next to the minimal C AF_XDP sender\n' +
  '  build/bench/xdp-send, both as fast as they can on veth gen0 of namespaces p4tg-PID-gen/-dut,\n' +
  '  pinned to the same CPU, alternating within each round (medians). The rate is the packets that\n' +
  '  left gen0 (its interface counters) per second of the window. Needs root.\n' +
  '  --rounds N    rounds (default 3)\n' +
  '  --seconds S   measuring window per run (default 4)\n' +
  '  --warmup S    sending before the window opens (default 1.5)\n' +
  '  --sizes LIST  frame sizes without FCS, 64..1514 (default 1500,64)\n' +
  '  --cpu N       CPU both senders run on (default 1)\n' +
  '  --json        one JSON object on stdout (progress stays on stderr)\n';

export const TARGET_GEN_RATIO = 0.8;

export function parseGenBenchArgs(argv: readonly string[]): GenBenchOptions | string {
  let rounds = 3;
  let seconds = 4;
  let warmup = 1.5;
  let sizes: number[] = [1500, 64];
  let cpu = 1;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = i + 1 < argv.length ? argv[i + 1]! : undefined;
    const num = (min: number, max: number, integer: boolean): number | string => {
      i++;
      if (v === undefined) return `${a} needs a value`;
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
        return `${a} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, not '${v}'`;
      }
      return n;
    };
    let r: number | string = 0;
    switch (a) {
      case '--rounds': r = num(1, 1000, true); if (typeof r === 'number') rounds = r; break;
      case '--seconds': r = num(0.2, 3600, false); if (typeof r === 'number') seconds = r; break;
      case '--warmup': r = num(0, 600, false); if (typeof r === 'number') warmup = r; break;
      case '--cpu': r = num(0, 4095, true); if (typeof r === 'number') cpu = r; break;
      case '--sizes': {
        i++;
        if (v === undefined) return '--sizes needs a value';
        const xs = v.split(',').map((s) => Number(s.trim()));
        if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 64 || x > 1514)) return `--sizes must be frame sizes from 64 to 1514, not '${v}'`;
        sizes = xs;
        break;
      }
      case '--json': json = true; break;
      case '-h': case '--help': help = true; break;
      default: return `unknown option '${a}'`;
    }
    if (typeof r === 'string') return r;
  }
  return { rounds, seconds, warmup, sizes, cpu, json, help };
}

export const SETUP_C_SEND = 'C xdp-send';
export const SETUP_P4TEE_GEN = 'p4tee gen';

/** One measured run of one sender at one frame size. */
export interface GenRun {
  readonly setup: string;
  readonly size: number;
  readonly round: number;
  /** Packets that left gen0 per second of the window. */
  readonly pps: number;
  /** CPU time the sender used / window (1 = one whole CPU). */
  readonly cpuShare: number;
  readonly detail: Record<string, unknown>;
}

export interface GenSummary {
  readonly size: number;
  readonly cMpps: number;
  readonly p4teeMpps: number;
  /** p4tee / C of the medians; NaN when a side has no run. */
  readonly ratio: number;
  readonly cRounds: number[];
  readonly p4teeRounds: number[];
  readonly cCpu: number;
  readonly p4teeCpu: number;
  /**
   * Medians of per-run Mpps / CPU share and their ratio: a rough correction when other processes
   * took part of the senders' CPU (a shared machine); the raw ratio above is the result.
   */
  readonly cMppsPerCpu: number;
  readonly p4teeMppsPerCpu: number;
  readonly ratioPerCpu: number;
}

/** Medians per frame size, sizes in the order given. */
export function summarizeGen(runs: readonly GenRun[], sizes: readonly number[]): GenSummary[] {
  return sizes.map((size) => {
    const c = runs.filter((r) => r.size === size && r.setup === SETUP_C_SEND);
    const p = runs.filter((r) => r.size === size && r.setup === SETUP_P4TEE_GEN);
    const cMpps = median(c.map((r) => r.pps)) / 1e6;
    const p4teeMpps = median(p.map((r) => r.pps)) / 1e6;
    const perCpu = (rs: GenRun[]): number => median(rs.map((r) => (r.cpuShare > 0 ? r.pps / r.cpuShare : NaN))) / 1e6;
    const cMppsPerCpu = perCpu(c);
    const p4teeMppsPerCpu = perCpu(p);
    return {
      size,
      cMpps,
      p4teeMpps,
      ratio: cMpps > 0 && Number.isFinite(p4teeMpps) ? p4teeMpps / cMpps : NaN,
      cRounds: c.map((r) => r.pps / 1e6),
      p4teeRounds: p.map((r) => r.pps / 1e6),
      cCpu: median(c.map((r) => r.cpuShare)),
      p4teeCpu: median(p.map((r) => r.cpuShare)),
      cMppsPerCpu,
      p4teeMppsPerCpu,
      ratioPerCpu: cMppsPerCpu > 0 && Number.isFinite(p4teeMppsPerCpu) ? p4teeMppsPerCpu / cMppsPerCpu : NaN,
    };
  });
}

function fix(x: number, d: number): string {
  return Number.isFinite(x) ? x.toFixed(d) : '-';
}

/** The result table: one line per frame size. */
export function formatGenTable(rows: readonly GenSummary[]): string {
  const head = ['frame', 'C Mpps', 'p4tee Mpps', 'ratio', 'target', 'C Gbit/s', 'p4tee Gbit/s', 'CPU C/p4tee', 'ratio per CPU', 'rounds C | p4tee (Mpps)'];
  const body = rows.map((r) => [
    `${r.size} B`,
    fix(r.cMpps, 3),
    fix(r.p4teeMpps, 3),
    fix(r.ratio, 2),
    Number.isFinite(r.ratio) ? (r.ratio >= TARGET_GEN_RATIO ? `>=${TARGET_GEN_RATIO} met` : `>=${TARGET_GEN_RATIO} NOT met`) : '-',
    fix(gbitPerSecond(r.cMpps * 1e6, r.size), 2),
    fix(gbitPerSecond(r.p4teeMpps * 1e6, r.size), 2),
    `${Number.isFinite(r.cCpu) ? (100 * r.cCpu).toFixed(0) : '-'}%/${Number.isFinite(r.p4teeCpu) ? (100 * r.p4teeCpu).toFixed(0) : '-'}%`,
    fix(r.ratioPerCpu, 2),
    `${r.cRounds.map((x) => fix(x, 3)).join(' ')} | ${r.p4teeRounds.map((x) => fix(x, 3)).join(' ')}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
