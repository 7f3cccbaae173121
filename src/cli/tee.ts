// The TEE side of the CLI: the `--tee` flags shared by `p4tee switch`, `run` and `stf` (parsed in one
// place), opening the enclave boundary for a switch (extern mode: a TeeGate from src/tee/gate.ts;
// pipeline mode: the secure pipeline, loaded on demand), the `tee` object of stats and telemetry,
// and `p4tee tee gramine-manifest | modules`. The backends are software isolation, never hardware
// protection; an emulated transition cost is always labelled as emulation.
import type { SecurePipeline } from '../tee/pipeline/secure-pipeline.js';
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandResult, ProgramInfo } from '../runtime/abi.js';
import type { FrontendOptions } from '../compiler/frontend.js';
import { compileFile } from '../compiler/compile.js';
import type { SwitchOptions } from '../runtime/switch.js';
import type { LoopPipeline } from '../runtime/core/poll-loop.js';
import type { StfSwitch } from '../runtime/control/stf-runner.js';
import { ISOLATION_TEXT } from '../tee/api.js';
import type { TeeEvent, TeeGateHandle, TeeSpec } from '../tee/api.js';
import { openTeeGate, parseTeeSpec } from '../tee/gate.js';
import { builtinModuleNames, loadModules } from '../tee/registry.js';
import { MAX_BATCH, MAX_DEPTH } from '../tee/pipeline/protocol.js';
import { positiveInt } from './gen.js';

/** The raw flags as commander gives them. */
export interface TeeFlags {
  tee?: string;
  teeTransitionNs?: string;
  teeSealDir?: string;
  teeTimeoutMs?: string;
  teeDepth?: string;
  teeCoalesce?: string;
}

/** Parsed `--tee*` flags; spec null = no TEE (`--tee none`, the inline default). */
export interface TeeCliOptions {
  readonly text: string;
  readonly spec: TeeSpec | null;
  readonly transitionNs: number;
  readonly sealDir: string | null;
  readonly timeoutMs: number | undefined;
  /** Secure pipeline: batches in flight across the boundary in the live switch (undefined = its default, 4). */
  readonly depth?: number;
  /** Secure pipeline: packets per crossing in the live switch (undefined = its default, DEFAULT_COALESCE at depth 1). */
  readonly coalesce?: number;
}

export const TEE_HELP =
  '\nTEE modes (--tee): none (default: enclave modules called inline, no boundary);\n' +
  '  extern:BACKEND[:TRANSITION]  only TeeFunction calls cross into the enclave\n' +
  '  pipeline:BACKEND             the whole pipeline runs behind the boundary; packets are copied in and out\n' +
  'BACKEND: none (inline, baseline), isolate (software isolation: worker thread with its own heap),\n' +
  '  process (software isolation: separate OS process, boundary in shared memory). These are software\n' +
  '  isolation only, not hardware protection (see docs/tee.md for SGX / SEV-SNP).\n' +
  'TRANSITION: sync (one blocking crossing per call), batch (one crossing per batch),\n' +
  '  switchless (an enclave-side worker polls a request ring). Default sync.\n' +
  '--tee-transition-ns adds an EMULATED cost per crossing (busy-wait); results label it as emulation.\n';

/** Adds the `--tee*` options to a command. */
export function addTeeOptions(cmd: Command): Command {
  return cmd
    .option('--tee <spec>', 'TEE mode: none | extern:BACKEND[:TRANSITION] | pipeline:BACKEND (software isolation backends: none, isolate, process)')
    .option('--tee-transition-ns <n>', 'emulated extra cost per boundary crossing in ns (emulation, labelled as such)')
    .option('--tee-seal-dir <dir>', 'directory of sealed enclave state and rollback counters (default: sealed in memory only)')
    .option('--tee-timeout-ms <n>', 'an enclave that does not answer a crossing within this time is declared hung (default 50)')
    .option('--tee-depth <n>', 'pipeline mode, live switch: batches in flight across the boundary, the enclave runs them in one hand-over (1-16, default 1: wait for every batch)')
    .option('--tee-coalesce <n>', 'pipeline mode, live switch: packets per crossing; fewer wait for the next rx burst or an idle poll pass (1-1024, default 128 at depth 1, a burst at depth > 1; 1: every batch crosses; see docs/tee.md)');
}

/** Parses the `--tee*` flags; an error message for bad values. */
export function parseTeeFlags(flags: TeeFlags): TeeCliOptions | { error: string } {
  const text = (flags.tee ?? 'none').trim();
  let spec: TeeSpec | null = null;
  if (text !== 'none' && text !== '') {
    const s = parseTeeSpec(text);
    if ('error' in s) return s;
    if (s.mode === 'pipeline' && s.backend === 'none') return { error: `--tee pipeline:none has no boundary: use --tee none, or pipeline:isolate / pipeline:process` };
    spec = s;
  }
  let transitionNs = 0;
  if (flags.teeTransitionNs !== undefined) {
    transitionNs = Number(flags.teeTransitionNs);
    if (!Number.isFinite(transitionNs) || transitionNs < 0) return { error: `--tee-transition-ns must be a number of ns >= 0, not '${flags.teeTransitionNs}'` };
  }
  let timeoutMs: number | undefined;
  if (flags.teeTimeoutMs !== undefined) {
    timeoutMs = Number(flags.teeTimeoutMs);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) return { error: `--tee-timeout-ms must be a number of ms > 0, not '${flags.teeTimeoutMs}'` };
  }
  if (spec === null && (flags.teeTransitionNs !== undefined || flags.teeSealDir !== undefined || flags.teeTimeoutMs !== undefined)) {
    return { error: '--tee-transition-ns, --tee-seal-dir and --tee-timeout-ms need --tee extern:... or --tee pipeline:...' };
  }
  let depth: number | undefined;
  if (flags.teeDepth !== undefined) {
    const d = positiveInt('--tee-depth', flags.teeDepth, MAX_DEPTH);
    if (typeof d === 'string') return { error: d };
    if (spec === null || spec.mode !== 'pipeline') return { error: '--tee-depth applies to --tee pipeline:isolate|process only' };
    depth = d;
  }
  let coalesce: number | undefined;
  if (flags.teeCoalesce !== undefined) {
    const c = positiveInt('--tee-coalesce', flags.teeCoalesce, MAX_BATCH);
    if (typeof c === 'string') return { error: c };
    if (spec === null || spec.mode !== 'pipeline') return { error: '--tee-coalesce applies to --tee pipeline:isolate|process only' };
    coalesce = c;
  }
  return { text: spec === null ? 'none' : text, spec, transitionNs, sealDir: flags.teeSealDir ?? null, timeoutMs, ...(depth === undefined ? {} : { depth }), ...(coalesce === undefined ? {} : { coalesce }) };
}

/** One line naming the mode, its isolation and any emulated cost (for logs). */
export function describeTee(o: TeeCliOptions): string {
  if (o.spec === null) return 'tee none (enclave modules inline, no boundary)';
  const iso = ISOLATION_TEXT[o.spec.backend];
  const mode = o.spec.mode === 'extern' ? `extern:${o.spec.backend}:${o.spec.transition}` : `pipeline:${o.spec.backend}`;
  const emu = o.transitionNs > 0 ? `; EMULATED transition cost ${o.transitionNs} ns per crossing` : '';
  return `tee ${mode} (${iso}${emu})`;
}

/** Gate events on the log, prefixed `tee:`. */
export function teeEventLogger(log: (line: string) => void): (e: { kind: string; message: string }) => void {
  return (e) => { log(`tee: ${e.kind}: ${e.message}`); };
}

/** What loadSwitch needs of an open gate. */
export type TeeSwitchOptions = Pick<SwitchOptions, 'tee' | 'teeControl' | 'teeTransition'>;

/** Opens the enclave gate of an extern-mode spec and the switch options that use it. */
export async function openExternTee(
  o: TeeCliOptions,
  log: (line: string) => void,
  modules?: readonly string[],
): Promise<{ gate: TeeGateHandle; switchOptions: TeeSwitchOptions } | { error: string }> {
  const spec = o.spec;
  if (spec === null || spec.mode !== 'extern') return { error: 'internal: openExternTee needs an extern spec' };
  const gate = await openTeeGate({
    backend: spec.backend,
    transition: spec.transition,
    modules,
    transitionNs: o.transitionNs > 0 ? o.transitionNs : undefined,
    timeoutMs: o.timeoutMs,
    sealDir: o.sealDir,
    onEvent: teeEventLogger(log),
  });
  if ('error' in gate) return { error: `cannot open the enclave (${spec.backend} backend): ${gate.error}` };
  return {
    gate,
    switchOptions: { tee: gate, teeTransition: spec.transition, teeControl: (m, l) => gate.control(m, l) },
  };
}

/** The secure pipeline as the CLI uses it (loaded only when `--tee pipeline:` asks for it). */
export type SecurePipelineLike = SecurePipeline;
type SecurePipelineModule = typeof import('../tee/pipeline/secure-pipeline.js');

const SECURE_PIPELINE_MODULE: string = '../tee/pipeline/secure-pipeline.js';

/** Opens the secure pipeline of a pipeline-mode spec (the module is imported on demand). */
export async function openPipelineTee(
  o: TeeCliOptions,
  p4file: string,
  frontend: FrontendOptions,
  log: (line: string) => void,
  extra: { poolSlots?: number; burst?: number; defines?: readonly string[] } = {},
): Promise<SecurePipelineLike | { error: string }> {
  const spec = o.spec;
  if (spec === null || spec.mode !== 'pipeline' || spec.backend === 'none') return { error: 'internal: openPipelineTee needs pipeline:isolate or pipeline:process' };
  let mod: SecurePipelineModule;
  try {
    mod = (await import(SECURE_PIPELINE_MODULE)) as SecurePipelineModule;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { error: `--tee pipeline:${spec.backend}: the secure pipeline is not available in this build (${SECURE_PIPELINE_MODULE} could not be loaded: ${why.split('\n')[0]})` };
  }
  if (typeof mod.openSecurePipeline !== 'function') return { error: `--tee pipeline:${spec.backend}: ${SECURE_PIPELINE_MODULE} has no openSecurePipeline()` };
  const defines = extra.defines !== undefined ? [...extra.defines] : [...frontend.defines.entries()].map(([k, v]) => `${k}=${v}`);
  const r = await mod.openSecurePipeline({
    backend: spec.backend,
    p4file,
    include: [...frontend.includeDirs],
    defines,
    commandsFile: null,
    poolSlots: extra.poolSlots,
    burst: extra.burst,
    sealDir: o.sealDir,
    timeoutMs: o.timeoutMs,
    transitionNs: o.transitionNs > 0 ? o.transitionNs : null,
    ...(o.depth === undefined ? {} : { depth: o.depth }),
    ...(o.coalesce === undefined ? {} : { coalesce: o.coalesce }),
    onEvent: teeEventLogger(log),
  });
  if ('error' in r) return { error: `cannot open the secure pipeline (${spec.backend} backend): ${r.error}` };
  return r;
}

/**
 * A secure pipeline seen as an STF / offline-run switch: packets go into its pool and through
 * injectBatch; `info` comes from compiling the program here (the control-plane translations of STF
 * need the table layout; the pipeline itself compiles inside the boundary).
 */
export class PipelineSwitch implements StfSwitch {
  readonly info: ProgramInfo;
  readonly arch: LoopPipeline;
  private readonly pipeline: SecurePipelineLike;
  private readonly one = new Int32Array(1);
  private readonly trace: ((line: string) => void) | undefined;

  constructor(pipeline: SecurePipelineLike, info: ProgramInfo, trace?: (line: string) => void) {
    this.pipeline = pipeline;
    this.arch = pipeline.arch;
    this.info = info;
    this.trace = trace;
  }

  command(line: string): CommandResult {
    return this.pipeline.command(line);
  }

  inject(port: number, bytes: Uint8Array): void {
    const pool = this.arch.pool;
    const p = pool.alloc();
    if (p < 0) return;
    if (!pool.write(p, bytes)) { pool.free(p); return; }
    pool.port[p] = port;
    if (this.trace !== undefined) this.trace(`packet in on port ${port}: ${bytes.length} bytes (secure pipeline)`);
    this.one[0] = p;
    this.arch.injectBatch(this.one, 1);
  }

  run(): void {
    this.arch.run();
  }

  takeOutput(): { port: number; bytes: Uint8Array }[] {
    const out: { port: number; bytes: Uint8Array }[] = [];
    const pool = this.arch.pool;
    for (;;) {
      const p = this.arch.takeSent();
      if (p < 0) break;
      out.push({ port: pool.port[p], bytes: pool.bytes(p) });
      pool.free(p);
    }
    return out;
  }
}

/** Program info for a pipeline-mode STF run or offline run; diagnostics when it does not compile. */
export function programInfoOf(p4file: string, frontend: FrontendOptions): { ok: true; info: ProgramInfo } | { ok: false; diagnostics: string[] } {
  const r = compileFile(p4file, frontend);
  return r.ok ? { ok: true, info: r.compiled.info } : { ok: false, diagnostics: r.diagnostics };
}

/** The `tee` object of stats / telemetry for an extern-mode gate. */
export function externTeeInfo(o: TeeCliOptions, gate: TeeGateHandle, failDrops: () => number): Record<string, unknown> {
  return {
    mode: 'extern',
    spec: o.text,
    ...gate.stats(),
    failDrops: failDrops(),
    enclave: gate.enclaveInfo(),
    modules: gate.modules.map((m) => ({ name: m.name, version: m.version, measurement: m.measurement })),
  };
}

/** The `tee` object of stats / telemetry for the secure pipeline. */
export function pipelineTeeInfo(o: TeeCliOptions, pipeline: SecurePipelineLike): Record<string, unknown> {
  const s = pipeline.stats();
  const emulation = o.transitionNs > 0 ? `emulated transition cost: ${o.transitionNs} ns busy-wait per crossing (not measured)` : null;
  return { mode: 'pipeline', spec: o.text, isolation: o.spec === null ? null : ISOLATION_TEXT[o.spec.backend], transitionNs: o.transitionNs, emulation, ...s };
}

// ---- p4tee tee gramine-manifest | modules

export interface GramineManifestOptions {
  /** Absolute path of the p4tee package root (holds dist/, build/, node_modules/). */
  readonly root: string;
  /** Enclave module files (absolute paths). */
  readonly moduleFiles: readonly string[];
  /** The node binary to run inside the enclave. */
  readonly node: string;
  readonly enclaveSize: string;
  readonly maxThreads: number;
}

function tomlString(s: string): string {
  return JSON.stringify(s);
}

/**
 * A Gramine-SGX manifest template (gramine-manifest renders the {{ }} parts) that runs the
 * `process` backend's enclave child (node dist/tee/backends/process-entry.js REGION CONFIG) inside
 * an SGX enclave. Written from the documented manifest keys; not tested on SGX hardware here.
 */
export function gramineManifest(o: GramineManifestOptions): string {
  const dist = join(o.root, 'dist');
  const entry = join(dist, 'tee', 'backends', 'process-entry.js');
  const addon = join(o.root, 'build', 'Release', 'p4tee_native.node');
  const nodeDir = dirname(o.node);
  const lines: string[] = [
    '# Gramine-SGX manifest template for the p4tee `process` enclave (written by `p4tee tee gramine-manifest`).',
    '# Render and sign it, then start the enclave child under gramine-sgx instead of plain node:',
    '#   gramine-manifest -Dlog_level=error -Darch_libdir=/lib/x86_64-linux-gnu p4tee-enclave.manifest.template p4tee-enclave.manifest',
    '#   gramine-sgx-sign --manifest p4tee-enclave.manifest --output p4tee-enclave.manifest.sgx',
    '#   gramine-sgx p4tee-enclave REGION CONFIG_JSON     (the arguments the host passes to process-entry.js)',
    '# See docs/tee.md. Without SGX hardware the same manifest runs under gramine-direct (no protection).',
    '',
    '# The library OS and the program it starts: node running the enclave entry script.',
    'loader.entrypoint = "file:{{ gramine.libos }}"',
    `libos.entrypoint = ${tomlString(o.node)}`,
    'loader.log_level = "{{ log_level }}"',
    `loader.argv = [${[o.node, '--max-old-space-size=256', entry].map(tomlString).join(', ')}]`,
    '# REGION and CONFIG_JSON come from the host at each start: let the command line through.',
    'loader.insecure__use_cmdline_argv = true',
    'loader.env.LD_LIBRARY_PATH = "/lib:{{ arch_libdir }}:/usr{{ arch_libdir }}"',
    '# The platform secret the sealing key is derived from (software sealing; with SGX, derive it from',
    '# the enclave sealing key under /dev/attestation/keys instead).',
    'loader.env.P4TEE_PLATFORM_SECRET = { passthrough = true }',
    '',
    '# Files the enclave sees: glibc from Gramine, node, p4tee (dist/, the native addon, the modules).',
    'fs.mounts = [',
    '  { path = "/lib", uri = "file:{{ gramine.runtimedir() }}" },',
    '  { path = "{{ arch_libdir }}", uri = "file:{{ arch_libdir }}" },',
    '  { path = "/usr{{ arch_libdir }}", uri = "file:/usr{{ arch_libdir }}" },',
    `  { path = ${tomlString(nodeDir)}, uri = ${tomlString(`file:${nodeDir}`)} },`,
    `  { path = ${tomlString(dist)}, uri = ${tomlString(`file:${dist}`)} },`,
    `  { path = ${tomlString(dirname(addon))}, uri = ${tomlString(`file:${dirname(addon)}`)} },`,
    `  { path = ${tomlString(join(o.root, 'node_modules'))}, uri = ${tomlString(`file:${join(o.root, 'node_modules')}`)} },`,
    `  { path = ${tomlString(join(o.root, 'package.json'))}, uri = ${tomlString(`file:${join(o.root, 'package.json')}`)} },`,
    ...o.moduleFiles.filter((f) => !f.startsWith(dist + '/')).map((f) => `  { path = ${tomlString(f)}, uri = ${tomlString(`file:${f}`)} },`),
    '  # The boundary: the request ring lives in a POSIX shared-memory object the host creates. It must be',
    '  # UNTRUSTED shared memory (outside the enclave, readable by the host): only the records of each',
    '  # call cross it, and what crosses it is exposed to the host by design.',
    '  { type = "untrusted_shm", path = "/dev/shm", uri = "dev:/dev/shm" },',
    '  { type = "tmpfs", path = "/tmp" },',
    ']',
    '',
    '# Enclave size and threads: node needs a large heap reservation and several threads (V8 platform',
    '# workers, libuv pool); raise them if the enclave fails to start.',
    `sgx.enclave_size = ${tomlString(o.enclaveSize)}`,
    `sgx.max_threads = ${o.maxThreads}`,
    'sgx.debug = false',
    'sgx.edmm_enable = false',
    '# Hardware attestation of the enclave (DCAP quotes under /dev/attestation).',
    'sgx.remote_attestation = "dcap"',
    '',
    '# node uses eventfd in libuv; Gramine emulates it inside the enclave only when allowed.',
    'sys.insecure__allow_eventfd = true',
    'sys.stack.size = "8M"',
    '',
    '# Everything the enclave loads is measured into MRENCLAVE: node, the libraries, p4tee and the modules.',
    'sgx.trusted_files = [',
    '  "file:{{ gramine.libos }}",',
    '  "file:{{ gramine.runtimedir() }}/",',
    '  "file:{{ arch_libdir }}/",',
    '  "file:/usr{{ arch_libdir }}/",',
    `  ${tomlString(`file:${o.node}`)},`,
    `  ${tomlString(`file:${dist}/`)},`,
    `  ${tomlString(`file:${addon}`)},`,
    `  ${tomlString(`file:${join(o.root, 'node_modules')}/`)},`,
    `  ${tomlString(`file:${join(o.root, 'package.json')}`)},`,
    ...o.moduleFiles.filter((f) => !f.startsWith(dist + '/')).map((f) => `  ${tomlString(`file:${f}`)},`),
    ']',
    '',
    '# Notes:',
    '# - The host wakes the enclave worker with futexes on the shared region. Gramine keeps futexes inside',
    '#   the enclave, so cross-process wake-ups do not reach it: run the switch with',
    '#   --tee extern:process:switchless (the worker polls the ring) and a spin budget large enough.',
    '# - Sealed blobs written by p4tee are sealed with a software platform secret; under SGX prefer a',
    '#   secret derived from the enclave sealing key so that only this enclave can unseal them.',
    '',
  ];
  return lines.join('\n');
}

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/** The package root of this installation (dist/cli/tee.js -> ../..). */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

export function registerTee(program: Command): void {
  const tee = program
    .command('tee')
    .description('TEE helpers: enclave modules, Gramine-SGX manifest (the built-in backends are software isolation only)');
  tee
    .command('modules')
    .description('list the enclave modules: functions, record sizes and measurements (SHA-384 of the module file)')
    .option('--module <name>', 'a module name or .js path (repeatable; default: the built-in modules)', collect, [])
    .option('--json', 'print JSON')
    .action(async (flags: { module: string[]; json?: boolean }) => {
      const specs = flags.module.length > 0 ? flags.module : builtinModuleNames();
      const mods = await loadModules(specs);
      if ('error' in mods) {
        console.error(`p4tee tee modules: ${mods.error}`);
        process.exitCode = 1;
        return;
      }
      const list = mods.map((m) => ({
        name: m.def.name,
        version: m.def.version,
        path: m.path,
        measurement: Buffer.from(m.measurement).toString('hex'),
        functions: m.def.functions.map((f) => ({ name: f.name, inputBytes: f.inputBytes, outputBytes: f.outputBytes })),
      }));
      if (flags.json === true) {
        process.stdout.write(JSON.stringify(list, null, 2) + '\n');
        return;
      }
      for (const m of list) {
        process.stdout.write(`${m.name} ${m.version}  ${m.path}\n  measurement sha384:${m.measurement}\n`);
        for (const f of m.functions) process.stdout.write(`  ${m.name}.${f.name}: ${f.inputBytes} bytes in, ${f.outputBytes} bytes out\n`);
      }
    });
  tee
    .command('gramine-manifest')
    .description('write a Gramine-SGX manifest template that runs the `process` enclave inside an SGX enclave')
    .option('--out <file>', 'write here (default: stdout)')
    .option('--module <name>', 'enclave module to include (repeatable; default: the built-in modules)', collect, [])
    .option('--node <path>', 'node binary inside the enclave (default: this node)')
    .option('--enclave-size <size>', 'sgx.enclave_size', '4G')
    .option('--max-threads <n>', 'sgx.max_threads', '32')
    .addHelpText(
      'after',
      '\nThe manifest is a template for gramine-manifest (it keeps {{ }} placeholders). The boundary region is\n' +
        'mounted as untrusted shared memory: what crosses it is visible to the host by design.\n' +
        '\nExample:\n  p4tee tee gramine-manifest --out p4tee-enclave.manifest.template --module study-xor\n',
    )
    .action(async (flags: { out?: string; module: string[]; node?: string; enclaveSize: string; maxThreads: string }) => {
      const threads = Number(flags.maxThreads);
      if (!Number.isInteger(threads) || threads < 1) {
        console.error(`p4tee tee gramine-manifest: --max-threads must be a positive integer, not '${flags.maxThreads}'`);
        process.exitCode = 2;
        return;
      }
      if (!/^\d+[KMG]$/.test(flags.enclaveSize)) {
        console.error(`p4tee tee gramine-manifest: --enclave-size must look like 512M or 4G, not '${flags.enclaveSize}'`);
        process.exitCode = 2;
        return;
      }
      const mods = await loadModules(flags.module.length > 0 ? flags.module : builtinModuleNames());
      if ('error' in mods) {
        console.error(`p4tee tee gramine-manifest: ${mods.error}`);
        process.exitCode = 1;
        return;
      }
      const text = gramineManifest({
        root: packageRoot(),
        moduleFiles: mods.map((m) => m.path),
        node: flags.node ?? process.execPath,
        enclaveSize: flags.enclaveSize,
        maxThreads: threads,
      });
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      try {
        writeFileSync(flags.out, text);
        process.stderr.write(`p4tee tee gramine-manifest: wrote ${flags.out} (${mods.map((m) => m.def.name).join(', ')})\n`);
      } catch (e) {
        console.error(`p4tee tee gramine-manifest: cannot write ${flags.out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        process.exitCode = 1;
      }
    });
}
