// Calibration of the harness (`p4tee bench --calibrate`): the generator against a trivial reflector
// (no P4: a poll loop that moves every packet from port 0 to port 1 and back over the same driver),
// searched like a switch, gives the ceiling of this machine. This file holds the reflector (run as
// its own process: `node calibrate.js --reflect ...`, same control socket as `p4tee switch`) and
// calibrate(), which is runBench with the reflector as the device under test.
import { fileURLToPath } from 'node:url';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { PollLoop, loopControlHandler, type LoopPipeline, type LoopPortBinding } from '../runtime/core/poll-loop.js';
import { Telemetry } from '../runtime/core/telemetry.js';
import { ControlServer } from '../runtime/control/server.js';
import type { DriverName, Port, PortSpec } from '../runtime/io/port.js';
import { runBench, type BenchRunOptions, type BenchRunResult, type BenchSetup } from './bench-runner.js';

export const REFLECTOR_SCRIPT = fileURLToPath(import.meta.url);

/** The whole "pipeline" of the reflector: packet p leaves on port (in ^ 1); nothing else. */
export class ReflectPipeline implements LoopPipeline {
  readonly pool: PacketPool;
  readonly overflowDrops = 0;
  private readonly queue: Int32Array;
  private head = 0;
  private count = 0;

  constructor(pool: PacketPool, burst: number) {
    this.pool = pool;
    this.queue = new Int32Array(Math.max(64, burst));
  }

  injectBatch(pkts: Int32Array, n: number): void {
    const port = this.pool.port;
    for (let i = 0; i < n; i++) {
      const p = pkts[i]!;
      port[p] = port[p]! ^ 1;
      this.queue[i] = p;
    }
    this.head = 0;
    this.count = n;
  }

  run(): void {
    // Nothing to compute: the destination was set when the batch came in.
  }

  takeSent(): number {
    return this.head < this.count ? this.queue[this.head++]! : -1;
  }
}

export interface ReflectorFlags {
  readonly driver: DriverName;
  readonly ports: readonly string[];
  readonly control: string;
  readonly burst: number;
  readonly ring: number;
  readonly mode?: 'copy' | 'zerocopy';
}

/** `--reflect --driver D --port A --port B --control S --burst N --ring N [--mode M]` -> flags. */
export function parseReflectorArgs(argv: readonly string[]): ReflectorFlags | string {
  const o: Record<string, string[]> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--reflect') continue;
    if (!a.startsWith('--') || i + 1 >= argv.length) return `reflector: unexpected argument '${a}'`;
    (o[a.slice(2)] ??= []).push(argv[++i]!);
  }
  const driver = o['driver']?.[0];
  if (driver !== 'shm' && driver !== 'afxdp' && driver !== 'afpacket') return `reflector: --driver must be shm, afxdp or afpacket, not '${driver}'`;
  const ports = o['port'] ?? [];
  if (ports.length !== 2) return 'reflector: needs two --port';
  const control = o['control']?.[0];
  if (control === undefined) return 'reflector: needs --control';
  const burst = Number(o['burst']?.[0] ?? 32);
  const ring = Number(o['ring']?.[0] ?? 1024);
  const mode = o['mode']?.[0];
  if (mode !== undefined && mode !== 'copy' && mode !== 'zerocopy') return `reflector: bad --mode '${mode}'`;
  return { driver, ports, control, burst, ring, mode };
}

/** Command-line arguments (after node) that start the reflector. */
export function reflectorArgs(f: ReflectorFlags): string[] {
  const a = [REFLECTOR_SCRIPT, '--reflect', '--driver', f.driver, '--control', f.control, '--burst', String(f.burst), '--ring', String(f.ring)];
  for (const p of f.ports) a.push('--port', p);
  if (f.mode !== undefined) a.push('--mode', f.mode);
  return a;
}

/** Runs the reflector until SIGINT/SIGTERM; returns the exit status. */
export async function runReflector(f: ReflectorFlags, log: (line: string) => void): Promise<number> {
  const t0 = Date.now();
  const mod = await import('../runtime/io/port.js');
  if (f.driver === 'afxdp') await import('../runtime/io/afxdp.js' as string);
  const bound: LoopPortBinding[] = [];
  for (const [num, iface] of f.ports.entries()) {
    const spec: PortSpec = { driver: f.driver, iface, ringSize: f.ring, mode: f.mode };
    const r = mod.openPort(spec);
    if (mod.isPortError(r)) {
      for (const b of bound) b.port.close();
      log(`p4tee reflector: port ${num} (${f.driver} ${iface}): ${r.error}`);
      return 1;
    }
    bound.push({ num, port: r as Port });
  }
  const pool = new PacketPool(Math.max(1024, f.ring * 4, f.burst * 8), 4096);
  const loop = new PollLoop({ arch: new ReflectPipeline(pool, f.burst), command: () => ({ ok: false, error: 'the reflector takes no commands' }) }, bound, {
    burst: f.burst,
    telemetry: new Telemetry({ capacity: 65536, maxBatch: Math.max(64, f.burst) }),
    onError: (m) => log(`p4tee reflector: ${m}`),
  });
  const server = await ControlServer.listen(f.control, loopControlHandler(loop));
  if ('error' in server) {
    loop.closePorts();
    log(`p4tee reflector: control socket: ${server.error}`);
    return 1;
  }
  log(`p4tee reflector ready in ${Date.now() - t0} ms: ${bound.map((b) => `${b.num}@${b.port.name}`).join(' ')} (${f.driver}, burst ${f.burst}), control ${f.control}`);
  loop.start();
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  loop.stop();
  await server.close();
  loop.closePorts();
  return 0;
}

/** The generator's ceiling on this machine: runBench with the reflector as the device under test. */
export function calibrate(setup: Omit<BenchSetup, 'program' | 'commands' | 'tee'>, opts: BenchRunOptions): Promise<BenchRunResult> {
  return runBench({ ...setup, program: '(reflector)', commands: null, tee: null }, { ...opts, dut: 'reflector' });
}

if (process.argv[1] === REFLECTOR_SCRIPT && process.argv.includes('--reflect')) {
  const log = (line: string): void => { process.stderr.write(line + '\n'); };
  const f = parseReflectorArgs(process.argv.slice(2));
  if (typeof f === 'string') {
    log(f);
    process.exitCode = 2;
  } else {
    runReflector(f, log).then(
      (code) => { process.exitCode = code; },
      (e: unknown) => { log(`p4tee reflector: ${e instanceof Error ? e.message : String(e)}`); process.exitCode = 2; },
    );
  }
}
