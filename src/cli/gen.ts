// `p4tee gen --tx IFACE --rx IFACE --rate 1Mpps --size 1500 --duration 10s`: the traffic generator.
// Runs one open-loop trial (cbr, poisson or burst:K) of the study packet or of pcap frames over
// afxdp/afpacket/shm/pcap ports, with a live progress line on stderr and a summary at the end
// (--json: the TrialResult on stdout). `--serve` answers trials over the IPC channel of a parent.
// Exit: 0 valid trial, 1 user error (bad port, file), 2 usage/internal error, 3 trial invalid.
import type { Command } from 'commander';
import { buildGenerator, pinToCpu, serveTrials, type GenSetup } from '../trafficgen/gen-process.js';
import { parsePattern } from '../trafficgen/schedule.js';
import { fmtPps, type LatencySummary, type TrialResult } from '../trafficgen/trial.js';
import type { DriverName } from '../runtime/io/port.js';

interface GenFlags {
  driver: string;
  tx?: string;
  rx: string[];
  rate: string;
  size: string;
  duration: string;
  count?: string;
  pattern: string;
  seed: string;
  srcIp?: string;
  dstIp?: string;
  srcPort?: string;
  dstPort?: string;
  srcMac?: string;
  dstMac?: string;
  pcap?: string;
  burst: string;
  ring: string;
  mode?: string;
  queue?: string;
  busyPoll?: boolean;
  lateTolerance: string;
  catchUp: string;
  grace: string;
  cpu?: string;
  json?: boolean;
  quiet?: boolean;
  serve?: boolean;
}

const DRIVERS: readonly DriverName[] = ['afxdp', 'afpacket', 'shm', 'pcap'];

/** Ethernet bytes on the wire besides the frame: FCS 4, preamble + SFD 8, inter-frame gap 12. */
export const WIRE_OVERHEAD = 24;

function collect(value: string, previous: string[]): string[] {
  return previous.concat(value.split(',').filter((s) => s !== ''));
}

const SCALE: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/**
 * '1Mpps', '500kpps', '20000' (pps), '2Gbit', '100Mbps' -> packets per second. Bit rates count the
 * frame plus WIRE_OVERHEAD bytes (what a 10G link carries), as MoonGen-style generators do.
 */
export function parseRate(s: string, frameBytes: number): number | string {
  const m = /^(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmg]?)(pps|bit|bps|b\/s)?$/i.exec(s.trim());
  if (!m) return `expected a rate such as 1Mpps, 500kpps, 20000 or 2Gbit, not '${s}'`;
  const v = Number(m[1]) * SCALE[m[2]!.toLowerCase()]!;
  const unit = (m[3] ?? 'pps').toLowerCase();
  const pps = unit === 'pps' ? v : v / ((frameBytes + WIRE_OVERHEAD) * 8);
  if (!(pps > 0) || !Number.isFinite(pps)) return `rate '${s}' must be above 0`;
  return pps;
}

/** '10s', '500ms', '250us', '2m', '3' (seconds) -> seconds. */
export function parseSeconds(s: string): number | string {
  const m = /^(\d+(?:\.\d+)?)\s*(us|ms|s|m)?$/.exec(s.trim());
  if (!m) return `expected a duration such as 10s, 500ms or 2m, not '${s}'`;
  const v = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'us' ? v / 1e6 : unit === 'ms' ? v / 1e3 : unit === 'm' ? v * 60 : v;
}

/** A flag's integer in 1..max, or the usage error naming the flag (shared by the CLI commands). */
export function positiveInt(name: string, s: string, max: number): number | string {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1 || n > max) return `${name} must be an integer from 1 to ${max}, not '${s}'`;
  return n;
}

function fmtNs(v: number | null): string {
  if (v === null) return 'lost';
  return v >= 1e9 ? `${(v / 1e9).toFixed(2)} s` : v >= 1e6 ? `${(v / 1e6).toFixed(2)} ms` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} us` : `${v.toFixed(0)} ns`;
}

function fmtCount(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : String(x);
}

function fmtLatency(l: LatencySummary): string {
  return `p50 ${fmtNs(l.p50)}  p99 ${fmtNs(l.p99)}  p99.9 ${fmtNs(l.p999)}  p99.99 ${fmtNs(l.p9999)}  max ${fmtNs(l.max)}`;
}

/** The human summary of a trial (several lines). */
export function formatTrial(r: TrialResult): string {
  const lines = [
    `offered ${fmtPps(r.offeredPps)} pps (${r.pattern}, ${r.packetBytes} B) for ${r.durationS} s: ` +
      `intended ${r.intended}, sent ${r.sent} (${fmtPps(r.achievedPps)} pps), late ${r.lateSends}, back-pressure ${r.backpressure}`,
  ];
  if (r.rxPorts === 0) {
    lines.push('received: not measured (no --rx port)');
  } else {
    lines.push(
      `received ${r.received} (${fmtPps(r.receivedPps)} pps), lost ${r.lost} (${(r.lossRatio * 100).toFixed(4)}%), ` +
        `reordered ${r.reordered}, duplicates ${r.duplicates}, foreign ${r.foreign}`,
    );
    lines.push(`latency (lost = inf): ${fmtLatency(r.latencyNs)}`);
    if (r.lost > 0 && r.received > 0) lines.push(`latency (received):   ${fmtLatency(r.latencyReceivedNs)}`);
  }
  lines.push(r.valid ? 'trial valid' : `trial INVALID: ${r.invalidReason} (not a result of the device under test)`);
  return lines.join('\n');
}

export interface GenRunOptions {
  readonly log?: (line: string) => void;
  readonly out?: (text: string) => void;
}

/** Runs `p4tee gen` with parsed flags; returns the exit status. */
export async function runGen(flags: GenFlags, opts: GenRunOptions = {}): Promise<number> {
  const log = opts.log ?? ((line: string) => { process.stderr.write(line + '\n'); });
  const out = opts.out ?? ((text: string) => { process.stdout.write(text); });
  const usage = (msg: string): number => { log(`p4tee gen: ${msg}`); return 2; };
  if (!(DRIVERS as readonly string[]).includes(flags.driver)) return usage(`--driver must be one of ${DRIVERS.join(', ')}, not '${flags.driver}'`);
  const driver = flags.driver as DriverName;
  if (flags.tx === undefined) return usage('--tx IFACE is required (the port packets are sent on)');
  const size = positiveInt('--size', flags.size, 9000);
  if (typeof size === 'string') return usage(size);
  const pattern = parsePattern(flags.pattern);
  if (typeof pattern === 'string') return usage(`--pattern: ${pattern}`);
  const rate = parseRate(flags.rate, size);
  if (typeof rate === 'string') return usage(`--rate: ${rate}`);
  let durationS = parseSeconds(flags.duration);
  if (typeof durationS === 'string') return usage(`--duration: ${durationS}`);
  if (flags.count !== undefined) {
    const c = positiveInt('--count', flags.count, 2 ** 32 - 1);
    if (typeof c === 'string') return usage(c);
    // The window that holds exactly `count` constant-rate packets.
    durationS = (c - 0.5) / rate;
  }
  if (!(durationS > 0)) return usage('--duration must be above 0');
  const seed = Number(flags.seed);
  if (!Number.isInteger(seed)) return usage(`--seed must be an integer, not '${flags.seed}'`);
  const burst = positiveInt('--burst', flags.burst, 1024);
  if (typeof burst === 'string') return usage(burst);
  const ring = positiveInt('--ring', flags.ring, 1 << 16);
  if (typeof ring === 'string') return usage(ring);
  if (flags.mode !== undefined && flags.mode !== 'copy' && flags.mode !== 'zerocopy') return usage(`--mode must be copy or zerocopy, not '${flags.mode}'`);
  let queue: number | undefined;
  if (flags.queue !== undefined) {
    queue = Number(flags.queue);
    if (!Number.isInteger(queue) || queue < 0) return usage(`--queue must be a queue number, not '${flags.queue}'`);
  }
  const tol = parseSeconds(flags.lateTolerance);
  if (typeof tol === 'string') return usage(`--late-tolerance: ${tol}`);
  const grace = parseSeconds(flags.grace);
  if (typeof grace === 'string') return usage(`--grace: ${grace}`);
  const catchUp = flags.catchUp === 'inf' ? Infinity : Number(flags.catchUp);
  if (!(catchUp >= 1)) return usage(`--catch-up must be a factor of at least 1 (or inf), not '${flags.catchUp}'`);
  if (flags.cpu !== undefined) {
    const cpu = Number(flags.cpu);
    if (!Number.isInteger(cpu) || cpu < 0) return usage(`--cpu must be a CPU number, not '${flags.cpu}'`);
    const err = pinToCpu(process.pid, cpu);
    if (err !== null) log(`p4tee gen: warning: not pinned to CPU ${cpu}: ${err}`);
  }

  const setup: GenSetup = {
    driver,
    tx: flags.tx,
    rx: flags.rx,
    size,
    pcap: flags.pcap,
    srcIp: flags.srcIp,
    dstIp: flags.dstIp,
    srcPort: flags.srcPort,
    dstPort: flags.dstPort,
    srcMac: flags.srcMac,
    dstMac: flags.dstMac,
    burst,
    ringSize: ring,
    queue,
    mode: flags.mode as 'copy' | 'zerocopy' | undefined,
    busyPoll: flags.busyPoll,
    lateToleranceNs: tol * 1e9,
    graceNs: grace * 1e9,
    catchUp,
  };
  const gen = buildGenerator(setup);
  if ('error' in gen) {
    log(`p4tee gen: ${gen.error}`);
    return 1;
  }
  const progress = flags.quiet !== true;
  const tty = process.stderr.isTTY === true;
  if (progress) {
    log(
      `p4tee gen: ${gen.template.description} at ${fmtPps(rate)} pps (${pattern.kind === 'burst' ? `burst:${pattern.k}` : pattern.kind}) for ${+durationS.toFixed(6)} s: ` +
        `tx ${driver} ${driver === 'pcap' ? flags.tx : gen.tx.name}${gen.rx.length ? `, rx ${gen.rx.map((p) => p.name).join(' ')}` : ''} (template copy ${gen.copyMode}, burst ${burst})`,
    );
  }
  const ac = new AbortController();
  let interrupted = 0;
  const onSignal = (): void => {
    interrupted++;
    if (interrupted > 1) {
      gen.close();
      process.exit(130);
    }
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result: TrialResult;
  try {
    result = await gen.runTrial(
      { pps: rate, durationS, pattern, seed },
      {
        signal: ac.signal,
        onProgress: progress
          ? (p) => {
            const lost = p.sent - p.received;
            const line =
              `${p.elapsedS.toFixed(1)} s  sent ${fmtCount(p.sent)}  received ${fmtCount(p.received)}` +
              (gen.rx.length ? `  loss ${p.sent > 0 ? ((lost / p.sent) * 100).toFixed(2) : '0.00'}%  p99 ${p.p99Ns === null ? '-' : fmtNs(p.p99Ns)}` : '') +
              `  late ${p.lateSends}  back-pressure ${p.backpressure}`;
            if (tty) process.stderr.write(`\r${line}\x1b[K`);
            else log(line);
          }
          : undefined,
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (progress && tty) process.stderr.write('\n');
    gen.close();
  }
  if (flags.json === true) out(JSON.stringify(result, null, 2) + '\n');
  else out(formatTrial(result) + '\n');
  return result.valid ? 0 : 3;
}

export function registerGen(program: Command): void {
  program
    .command('gen')
    .description('traffic generator: open-loop constant-rate/Poisson/burst load with loss, reordering and latency (HdrHistogram)')
    .option('--driver <name>', 'afxdp, afpacket, shm or pcap', 'afpacket')
    .option('--tx <iface>', 'send on this interface (shm: region name; pcap: output file)')
    .option('--rx <iface>', 'receive on this interface (repeatable or comma-separated; may equal --tx)', collect, [])
    .option('--rate <rate>', 'offered load: 1Mpps, 500kpps, 20000 (pps), 2Gbit (counts frame + 24 B wire overhead)', '100kpps')
    .option('--size <bytes>', 'frame size without FCS (study template, at least 64)', '1500')
    .option('--duration <time>', 'length of the send window (10s, 500ms, 2m)', '10s')
    .option('--count <n>', 'send n packets (sets the window to hold exactly n at --rate)')
    .option('--pattern <p>', 'cbr, poisson or burst:K', 'cbr')
    .option('--seed <n>', 'Poisson seed', '1')
    .option('--src-ip <A[-B]>', 'source IPv4 address or range (default 10.111.0.1)')
    .option('--dst-ip <A[-B]>', 'destination IPv4 address or range (default 10.111.1.1)')
    .option('--src-port <P[-Q]>', 'UDP source port or range (default 1234)')
    .option('--dst-port <P[-Q]>', 'UDP destination port or range (default 7777: the study header)')
    .option('--src-mac <mac>', 'source MAC (default 02:00:00:00:00:01)')
    .option('--dst-mac <mac>', 'destination MAC (default 02:00:00:00:00:02)')
    .option('--pcap <file>', 'send the frames of this pcap file (cycled; stamp in the last 16 bytes) instead of the study packet')
    .option('--burst <n>', 'most packets per send call', '32')
    .option('--ring <n>', 'descriptors per driver ring', '2048')
    .option('--mode <mode>', 'afxdp bind mode: copy or zerocopy')
    .option('--queue <n>', 'afxdp NIC queue')
    .option('--busy-poll', 'afxdp: busy polling on the sockets')
    .option('--late-tolerance <time>', 'a packet sent later than this after its intended time is a late send', '100us')
    .option('--grace <time>', 'after the window, wait this long at most for packets in flight', '200ms')
    .option('--catch-up <x>', 'a generator behind schedule sends its late packets at most x times the rate (inf: at once)', '1.1')
    .option('--cpu <n>', 'pin the generator process to this CPU (taskset)')
    .option('--json', 'print the trial result as JSON on stdout')
    .option('-q, --quiet', 'no progress line')
    .option('--serve', 'serve trials to a parent process over the IPC channel (used by p4tee bench)')
    .addHelpText(
      'after',
      '\nEvery packet carries a run id, a sequence number and its intended send time (study packet: at\n' +
        'offsets 58, 42 and 50). Latency is receive time minus intended send time, so a stalled sender\n' +
        'shows up as latency instead of hiding (no coordinated omission); a lost packet counts as\n' +
        'infinitely late. A trial is invalid when the generator could not deliver it: achieved rate\n' +
        'below 99% of the offered one, more than 1% late sends or TX back-pressure, or cut short.\n' +
        'Exit status: 0 valid trial, 1 error, 2 usage, 3 trial invalid.\n' +
        '\nExamples:\n' +
        '  p4tee gen --driver afxdp --mode copy --tx gen0 --rx gen1 --rate 1Mpps --duration 10s\n' +
        '  p4tee gen --tx gen0 --rx gen1 --rate 2Gbit --size 64 --pattern burst:16 --json\n' +
        '  p4tee gen --driver pcap --tx out.pcap --count 100 --rate 1kpps --dst-port 7777-7780\n',
    )
    .action(async (flags: GenFlags) => {
      try {
        if (flags.serve === true) {
          await serveTrials();
          if (process.connected) process.disconnect();
          process.exitCode = 0;
          return;
        }
        process.exitCode = await runGen(flags);
      } catch (err) {
        process.stderr.write(
          `p4tee gen: internal error: ${err instanceof Error ? err.message : String(err)}\n` +
            `This is a bug in p4tee. Please report it.\n${err instanceof Error ? err.stack ?? '' : ''}\n`,
        );
        process.exitCode = 2;
      }
    });
}
