// `p4tee attest quote|verify|collect`: attestation from the command line. `quote` signs a software
// quote (software isolation: a locally generated key, not rooted in hardware) over the measurement
// of enclave code, compiled program and table state, bound to a nonce; `verify` detects the kind of
// evidence (software quote, SEV-SNP report, TDX quote, configfs-tsm bundle) and prints each check
// and a verdict; `collect` reads hardware evidence through configfs-tsm inside a guest.
// Exit: 0 ok / verified, 1 user error or verification failed, 2 usage.
import type { Command } from 'commander';
import { createPublicKey } from 'node:crypto';
import type { KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { loadSwitch } from '../runtime/switch.js';
import { ControlClient } from '../runtime/control/server.js';
import { parseDefines } from './check.js';
import { builtinModuleNames, resolveModulePath } from '../tee/registry.js';
import { errorText, loadCertificates, loadRootsDir } from '../tee/attest/certs.js';
import type { PinnedRoot } from '../tee/attest/certs.js';
import { canonicalTableState, measure } from '../tee/attest/measurement.js';
import type { EnclaveCodeFile, Measurement } from '../tee/attest/measurement.js';
import { createSoftwareQuote, defaultKeyDir, loadOrCreateKey, parseNonce, reportDataOf } from '../tee/attest/software.js';
import { DEFAULT_TSM_ROOT, collectTsm, fallbackStatus } from '../tee/attest/configfs-tsm.js';
import { detectEvidence, tsmBundle, verifyEvidence } from '../tee/attest/evidence.js';
import type { Verdict } from '../tee/attest/snp.js';
import { hex } from '../tee/attest/snp.js';

export interface AttestFlags {
  nonce?: string;
  program?: string;
  commands?: string;
  control?: string;
  enclave: string[];
  include: string[];
  define: string[];
  keyDir?: string;
  out?: string;
  roots?: string;
  vcek?: string;
  chain?: string;
  trustedKey?: string;
  at?: string;
  tsmRoot?: string;
  json?: boolean;
}

/** What a subcommand did: exit status and the text for stdout and stderr. */
export interface AttestOutcome {
  readonly status: 0 | 1 | 2;
  readonly stdout: string;
  readonly stderr: string;
}

const usage = (cmd: string, msg: string): AttestOutcome => ({ status: 2, stdout: '', stderr: `p4tee attest ${cmd}: ${msg}\n` });
const userError = (cmd: string, msg: string): AttestOutcome => ({ status: 1, stdout: '', stderr: `p4tee attest ${cmd}: ${msg}\n` });

function collect(value: string, previous: string[]): string[] {
  return previous.concat([value]);
}

/**
 * The enclave code to measure: each --enclave SPEC (a built-in module name or a module file, as the
 * module registry resolves it), or by default every built-in module whose file is installed. A
 * built-in module is named by its name, a file by its base name, so paths never enter the measurement.
 */
export function readEnclaveCode(specs: readonly string[]): EnclaveCodeFile[] | string {
  const list = specs.length > 0 ? specs : builtinModuleNames().filter((n) => { const r = resolveModulePath(n); return !('error' in r) && existsSync(r.path); });
  const builtins = new Set(builtinModuleNames());
  const out: EnclaveCodeFile[] = [];
  for (const spec of list) {
    const where = resolveModulePath(spec);
    if ('error' in where) return where.error;
    try {
      out.push({ name: builtins.has(spec) ? spec : basename(where.path), bytes: readFileSync(where.path) });
    } catch (e) {
      return `cannot read enclave module ${where.path}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`;
    }
  }
  return out;
}

/** Table dumps from a running switch through its control socket. */
async function dumpsFromControl(path: string, names: readonly string[]): Promise<{ name: string; text: string }[] | string> {
  const client = await ControlClient.connect(path);
  if ('error' in client) return client.error;
  try {
    if (names.length === 0) return [];
    const r = await client.request({ cmds: names.map((n) => `table_dump ${n}`) });
    if (r.results === undefined || r.results.length !== names.length) return `the switch did not dump its tables: ${r.error ?? 'no results'}`;
    const out: { name: string; text: string }[] = [];
    for (let i = 0; i < names.length; i++) {
      const x = r.results[i]!;
      if (!x.ok) return `table_dump ${names[i]}: ${x.error} (is the switch running this program?)`;
      out.push({ name: names[i]!, text: x.message });
    }
    return out;
  } finally {
    client.close();
  }
}

/**
 * The p4tee measurement of a program: its generated JavaScript, the table state after the commands
 * file (or of the running switch behind --control), and the enclave code files.
 */
export async function measureProgram(flags: AttestFlags): Promise<Measurement | string> {
  const defines = parseDefines(flags.define);
  if (typeof defines === 'string') return defines;
  const loaded = loadSwitch(flags.program!, { includeDirs: flags.include, defines });
  if (!loaded.ok) return loaded.diagnostics.join('\n');
  const sw = loaded.sw;
  const names = sw.info.tables.map((t) => t.name);
  let dumps: { name: string; text: string }[] | string;
  if (flags.control !== undefined) {
    dumps = await dumpsFromControl(flags.control, names);
  } else {
    if (flags.commands !== undefined) {
      let text: string;
      try { text = readFileSync(flags.commands, 'utf8'); } catch (e) { return `cannot read ${flags.commands}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`; }
      const lines = text.split(/\r?\n/);
      for (let i = 0; i < lines.length; i++) {
        const hash = lines[i]!.indexOf('#');
        const line = (hash >= 0 ? lines[i]!.slice(0, hash) : lines[i]!).trim();
        if (line === '') continue;
        const r = sw.command(line);
        if (!r.ok) return `${flags.commands}:${i + 1}: ${r.error}\n    ${line}`;
      }
    }
    dumps = [];
    for (const n of names) {
      const r = sw.command(`table_dump ${n}`);
      if (!r.ok) return `table_dump ${n}: ${r.error}`;
      dumps.push({ name: n, text: r.message });
    }
  }
  if (typeof dumps === 'string') return dumps;
  const code = readEnclaveCode(flags.enclave);
  if (typeof code === 'string') return code;
  return measure({ enclaveCode: code, program: sw.compiled.js, tables: canonicalTableState(dumps) });
}

function writeOut(cmd: string, file: string | undefined, text: string, note: string): AttestOutcome {
  if (file === undefined) return { status: 0, stdout: text, stderr: note };
  try { writeFileSync(file, text); } catch (e) { return userError(cmd, `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`); }
  return { status: 0, stdout: '', stderr: `${note}written to ${file}\n` };
}

/** `attest quote`: a software quote. */
export async function runQuote(flags: AttestFlags): Promise<AttestOutcome> {
  if (flags.nonce === undefined) return usage('quote', '--nonce HEX is required');
  const nonce = parseNonce(flags.nonce);
  if (typeof nonce === 'string') return usage('quote', nonce);
  if (flags.program === undefined) return usage('quote', '--program FILE.p4 is required (the measurement covers the compiled program)');
  if (flags.control !== undefined && flags.commands !== undefined) return usage('quote', '--commands and --control exclude each other (the table state comes from one of them)');
  const m = await measureProgram(flags);
  if (typeof m === 'string') return userError('quote', m);
  const dir = flags.keyDir ?? defaultKeyDir();
  const key = loadOrCreateKey(dir);
  if (typeof key === 'string') return userError('quote', key);
  const q = createSoftwareQuote(m, nonce, key);
  const note = `software quote (software isolation, not rooted in hardware): measurement ${hex(m.value)}\n` +
    (key.created ? `created a new signing key in ${dir}\n` : '');
  return writeOut('quote', flags.out, JSON.stringify(q, null, 2) + '\n', note);
}

/** The text of a verdict: kind, one line per check, facts, and the verdict line. */
export function formatVerdict(v: Verdict): string {
  const lines = [`evidence: ${v.kind}`];
  const w = Math.max(...v.checks.map((c) => c.name.length));
  for (const c of v.checks) lines.push(`  ${c.status === 'pass' ? 'ok  ' : c.status === 'fail' ? 'FAIL' : 'skip'}  ${c.name.padEnd(w)}  ${c.detail}`);
  if (v.facts.length > 0) {
    lines.push('facts:');
    for (const [k, val] of v.facts) lines.push(`  ${k}: ${val}`);
  }
  const failed = v.checks.filter((c) => c.status === 'fail').length;
  lines.push(v.ok ? 'verdict: VERIFIED' : `verdict: NOT VERIFIED (${failed} check${failed === 1 ? '' : 's'} failed)`);
  return lines.join('\n') + '\n';
}

function readCerts(cmd: string, file: string): X509Certificate[] | AttestOutcome {
  let bytes: Uint8Array;
  try { bytes = readFileSync(file); } catch (e) { return userError(cmd, `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`); }
  const c = loadCertificates(bytes);
  return typeof c === 'string' ? userError(cmd, `${file}: ${c}`) : c;
}

/** `attest verify EVIDENCE`. */
export async function runVerify(file: string, flags: AttestFlags): Promise<AttestOutcome> {
  if (flags.nonce === undefined) return usage('verify', '--nonce HEX is required (the nonce the quote must be bound to)');
  const nonce = parseNonce(flags.nonce);
  if (typeof nonce === 'string') return usage('verify', nonce);
  let at: Date | undefined;
  if (flags.at !== undefined) {
    at = new Date(flags.at);
    if (Number.isNaN(at.getTime())) return usage('verify', `--at must be a date/time such as 2025-06-01T00:00:00Z, not '${flags.at}'`);
  }
  if ((flags.commands !== undefined || flags.control !== undefined) && flags.program === undefined) return usage('verify', '--commands and --control need --program');
  let bytes: Uint8Array;
  try { bytes = readFileSync(file); } catch (e) { return userError('verify', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`); }
  const ev = detectEvidence(bytes);
  if (typeof ev === 'string') return userError('verify', `${file}: ${ev}`);
  let measurement: Measurement | null = null;
  if (flags.program !== undefined) {
    const m = await measureProgram(flags);
    if (typeof m === 'string') return userError('verify', m);
    measurement = m;
  } else if (ev.kind === 'software') {
    return usage('verify', 'a software quote is verified against a program: give --program FILE.p4 (and --commands FILE)');
  }
  let endorsement: X509Certificate | null = null;
  let chain: X509Certificate[] | null = null;
  if (flags.vcek !== undefined) {
    const c = readCerts('verify', flags.vcek);
    if (!Array.isArray(c)) return c;
    if (c.length !== 1) return userError('verify', `${flags.vcek}: expected one VCEK or VLEK certificate, found ${c.length}`);
    endorsement = c[0]!;
  }
  if (flags.chain !== undefined) {
    const c = readCerts('verify', flags.chain);
    if (!Array.isArray(c)) return c;
    chain = c;
  }
  let roots: PinnedRoot[] | null = null;
  if (flags.roots !== undefined) {
    const r = loadRootsDir(flags.roots);
    if (typeof r === 'string') return userError('verify', r);
    if (r.length === 0) return userError('verify', `--roots ${flags.roots} holds no certificate (*.pem, *.der, *.crt, *.cer)`);
    roots = r;
  }
  let trustedKey: KeyObject | null = null;
  if (flags.trustedKey !== undefined) {
    try { trustedKey = createPublicKey(readFileSync(flags.trustedKey)); } catch (e) { return userError('verify', `--trusted-key ${flags.trustedKey}: ${(e as NodeJS.ErrnoException).code ?? errorText(e)}`); }
  }
  const v = verifyEvidence({ evidence: ev, nonce, measurement, endorsement, chain, roots, trustedKey, at });
  const text = flags.json === true ? JSON.stringify(v, null, 2) + '\n' : formatVerdict(v);
  return { status: v.ok ? 0 : 1, stdout: text, stderr: '' };
}

/** `attest collect`: hardware evidence through configfs-tsm. */
export async function runCollect(flags: AttestFlags): Promise<AttestOutcome> {
  if (flags.nonce === undefined) return usage('collect', '--nonce HEX is required');
  const nonce = parseNonce(flags.nonce);
  if (typeof nonce === 'string') return usage('collect', nonce);
  let inblob: Uint8Array = nonce;
  if (flags.program !== undefined) {
    const m = await measureProgram(flags);
    if (typeof m === 'string') return userError('collect', m);
    inblob = reportDataOf(m.value, nonce);
  }
  const root = flags.tsmRoot ?? DEFAULT_TSM_ROOT;
  const ev = collectTsm(inblob, { root });
  if (typeof ev === 'string') return userError('collect', flags.tsmRoot === undefined ? `${ev}; ${fallbackStatus()}` : ev);
  const note = `hardware evidence from ${ev.provider} (${ev.outblob.length} bytes${ev.auxblob !== null ? `, certificate table ${ev.auxblob.length} bytes` : ''})\n`;
  return writeOut('collect', flags.out, JSON.stringify(tsmBundle(ev), null, 2) + '\n', note);
}

function emit(r: AttestOutcome): void {
  if (r.stdout !== '') process.stdout.write(r.stdout);
  if (r.stderr !== '') process.stderr.write(r.stderr);
  process.exitCode = r.status;
}

function guard(cmd: string, f: () => Promise<AttestOutcome>): () => Promise<void> {
  return async () => {
    try {
      emit(await f());
    } catch (err) {
      process.stderr.write(`p4tee attest ${cmd}: internal error: ${errorText(err)}\nThis is a bug in p4tee. Please report it.\n`);
      process.exitCode = 2;
    }
  };
}

function programOptions(c: Command): Command {
  return c
    .option('--program <file.p4>', 'the P4 program whose measurement is quoted or expected')
    .option('--commands <file>', 'simple_switch_CLI commands that set the table state')
    .option('--control <sock>', 'take the table state from the running switch behind this control socket')
    .option('--enclave <module>', 'an enclave module (built-in name or .js file) to measure (repeatable; default: every built-in module)', collect, [])
    .option('-I, --include <dir>', 'add a directory to the #include search path (repeatable)', collect, [])
    .option('-D, --define <name[=value]>', 'define a preprocessor macro (repeatable)', collect, []);
}

export function registerAttest(program: Command): void {
  const attest = program
    .command('attest')
    .description('attestation: software quotes, hardware evidence (SEV-SNP, TDX) and their verification');

  programOptions(attest.command('quote')
    .description('write a software quote (software isolation, signed by a local key, not rooted in hardware)')
    .option('--nonce <hex>', 'the verifier\'s nonce (1 to 64 bytes)'))
    .option('--key-dir <dir>', 'directory of the signing key (default ~/.p4tee/attest; created 0700, key 0600)')
    .option('--out <file>', 'write the quote here instead of stdout')
    .addHelpText('after', '\nExample:\n  p4tee attest quote --nonce 0011223344556677 --program fwd.p4 --commands fwd.txt --out quote.json\n')
    .action(async (flags: AttestFlags) => { await guard('quote', () => runQuote(flags))(); });

  programOptions(attest.command('verify')
    .description('verify evidence (software quote, SEV-SNP report, TDX quote, collect bundle) and print each check')
    .argument('<evidence>', 'the evidence file')
    .option('--nonce <hex>', 'the nonce the evidence must be bound to'))
    .option('--vcek <file>', 'SEV-SNP: the VCEK or VLEK certificate (DER or PEM)')
    .option('--chain <file>', 'SEV-SNP: the ASK (or ASVK) and ARK certificates (PEM)')
    .option('--roots <dir>', 'trusted root certificates, replacing the pinned AMD and Intel roots')
    .option('--trusted-key <file>', 'software quote: the public key it must be signed with (PEM)')
    .option('--at <time>', 'check certificate validity at this time instead of now')
    .option('--json', 'print the verdict as JSON')
    .addHelpText('after',
      '\nExit status: 0 verified, 1 not verified or a user error, 2 usage.\n' +
      '\nExamples:\n' +
      '  p4tee attest verify quote.json --nonce 0011223344556677 --program fwd.p4 --commands fwd.txt\n' +
      '  p4tee attest verify report.bin --nonce 01020304 --vcek vcek.der --chain ask_ark.pem\n' +
      '  p4tee attest verify quote.dat --nonce 6c62dec1...\n')
    .action(async (file: string, flags: AttestFlags) => { await guard('verify', () => runVerify(file, flags))(); });

  programOptions(attest.command('collect')
    .description('collect hardware evidence inside an SEV-SNP or TDX guest through configfs-tsm (Linux 6.7+)')
    .option('--nonce <hex>', 'the verifier\'s nonce (with --program: bound with the measurement)'))
    .option('--tsm-root <path>', `configfs-tsm report directory (default ${DEFAULT_TSM_ROOT})`)
    .option('--out <file>', 'write the evidence bundle here instead of stdout')
    .action(async (flags: AttestFlags) => { await guard('collect', () => runCollect(flags))(); });
}
