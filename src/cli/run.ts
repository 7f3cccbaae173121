// `p4tee run FILE.p4 --pcap-in PORT=FILE... --pcap-out PORT=FILE...`: offline runs. Applies a
// simple_switch_CLI commands file, feeds the packets of the input pcap files (merged by timestamp)
// through the switch one at a time, and writes what each port sends to its output pcap file
// (stamped with the time of the input packet that caused it). With --batch N the packets go in
// through the batch entry point N at a time (outputs stamped with the batch's last input time), so a
// `batch` TEE transition really crosses once per batch. --tee runs the program with an enclave
// boundary (tee.ts). Exit: 0 ok, 1 user error, 2 bug/usage.
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import type { FrontendOptions } from '../compiler/frontend.js';
import { loadSwitch } from '../runtime/switch.js';
import type { SwitchOptions } from '../runtime/switch.js';
import type { StfSwitch } from '../runtime/control/stf-runner.js';
import { compareTime, LINKTYPE_ETHERNET, readPcap, writePcap } from '../runtime/io/pcap.js';
import type { PcapOutPacket } from '../runtime/io/pcap.js';
import { parseDefines } from './check.js';
import type { SwitchLoader } from './stf.js';
import { PipelineSwitch, TEE_HELP, addTeeOptions, describeTee, openExternTee, openPipelineTee, parseTeeFlags, programInfoOf } from './tee.js';
import type { TeeFlags } from './tee.js';
import type { PacketPool } from '../runtime/core/packet-pool.js';

interface RunFlags extends TeeFlags {
  batch?: string;
  pcapIn: string[];
  pcapOut: string[];
  commands?: string;
  include: string[];
  define: string[];
  trace?: boolean;
  seed?: string;
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** `PORT=FILE` as given to --pcap-in / --pcap-out. */
export function parsePortFile(spec: string): { port: number; file: string } | string {
  const m = /^(\d+)=(.+)$/.exec(spec);
  if (!m) return `expected PORT=FILE, not '${spec}'`;
  const port = Number(m[1]);
  if (port > 0xffff) return `port ${port} is out of range`;
  return { port, file: m[2]! };
}

export interface RunRequest {
  readonly program: string;
  readonly inputs: readonly { port: number; file: string }[];
  readonly outputs: readonly { port: number; file: string }[];
  readonly commands: string | null;
  readonly frontend: FrontendOptions;
  readonly options: SwitchOptions;
  /** Packets per batch (1 = one at a time through inject/run, the default). */
  readonly batch?: number;
}

/** What the batch path needs: a switch whose pipeline takes slot batches (Switch, PipelineSwitch). */
interface BatchArch {
  readonly pool: PacketPool;
  injectBatch(pkts: Int32Array, n: number): void;
}

function batchArchOf(sw: StfSwitch): BatchArch | null {
  const arch = (sw as { arch?: Partial<BatchArch> }).arch;
  return arch !== undefined && arch.pool !== undefined && typeof arch.injectBatch === 'function' ? (arch as BatchArch) : null;
}

export interface RunOutcome {
  /** 0 ok, 1 user error. */
  readonly status: 0 | 1;
  /** Messages for stderr (errors, then the summary). */
  readonly messages: string[];
}

/** Executes a commands file line by line; the first refused command stops the run. */
function applyCommands(sw: StfSwitch, file: string, messages: string[]): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    messages.push(`p4tee run: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    return false;
  }
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i]!.indexOf('#');
    const line = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
    if (line === '') continue;
    const r = sw.command(line);
    if (!r.ok) {
      messages.push(`${file}:${i + 1}: error: ${r.error}\n    ${line}`);
      return false;
    }
  }
  return true;
}

/** The whole offline run; never throws for user errors. */
export function runOffline(req: RunRequest, loader: SwitchLoader): RunOutcome {
  const messages: string[] = [];
  // Read every input first: a bad file should stop us before any work.
  const packets: { port: number; sec: number; nsec: number; data: Uint8Array; order: number }[] = [];
  let nanosecond = false;
  for (const input of req.inputs) {
    let buf: Uint8Array;
    try {
      buf = readFileSync(input.file);
    } catch (err) {
      messages.push(`p4tee run: cannot read ${input.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return { status: 1, messages };
    }
    const r = readPcap(buf);
    if (!r.ok) {
      messages.push(`p4tee run: ${input.file}: ${r.error}`);
      return { status: 1, messages };
    }
    if (r.linkType !== LINKTYPE_ETHERNET) {
      messages.push(`p4tee run: warning: ${input.file} has link type ${r.linkType}, not Ethernet (1); packets are used as they are`);
    }
    if (r.truncated) messages.push(`p4tee run: warning: ${input.file} ends in the middle of a packet; the partial packet is ignored`);
    if (r.nanosecond) nanosecond = true;
    for (const p of r.records) packets.push({ port: input.port, sec: p.sec, nsec: p.nsec, data: p.data, order: packets.length });
  }
  // Interleave by timestamp; equal times keep the order of the files and of the packets in them.
  packets.sort((a, b) => compareTime(a, b) || a.order - b.order);

  const loaded = loader(req.program, req.frontend, req.options);
  if (!loaded.ok) {
    messages.push(...loaded.diagnostics);
    return { status: 1, messages };
  }
  const sw = loaded.sw;
  if (req.commands !== null && !applyCommands(sw, req.commands, messages)) return { status: 1, messages };

  const outFiles = new Map<number, PcapOutPacket[]>();
  for (const o of req.outputs) outFiles.set(o.port, []);
  const sent = new Map<number, number>();
  const collectOutput = (p: { sec: number; nsec: number }): void => {
    for (const out of sw.takeOutput()) {
      sent.set(out.port, (sent.get(out.port) ?? 0) + 1);
      outFiles.get(out.port)?.push({ sec: p.sec, nsec: p.nsec, data: out.bytes.slice() });
    }
  };
  const batch = req.batch ?? 1;
  const arch = batch > 1 ? batchArchOf(sw) : null;
  if (batch > 1 && arch === null) messages.push('p4tee run: warning: this switch has no batch entry point; packets go in one at a time');
  if (arch !== null) {
    const slots = new Int32Array(batch);
    let dropped = 0;
    for (let i = 0; i < packets.length; i += batch) {
      const to = Math.min(packets.length, i + batch);
      let n = 0;
      for (let j = i; j < to; j++) {
        const s = arch.pool.alloc();
        if (s < 0 || !arch.pool.write(s, packets[j]!.data)) {
          if (s >= 0) arch.pool.free(s);
          dropped++;
          continue;
        }
        arch.pool.port[s] = packets[j]!.port;
        slots[n++] = s;
      }
      arch.injectBatch(slots, n);
      sw.run();
      collectOutput(packets[to - 1]!);
    }
    if (dropped > 0) messages.push(`p4tee run: warning: ${dropped} packets did not fit in the packet pool and were dropped`);
  } else {
    for (const p of packets) {
      sw.inject(p.port, p.data);
      sw.run();
      collectOutput(p);
    }
  }
  for (const o of req.outputs) {
    try {
      writeFileSync(o.file, writePcap(outFiles.get(o.port)!, { nanosecond }));
    } catch (err) {
      messages.push(`p4tee run: cannot write ${o.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return { status: 1, messages };
    }
  }
  const ports = [...sent.keys()].sort((a, b) => a - b);
  const total = ports.reduce((n, p) => n + sent.get(p)!, 0);
  const perPort = ports.map((p) => `port ${p}: ${sent.get(p)}${outFiles.has(p) ? '' : ' (not written: no --pcap-out)'}`);
  messages.push(`${packets.length} packets in, ${total} out${perPort.length ? ' (' + perPort.join(', ') + ')' : ''}`);
  return { status: 0, messages };
}

export function registerRun(program: Command, loader: SwitchLoader = loadSwitch): void {
  const cmd = program
    .command('run')
    .description('run pcap files through a P4 program offline and write what each port sends')
    .argument('<program>', 'P4_16 program (v1model)')
    .option('--pcap-in <port=file>', 'packets arriving on PORT (repeatable)', collect, [])
    .option('--pcap-out <port=file>', 'write the packets sent on PORT (repeatable)', collect, [])
    .option('--commands <file>', 'simple_switch_CLI commands to apply first (table_add, mirroring_add, ...)')
    .option('-I, --include <dir>', 'add a directory to the #include search path (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'define a preprocessor macro (repeatable)', collect, [])
    .option('--trace', 'print each packet\'s path through the pipeline')
    .option('--seed <n>', 'seed of the random number generator')
    .option('--batch <n>', 'packets per batch through the batch entry point, 1..64 (default 1; 32 with a batch TEE transition or pipeline mode)');
  addTeeOptions(cmd)
    .addHelpText(
      'after',
      '\nExit status: 0 on success, 1 on a user error (bad file, refused command), 2 on an internal error.\n' +
        TEE_HELP +
        '\nExamples:\n' +
        '  p4tee run router.p4 --commands router.txt --pcap-in 0=in.pcap --pcap-out 1=out.pcap\n' +
        '  p4tee run fwd.p4 --pcap-in 0=a.pcap --pcap-in 1=b.pcap --pcap-out 2=c.pcap --trace\n' +
        '  p4tee run examples/monitor/monitor.p4 --commands examples/monitor/commands.txt \\\n' +
        '      --tee extern:process:batch --pcap-in 0=in.pcap --pcap-out 1=out.pcap\n',
    )
    .action(async (p4: string, flags: RunFlags) => {
      const fail = (msg: string): void => {
        console.error(`p4tee run: ${msg}`);
        process.exitCode = 2;
      };
      const defines = parseDefines(flags.define);
      if (typeof defines === 'string') return fail(defines);
      const inputs: { port: number; file: string }[] = [];
      const outputs: { port: number; file: string }[] = [];
      for (const [list, out] of [[flags.pcapIn, inputs], [flags.pcapOut, outputs]] as const) {
        for (const spec of list) {
          const r = parsePortFile(spec);
          if (typeof r === 'string') return fail(r);
          out.push(r);
        }
      }
      const dup = outputs.find((o, i) => outputs.findIndex((x) => x.port === o.port) !== i);
      if (dup) return fail(`--pcap-out given twice for port ${dup.port}`);
      let seed: number | undefined;
      if (flags.seed !== undefined) {
        seed = Number(flags.seed);
        if (!Number.isInteger(seed)) return fail(`--seed must be an integer, not '${flags.seed}'`);
      }
      const tee = parseTeeFlags(flags);
      if ('error' in tee) return fail(tee.error);
      const batched = tee.spec !== null && (tee.spec.mode === 'pipeline' || tee.spec.transition === 'batch');
      let batch = batched ? 32 : 1;
      if (flags.batch !== undefined) {
        batch = Number(flags.batch);
        if (!Number.isInteger(batch) || batch < 1 || batch > 64) return fail(`--batch must be an integer from 1 to 64, not '${flags.batch}'`);
      }
      let options: SwitchOptions = {
        seed,
        trace: flags.trace ? (line: string) => { process.stdout.write(line + '\n'); } : undefined,
      };
      const log = (line: string): void => { if (!line.startsWith('tee: info:')) process.stderr.write(line + '\n'); };
      const frontend: FrontendOptions = { includeDirs: flags.include, defines };
      let close: (() => Promise<void>) | null = null;
      let teeSummary: (() => string) | null = null;
      let runLoader = loader;
      try {
        if (tee.spec !== null) {
          process.stderr.write(`p4tee run: ${describeTee(tee)}\n`);
          if (tee.spec.mode === 'extern') {
            const opened = await openExternTee(tee, log);
            if ('error' in opened) {
              process.stderr.write(`p4tee run: ${opened.error}\n`);
              process.exitCode = 1;
              return;
            }
            close = () => opened.gate.close();
            teeSummary = () => {
              const st = opened.gate.stats();
              return `tee: ${st.crossings} crossings carried ${st.records} records (${st.bytesIn} bytes in, ${st.bytesOut} out), ` +
                `${st.failedCalls} failed calls${st.emulation !== null ? `; ${st.emulation}` : ''}`;
            };
            options = { ...options, ...opened.switchOptions };
          } else {
            const info = programInfoOf(p4, frontend);
            if (!info.ok) {
              for (const d of info.diagnostics) process.stderr.write(d + '\n');
              process.exitCode = 1;
              return;
            }
            const pipeline = await openPipelineTee(tee, p4, frontend, log, { defines: flags.define });
            if ('error' in pipeline) {
              process.stderr.write(`p4tee run: ${pipeline.error}\n`);
              process.exitCode = 1;
              return;
            }
            close = () => pipeline.close();
            teeSummary = () => `tee: ${JSON.stringify(pipeline.stats())}${tee.transitionNs > 0 ? ` (includes an EMULATED transition cost of ${tee.transitionNs} ns per crossing)` : ''}`;
            runLoader = () => ({ ok: true, sw: new PipelineSwitch(pipeline, info.info, options.trace) });
          }
        }
        const r = runOffline(
          { program: p4, inputs, outputs, commands: flags.commands ?? null, frontend, options, batch },
          runLoader,
        );
        for (const m of r.messages) process.stderr.write(m + '\n');
        if (teeSummary !== null) process.stderr.write(`p4tee run: ${teeSummary()}\n`);
        process.exitCode = r.status;
      } catch (err) {
        process.stderr.write(
          `p4tee run: internal error: ${err instanceof Error ? err.message : String(err)}\n` +
            `This is a bug in p4tee, not in your program. Please report it.\n${err instanceof Error ? err.stack ?? '' : ''}\n`,
        );
        process.exitCode = 2;
      } finally {
        if (close !== null) await close();
      }
    });
}
