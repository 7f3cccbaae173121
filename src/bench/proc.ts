// Child-process and script plumbing shared by the benchmark scripts bench:io (src/bench/io.ts) and
// bench:gen (src/bench/gen.ts): a progress logger, sleep, child processes whose output is captured
// (a `live` set that is killed when the script ends or is interrupted), CPU time from /proc, the
// `p4tee netns up/down` call, and the signal/exit handling around main(). Input: argv of children.
// Output: Proc handles, texts, numbers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT, cpuTicksFromStat } from './io-lib.js';

export const P4TEE_BIN = join(PACKAGE_ROOT, 'bin', 'p4tee.js');

/** A logger writing `bench:TAG: line` to stderr. */
export function progressTo(tag: string): (line: string) => void {
  return (line) => {
    process.stderr.write(`bench:${tag}: ${line}\n`);
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- child processes ----

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they arrived. */
  out: string;
  exitCode: number | null | undefined;
  readonly exited: Promise<number | null>;
}

/** The processes started and not yet ended. */
export const live = new Set<Proc>();

/**
 * Starts argv with its output captured. A spawn error is appended to stderr and out as
 * `NAME: message` (just the message when name is '').
 */
export function start(name: string, argv: readonly string[]): Proc {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    name,
    child,
    stdout: '',
    stderr: '',
    out: '',
    exitCode: undefined,
    exited: new Promise((resolve) => {
      child.on('error', (e) => {
        const line = name === '' ? `${e.message}\n` : `${name}: ${e.message}\n`;
        p.stderr += line;
        p.out += line;
        p.exitCode = null;
        live.delete(p);
        resolve(null);
      });
      child.on('exit', (code, signal) => {
        p.exitCode = code ?? (signal !== null ? 128 : null);
        live.delete(p);
        resolve(p.exitCode);
      });
    }),
  };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => { p.stdout += s; p.out += s; });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => { p.stderr += s; p.out += s; });
  live.add(p);
  return p;
}

/** Waits until `re` matches the process's stdout or stderr; false on timeout or exit. */
export async function waitFor(p: Proc, re: RegExp, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (re.test(p.stdout) || re.test(p.stderr)) return true;
    if (p.exitCode !== undefined) return false;
    await sleep(20);
  }
  return false;
}

/** Stops a process (SIGTERM, then SIGKILL after timeoutMs) and waits for it. */
export async function stop(p: Proc, timeoutMs = 10_000): Promise<number | null> {
  if (p.exitCode !== undefined) return p.exitCode;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => { p.child.kill('SIGKILL'); }, timeoutMs);
  const code = await p.exited;
  clearTimeout(t);
  return code;
}

/** Waits for a process to end by itself (bounded), else stops it. */
export async function finish(p: Proc, timeoutMs: number): Promise<number | null> {
  const t = setTimeout(() => { p.child.kill('SIGTERM'); }, timeoutMs);
  const code = await p.exited;
  clearTimeout(t);
  return code;
}

/** Sends a signal to every live process. */
export function killAll(signal: NodeJS.Signals): void {
  for (const p of live) p.child.kill(signal);
}

/** The last `lines` lines of a text. */
export function tail(text: string, lines = 8): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

// ---- CPU time and the topology ----

const CLK_TCK = ((): number => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 });
  const n = Number(r.stdout?.trim());
  return Number.isInteger(n) && n > 0 ? n : 100;
})();

/** CPU time (s) a process used so far, all threads; NaN when it cannot be read. */
export function cpuSeconds(p: Proc): number {
  const pid = p.child.pid;
  if (pid === undefined) return NaN;
  try {
    return cpuTicksFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLK_TCK;
  } catch {
    return NaN;
  }
}

/** `p4tee netns up|down --prefix PREFIX`: null when it worked, else its error text. */
export function netns(action: 'up' | 'down', prefix: string): string | null {
  const r = spawnSync(process.execPath, [P4TEE_BIN, 'netns', action, '--prefix', prefix], { encoding: 'utf8', timeout: 30_000 });
  if (r.status === 0) return null;
  return (r.stderr || r.stdout || r.error?.message || `exit ${r.status}`).trim();
}

// ---- the script around main() ----

/**
 * Runs a bench script's main: on SIGINT/SIGTERM logs `SIG: stopping WHAT`, sends SIGTERM to the
 * live processes and after 1.5 s calls cleanup and exits 130; cleanup also runs on exit and after
 * an internal error (exit code 2). `state.interrupted` tells main to stop early.
 */
export function runScript(
  main: () => Promise<number>,
  progress: (line: string) => void,
  what: string,
  cleanup: () => void,
  state: { interrupted: boolean },
): void {
  const onSignal = (sig: NodeJS.Signals): void => {
    if (state.interrupted) return;
    state.interrupted = true;
    progress(`${sig}: stopping ${what}`);
    killAll('SIGTERM');
    setTimeout(() => {
      cleanup();
      process.exit(130);
    }, 1500);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', cleanup);
  main().then(
    (code) => { process.exitCode = code; },
    (e: unknown) => {
      progress(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      cleanup();
      process.exitCode = 2;
    },
  );
}
