// Differential testing harness: one program compiled once, run by the generated code (a Switch)
// and by the reference interpreter (on the runtime objects of a second Switch built from the same
// compilation, never running its generated code), fed the same control-plane commands and packets.
// A third Switch ("probe") serves the interpreter that builds structured packets and harvests
// table keys, so probing never disturbs the two sides' extern state. Output of compare(): null
// when both sides agree, else a report of the difference.
import { checkFile } from '../../compiler/frontend.js';
import type { FrontendOptions } from '../../compiler/frontend.js';
import { compileChecked } from '../../compiler/compile.js';
import type { Compiled } from '../../compiler/compile.js';
import { lowerProgram } from '../../compiler/passes/lower.js';
import { Diagnostics } from '../../compiler/source/diagnostics.js';
import type { Expr, IrProgram, Keyset, Stmt } from '../../compiler/ir/ir.js';
import { Switch } from '../switch.js';
import type { CommandResult, KeyFieldInfo, ProgramInfo, TableInfo } from '../abi.js';
import { MatchKind } from '../abi.js';
import { Random } from '../externs/random.js';
import { Interpreter } from './interpreter.js';
import type { RefEnv, RefResult } from './interpreter.js';
import { maskOf, wrap } from './values.js';

/** Which IR the interpreter walks: as lowered (before constant folding / simplification), or the final one code generation saw. */
export type IrVariant = 'lowered' | 'final';

export interface Pair {
  readonly file: string;
  readonly compiled: Compiled;
  readonly ir: IrProgram;
  readonly gen: Switch;
  readonly refSw: Switch;
  readonly probeSw: Switch;
  readonly ref: Interpreter;
  readonly probe: Interpreter;
  readonly commands: string[];
}

export function envOf(sw: Switch, ir: IrProgram): RefEnv {
  return {
    ir, info: sw.info, tables: sw.tables, externs: sw.externs, hashers: sw.arch.env.hashers, rng: sw.arch.env.rng,
    pre: sw.target.pre, mirroring: sw.target.mirroring,
  };
}

/** Compiles `file` and builds the three switches; throws with the diagnostics when it does not compile. */
export function makePair(file: string, fe: FrontendOptions, variant: IrVariant = 'lowered', seed = 1): Pair {
  const r = compileChecked(checkFile(file, fe));
  if (!r.ok) throw new Error(`${file} does not compile:\n${r.diagnostics.join('\n')}`);
  const compiled = r.compiled;
  let ir = compiled.ir;
  if (variant === 'lowered') {
    const again = checkFile(file, fe);
    if (again.program === null || again.checked === null || again.map === null) throw new Error(`${file}: front end failed the second time`);
    const low = lowerProgram({ file: again.file, program: again.program, checked: again.checked, map: again.map, diags: new Diagnostics() });
    if (low === null) throw new Error(`${file}: lowering failed the second time`);
    sameInfo(compiled.info, low.info);
    ir = low;
  }
  const gen = new Switch(compiled, file, { seed });
  const refSw = new Switch(compiled, file, { seed });
  const probeSw = new Switch(compiled, file, { seed });
  return { file, compiled, ir, gen, refSw, probeSw, ref: new Interpreter(envOf(refSw, ir)), probe: new Interpreter(envOf(probeSw, ir)), commands: [] };
}

function sameInfo(a: ProgramInfo, b: ProgramInfo): void {
  const names = (p: ProgramInfo): string => JSON.stringify([p.tables.map((t) => t.name), p.actions.map((x) => x.name), p.externs.map((x) => x.name), p.errors]);
  if (names(a) !== names(b)) throw new Error('lowering twice gave different program descriptions');
}

/** Sends one command to all three switches; the generated-code side's result is returned (the others must agree). */
export function command(pair: Pair, line: string): CommandResult {
  const a = pair.gen.command(line);
  const b = pair.refSw.command(line);
  pair.probeSw.command(line);
  if (a.ok !== b.ok) throw new Error(`command '${line}' gave different results on identical switches`);
  if (a.ok) pair.commands.push(line);
  return a;
}

export interface Outcome {
  readonly gen: { port: number; bytes: Uint8Array }[];
  readonly ref: RefResult;
  readonly mismatch: string | null;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Groups packets by port, in order inside each port (the order across ports is the queues' business). */
function byPort(list: readonly { port: number; bytes: Uint8Array }[]): string {
  const m = new Map<number, string[]>();
  for (const p of list) {
    const l = m.get(p.port) ?? [];
    l.push(hex(p.bytes));
    m.set(p.port, l);
  }
  return [...m.entries()].sort((x, y) => x[0] - y[0]).map(([p, l]) => `port ${p}: ${l.join(' | ')}`).join('\n');
}

/** Runs one packet through both sides and compares outputs, digests and stateful externs. */
export function runPacket(pair: Pair, port: number, bytes: Uint8Array): Outcome {
  pair.gen.inject(port, bytes);
  pair.gen.run();
  const gen = pair.gen.takeOutput();
  const genDigests = pair.gen.takeDigests();
  const ref = pair.ref.process(port, bytes);
  const problems: string[] = [];
  const g = byPort(gen);
  const r = byPort(ref.outputs);
  if (g !== r) problems.push(`outputs differ:\n generated:\n  ${g.replace(/\n/g, '\n  ') || '(none)'}\n reference:\n  ${r.replace(/\n/g, '\n  ') || '(none)'}`);
  const gd = genDigests.map((d) => `${d.receiver}:${d.values.join(',')}`).join(' ');
  const rd = ref.digests.map((d) => `${d.receiver}:${d.values.join(',')}`).join(' ');
  if (gd !== rd) problems.push(`digests differ: generated [${gd}] reference [${rd}]`);
  for (const [name, reg] of pair.gen.target.registers) {
    const other = pair.refSw.target.registers.get(name);
    if (other === undefined) continue;
    for (let i = 0; i < reg.words.length; i++) {
      if (reg.words[i] !== other.words[i]) { problems.push(`register ${name} word ${i}: generated ${reg.words[i]} reference ${other.words[i]}`); break; }
    }
  }
  for (const [name, c] of pair.gen.target.counters) {
    const other = pair.refSw.target.counters.get(name);
    if (other === undefined) continue;
    for (let i = 0; i < c.packets.length; i++) {
      if (c.packets[i] !== other.packets[i] || c.bytes[i] !== other.bytes[i]) { problems.push(`counter ${name}[${i}]: generated ${c.packets[i]}/${c.bytes[i]} reference ${other.packets[i]}/${other.bytes[i]}`); break; }
    }
  }
  if (pair.gen.arch.env.assertions !== 0 || ref.assertionFailures !== 0) {
    // The generated side accumulates; compare the increments.
    const before = (pair.gen as unknown as { __assertions?: number }).__assertions ?? 0;
    const now = pair.gen.arch.env.assertions;
    (pair.gen as unknown as { __assertions?: number }).__assertions = now;
    if (now - before !== ref.assertionFailures) problems.push(`assertion failures: generated ${now - before} reference ${ref.assertionFailures}`);
  }
  return { gen, ref, mismatch: problems.length === 0 ? null : problems.join('\n') };
}

/** A readable report of a mismatch: program, packet, entries, both outputs. */
export function report(pair: Pair, port: number, bytes: Uint8Array, o: Outcome): string {
  return [
    `MISMATCH in ${pair.file}`,
    `packet on port ${port}: ${hex(bytes)} (${bytes.length} bytes)`,
    `commands:`, ...pair.commands.map((c) => `  ${c}`),
    o.mismatch ?? '',
    `reference standard_metadata: ${o.ref.outputs.map((p) => JSON.stringify(p.sm, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).join(' ') || JSON.stringify(o.ref.dropped.map((d) => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Number(v)]))))}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------- generators

/** Uniform integer in [0, n). */
export function below(rng: Random, n: number): number {
  return n <= 1 ? 0 : rng.randomInRange(0, n - 1);
}

export function randomBits(rng: Random, w: number): bigint {
  let v = 0n;
  for (let i = 0; i < w; i += 32) v = (v << 32n) | BigInt(rng.next32());
  return wrap(v, w);
}

export function randomBytes(rng: Random, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = below(rng, 256);
  return b;
}

/** An interesting value of width w: small, all ones, sign boundaries or random. */
export function interesting(rng: Random, w: number): bigint {
  const W = BigInt(w);
  switch (below(rng, 8)) {
    case 0: return 0n;
    case 1: return wrap(1n, w);
    case 2: return maskOf(w);
    case 3: return w > 0 ? 1n << (W - 1n) : 0n;
    case 4: return w > 0 ? (1n << (W - 1n)) - 1n : 0n;
    case 5: return wrap(BigInt(below(rng, 16)), w);
    default: return randomBits(rng, w);
  }
}

function setBits(pkt: Uint8Array, bit: number, w: number, v: bigint): void {
  for (let i = 0; i < w; i++) {
    const k = bit + i;
    if (k >> 3 >= pkt.length) return;
    const b = Number((v >> BigInt(w - 1 - i)) & 1n);
    if (b) pkt[k >> 3] |= 0x80 >> (k & 7);
    else pkt[k >> 3] &= ~(0x80 >> (k & 7));
  }
}

/**
 * A packet that follows a random path through the parser: start from random bytes, then at each
 * select choose a case and patch the bits of the key fields (where the key is a header field,
 * a slice of one, or a lookahead) so the case matches; re-run and go one decision deeper.
 */
export function structuredPacket(pair: Pair, rng: Random, port: number): Uint8Array {
  let pkt = randomBytes(rng, 40 + below(rng, 200));
  const fixVerify = below(rng, 4) !== 0;
  for (let depth = 0; depth < 12; depth++) {
    const patch = pair.probe.probeParse(port, pkt, depth, (cases) => {
      // Prefer non-default cases; sometimes the default, to see it as well.
      const nd = cases.filter((c) => c.keysets.some((k) => k.k !== 'default'));
      const pool = nd.length > 0 && below(rng, 5) !== 0 ? nd : cases;
      return pool[below(rng, pool.length)];
    }, (ks, w) => (ks.k === 'valueSet' ? valueSetEntry(pair, rng, ks.extern) : keysetValue(rng, ks, w)), fixVerify);
    if (patch === null) break;
    for (const p of patch) setBits(pkt, p.bit, p.width, p.value);
  }
  // Mostly with right checksums (the checksum field is zeroed first: it may be in the list).
  if (below(rng, 4) !== 0) {
    for (let round = 0; round < 2; round++) {
      for (const p of pair.probe.probeChecksums(port, pkt)) setBits(pkt, p.bit, p.width, round === 0 ? 0n : p.value);
    }
  }
  if (below(rng, 3) === 0) pkt = pkt.slice(0, below(rng, pkt.length + 1));
  return pkt;
}

/** One of a value set's entries (the whole concatenated value), or null when it is empty. */
function valueSetEntry(pair: Pair, rng: Random, extern: number): bigint | null {
  const vs = pair.probeSw.externs[extern] as { entries(): bigint[] } | null | undefined;
  const all = vs === null || vs === undefined ? [] : vs.entries();
  return all.length === 0 ? null : all[below(rng, all.length)];
}

/** A value matching a keyset (null: cannot say, leave the bits random). */
function keysetValue(rng: Random, ks: Keyset, w: number): bigint | null {
  switch (ks.k) {
    case 'value': return wrap(ks.value, w);
    case 'mask': return (wrap(ks.value, w) & ks.mask) | (randomBits(rng, w) & ~ks.mask & maskOf(w));
    case 'range': {
      const lo = wrap(ks.lo, w);
      const hi = wrap(ks.hi, w);
      if (hi < lo) return lo;
      return lo + randomBits(rng, w + 8) % (hi - lo + 1n);
    }
    default: return null;
  }
}

function isMatchKey(k: KeyFieldInfo): boolean {
  return k.match !== MatchKind.Selector;
}

/** A table_add line for `t` whose keys match `keys` (harvested key values) when given, else random. */
export function randomEntry(rng: Random, info: ProgramInfo, t: TableInfo, keys: readonly bigint[] | null): string | null {
  if (t.constEntries) return null;
  const acts = t.actionIds.map((id) => info.actions[id]).filter((a) => a !== undefined && !a.defaultOnly);
  if (acts.length === 0 && t.implementation === null) return null;
  const a = acts[below(rng, Math.max(1, acts.length))];
  const parts: string[] = [];
  let needsPriority = false;
  t.keys.forEach((k, i) => {
    if (!isMatchKey(k)) return;
    const w = k.width;
    const v = keys !== null && keys[i] !== undefined && below(rng, 6) !== 0 ? wrap(keys[i], w) : interesting(rng, w);
    const h = (x: bigint): string => `0x${x.toString(16)}`;
    switch (k.match) {
      case MatchKind.Exact: parts.push(h(v)); break;
      case MatchKind.Lpm: parts.push(`${h(v)}/${below(rng, w + 1)}`); break;
      case MatchKind.Ternary: {
        needsPriority = true;
        const m = below(rng, 3) === 0 ? maskOf(w) : randomBits(rng, w);
        parts.push(`${h(v)}&&&${h(m)}`);
        break;
      }
      case MatchKind.Range: {
        needsPriority = true;
        const lo = v - BigInt(below(rng, 4)) < 0n ? 0n : v - BigInt(below(rng, 4));
        const hi = wrap(v + BigInt(below(rng, 4)), w) < v ? v : v + BigInt(below(rng, 4));
        parts.push(`${h(lo)}->${h(hi > maskOf(w) ? maskOf(w) : hi)}`);
        break;
      }
      case MatchKind.Optional:
        needsPriority = true;
        parts.push(below(rng, 3) === 0 ? `0&&&0` : h(v));
        break;
      default: break;
    }
  });
  const prio = needsPriority ? ` ${1 + below(rng, 100)}` : '';
  if (t.implementation !== null) {
    // Indirect table: point at a member or a group (handles from the setup; bad ones are refused).
    const group = below(rng, 2) === 0;
    return `table_indirect_add${group ? '_with_group' : ''} ${t.name} ${parts.join(' ')} => ${below(rng, group ? 2 : 4)}${prio}`.replace(/\s+/g, ' ').trim();
  }
  const args = a.params.map((p) => `0x${interesting(rng, p.width).toString(16)}`);
  return `table_add ${t.name} ${a.name} ${parts.join(' ')} => ${args.join(' ')}${prio}`.replace(/\s+/g, ' ').trim();
}

/** Statements of the IR in every block (for finding which tables a program applies). */
export function allStmts(ir: IrProgram): Stmt[] {
  const out: Stmt[] = [];
  const walk = (l: readonly Stmt[]): void => {
    for (const s of l) {
      out.push(s);
      if (s.k === 'if') { walk(s.then); walk(s.else); }
      else if (s.k === 'block') walk(s.body);
      else if (s.k === 'loop') { walk(s.body); walk(s.update); }
      else if (s.k === 'switch') for (const c of s.cases) walk(c.body);
      else if (s.k === 'table') for (const a of s.actions) walk(a.body);
    }
  };
  for (const st of ir.parser.states) walk(st.body);
  for (const b of [ir.verifyChecksum, ir.ingress, ir.egress, ir.computeChecksum, ir.deparser]) walk(b.body);
  return out;
}

export type { Expr };
