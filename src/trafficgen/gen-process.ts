// The generator as a process of its own: GenSetup (plain data: driver, ports, template, options)
// -> buildGenerator(); serveTrials() answers trial requests arriving over the child_process IPC
// channel ({cmd:'trial', pps, durationS, ...} -> {type:'result', result: TrialResult}); GenClient
// is the parent's side: it forks this module (optionally under taskset on one core and inside a
// network namespace) and runs trials one after another. Messages use 'advanced' serialization.

import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Generator, openGenPorts, type GeneratorOptions } from './generator.js';
import { parsePattern, type Pattern } from './schedule.js';
import { pcapTemplate, parseIpRange, parsePortRange, studyTemplate, type Range, type Template } from './template.js';
import type { DriverName } from '../runtime/io/port.js';
import type { TrialResult, ValidityLimits } from './trial.js';

/** Everything needed to build a generator; JSON-friendly, shared by `p4tee gen` and the trial server. */
export interface GenSetup {
  readonly driver: DriverName;
  readonly tx: string;
  readonly rx: readonly string[];
  /** Study template frame size (ignored with pcap). */
  readonly size?: number;
  /** Frames from this pcap file instead of the study template. */
  readonly pcap?: string;
  readonly srcIp?: string;
  readonly dstIp?: string;
  readonly srcPort?: string;
  readonly dstPort?: string;
  readonly srcMac?: string;
  readonly dstMac?: string;
  readonly burst?: number;
  readonly ringSize?: number;
  readonly queue?: number;
  readonly mode?: 'copy' | 'zerocopy';
  readonly busyPoll?: boolean;
  readonly lateToleranceNs?: number;
  readonly graceNs?: number;
  readonly maxOverrunNs?: number;
  /** Late packets go at most this many times the offered rate (Generator option catchUp). */
  readonly catchUp?: number;
  readonly validity?: ValidityLimits;
}

/** The template a setup asks for, or an error. */
export function buildTemplate(s: GenSetup): Template | { error: string } {
  if (s.pcap !== undefined) return pcapTemplate(s.pcap);
  const ranges: Partial<Record<'srcIp' | 'dstIp' | 'srcPort' | 'dstPort', Range>> = {};
  for (const key of ['srcIp', 'dstIp'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    const r = parseIpRange(v);
    if (typeof r === 'string') return { error: `--${key === 'srcIp' ? 'src-ip' : 'dst-ip'}: ${r}` };
    ranges[key] = r;
  }
  for (const key of ['srcPort', 'dstPort'] as const) {
    const v = s[key];
    if (v === undefined) continue;
    const r = parsePortRange(v);
    if (typeof r === 'string') return { error: `--${key === 'srcPort' ? 'src-port' : 'dst-port'}: ${r}` };
    ranges[key] = r;
  }
  return studyTemplate({ size: s.size, srcMac: s.srcMac, dstMac: s.dstMac, ...ranges });
}

/** Builds the template, opens the ports and makes the generator; never throws. */
export function buildGenerator(s: GenSetup): Generator | { error: string } {
  const t = buildTemplate(s);
  if ('error' in t) return t;
  let maxFrame = 0;
  for (const f of t.frames) maxFrame = Math.max(maxFrame, f.length);
  const ports = openGenPorts({ driver: s.driver, tx: s.tx, rx: s.rx, ringSize: s.ringSize, queue: s.queue, mode: s.mode, busyPoll: s.busyPoll, maxFrame });
  if ('error' in ports) return ports;
  const opts: GeneratorOptions = {
    burst: s.burst,
    lateToleranceNs: s.lateToleranceNs,
    graceNs: s.graceNs,
    maxOverrunNs: s.maxOverrunNs,
    catchUp: s.catchUp,
    validity: s.validity,
  };
  try {
    return new Generator(ports.tx, ports.rx, t, opts);
  } catch (e) {
    for (const p of new Set([ports.tx, ...ports.rx])) p.close();
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

// ---- the protocol ----

export type GenRequest =
  | { readonly cmd: 'open'; readonly setup: GenSetup }
  | { readonly cmd: 'trial'; readonly id: number; readonly pps: number; readonly durationS: number; readonly pattern?: string; readonly seed?: number }
  | { readonly cmd: 'close' };

export type GenReply =
  | { readonly type: 'ready'; readonly pid: number; readonly copyMode: string; readonly template: string; readonly ports: string }
  | { readonly type: 'result'; readonly id: number; readonly result: TrialResult }
  | { readonly type: 'error'; readonly id: number | null; readonly error: string }
  | { readonly type: 'closed' };

/**
 * The child's side: answers requests from the parent one at a time until 'close' or until the
 * channel goes away. Resolves when done (the ports are closed then).
 */
export function serveTrials(): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined) {
      process.stderr.write('p4tee gen --serve: no IPC channel (start it with child_process.fork)\n');
      resolve();
      return;
    }
    // The parent may be gone by the time a trial ends: then there is nobody to answer.
    const send = (m: GenReply, done?: () => void): void => {
      if (!process.connected) {
        done?.();
        return;
      }
      process.send!(m, undefined, {}, () => done?.());
    };
    let gen: Generator | null = null;
    let chain = Promise.resolve();
    let finished = false;
    let running: AbortController | null = null;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      // A trial in progress is cut short; the ports close once it has returned.
      running?.abort();
      process.off('message', onMessage);
      process.off('disconnect', finish);
      void chain.then(() => {
        gen?.close();
        gen = null;
        resolve();
      });
    };
    const handle = async (m: GenRequest): Promise<void> => {
      if (finished) return;
      switch (m.cmd) {
        case 'open': {
          gen?.close();
          const g = buildGenerator(m.setup);
          if ('error' in g) {
            gen = null;
            send({ type: 'error', id: null, error: g.error } satisfies GenReply);
            return;
          }
          gen = g;
          const ports = `tx ${g.tx.driver} ${g.tx.name}${g.rx.length ? `, rx ${g.rx.map((p) => p.name).join(' ')}` : ''}`;
          send({ type: 'ready', pid: process.pid, copyMode: g.copyMode, template: g.template.description, ports } satisfies GenReply);
          return;
        }
        case 'trial': {
          if (gen === null) {
            send({ type: 'error', id: m.id, error: 'no generator open (send {cmd:"open"} first)' } satisfies GenReply);
            return;
          }
          let pattern: Pattern | undefined;
          if (m.pattern !== undefined) {
            const p = parsePattern(m.pattern);
            if (typeof p === 'string') {
              send({ type: 'error', id: m.id, error: p } satisfies GenReply);
              return;
            }
            pattern = p;
          }
          if (!(m.pps > 0) || !(m.durationS > 0)) {
            send({ type: 'error', id: m.id, error: `bad trial: ${m.pps} pps for ${m.durationS} s` } satisfies GenReply);
            return;
          }
          running = new AbortController();
          try {
            const result = await gen.runTrial({ pps: m.pps, durationS: m.durationS, pattern, seed: m.seed }, { signal: running.signal });
            send({ type: 'result', id: m.id, result } satisfies GenReply);
          } catch (e) {
            send({ type: 'error', id: m.id, error: e instanceof Error ? e.message : String(e) } satisfies GenReply);
          } finally {
            running = null;
          }
          return;
        }
        case 'close':
          gen?.close();
          gen = null;
          send({ type: 'closed' } satisfies GenReply, () => setImmediate(finish));
          return;
        default:
          send({ type: 'error', id: null, error: `unknown command ${JSON.stringify((m as { cmd?: unknown }).cmd)}` } satisfies GenReply);
      }
    };
    const onMessage = (m: unknown): void => {
      chain = chain.then(() => handle(m as GenRequest));
    };
    process.on('message', onMessage);
    process.on('disconnect', finish);
  });
}

// ---- the parent's side ----

export interface GenSpawnOptions {
  /** Pin the generator to this CPU (taskset -c). */
  readonly cpu?: number;
  /** Run it inside this network namespace (ip netns exec; needs root). */
  readonly netns?: string;
  /** Forward the child's stderr here (default: inherited). */
  readonly stderr?: 'inherit' | 'pipe' | 'ignore';
}

/** The command prefix that puts a process on a core and into a namespace. */
export function launchPrefix(o: GenSpawnOptions): string[] {
  const pre: string[] = [];
  if (o.cpu !== undefined) pre.push('taskset', '-c', String(o.cpu));
  if (o.netns !== undefined) pre.push('ip', 'netns', 'exec', o.netns);
  return pre;
}

/** Pins a running process (all its threads) to one CPU; an error text, or null. */
export function pinToCpu(pid: number, cpu: number): string | null {
  const r = spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { encoding: 'utf8', timeout: 5000 });
  if (r.error !== undefined) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'taskset (util-linux) is not installed' : r.error.message;
  return r.status === 0 ? null : `taskset: ${r.stderr.trim() || `exit ${r.status}`}`;
}

const SELF = fileURLToPath(import.meta.url);

/** A generator process and the trials it runs for its parent. */
export class GenClient {
  readonly child: ChildProcess;
  readonly info: Extract<GenReply, { type: 'ready' }>;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: TrialResult) => void; reject: (e: Error) => void }>();
  private exited: string | null = null;

  private constructor(child: ChildProcess, info: Extract<GenReply, { type: 'ready' }>) {
    this.child = child;
    this.info = info;
    child.on('message', (m: GenReply) => {
      if (m.type === 'result') {
        this.waiting.get(m.id)?.resolve(m.result);
        this.waiting.delete(m.id);
      } else if (m.type === 'error' && m.id !== null) {
        this.waiting.get(m.id)?.reject(new Error(m.error));
        this.waiting.delete(m.id);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = `generator process exited (${signal ?? `code ${code}`})`;
      for (const w of this.waiting.values()) w.reject(new Error(this.exited));
      this.waiting.clear();
    });
  }

  /** Forks the generator process and opens its ports; an error when it cannot. */
  static start(setup: GenSetup, o: GenSpawnOptions = {}): Promise<GenClient | { error: string }> {
    const pre = launchPrefix(o);
    const child = fork(SELF, ['--serve'], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', o.stderr ?? 'inherit', 'ipc'],
      ...(pre.length > 0 ? { execPath: pre[0], execArgv: [...pre.slice(1), process.execPath] } : {}),
    });
    return new Promise((resolve) => {
      let done = false;
      const settle = (r: GenClient | { error: string }): void => {
        if (done) return;
        done = true;
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
        resolve(r);
      };
      const onMessage = (m: GenReply): void => {
        if (m.type === 'ready') settle(new GenClient(child, m));
        else if (m.type === 'error') {
          child.kill();
          settle({ error: m.error });
        }
      };
      const onExit = (code: number | null, signal: string | null): void => {
        settle({ error: `generator process exited before it was ready (${signal ?? `code ${code}`})${pre.length ? ` (launched via ${pre.join(' ')})` : ''}` });
      };
      const onError = (e: Error): void => {
        settle({ error: `cannot start the generator process: ${e.message}` });
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
      child.on('error', onError);
      child.send({ cmd: 'open', setup } satisfies GenRequest);
    });
  }

  /** Runs one trial in the generator process. */
  trial(pps: number, durationS: number, extra: { pattern?: string; seed?: number } = {}): Promise<TrialResult> {
    if (this.exited !== null) return Promise.reject(new Error(this.exited));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ cmd: 'trial', id, pps, durationS, ...extra } satisfies GenRequest);
    });
  }

  /** Closes the ports and ends the process (killed after timeoutMs if it does not leave). */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.exited !== null) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      this.child.send({ cmd: 'close' } satisfies GenRequest);
    } catch {
      // Channel already closed: the exit handler below still runs.
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await gone;
    clearTimeout(timer);
  }
}

// Started by GenClient.start (fork of this file with --serve): serve, then leave.
if (process.argv[1] === SELF && process.argv.includes('--serve')) {
  void serveTrials().then(() => {
    if (process.connected) process.disconnect();
  });
}
