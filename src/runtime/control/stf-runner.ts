// Runs a parsed STF test against a switch: translates table commands into simple_switch_CLI lines
// (keys put in the table's key order, names resolved the way the p4c BMv2 STF runner resolves
// them), injects packets, drains the switch, and matches what each port sent against the
// expectations. Input: StfCommand[] (stf.ts) and anything shaped like Switch. Output: pass/fail
// with one readable message per failure. Deterministic: no timers, the switch is drained instead.
import type { ActionInfo, CommandResult, KeyFieldInfo, ProgramInfo, TableInfo } from '../abi.js';
import { MatchKind } from '../abi.js';
import { bytesToHex, matchPacket, parseBig, parseStf, patternText } from './stf.js';
import type { CounterOp, ExpectPattern, StfCommand, StfPair } from './stf.js';

/** What the runner needs from a switch (src/runtime/switch.ts `Switch` has this shape). */
export interface StfSwitch {
  readonly info: ProgramInfo;
  command(line: string): CommandResult;
  inject(port: number, bytes: Uint8Array): void;
  run(): void;
  takeOutput(): { port: number; bytes: Uint8Array }[];
}

export interface StfRunOptions {
  /** Receives one line per STF command, CLI translation, injected and emitted packet. */
  readonly trace?: (line: string) => void;
  /**
   * Observe every port (the default): a packet on a port with no expectation fails the test.
   * `false` reproduces p4c's BMv2 STF driver, where simple_switch gets one interface per port
   * named in a `packet` or `expect` line, so a packet sent to any other port is lost and not
   * compared (the conformance score uses this mode; see docs/conformance.md).
   */
  readonly allPorts?: boolean;
}

export interface StfResult {
  readonly ok: boolean;
  readonly failures: string[];
}

/**
 * STF priorities: a larger number wins. simple_switch_CLI priorities: a smaller number wins. The
 * p4c runner maps p to 10000 - p; we do the same, with a larger base if the file needs one.
 */
const PRIORITY_BASE = 10000;

interface Expected {
  readonly pattern: ExpectPattern | null;
  readonly line: number;
}

interface PortState {
  readonly expected: Expected[];
  readonly received: Uint8Array[];
  /** Number of (expected, received) pairs already compared. */
  compared: number;
}

/** Parses and runs an STF text; parse errors are failures (the test does not run). */
export function runStfText(sw: StfSwitch, text: string, options: StfRunOptions = {}): StfResult {
  const parsed = parseStf(text);
  if (parsed.errors.length > 0) {
    return { ok: false, failures: parsed.errors.map((e) => `line ${e.line}: ${e.message}`) };
  }
  return runStf(sw, parsed.commands, options);
}

export function runStf(sw: StfSwitch, commands: readonly StfCommand[], options: StfRunOptions = {}): StfResult {
  const runner = new StfRunner(sw, commands, options);
  return runner.runAll();
}

class StfRunner {
  private readonly sw: StfSwitch;
  private readonly commands: readonly StfCommand[];
  private readonly trace: ((line: string) => void) | undefined;
  private readonly failures: string[] = [];
  private readonly ports = new Map<number, PortState>();
  /** `= ID` names of entries: the table and the handle the switch gave the entry. */
  private readonly entries = new Map<string, { table: TableInfo; handle: number }>();
  private readonly priorityBase: number;
  /** The ports the switch has (those the test names), or null for every port. */
  private readonly interfaces: ReadonlySet<number> | null;

  constructor(sw: StfSwitch, commands: readonly StfCommand[], options: StfRunOptions) {
    this.sw = sw;
    this.commands = commands;
    this.trace = options.trace;
    const named = new Set<number>();
    for (const c of commands) if (c.kind === 'packet' || c.kind === 'expect') named.add(c.port);
    this.interfaces = options.allPorts === false ? named : null;
    let max = 0;
    for (const c of commands) if (c.kind === 'add' && c.priority !== null && c.priority > max) max = c.priority;
    this.priorityBase = Math.max(PRIORITY_BASE, max + 1);
  }

  runAll(): StfResult {
    for (const c of this.commands) this.step(c);
    this.drain();
    this.compare(true);
    return { ok: this.failures.length === 0, failures: this.failures };
  }

  private fail(line: number, message: string): void {
    this.failures.push(line > 0 ? `line ${line}: ${message}` : message);
  }

  private port(p: number): PortState {
    let s = this.ports.get(p);
    if (s === undefined) {
      s = { expected: [], received: [], compared: 0 };
      this.ports.set(p, s);
    }
    return s;
  }

  private step(c: StfCommand): void {
    switch (c.kind) {
      case 'packet':
        this.trace?.(`stf:${c.line}: packet ${c.port} ${bytesToHex(c.bytes)}`);
        this.sw.inject(c.port, c.bytes);
        // Process it now, so that later control commands do not affect it (sequential semantics).
        this.drain();
        return;
      case 'expect':
        this.port(c.port).expected.push({ pattern: c.pattern, line: c.line });
        return;
      case 'wait':
        this.drain();
        this.compare(false);
        return;
      case 'no_packet':
        this.drain();
        this.compare(false);
        this.noPacket(c.line);
        return;
      case 'add':
        this.add(c);
        return;
      case 'setdefault':
        this.setDefault(c);
        return;
      case 'remove':
        this.remove(c);
        return;
      case 'cli':
        this.cli(c.line, c.text);
        return;
      case 'check_counter':
        this.drain();
        this.checkCounter(c);
        return;
      case 'check_register':
        this.drain();
        this.checkRegister(c);
        return;
    }
  }

  /** Runs the switch until idle and files what each port sent. */
  private drain(): void {
    this.sw.run();
    for (const out of this.sw.takeOutput()) {
      if (this.interfaces !== null && !this.interfaces.has(out.port)) {
        this.trace?.(`output port ${out.port}: ${bytesToHex(out.bytes)} (lost: the test names no port ${out.port})`);
        continue;
      }
      this.trace?.(`output port ${out.port}: ${bytesToHex(out.bytes)}`);
      this.port(out.port).received.push(out.bytes);
    }
  }

  /** Compares every (expected, received) pair not yet compared; at the end, unpaired ones fail. */
  private compare(final: boolean): void {
    const ports = [...this.ports.keys()].sort((a, b) => a - b);
    for (const p of ports) {
      const s = this.ports.get(p)!;
      const n = Math.min(s.expected.length, s.received.length);
      for (; s.compared < n; s.compared++) {
        const e = s.expected[s.compared]!;
        const got = s.received[s.compared]!;
        const diff = matchPacket(e.pattern, got);
        if (diff !== null) {
          this.fail(e.line, `packet #${s.compared + 1} on port ${p} differs: ${diff}\n` +
            `  expected: ${patternText(e.pattern)}\n  got:      ${bytesToHex(got)}`);
        }
      }
      if (!final) continue;
      for (let i = n; i < s.received.length; i++) {
        const why = s.expected.length === 0 ? 'no packet was expected on this port' : `only ${s.expected.length} expected`;
        this.fail(0, `unexpected packet #${i + 1} on port ${p} (${why}): ${bytesToHex(s.received[i]!)}`);
      }
      for (let i = n; i < s.expected.length; i++) {
        const e = s.expected[i]!;
        this.fail(e.line, `expected packet #${i + 1} on port ${p} was not received (${s.received.length} received): ${patternText(e.pattern)}`);
      }
    }
  }

  /** `no_packet`: nothing may have been sent beyond what earlier `expect`s account for. */
  private noPacket(line: number): void {
    for (const [p, s] of [...this.ports.entries()].sort((a, b) => a[0] - b[0])) {
      if (s.received.length <= s.expected.length) continue;
      const extra = s.received.splice(s.expected.length);
      for (const b of extra) this.fail(line, `no_packet: port ${p} sent ${bytesToHex(b)}`);
    }
  }

  private cli(line: number, text: string): CommandResult {
    this.trace?.(`stf:${line}: ${text}`);
    const r = this.sw.command(text);
    if (!r.ok) this.fail(line, `'${text}' refused: ${r.error}`);
    else if (r.message !== '') this.trace?.(r.message);
    return r;
  }

  private add(c: Extract<StfCommand, { kind: 'add' }>): void {
    const t = translateAdd(this.sw.info, c, this.priorityBase);
    if (!t.ok) {
      this.fail(c.line, t.error);
      return;
    }
    const r = this.cli(c.line, t.line);
    if (!r.ok || c.id === null) return;
    const hm = /handle\s*(?:=\s*)?(\d+)/i.exec(r.message);
    if (hm === null) {
      this.fail(c.line, `cannot name the entry '${c.id}': the switch reported no handle ('${r.message}')`);
      return;
    }
    this.entries.set(c.id, { table: t.table, handle: Number(hm[1]) });
  }

  private setDefault(c: Extract<StfCommand, { kind: 'setdefault' }>): void {
    const t = translateSetDefault(this.sw.info, c);
    if (!t.ok) this.fail(c.line, t.error);
    else this.cli(c.line, t.line);
  }

  private remove(c: Extract<StfCommand, { kind: 'remove' }>): void {
    if (c.all) {
      for (const t of this.sw.info.tables) {
        if (t.constEntries) continue;
        this.cli(c.line, `table_clear ${t.name}`);
      }
      this.entries.clear();
      return;
    }
    const e = this.entries.get(c.id!);
    if (e === undefined) {
      this.fail(c.line, `remove: no entry named '${c.id}' (name entries with '= ID' at the end of add)`);
      return;
    }
    if (c.table !== null) {
      const t = findTable(this.sw.info, c.table);
      if (typeof t === 'string' || t !== e.table) {
        this.fail(c.line, `remove: entry '${c.id}' belongs to table ${e.table.name}, not ${c.table}`);
        return;
      }
    }
    this.cli(c.line, `table_delete ${e.table.name} ${e.handle}`);
    this.entries.delete(c.id!);
  }

  private checkCounter(c: Extract<StfCommand, { kind: 'check_counter' }>): void {
    let index: number;
    if (c.index.kind === 'index') index = c.index.value;
    else {
      const e = this.entries.get(c.index.id);
      if (e === undefined) {
        this.fail(c.line, `check_counter: no entry named '${c.index.id}'`);
        return;
      }
      index = e.handle;
    }
    const text = `counter_read ${c.counter} ${index}`;
    this.trace?.(`stf:${c.line}: ${text}`);
    const r = this.sw.command(text);
    if (!r.ok) {
      this.fail(c.line, `check_counter: '${text}' refused: ${r.error}`);
      return;
    }
    const m = new RegExp(`${c.type}\\s*[=:]\\s*(\\d+)`, 'i').exec(r.message);
    if (m === null) {
      this.fail(c.line, `check_counter: cannot find the ${c.type} count in '${r.message}'`);
      return;
    }
    const got = BigInt(m[1]!);
    if (!compareOp(got, c.op, c.value)) {
      this.fail(c.line, `check_counter ${c.counter}(${index}): ${c.type} is ${got}, expected ${c.op} ${c.value}`);
    }
  }

  private checkRegister(c: Extract<StfCommand, { kind: 'check_register' }>): void {
    const text = `register_read ${c.register} ${c.index}`;
    this.trace?.(`stf:${c.line}: ${text}`);
    const r = this.sw.command(text);
    if (!r.ok) {
      this.fail(c.line, `'${text}' refused: ${r.error}`);
      return;
    }
    const m = /(-?0x[0-9a-f]+|-?\d+)\s*$/i.exec(r.message.trim());
    const got = m ? parseBig(m[1]!) : null;
    if (got === null) {
      this.fail(c.line, `register_read: cannot find the value in '${r.message}'`);
      return;
    }
    if (!compareOp(got, c.op, c.value)) {
      this.fail(c.line, `register ${c.register}[${c.index}] is ${got}, expected ${c.op} ${c.value}`);
    }
  }
}

function compareOp(a: bigint, op: CounterOp, b: bigint): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

// ---------------------------------------------------------------------------------------
// Name resolution and translation to simple_switch_CLI

/** Exact name, else a unique match on a `.` boundary, else a unique plain suffix (as p4c's runner). */
function resolveByName<T extends { name: string }>(items: readonly T[], name: string, what: string): T | string {
  const exact = items.filter((i) => i.name === name);
  if (exact.length === 1) return exact[0]!;
  for (const pred of [(n: string) => n.endsWith('.' + name), (n: string) => n.endsWith(name)]) {
    const found = items.filter((i) => pred(i.name));
    if (found.length === 1) return found[0]!;
    if (found.length > 1) return `${what} name '${name}' is ambiguous: ${found.map((f) => f.name).join(', ')}`;
  }
  return `no ${what} '${name}'`;
}

export function findTable(info: ProgramInfo, name: string): TableInfo | string {
  return resolveByName(info.tables, name, 'table');
}

export function findAction(info: ProgramInfo, table: TableInfo, name: string): ActionInfo | string {
  const actions = table.actionIds.map((id) => info.actions[id]!).filter((a) => a !== undefined);
  const r = resolveByName(actions, name, 'action');
  if (typeof r === 'string' && r.startsWith('no ')) {
    return `${r} in table ${table.name} (its actions: ${actions.map((a) => a.name).join(', ') || 'none'})`;
  }
  return r;
}

/** A key name in a common spelling: `$N` array indices as `[N]`, validity as `.$valid$`. */
function normalizeKeyName(name: string): string {
  let n = name.replace(/\s+/g, '').replace(/\$(\d+)/g, '[$1]');
  n = n.replace(/\.isValid\(\)$/, '.$valid$').replace(/^isValid\(\)$/, '$valid$');
  n = n.replace(/\.\$valid$/, '.$valid$').replace(/\.valid$/, '.$valid$');
  if (n === 'valid' || n === '$valid') n = '$valid$';
  return n;
}

/** Finds the key a `name:value` pair of an `add` refers to (p4c runner rules, by suffix). */
export function findKey(table: TableInfo, name: string): number | string {
  const want = normalizeKeyName(name);
  const names = table.keys.map((k) => normalizeKeyName(k.name));
  const exact = names.indexOf(want);
  if (exact >= 0) return exact;
  const tries: ((n: string) => boolean)[] = [(n) => n === want + '$', (n) => n.endsWith('.' + want) || n.endsWith('.' + want + '$')];
  if (want === '$valid$') tries.push((n) => n.endsWith('.$valid$'));
  for (const pred of tries) {
    const found: number[] = [];
    names.forEach((n, i) => { if (pred(n)) found.push(i); });
    if (found.length === 1) return found[0]!;
    if (found.length > 1) return `key name '${name}' is ambiguous in table ${table.name}: ${found.map((i) => table.keys[i]!.name).join(', ')}`;
  }
  return `table ${table.name} has no key '${name}' (its keys: ${table.keys.map((k) => k.name).join(', ') || 'none'})`;
}

function hex(v: bigint): string {
  return v < 0n ? v.toString() : '0x' + v.toString(16);
}

function widthMask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** A plain number as the CLI reads it; text the STF runner cannot parse passes through unchanged. */
function cliNumber(s: string): string {
  const v = parseBig(s);
  return v === null ? s : hex(v);
}

/** A number with `*` wildcard digits (hex or binary): value with `*` as 0, and the care mask. */
function wildcardNumber(s: string): { value: bigint; mask: bigint; digits: number; stars: number; bits: number } | null {
  const m = /^0([xXbBoO])([0-9a-fA-F*]+)$/.exec(s);
  if (!m) return null;
  const bits = m[1]!.toLowerCase() === 'x' ? 4 : m[1]!.toLowerCase() === 'o' ? 3 : 1;
  const digits = m[2]!;
  const digitRe = bits === 4 ? /^[0-9a-fA-F]$/ : bits === 3 ? /^[0-7]$/ : /^[01]$/;
  let value = 0n;
  let mask = 0n;
  let stars = 0;
  const full = BigInt((1 << bits) - 1);
  for (const d of digits) {
    value <<= BigInt(bits);
    mask <<= BigInt(bits);
    if (d === '*') {
      stars++;
      continue;
    }
    if (!digitRe.test(d)) return null;
    value |= BigInt(parseInt(d, 1 << bits));
    mask |= full;
  }
  return { value, mask, digits: digits.length, stars, bits };
}

/** One key value of an STF `add` in simple_switch_CLI form for a key of the given kind. */
export function keyToCli(key: KeyFieldInfo, raw: string): string {
  const w = key.width;
  const all = widthMask(w);
  switch (key.match) {
    case MatchKind.Exact: {
      const wc = wildcardNumber(raw);
      if (wc !== null && wc.stars > 0) return `error: exact key ${key.name} cannot have '*' digits: ${raw}`;
      return cliNumber(raw);
    }
    case MatchKind.Ternary:
    case MatchKind.Optional: {
      const amp = raw.indexOf('&&&');
      if (amp >= 0) return `${cliNumber(raw.slice(0, amp))}&&&${cliNumber(raw.slice(amp + 3))}`;
      if (raw === '*' || raw === '_') return '0x0&&&0x0';
      const wc = wildcardNumber(raw);
      // As the p4c runner: a hex/binary value cares about the digits written, no more.
      if (wc !== null) return `${hex(wc.value & all)}&&&${hex(wc.mask & all)}`;
      const v = parseBig(raw);
      if (v !== null) return `${hex(v)}&&&${hex(all)}`;
      return `${raw}&&&${hex(all)}`;
    }
    case MatchKind.Lpm: {
      const slash = raw.indexOf('/');
      if (slash >= 0) return `${cliNumber(raw.slice(0, slash))}/${raw.slice(slash + 1)}`;
      const wc = wildcardNumber(raw);
      if (wc !== null) return `${hex(wc.value)}/${Math.max(0, w - wc.stars * wc.bits)}`;
      return `${cliNumber(raw)}/${w}`;
    }
    case MatchKind.Range: {
      const arrow = raw.indexOf('->');
      if (arrow >= 0) return `${cliNumber(raw.slice(0, arrow))}->${cliNumber(raw.slice(arrow + 2))}`;
      const wc = wildcardNumber(raw);
      if (wc !== null && wc.stars > 0) {
        return `${hex(wc.value & all)}->${hex((wc.value | (~wc.mask & widthMask(wc.digits * wc.bits))) & all)}`;
      }
      const v = cliNumber(raw);
      return `${v}->${v}`;
    }
    default:
      return `error: key ${key.name} has a match kind STF cannot set`;
  }
}

/** The value a key takes when an `add` does not mention it (as the p4c runner). */
function defaultKey(key: KeyFieldInfo): string {
  switch (key.match) {
    case MatchKind.Ternary:
    case MatchKind.Optional: return '0x0&&&0x0';
    case MatchKind.Lpm: return '0x0/0';
    case MatchKind.Range: return `0x0->${hex(widthMask(key.width))}`;
    default: return '0x0';
  }
}

function needsPriority(table: TableInfo): boolean {
  return table.keys.some((k) => k.match === MatchKind.Ternary || k.match === MatchKind.Range || k.match === MatchKind.Optional);
}

/** Action arguments in parameter order, by name (or by position when given without names). */
function actionArgs(action: ActionInfo, args: readonly StfPair[]): string[] | string {
  const out: (string | undefined)[] = action.params.map(() => undefined);
  let pos = 0;
  for (const a of args) {
    let i: number;
    if (a.name === null) i = pos++;
    else {
      i = action.params.findIndex((p) => p.name === a.name);
      if (i < 0) return `action ${action.name} has no parameter '${a.name}' (its parameters: ${action.params.map((p) => p.name).join(', ') || 'none'})`;
    }
    if (i >= action.params.length) return `too many arguments for action ${action.name}`;
    out[i] = cliNumber(a.value);
  }
  const missing = action.params.filter((_, i) => out[i] === undefined).map((p) => p.name);
  if (missing.length > 0) return `missing argument(s) ${missing.join(', ')} of action ${action.name}`;
  return out as string[];
}

export type Translation = { ok: true; line: string; table: TableInfo } | { ok: false; error: string };

/** `add` to `table_add TABLE ACTION KEYS... => ARGS... [PRIORITY]`. */
export function translateAdd(info: ProgramInfo, c: Extract<StfCommand, { kind: 'add' }>, priorityBase = PRIORITY_BASE): Translation {
  const table = findTable(info, c.table);
  if (typeof table === 'string') return { ok: false, error: table };
  const action = findAction(info, table, c.action);
  if (typeof action === 'string') return { ok: false, error: action };
  const keys: (string | undefined)[] = table.keys.map(() => undefined);
  for (const k of c.keys) {
    const i = findKey(table, k.name ?? '');
    if (typeof i === 'string') return { ok: false, error: i };
    if (table.keys[i]!.match === MatchKind.Selector) return { ok: false, error: `key ${table.keys[i]!.name} is a selector key and takes no value in an entry` };
    const v = keyToCli(table.keys[i]!, k.value);
    if (v.startsWith('error: ')) return { ok: false, error: v.slice(7) };
    keys[i] = v;
  }
  // Selector keys feed the selector's hash and are not written in table_add.
  const keyText: string[] = [];
  table.keys.forEach((k, i) => { if (k.match !== MatchKind.Selector) keyText.push(keys[i] ?? defaultKey(k)); });
  const args = actionArgs(action, c.args);
  if (typeof args === 'string') return { ok: false, error: args };
  let line = `table_add ${table.name} ${action.name} ${keyText.join(' ')} =>${args.length ? ' ' + args.join(' ') : ''}`;
  if (needsPriority(table)) line += ` ${priorityBase - (c.priority ?? 0)}`;
  return { ok: true, line, table };
}

/** `setdefault` to `table_set_default TABLE ACTION ARGS...`. */
export function translateSetDefault(info: ProgramInfo, c: Extract<StfCommand, { kind: 'setdefault' }>): Translation {
  const table = findTable(info, c.table);
  if (typeof table === 'string') return { ok: false, error: table };
  const action = findAction(info, table, c.action);
  if (typeof action === 'string') return { ok: false, error: action };
  const args = actionArgs(action, c.args);
  if (typeof args === 'string') return { ok: false, error: args };
  return { ok: true, line: `table_set_default ${table.name} ${action.name}${args.length ? ' ' + args.join(' ') : ''}`, table };
}
