// The control socket of a running switch: a Unix domain socket (default /tmp/p4tee-<pid>.sock)
// speaking newline-delimited JSON. Request: {"cmd": "table_add ..."} (or {"cmds": [...]}, applied
// together between two batches; a line that is not JSON is taken as one command). Special commands:
// "stats", "telemetry [LAST]", "telemetry reset", "tee", "help" (stats and telemetry carry a `tee`
// object when the switch has an enclave boundary). Reply: {"ok": true, "message"} /
// {"ok": false, "error"} plus "results", "stats" or "telemetry". ControlClient is the other end.
import net from 'node:net';
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import type { CommandResult } from '../abi.js';
import { commandUsage } from './commands.js';

/** What the server serves: the poll loop and its telemetry. */
export interface ControlHandler {
  /** Applies command lines together between two batches. */
  submit(lines: readonly string[]): Promise<CommandResult[]>;
  stats(): unknown;
  /** The telemetry JSON (last: only the most recent batches), or null when it is off. */
  telemetry(last?: number): unknown;
  resetTelemetry(): void;
  /** The enclave boundary's state and costs (TEE mode, crossings, bytes, ns, emulated ns), when there is one. */
  tee?(): unknown;
}

/** The `tee` command's reply: the boundary's counters (`p4tee ctl tee` prints them as JSON). */
function teeReply(t: unknown): ControlReply {
  return { ok: true, tee: t };
}

/** Adds the handler's `tee` object to a stats or telemetry object. */
function withTee(handler: ControlHandler, value: unknown): unknown {
  if (handler.tee === undefined || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return { ...(value as Record<string, unknown>), tee: handler.tee() };
}

export interface ControlRequest {
  cmd?: string;
  cmds?: string[];
  id?: unknown;
}

export interface ControlReply {
  ok: boolean;
  message?: string;
  error?: string;
  results?: CommandResult[];
  stats?: unknown;
  telemetry?: unknown;
  tee?: unknown;
  id?: unknown;
}

/** Longest request line accepted (bytes). */
const MAX_LINE = 1 << 20;

export function defaultControlPath(pid: number = process.pid): string {
  return `/tmp/p4tee-${pid}.sock`;
}

/** Answers one request (no socket involved: the server and tests use it). */
export async function handleRequest(handler: ControlHandler, req: ControlRequest): Promise<ControlReply> {
  const reply = await answer(handler, req);
  if (req.id !== undefined) reply.id = req.id;
  return reply;
}

async function answer(handler: ControlHandler, req: ControlRequest): Promise<ControlReply> {
  if (req.cmds !== undefined) {
    if (!Array.isArray(req.cmds) || !req.cmds.every((c) => typeof c === 'string')) return { ok: false, error: '"cmds" must be an array of strings' };
    const lines = req.cmds.map((c) => c.trim()).filter((c) => c !== '' && !c.startsWith('#'));
    const results = await handler.submit(lines);
    const refused = results.filter((r) => !r.ok).length;
    return refused === 0
      ? { ok: true, message: `${results.length} command(s) applied`, results }
      : { ok: false, error: `${refused} of ${results.length} command(s) refused`, results };
  }
  if (typeof req.cmd !== 'string') return { ok: false, error: 'request needs "cmd" (a string) or "cmds" (an array of strings)' };
  const line = req.cmd.trim();
  const words = line.split(/\s+/);
  switch (words[0]) {
    case '':
      return { ok: false, error: 'empty command' };
    case 'stats':
      return { ok: true, stats: withTee(handler, handler.stats()) };
    case 'tee':
      return handler.tee === undefined ? { ok: false, error: 'this switch has no enclave boundary (started without --tee)' } : teeReply(handler.tee());
    case 'telemetry': {
      if (words[1] === 'reset') {
        handler.resetTelemetry();
        return { ok: true, message: 'telemetry reset' };
      }
      let last: number | undefined;
      if (words[1] !== undefined) {
        last = Number(words[1]);
        if (!Number.isInteger(last) || last < 0) return { ok: false, error: `telemetry: expected a batch count or 'reset', not '${words[1]}'` };
      }
      const t = handler.telemetry(last);
      return t === null ? { ok: false, error: 'telemetry is off in this switch' } : { ok: true, telemetry: withTee(handler, t) };
    }
    case 'help':
      if (words[1] !== undefined) {
        const u = commandUsage[words[1]];
        return u !== undefined ? { ok: true, message: u } : { ok: false, error: `no command '${words[1]}'` };
      }
      return {
        ok: true,
        message:
          'switch commands: stats, telemetry [LAST], telemetry reset, tee, help [COMMAND]\n' +
          'table/register/counter/meter/mirroring/multicast commands:\n  ' +
          Object.keys(commandUsage).join(' '),
      };
    default: {
      const [r] = await handler.submit([line]);
      return r!.ok ? { ok: true, message: r!.message } : { ok: false, error: r!.error };
    }
  }
}

/** Parses one request line: JSON, or plain text taken as one command. */
export function parseRequest(line: string): ControlRequest | string {
  const t = line.trim();
  if (!t.startsWith('{')) return { cmd: t };
  try {
    const v: unknown = JSON.parse(t);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return 'request must be a JSON object';
    return v as ControlRequest;
  } catch (e) {
    return `bad JSON: ${e instanceof Error ? e.message : String(e)}`;
  }
}

export class ControlServer {
  readonly path: string;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(path: string, server: net.Server) {
    this.path = path;
    this.server = server;
  }

  /**
   * Listens on `path`. A stale socket file (no one answering) is replaced; a live one, or any
   * other file at that path, is an error.
   */
  static async listen(path: string, handler: ControlHandler): Promise<ControlServer | { error: string }> {
    if (existsSync(path)) {
      let isSocket = false;
      try { isSocket = lstatSync(path).isSocket(); } catch { /* vanished meanwhile */ }
      if (!isSocket) return { error: `${path} exists and is not a socket` };
      if (await isAlive(path)) return { error: `${path}: another switch is listening there (use --control to pick another path)` };
      try { unlinkSync(path); } catch (e) { return { error: `cannot remove stale socket ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }; }
    }
    const srv = net.createServer();
    const cs = new ControlServer(path, srv);
    srv.on('connection', (s) => { cs.serve(s, handler); });
    const err = await new Promise<string | null>((resolve) => {
      srv.once('error', (e: NodeJS.ErrnoException) => { resolve(`cannot listen on ${path}: ${e.code ?? e.message}`); });
      srv.listen(path, () => { resolve(null); });
    });
    if (err !== null) return { error: err };
    srv.on('error', () => { /* per-connection errors are handled on the sockets */ });
    try { chmodSync(path, 0o600); } catch { /* best effort: the directory may forbid it */ }
    return cs;
  }

  private serve(s: net.Socket, handler: ControlHandler): void {
    this.sockets.add(s);
    s.setEncoding('utf8');
    let buf = '';
    // Requests of one connection are answered in order.
    let chain: Promise<void> = Promise.resolve();
    s.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE && buf.indexOf('\n') < 0) {
        s.end(JSON.stringify({ ok: false, error: `request longer than ${MAX_LINE} bytes` }) + '\n');
        buf = '';
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim() === '') continue;
        chain = chain.then(async () => {
          const req = parseRequest(line);
          let reply: ControlReply;
          try {
            reply = typeof req === 'string' ? { ok: false, error: req } : await handleRequest(handler, req);
          } catch (e) {
            reply = { ok: false, error: `internal error: ${e instanceof Error ? e.message : String(e)}` };
          }
          if (!s.destroyed) s.write(JSON.stringify(reply) + '\n');
        });
      }
    });
    s.on('error', () => { s.destroy(); });
    s.on('close', () => { this.sockets.delete(s); });
  }

  /** Stops listening, drops the connections and removes the socket file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => { this.server.close(() => { resolve(); }); });
    try { unlinkSync(this.path); } catch { /* already gone */ }
  }
}

/** True when something accepts connections on the socket at path. */
function isAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    const done = (v: boolean): void => { c.destroy(); resolve(v); };
    c.once('connect', () => { done(true); });
    c.once('error', () => { done(false); });
    c.setTimeout(1000, () => { done(false); });
  });
}

/** One connection to a switch's control socket; requests are answered in order. */
export class ControlClient {
  private readonly socket: net.Socket;
  private buf = '';
  private readonly waiting: ((r: ControlReply) => void)[] = [];
  private failure: string | null = null;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        let r: ControlReply;
        try { r = JSON.parse(line) as ControlReply; } catch { r = { ok: false, error: `bad reply from the switch: ${line.slice(0, 200)}` }; }
        this.waiting.shift()?.(r);
      }
    });
    const fail = (msg: string): void => {
      if (this.failure === null) this.failure = msg;
      for (const w of this.waiting.splice(0)) w({ ok: false, error: msg });
    };
    socket.on('error', (e: NodeJS.ErrnoException) => { fail(`control socket: ${e.code ?? e.message}`); });
    socket.on('close', () => { fail('the switch closed the control connection'); });
  }

  static connect(path: string, timeoutMs = 5000): Promise<ControlClient | { error: string }> {
    return new Promise((resolve) => {
      const s = net.connect(path);
      const t = setTimeout(() => { s.destroy(); resolve({ error: `${path}: no answer within ${timeoutMs} ms` }); }, timeoutMs);
      s.once('connect', () => { clearTimeout(t); resolve(new ControlClient(s)); });
      s.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(t);
        const why = e.code === 'ENOENT' ? 'no such socket (is the switch running? see --control)' : e.code === 'ECONNREFUSED' ? 'connection refused (stale socket: the switch is gone)' : e.code ?? e.message;
        resolve({ error: `${path}: ${why}` });
      });
    });
  }

  request(req: ControlRequest): Promise<ControlReply> {
    if (this.failure !== null) return Promise.resolve({ ok: false, error: this.failure });
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.socket.write(JSON.stringify(req) + '\n');
    });
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
