// The device under test as a child process of `p4tee bench`: starts `p4tee switch` (or the
// calibration reflector) pinned to one core and, for kernel drivers, inside the DUT namespace;
// waits for its "ready" line, talks to its control socket (telemetry reset / telemetry / stats)
// and stops it (SIGTERM, then SIGKILL). Start failures come back as the child's own error text.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ControlClient, type ControlReply } from '../runtime/control/server.js';
import { launchPrefix } from './gen-process.js';

/** The repository root (dist/trafficgen/ -> ../../). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const P4TEE_BIN = fileURLToPath(new URL('../../bin/p4tee.js', import.meta.url));

export interface DutLaunch {
  /** Arguments after `node` (e.g. [P4TEE_BIN, 'switch', ...] or [reflector.js, ...]). */
  readonly args: readonly string[];
  /** Control socket path the child was told to listen on. */
  readonly control: string;
  /** Pin to this CPU (taskset -c). */
  readonly cpu?: number;
  /** Run inside this network namespace (ip netns exec; root). */
  readonly netns?: string;
  /** What to call it in messages ('switch', 'reflector'). */
  readonly what: string;
  /** Wait at most this long for the ready line (default 120 s: compiling under load is slow). */
  readonly readyTimeoutMs?: number;
}

let taskset: boolean | null = null;
/** True when taskset (util-linux) can be run and the machine has at least two CPUs to pin to. */
export function canPin(cores: number): boolean {
  if (cores < 2) return false;
  if (taskset === null) {
    const r = spawnSync('taskset', ['-V'], { encoding: 'utf8', timeout: 5000 });
    taskset = r.error === undefined && r.status === 0;
  }
  return taskset;
}

/** A running DUT process and a connection to its control socket. */
export class DutProcess {
  readonly child: ChildProcess;
  readonly what: string;
  readonly control: string;
  readonly cmdline: string;
  /** Everything the child wrote on stdout and stderr (last 64 KiB). */
  output = '';
  private client: ControlClient | null = null;
  private exitInfo: string | null = null;
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess, launch: DutLaunch, cmdline: string) {
    this.child = child;
    this.what = launch.what;
    this.control = launch.control;
    this.cmdline = cmdline;
    const keep = (d: string): void => {
      this.output += d;
      if (this.output.length > 65536) this.output = this.output.slice(-65536);
    };
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitInfo = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
        resolve();
      });
      child.on('error', (e) => {
        this.exitInfo = `cannot start: ${e.message}`;
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exitInfo === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Starts the child and waits for /ready in/ on its output, then connects to its control socket. */
  static async start(launch: DutLaunch): Promise<DutProcess | { error: string }> {
    const pre = launchPrefix({ cpu: launch.cpu, netns: launch.netns });
    const argv = [...pre, process.execPath, ...launch.args];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const d = new DutProcess(child, launch, argv.join(' '));
    const until = Date.now() + (launch.readyTimeoutMs ?? 120000);
    while (!/ready in \d+ ms/.test(d.output)) {
      if (!d.running) return { error: `the ${d.what} did not start (${d.exitInfo}): ${cleanOutput(d.output) || '(no output)'}` };
      if (Date.now() > until) {
        await d.stop(2000);
        return { error: `the ${d.what} was not ready within ${Math.round((launch.readyTimeoutMs ?? 120000) / 1000)} s: ${cleanOutput(d.output) || '(no output)'}` };
      }
      await sleep(20);
    }
    const c = await ControlClient.connect(launch.control, 10000);
    if ('error' in c) {
      await d.stop(2000);
      return { error: `the ${d.what}'s control socket: ${c.error}` };
    }
    d.client = c;
    return d;
  }

  /** One control request; an error reply when the process or the socket is gone. */
  async request(cmd: string, timeoutMs = 30000): Promise<ControlReply> {
    if (this.client === null) return { ok: false, error: `the ${this.what} is not connected` };
    if (!this.running) return { ok: false, error: `the ${this.what} has stopped (${this.exitInfo}): ${cleanOutput(this.output)}` };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<ControlReply>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: `the ${this.what} did not answer '${cmd}' within ${timeoutMs / 1000} s` }), timeoutMs);
    });
    const r = await Promise.race([this.client.request({ cmd }), late]);
    clearTimeout(timer);
    return r;
  }

  /** SIGTERM, SIGKILL after timeoutMs; removes the control socket if the child left it behind. */
  async stop(timeoutMs = 15000): Promise<void> {
    this.client?.close();
    this.client = null;
    if (this.running) {
      this.child.kill('SIGTERM');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const t = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
      const done = await Promise.race([this.exited.then(() => true), t]);
      clearTimeout(timer);
      if (!done) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    try { if (existsSync(this.control)) unlinkSync(this.control); } catch { /* not ours to remove after all */ }
  }

  /** Last resort at process exit: synchronous. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL');
    try { if (existsSync(this.control)) unlinkSync(this.control); } catch { /* gone */ }
  }
}

/** The child's output without stack traces and blank lines, last few lines only. */
export function cleanOutput(s: string, maxLines = 6): string {
  const lines = s.split('\n').map((l) => l.trimEnd()).filter((l) => l !== '' && !/^\s+at /.test(l));
  return lines.slice(-maxLines).join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
