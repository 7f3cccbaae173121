// `p4tee ctl [--control PATH] COMMAND...`: sends one command to a running `p4tee switch` over its
// control socket and prints the reply (stats and telemetry as JSON); with no command, an interactive
// prompt (readline). Without --control it uses $P4TEE_CONTROL, or the only /tmp/p4tee-*.sock.
// Exit: 0 done, 1 refused or no switch, 2 usage.
import type { Command } from 'commander';
import { readdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ControlClient } from '../runtime/control/server.js';
import type { ControlReply } from '../runtime/control/server.js';

interface CtlFlags {
  control?: string;
  json?: boolean;
  timeout: string;
}

/** The control socket to use: given, from the environment, or the only one in /tmp. */
export function findControlPath(given: string | undefined, dir = '/tmp'): string | { error: string } {
  if (given !== undefined) return given;
  const env = process.env['P4TEE_CONTROL'];
  if (env !== undefined && env !== '') return env;
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => /^p4tee-\d+\.sock$/.test(n));
  } catch { /* no such directory: none found */ }
  const live = names.map((n) => `${dir}/${n}`).filter((p) => { try { return statSync(p).isSocket(); } catch { return false; } });
  if (live.length === 1) return live[0]!;
  if (live.length === 0) return { error: `no running switch found (no ${dir}/p4tee-*.sock); give --control PATH` };
  return { error: `several switches are running; pick one with --control:\n  ${live.join('\n  ')}` };
}

/** Text for a reply: the message, or pretty JSON for stats and telemetry. */
export function formatReply(r: ControlReply, json: boolean): string {
  if (json) return JSON.stringify(r);
  const parts: string[] = [];
  if (r.results !== undefined) {
    for (const x of r.results) parts.push(x.ok ? x.message : `error: ${x.error}`);
  }
  if (r.stats !== undefined) parts.push(JSON.stringify(r.stats, null, 2));
  if (r.telemetry !== undefined) parts.push(JSON.stringify(r.telemetry));
  if (r.tee !== undefined) parts.push(JSON.stringify(r.tee, null, 2));
  if (r.results === undefined) {
    if (r.ok && r.message !== undefined && r.message !== '') parts.push(r.message);
    if (!r.ok) parts.push(`error: ${r.error ?? 'refused'}`);
  } else if (!r.ok) parts.push(`error: ${r.error ?? 'refused'}`);
  return parts.join('\n');
}

async function interactive(client: ControlClient, json: boolean): Promise<number> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: 'p4tee> ', terminal: process.stdin.isTTY });
  let failures = 0;
  // No prompt when reading a script from a pipe.
  const prompt = (): void => { if (process.stdin.isTTY) rl.prompt(); };
  prompt();
  for await (const raw of rl) {
    const line = raw.trim();
    if (line === 'exit' || line === 'quit' || line === 'EOF') break;
    if (line !== '' && !line.startsWith('#')) {
      const r = await client.request({ cmd: line });
      const text = formatReply(r, json);
      if (text !== '') (r.ok ? process.stdout : process.stderr).write(text + '\n');
      if (!r.ok) failures++;
      if (!r.ok && r.error !== undefined && /closed the control connection|control socket:/.test(r.error)) break;
    }
    prompt();
  }
  rl.close();
  return failures === 0 ? 0 : 1;
}

export async function runCtl(words: readonly string[], flags: CtlFlags): Promise<number> {
  const timeout = Number(flags.timeout);
  if (!(timeout > 0)) {
    process.stderr.write(`p4tee ctl: --timeout must be a positive number of ms, not '${flags.timeout}'\n`);
    return 2;
  }
  const path = findControlPath(flags.control);
  if (typeof path !== 'string') {
    process.stderr.write(`p4tee ctl: ${path.error}\n`);
    return 1;
  }
  const client = await ControlClient.connect(path, timeout);
  if ('error' in client) {
    process.stderr.write(`p4tee ctl: ${client.error}\n`);
    return 1;
  }
  try {
    if (words.length === 0) return await interactive(client, flags.json === true);
    const r = await client.request({ cmd: words.join(' ') });
    const text = formatReply(r, flags.json === true);
    if (text !== '') (r.ok ? process.stdout : process.stderr).write(text + '\n');
    return r.ok ? 0 : 1;
  } finally {
    client.close();
  }
}

export function registerCtl(program: Command): void {
  program
    .command('ctl')
    .description('send control commands to a running `p4tee switch` (no command: interactive prompt)')
    .argument('[command...]', 'a simple_switch_CLI command (table_add, register_write, mirroring_add, mc_*, ...), stats, telemetry [LAST], telemetry reset, help')
    .option('--control <path>', 'control socket of the switch (default: $P4TEE_CONTROL or the only /tmp/p4tee-*.sock)')
    .option('--json', 'print the raw JSON reply')
    .option('--timeout <ms>', 'connection timeout', '5000')
    .allowUnknownOption()
    .addHelpText(
      'after',
      '\nEach command is applied between two batches, atomically; the reply says what happened or why it was refused.\n' +
        '\nExamples:\n' +
        '  p4tee ctl table_add MyIngress.fwd set_port 0 => 1\n' +
        '  p4tee ctl --control /tmp/sw.sock register_write StudyIngress.key 0 0x5A5AA5A5\n' +
        '  p4tee ctl telemetry > batches.json\n' +
        '  p4tee ctl stats\n',
    )
    .action(async (words: string[], flags: CtlFlags) => {
      try {
        process.exitCode = await runCtl(words, flags);
      } catch (err) {
        process.stderr.write(`p4tee ctl: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
        process.exitCode = 2;
      }
    });
}
