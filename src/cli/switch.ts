// `p4tee switch FILE.p4 -i 0@IFACE -i 1@IFACE [--driver ...]`: the live switch daemon. Compiles the
// program, applies a commands file, opens one port per -i (simple_switch syntax), runs the poll
// loop, serves the control socket, prints a stats line every --stats, and on SIGINT/SIGTERM stops
// cleanly: final counters on stderr, telemetry JSON written, ports closed (removing XDP programs
// and sockets), control socket removed. Exit: 0 clean stop, 1 user error, 2 internal error/usage.
import type { Command } from 'commander';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { loadSwitch } from '../runtime/switch.js';
import { PollLoop, loopControlHandler } from '../runtime/core/poll-loop.js';
import type { LoopPortBinding } from '../runtime/core/poll-loop.js';
import { Telemetry } from '../runtime/core/telemetry.js';
import { ControlServer, defaultControlPath } from '../runtime/control/server.js';
import type { DriverName, Port, PortSpec } from '../runtime/io/port.js';
import { parseDefines } from './check.js';
import { positiveInt } from './gen.js';
import type { LoopSwitch } from '../runtime/core/poll-loop.js';
import type { PacketPool } from '../runtime/core/packet-pool.js';
import { createShmDomain } from '../runtime/io/shm-zc.js';
import type { ControlHandler } from '../runtime/control/server.js';
import type { TeeGateHandle } from '../tee/api.js';
import { TEE_HELP, addTeeOptions, describeTee, externTeeInfo, openExternTee, openPipelineTee, parseTeeFlags, pipelineTeeInfo } from './tee.js';
import type { SecurePipelineLike, TeeFlags, TeeSwitchOptions } from './tee.js';

interface SwitchFlags extends TeeFlags {
  interface: string[];
  driver?: string;
  commands?: string;
  burst: string;
  ring: string;
  control?: string;
  stats: string;
  telemetryOut?: string;
  telemetry: boolean;
  telemetryBatches: string;
  poolSlots?: string;
  shmZeroCopy?: boolean;
  mode?: string;
  queue?: string;
  busyPoll?: boolean;
  idleSleep?: string;
  include: string[];
  define: string[];
}

/** Loaded by path only when asked for (the module registers the afxdp driver with openPort). */
const AFXDP_MODULE: string = '../runtime/io/afxdp.js';

const DRIVERS: readonly DriverName[] = ['afxdp', 'afpacket', 'shm', 'pcap'];

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** `N@IFACE` as given to -i (simple_switch syntax). */
export function parseInterfaceSpec(spec: string): { num: number; iface: string } | string {
  const m = /^(\d+)@(.+)$/.exec(spec);
  if (!m) return `expected -i PORT@IFACE (e.g. -i 0@veth0), not '${spec}'`;
  const num = Number(m[1]);
  if (num > 510) return `port ${num} is out of range (0..510; 511 is the drop port)`;
  return { num, iface: m[2]! };
}

/** '1s', '500ms', '2' (seconds), '0' or 'off' -> milliseconds (0 = off). */
export function parseDuration(s: string): number | string {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(s.trim());
  if (s === 'off') return 0;
  if (!m) return `expected a duration such as 1s or 500ms, not '${s}'`;
  return m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000;
}

export interface SwitchRunOptions {
  readonly log?: (line: string) => void;
}

/** Loads the driver modules needed and opens the ports; on failure closes those already open. */
async function openPorts(specs: { num: number; spec: PortSpec }[]): Promise<LoopPortBinding[] | string> {
  let mod: typeof import('../runtime/io/port.js');
  try {
    mod = await import('../runtime/io/port.js');
    // The AF_XDP driver registers itself with openPort when its module loads.
    if (specs.some((s) => s.spec.driver === 'afxdp')) await import(AFXDP_MODULE);
  } catch (e) {
    return `cannot load the port drivers: ${e instanceof Error ? e.message : String(e)}`;
  }
  const out: LoopPortBinding[] = [];
  for (const s of specs) {
    const r = mod.openPort(s.spec);
    if (mod.isPortError(r)) {
      for (const b of out) { try { b.port.close(); } catch { /* already failing */ } }
      return `port ${s.num} (${s.spec.driver} ${s.spec.iface}): ${r.error}`;
    }
    out.push({ num: s.num, port: r as Port });
  }
  return out;
}

/** The TEE part of the periodic stats line. */
function teeStatsText(g: TeeGateHandle, failDrops: number): string {
  const st = g.stats();
  return `  tee ${st.up ? 'up' : 'DOWN'} crossings ${st.crossings} records ${st.records} fail-closed drops ${failDrops}` +
    (st.emulatedNs > 0 ? ' (with emulated transition cost)' : '');
}

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

/** Signals that arrive before the loop runs are held here and acted on as soon as it does. */
interface SignalGate {
  pending: string | null;
  handler: ((signal: string) => void) | null;
}

/**
 * Runs the daemon until a signal stops it; returns the exit status. SIGINT/SIGTERM are caught from
 * the first moment: one that comes while the switch is starting (a supervisor that stops it at
 * once, a test that sends SIGTERM as soon as it reads "ready") stops it cleanly once it runs.
 */
export async function runSwitch(p4: string, flags: SwitchFlags, opts: SwitchRunOptions = {}): Promise<number> {
  const gate: SignalGate = { pending: null, handler: null };
  const onSignal = (signal: string): void => {
    if (gate.handler !== null) gate.handler(signal);
    else if (gate.pending === null) gate.pending = signal;
    else process.exit(1); // a second signal while starting: give up (exit hooks still run)
  };
  const onInt = (): void => { onSignal('SIGINT'); };
  const onTerm = (): void => { onSignal('SIGTERM'); };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await runSwitchUntilStopped(p4, flags, opts, gate);
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

async function runSwitchUntilStopped(p4: string, flags: SwitchFlags, opts: SwitchRunOptions, gate: SignalGate): Promise<number> {
  const log = opts.log ?? ((line: string) => { process.stderr.write(line + '\n'); });
  const usage = (msg: string): number => { log(`p4tee switch: ${msg}`); return 2; };
  const t0 = Date.now();
  const defines = parseDefines(flags.define);
  if (typeof defines === 'string') return usage(defines);
  if (flags.interface.length === 0) return usage('at least one -i PORT@IFACE is needed');
  const ifs: { num: number; iface: string }[] = [];
  for (const s of flags.interface) {
    const r = parseInterfaceSpec(s);
    if (typeof r === 'string') return usage(r);
    if (ifs.some((x) => x.num === r.num)) return usage(`port ${r.num} given twice`);
    ifs.push(r);
  }
  let driver: DriverName;
  if (flags.driver !== undefined) {
    if (!(DRIVERS as readonly string[]).includes(flags.driver)) return usage(`--driver must be one of ${DRIVERS.join(', ')}, not '${flags.driver}'`);
    driver = flags.driver as DriverName;
  } else {
    // Files mean pcap; otherwise AF_PACKET, which works on every interface.
    driver = ifs.every((x) => /\.pcap(,|$)|^-,|\.pcap$/.test(x.iface)) ? 'pcap' : 'afpacket';
  }
  const burst = positiveInt('--burst', flags.burst, 64);
  if (typeof burst === 'string') return usage(burst);
  const ring = positiveInt('--ring', flags.ring, 1 << 16);
  if (typeof ring === 'string') return usage(ring);
  const statsMs = parseDuration(flags.stats);
  if (typeof statsMs === 'string') return usage(`--stats: ${statsMs}`);
  const telBatches = positiveInt('--telemetry-batches', flags.telemetryBatches, 1 << 24);
  if (typeof telBatches === 'string') return usage(telBatches);
  let poolSlots = Math.max(1024, ring * ifs.length * 2, burst * 8);
  if (flags.poolSlots !== undefined) {
    const p = positiveInt('--pool-slots', flags.poolSlots, 1 << 20);
    if (typeof p === 'string') return usage(p);
    poolSlots = p;
  }
  if (flags.mode !== undefined && flags.mode !== 'copy' && flags.mode !== 'zerocopy') return usage(`--mode must be copy or zerocopy, not '${flags.mode}'`);
  let queue: number | undefined;
  if (flags.queue !== undefined) {
    queue = Number(flags.queue);
    if (!Number.isInteger(queue) || queue < 0) return usage(`--queue must be a queue number, not '${flags.queue}'`);
  }
  let idleSleepMs = 0;
  if (flags.idleSleep !== undefined) {
    const d = parseDuration(flags.idleSleep);
    if (typeof d === 'string') return usage(`--idle-sleep: ${d}`);
    idleSleepMs = d;
  }

  const tee = parseTeeFlags(flags);
  if ('error' in tee) return usage(tee.error);
  // --shm-zero-copy: every -i names a port of one domain, DOM:K (see src/runtime/io/shm-zc.ts).
  let zcDomain: string | null = null;
  if (flags.shmZeroCopy === true) {
    if (driver !== 'shm') return usage('--shm-zero-copy needs --driver shm');
    if (tee.spec !== null && tee.spec.mode === 'pipeline') return usage('--shm-zero-copy does not work with --tee pipeline (the secure pipeline brings its own pool)');
    for (const x of ifs) {
      const m = /^([^:]+):(\d+)$/.exec(x.iface);
      if (m === null) return usage(`--shm-zero-copy: -i takes PORT@DOMAIN:K (e.g. -i 0@sw:0 -i 1@sw:1), not '${x.num}@${x.iface}'`);
      if (zcDomain !== null && m[1] !== zcDomain) return usage(`--shm-zero-copy: every -i must name the same domain ('${zcDomain}', not '${m[1]}')`);
      zcDomain = m[1]!;
    }
  }
  const frontend = { includeDirs: flags.include, defines };
  if (tee.spec !== null) log(`p4tee switch: ${describeTee(tee)}`);
  const teeLog = (line: string): void => { log(line); };
  // The enclave boundary comes first (the switch is built on it) and is closed last.
  let teeGate: TeeGateHandle | null = null;
  let pipeline: SecurePipelineLike | null = null;
  let teeOptions: TeeSwitchOptions = {};
  if (tee.spec !== null && tee.spec.mode === 'extern') {
    const opened = await openExternTee(tee, teeLog);
    if ('error' in opened) { log(`p4tee switch: ${opened.error}`); return 1; }
    teeGate = opened.gate;
    teeOptions = opened.switchOptions;
  } else if (tee.spec !== null && tee.spec.mode === 'pipeline') {
    const opened = await openPipelineTee(tee, p4, frontend, teeLog, { poolSlots, burst, defines: flags.define });
    if ('error' in opened) { log(`p4tee switch: ${opened.error}`); return 1; }
    pipeline = opened;
  }
  // Idempotent; the ports close the domain too when they close.
  let closeDomain: () => void = () => {};
  try {
    // Compile and configure before touching any interface (pipeline mode: done inside the boundary).
    let sw: LoopSwitch;
    let failDrops: () => number = () => 0;
    if (pipeline !== null) sw = pipeline;
    else {
      let pool: PacketPool | undefined;
      if (zcDomain !== null) {
        const maxPort = Math.max(...ifs.map((x) => Number(/:(\d+)$/.exec(x.iface)![1])));
        const dom = createShmDomain(zcDomain, { ports: maxPort + 1, slots: poolSlots, ringSize: ring });
        if ('error' in dom) {
          log(`p4tee switch: ${dom.error}`);
          return 1;
        }
        pool = dom.pool;
        // Closing every port closes the domain; until the ports are open, a failure must close it here.
        closeDomain = () => dom.close();
      }
      const loaded = loadSwitch(p4, frontend, { poolSlots, ...teeOptions, ...(pool === undefined ? {} : { pool }) });
      if (!loaded.ok) {
        for (const d of loaded.diagnostics) log(d);
        return 1;
      }
      sw = loaded.sw;
      const swTee = loaded.sw.tee;
      if (swTee !== null) failDrops = () => swTee.failDrops();
    }
    // The `tee` object of stats and telemetry: what the boundary cost (crossings, bytes, ns, emulated ns).
    const g0 = teeGate;
    const p0 = pipeline;
    const teeInfo: (() => Record<string, unknown>) | null =
      g0 !== null ? () => externTeeInfo(tee, g0, failDrops) : p0 !== null ? () => pipelineTeeInfo(tee, p0) : null;
    if (flags.commands !== undefined) {
      let text: string;
      try {
        text = readFileSync(flags.commands, 'utf8');
      } catch (e) {
        log(`p4tee switch: cannot read ${flags.commands}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        return 1;
      }
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const hash = lines[i]!.indexOf('#');
        const line = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
        if (line === '') continue;
        const r = sw.command(line);
        if (!r.ok) {
          log(`${flags.commands}:${i + 1}: error: ${r.error}\n    ${line}`);
          return 1;
        }
      }
    }

    const specs = ifs.map((x) => ({
      num: x.num,
      spec: {
        driver,
        // pcap: IN.pcap[,OUT.pcap] ('-' for no input).
        iface: driver === 'pcap' ? x.iface.split(',')[0]! : x.iface,
        pcapOut: driver === 'pcap' && x.iface.includes(',') ? x.iface.slice(x.iface.indexOf(',') + 1) : undefined,
        ringSize: ring,
        queue,
        mode: flags.mode as 'copy' | 'zerocopy' | undefined,
        busyPoll: flags.busyPoll,
        ...(zcDomain !== null ? { shmZeroCopy: true } : {}),
      } satisfies PortSpec,
    }));
    const bound = await openPorts(specs);
    if (typeof bound === 'string') {
      log(`p4tee switch: ${bound}`);
      return 1;
    }
    const loop = new PollLoop(sw, bound, {
      burst,
      telemetry: flags.telemetry === false ? false : new Telemetry({ capacity: telBatches, maxBatch: Math.max(64, burst) }),
      idleAfterMs: idleSleepMs > 0 ? 100 : 0,
      idleSleepMs: idleSleepMs > 0 ? idleSleepMs : 1,
      onError: (m) => { log(`p4tee switch: ${m}`); },
    });
    const controlPath = flags.control ?? defaultControlPath();
    const handler: ControlHandler = teeInfo === null ? loopControlHandler(loop) : { ...loopControlHandler(loop), tee: teeInfo };
    const server = await ControlServer.listen(controlPath, handler);
    if ('error' in server) {
      loop.closePorts();
      log(`p4tee switch: control socket: ${server.error}`);
      return 1;
    }
    // If the process dies some other way, do not leave the socket file behind.
    const onExit = (): void => { try { unlinkSync(controlPath); } catch { /* gone */ } };
    process.on('exit', onExit);

    log(
      `p4tee switch: ${p4} ready in ${Date.now() - t0} ms: ${bound.map((b) => `${b.num}@${b.port.name}`).join(' ')} ` +
        `(${driver}, burst ${burst}, ring ${ring}), control ${controlPath}`,
    );
    loop.start();

    let last = { t: Date.now(), in: 0, out: 0, drops: 0, batches: 0, packets: 0 };
    const timer = statsMs > 0
      ? setInterval(() => {
        const t = Date.now();
        const dt = Math.max(1, t - last.t) / 1000;
        const drops = loop.totalDrops();
        const tel = loop.telemetry;
        const batches = tel?.count ?? 0;
        const packets = tel?.packets ?? 0;
        const mean = batches > last.batches ? (packets - last.packets) / (batches - last.batches) : 0;
        log(
          `in ${fmtRate((loop.inPackets - last.in) / dt)} pps  out ${fmtRate((loop.outPackets - last.out) / dt)} pps  ` +
            `drops ${drops} (+${drops - last.drops})  batch ${mean.toFixed(1)}  total in ${loop.inPackets} out ${loop.outPackets}` +
            (teeGate !== null ? teeStatsText(teeGate, failDrops()) : ''),
        );
        last = { t, in: loop.inPackets, out: loop.outPackets, drops, batches, packets };
      }, statsMs)
      : null;

    const status = await new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) {
          log(`p4tee switch: ${signal} again: exiting now`);
          onExit();
          process.exit(1);
        }
        stopping = true;
        void (async () => {
          loop.stop();
          if (timer !== null) clearInterval(timer);
          await server.close();
          let code = 0;
          const stats = loop.stats();
          if (flags.telemetryOut !== undefined && loop.telemetry !== null) {
            try {
              writeFileSync(flags.telemetryOut, JSON.stringify({ ...loop.telemetry.toJSON(), stats, ...(teeInfo !== null ? { tee: teeInfo() } : {}) }) + '\n');
            } catch (e) {
              log(`p4tee switch: cannot write ${flags.telemetryOut}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
              code = 1;
            }
          }
          loop.closePorts();
          const drops = Object.entries(stats.drops).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
          const portDrops = stats.ports.map((p) => {
            const pd = Object.entries((p.stats as { drops?: Record<string, number> }).drops ?? {}).filter(([, v]) => v !== 0).map(([k, v]) => `${k} ${v}`);
            return `${p.num}@${p.name}: in ${p.in} out ${p.out}${pd.length ? ` drops ${pd.join(', ')}` : ''}${p.errors ? ` errors ${p.errors}` : ''}`;
          });
          log(
            `p4tee switch: stopped by ${signal}: in ${stats.inPackets} out ${stats.outPackets} packets, ` +
              `${stats.batches} batches (mean ${stats.meanBatch}), drops ${drops.length ? drops.join(', ') : '0'}; ${portDrops.join('; ')}`,
          );
          if (g0 !== null) log(`p4tee switch:${teeStatsText(g0, failDrops())}`);
          process.off('exit', onExit);
          resolve(code);
        })();
      };
      gate.handler = stop;
      if (gate.pending !== null) stop(gate.pending);
    });
    return status;
  } finally {
    closeDomain();
    if (teeGate !== null) await teeGate.close();
    if (pipeline !== null) await pipeline.close();
  }
}

export function registerSwitch(program: Command): void {
  const cmd = program
    .command('switch')
    .description('run a P4 program as a live switch on network interfaces (poll-mode loop, control socket, telemetry)')
    .argument('<program>', 'P4_16 program (v1model)')
    .option('-i, --interface <port@iface>', 'bind P4 port PORT to IFACE (repeatable; pcap driver: IN.pcap[,OUT.pcap], - for no input)', collect, [])
    .option('--driver <name>', 'afxdp, afpacket, shm or pcap (default: pcap for .pcap files, else afpacket)')
    .option('--commands <file>', 'simple_switch_CLI commands to apply before starting')
    .option('--burst <n>', 'packets per receive burst', '32')
    .option('--ring <n>', 'descriptors per driver ring', '1024')
    .option('--control <path>', 'control socket path (default /tmp/p4tee-<pid>.sock)')
    .option('--stats <duration>', 'print a stats line this often (e.g. 1s, 500ms; 0 = off)', '1s')
    .option('--telemetry-out <file>', 'write the per-batch telemetry JSON here at exit')
    .option('--telemetry-batches <n>', 'batches kept in the telemetry ring', '65536')
    .option('--no-telemetry', 'do not time batches (saves three clock reads per batch, ~30-100 ns)')
    .option('--pool-slots <n>', 'packet pool slots (default: enough for the rings)')
    .option('--shm-zero-copy', 'shm: one zero-copy domain for all ports (-i 0@DOM:0 -i 1@DOM:1); peers write into the switch\'s region and packets are processed in place')
    .option('--mode <mode>', 'afxdp bind mode: copy or zerocopy')
    .option('--queue <n>', 'afxdp NIC queue')
    .option('--busy-poll', 'afxdp: enable busy polling on the sockets')
    .option('--idle-sleep <duration>', 'after 100 ms without packets, sleep this long between polls (default: never sleep)')
    .option('-I, --include <dir>', 'add a directory to the #include search path (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'define a preprocessor macro (repeatable)', collect, []);
  addTeeOptions(cmd)
    .addHelpText(
      'after',
      TEE_HELP +
      '\nStop with SIGINT (Ctrl-C) or SIGTERM: prints the final counters, writes the telemetry, closes the ports\n' +
        '(removing XDP programs and sockets) and removes the control socket. Use `p4tee ctl` to change tables\n' +
        'while it runs.\n' +
        '\nExamples:\n' +
        '  p4tee switch fwd.p4 -i 0@dut0 -i 1@dut1 --driver afxdp --mode copy --commands rules.txt\n' +
        '  p4tee switch fwd.p4 -i 0@in.pcap,out0.pcap -i 1@-,out1.pcap --stats 0\n' +
        '  p4tee switch examples/study-forward/study-forward-tee.p4 -i 0@dut0 -i 1@dut1 --driver afxdp --mode copy \\\n' +
        '      --tee extern:process:batch --commands examples/study-forward/commands-tee.txt\n',
    )
    .action(async (p4: string, flags: SwitchFlags) => {
      try {
        process.exitCode = await runSwitch(p4, flags);
      } catch (err) {
        process.stderr.write(
          `p4tee switch: internal error: ${err instanceof Error ? err.message : String(err)}\n` +
            `This is a bug in p4tee, not in your program. Please report it.\n${err instanceof Error ? err.stack ?? '' : ''}\n`,
        );
        process.exitCode = 2;
      }
    });
}
