// Parser of STF files (the "simple test framework" format of the P4 compiler test suites) into a
// list of commands with their line numbers, plus the packet matcher the runner uses.
// Input: the text of a .stf file. Output: StfCommand[] and per-line errors (a bad line never
// throws; the runner reports the errors as test failures). Table names, key names and values stay
// as written here: resolving them against a program is the runner's job (stf-runner.ts).

/** One `name:value` pair of an `add` command, or one action argument (`name` null if positional). */
export interface StfPair {
  readonly name: string | null;
  readonly value: string;
}

/** An expected packet: one character per nibble, an uppercase hex digit or `*` (don't care). */
export interface ExpectPattern {
  readonly nibbles: string;
  /** `$` at the end: the packet must not be longer than the pattern. */
  readonly exactLength: boolean;
}

export type CounterOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type StfCommand =
  | { readonly kind: 'packet'; readonly line: number; readonly port: number; readonly bytes: Uint8Array }
  /** pattern null: bare `expect PORT`, one packet with any contents. */
  | { readonly kind: 'expect'; readonly line: number; readonly port: number; readonly pattern: ExpectPattern | null }
  | {
      readonly kind: 'add';
      readonly line: number;
      readonly table: string;
      readonly priority: number | null;
      readonly keys: readonly StfPair[];
      readonly action: string;
      readonly args: readonly StfPair[];
      /** `= ID`: a name for the entry, used by `remove` and `check_counter NAME($ID)`. */
      readonly id: string | null;
    }
  | { readonly kind: 'setdefault'; readonly line: number; readonly table: string; readonly action: string; readonly args: readonly StfPair[] }
  /** `remove all`, or `remove [TABLE] ID` (an entry named by `= ID`). */
  | { readonly kind: 'remove'; readonly line: number; readonly all: boolean; readonly table: string | null; readonly id: string | null }
  | {
      readonly kind: 'check_counter';
      readonly line: number;
      readonly counter: string;
      /** A numeric index, or the `= ID` name of a table entry (direct counters). */
      readonly index: { readonly kind: 'index'; readonly value: number } | { readonly kind: 'entry'; readonly id: string };
      readonly type: 'packets' | 'bytes';
      readonly op: CounterOp;
      readonly value: bigint;
    }
  | { readonly kind: 'wait'; readonly line: number }
  | { readonly kind: 'no_packet'; readonly line: number }
  /** A simple_switch_CLI command passed through unchanged (mirroring_*, mc_*, register_*, counter_*, meter_*). */
  | { readonly kind: 'cli'; readonly line: number; readonly text: string }
  /** `register_read NAME INDEX == VALUE` (our extension; without `==` it is a plain cli command). */
  | { readonly kind: 'check_register'; readonly line: number; readonly register: string; readonly index: number; readonly op: CounterOp; readonly value: bigint };

export interface StfError {
  readonly line: number;
  readonly message: string;
}

export interface StfFile {
  readonly commands: StfCommand[];
  readonly errors: StfError[];
}

/** simple_switch_CLI commands an STF file may contain verbatim. */
const passThrough = new Set([
  'mirroring_add', 'mirroring_add_mc', 'mirroring_delete', 'mirroring_get',
  'mc_mgrp_create', 'mc_mgrp_destroy', 'mc_node_create', 'mc_node_update', 'mc_node_associate',
  'mc_node_dissociate', 'mc_node_destroy', 'mc_dump',
  'counter_read', 'counter_write', 'counter_reset',
  'register_read', 'register_write', 'register_reset',
  'meter_get_rates', 'meter_set_rates', 'meter_array_set_rates',
  // Commands for an enclave module (issue 6): tee_control MODULE LINE.
  'tee_control',
  // Action profiles and selectors, and tables that use them (simple_switch_CLI syntax).
  'act_prof_create_member', 'act_prof_delete_member', 'act_prof_modify_member',
  'act_prof_create_group', 'act_prof_delete_group', 'act_prof_add_member_to_group',
  'act_prof_remove_member_from_group', 'act_prof_dump', 'act_prof_dump_member', 'act_prof_dump_group',
  'table_indirect_add', 'table_indirect_add_with_group', 'table_indirect_add_member_to_group',
  'table_indirect_delete', 'table_indirect_modify', 'table_indirect_modify_with_group', 'table_indirect_set_default',
  'table_indirect_set_default_with_group', 'table_indirect_reset_default',
  // Plain table commands, for tests written with the CLI's syntax.
  'table_add', 'table_set_default', 'table_modify', 'table_delete', 'table_clear', 'table_dump',
  'table_reset_default',
]);

const ops: readonly CounterOp[] = ['==', '!=', '<=', '>=', '<', '>'];

/** Parses a whole STF file; each line is one command, `#` starts a comment. */
export function parseStf(text: string): StfFile {
  const commands: StfCommand[] = [];
  const errors: StfError[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const r = parseStfLine(lines[i]!, i + 1);
    if (r === null) continue;
    if ('message' in r) errors.push(r);
    else commands.push(r);
  }
  return { commands, errors };
}

/** Parses one line: a command, an error, or null for a blank or comment line. */
export function parseStfLine(raw: string, line: number): StfCommand | StfError | null {
  const hash = raw.indexOf('#');
  const text = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
  if (text === '') return null;
  const m = /^(\S+)\s*(.*)$/.exec(text)!;
  const word = m[1]!.toLowerCase();
  const rest = m[2]!;
  const err = (message: string): StfError => ({ line, message });
  switch (word) {
    case 'packet': {
      const pm = /^(\d+)\s*(.*)$/.exec(rest);
      if (!pm) return err('expected: packet PORT HEX');
      const hex = pm[2]!.replace(/\s+/g, '');
      if (!/^[0-9a-fA-F]*$/.test(hex)) return err(`packet data must be hex digits: '${pm[2]}'`);
      if (hex.length % 2 !== 0) return err(`packet data has an odd number of hex digits (${hex.length})`);
      return { kind: 'packet', line, port: Number(pm[1]), bytes: hexToBytes(hex) };
    }
    case 'expect': {
      const em = /^(\d+)\s*(.*)$/.exec(rest);
      if (!em) return err('expected: expect PORT [HEX]');
      const port = Number(em[1]);
      let data = em[2]!.replace(/\s+/g, '');
      if (data === '') return { kind: 'expect', line, port, pattern: null };
      const exactLength = data.endsWith('$');
      if (exactLength) data = data.slice(0, -1);
      if (!/^[0-9a-fA-F*]*$/.test(data)) return err(`expected packet data must be hex digits or '*': '${em[2]}'`);
      return { kind: 'expect', line, port, pattern: { nibbles: data.toUpperCase(), exactLength } };
    }
    case 'no_packet':
      return rest === '' ? { kind: 'no_packet', line } : err('no_packet takes no arguments');
    case 'wait':
      return { kind: 'wait', line };
    case 'add':
      return parseAdd(rest, line);
    case 'setdefault': {
      const sm = /^(\S+)\s+(.*)$/.exec(rest);
      if (!sm) return err('expected: setdefault TABLE ACTION(ARGS)');
      const call = parseActionCall(sm[2]!);
      if (typeof call === 'string') return err(call);
      if (call.tail.trim() !== '') return err(`unexpected text after the action: '${call.tail.trim()}'`);
      return { kind: 'setdefault', line, table: sm[1]!, action: call.name, args: call.args };
    }
    case 'remove': {
      const words = rest.split(/\s+/).filter((w) => w !== '');
      if (words.length === 1 && words[0]!.toLowerCase() === 'all') return { kind: 'remove', line, all: true, table: null, id: null };
      if (words.length === 1) return { kind: 'remove', line, all: false, table: null, id: words[0]!.replace(/^\$/, '') };
      if (words.length === 2) return { kind: 'remove', line, all: false, table: words[0]!, id: words[1]!.replace(/^\$/, '') };
      return err('expected: remove all | remove [TABLE] ENTRY_ID');
    }
    case 'check_counter':
      return parseCheckCounter(rest, line);
    default:
      if (passThrough.has(word)) {
        if (word === 'register_read') {
          const rm = /^(\S+)\s+(\S+)\s*(==|!=|<=|>=|<|>)\s*(\S+)$/.exec(rest);
          if (rm) {
            const index = parseNumber(rm[2]!);
            const value = parseBig(rm[4]!);
            if (index === null || value === null) return err('expected: register_read NAME INDEX [OP VALUE]');
            return { kind: 'check_register', line, register: rm[1]!, index: Number(index), op: rm[3] as CounterOp, value };
          }
        }
        return { kind: 'cli', line, text: rest === '' ? word : `${word} ${rest}` };
      }
      return err(`unknown STF command '${m[1]}'`);
  }
}

// add TABLE [PRIORITY] (KEY:VALUE)* ACTION '(' [ARG (',' ARG)*] ')' ['=' ID]
function parseAdd(rest: string, line: number): StfCommand | StfError {
  const err = (message: string): StfError => ({ line, message });
  let s = rest.trim();
  const tm = /^(\S+)\s*(.*)$/.exec(s);
  if (!tm || tm[1]!.includes('(')) return err('expected: add TABLE [PRIORITY] KEY:VALUE... ACTION(ARGS) [= ID]');
  const table = tm[1]!;
  s = tm[2]!;
  let priority: number | null = null;
  const pm = /^(\d+)(\s+|$)(.*)$/.exec(s);
  if (pm) {
    priority = Number(pm[1]);
    s = pm[3]!;
  }
  const keys: StfPair[] = [];
  for (;;) {
    s = s.trimStart();
    if (s === '') return err('missing action call ACTION(ARGS)');
    // A key is NAME:VALUE where NAME may end in `()` (isValid()); an action is NAME(...).
    const km = /^([^\s:(]+(?:\(\))?):(\S+)/.exec(s);
    if (km) {
      keys.push({ name: km[1]!, value: km[2]! });
      s = s.slice(km[0].length);
      continue;
    }
    const call = parseActionCall(s);
    if (typeof call === 'string') return err(call);
    const tail = call.tail.trim();
    let id: string | null = null;
    if (tail !== '') {
      const im = /^=\s*\$?([A-Za-z0-9_$.]+)$/.exec(tail);
      if (!im) return err(`unexpected text after the action: '${tail}'`);
      id = im[1]!;
    }
    return { kind: 'add', line, table, priority, keys, action: call.name, args: call.args, id };
  }
}

/** ACTION '(' [NAME ':' VALUE (',' NAME ':' VALUE)*] ')' followed by anything (returned as tail). */
function parseActionCall(s: string): { name: string; args: StfPair[]; tail: string } | string {
  const am = /^([^\s(:]+)\s*\(/.exec(s.trimStart());
  if (!am) return `expected KEY:VALUE or ACTION(ARGS), found '${s.trim()}'`;
  const body = s.trimStart().slice(am[0].length);
  const close = body.indexOf(')');
  if (close < 0) return `missing ')' after the arguments of ${am[1]}`;
  const inner = body.slice(0, close).trim();
  const args: StfPair[] = [];
  if (inner !== '') {
    for (const part of inner.split(',')) {
      const p = part.trim();
      if (p === '') return `empty argument in ${am[1]}(...)`;
      const colon = p.indexOf(':');
      if (colon < 0) args.push({ name: null, value: p });
      else args.push({ name: p.slice(0, colon).trim(), value: p.slice(colon + 1).trim() });
    }
  }
  return { name: am[1]!, args, tail: body.slice(close + 1) };
}

// check_counter NAME '(' INDEX | $ID ')' [(packets|bytes) OP NUMBER]
function parseCheckCounter(rest: string, line: number): StfCommand | StfError {
  const cm = /^([^\s(]+)\s*\(\s*([^)\s]+)\s*\)\s*(.*)$/.exec(rest.trim());
  if (!cm) return { line, message: 'expected: check_counter NAME(INDEX) [packets|bytes OP VALUE]' };
  const raw = cm[2]!;
  let index: { kind: 'index'; value: number } | { kind: 'entry'; id: string };
  const n = parseNumber(raw);
  if (n !== null) index = { kind: 'index', value: Number(n) };
  else if (/^\$?[A-Za-z_][A-Za-z0-9_$.]*$/.test(raw)) index = { kind: 'entry', id: raw.replace(/^\$/, '') };
  else return { line, message: `bad counter index '${raw}'` };
  const cond = cm[3]!.trim();
  if (cond === '') return { kind: 'check_counter', line, counter: cm[1]!, index, type: 'packets', op: '==', value: 0n };
  const qm = /^(packets|bytes)\s*(==|!=|<=|>=|<|>)\s*(\S+)$/i.exec(cond);
  const value = qm ? parseBig(qm[3]!) : null;
  if (!qm || value === null || !ops.includes(qm[2] as CounterOp)) {
    return { line, message: `expected 'packets|bytes OP VALUE' after the counter, found '${cond}'` };
  }
  return { kind: 'check_counter', line, counter: cm[1]!, index, type: qm[1]!.toLowerCase() as 'packets' | 'bytes', op: qm[2] as CounterOp, value };
}

function parseNumber(s: string): bigint | null {
  const v = parseBig(s);
  return v !== null && v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? v : null;
}

/** Decimal, 0x hex, 0b binary or 0o octal (no wildcards), possibly negative. */
export function parseBig(s: string): bigint | null {
  const neg = s.startsWith('-');
  const body = neg ? s.slice(1) : s;
  if (!/^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|[0-9]+)$/.test(body)) return null;
  const v = BigInt(body.replace(/^0X/, '0x').replace(/^0B/, '0b').replace(/^0O/, '0o'));
  return neg ? -v : v;
}

export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0').toUpperCase();
  return s;
}

/** Renders a pattern as written in STF (with `$` when anchored). */
export function patternText(p: ExpectPattern | null): string {
  if (p === null) return '(any packet)';
  return p.nibbles + (p.exactLength ? '$' : '');
}

/**
 * Compares a received packet with an expected pattern: null when it matches, otherwise a
 * description of the first difference. A pattern shorter than the packet matches its prefix
 * unless it is anchored with `$`.
 */
export function matchPacket(pattern: ExpectPattern | null, bytes: Uint8Array): string | null {
  if (pattern === null) return null;
  const got = bytesToHex(bytes);
  const exp = pattern.nibbles;
  const n = Math.min(exp.length, got.length);
  for (let i = 0; i < n; i++) {
    const e = exp[i]!;
    if (e !== '*' && e !== got[i]) {
      const b = i >>> 1;
      return `first difference at byte ${b} (nibble ${i}): expected ${exp.slice(2 * b, 2 * b + 2)}, got ${got.slice(2 * b, 2 * b + 2)}`;
    }
  }
  if (got.length < exp.length) {
    return `packet too short: ${bytes.length} bytes, expected at least ${Math.ceil(exp.length / 2)}`;
  }
  if (pattern.exactLength && got.length > exp.length) {
    return `packet too long: ${bytes.length} bytes, expected exactly ${Math.ceil(exp.length / 2)} (pattern ends in $)`;
  }
  return null;
}
