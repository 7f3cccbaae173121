// simple_switch_CLI commands against a ControlTarget: one line in, one CommandResult out (the
// BMv2-style text on success, the reason on refusal). executeScript runs a whole commands file
// (`#` comments, blank lines). Parsing errors are found here before anything changes; per-entry
// validation (duplicate keys, widths, masks, priorities) is the Table's, which also changes nothing
// on refusal. Names are fully qualified or any unambiguous dot-separated suffix (BMv2 style).
import type { ActionInfo, CommandResult, ExternInfo, KeyMatch, TableInfo } from '../abi.js';
import { matchKindNames } from '../abi.js';
import type { ControlTarget } from './target.js';
import type { Table, TableEntry } from '../tables/table.js';
import type { ActionProfile, ActionSelector } from '../tables/action-profile.js';
import type { MeterRate } from '../externs/meters.js';
import { formatHex, formatKeyMatch, isMatchKey, parseIndex, parseKeyMatch, parseValue } from './values.js';

type Result<T> = { ok: true; value: T } | { ok: false; error: string };

function ok(message: string): CommandResult {
  return { ok: true, message };
}

function err(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

/** Command name -> usage line (what `help NAME` prints). */
export const commandUsage: Readonly<Record<string, string>> = {
  table_add: 'Add entry to a match table: table_add <table name> <action name> <match fields> => <action parameters> [priority]',
  table_set_default: 'Set default action for a match table: table_set_default <table name> <action name> <action parameters>',
  table_reset_default: 'Reset default entry for a match table: table_reset_default <table name>',
  table_modify: 'Modify entry in a match table: table_modify <table name> <action name> <entry handle> [action parameters]',
  table_delete: 'Delete entry from a match table: table_delete <table name> <entry handle>',
  table_dump: 'Display entries in a match-table: table_dump <table name>',
  table_clear: 'Clear all entries in a match table (direct or indirect), but not the default entry: table_clear <table name>',
  table_num_entries: 'Return the number of entries in a match table (direct or indirect): table_num_entries <table name>',
  table_dump_entry: 'Display some information about a table entry: table_dump_entry <table name> <entry handle>',
  table_show_actions: 'List one table\'s actions as per the P4 program: table_show_actions <table name>',
  table_info: 'Show info about a table: table_info <table name>',
  show_tables: 'List tables defined in the P4 program: show_tables',
  show_actions: 'List actions defined in the P4 program: show_actions',
  act_prof_create_member: 'Add a member to an action profile: act_prof_create_member <action profile name> <action_name> [action parameters]',
  act_prof_delete_member: 'Delete a member in an action profile: act_prof_delete_member <action profile name> <member handle>',
  act_prof_modify_member: 'Modify member in an action profile: act_prof_modify_member <action profile name> <action_name> <member_handle> [action parameters]',
  act_prof_create_group: 'Add a group to an action profile: act_prof_create_group <action profile name>',
  act_prof_delete_group: 'Delete a group from an action profile: act_prof_delete_group <action profile name> <group handle>',
  act_prof_add_member_to_group: 'Add member to group in an action profile: act_prof_add_member_to_group <action profile name> <member handle> <group handle>',
  act_prof_remove_member_from_group: 'Remove member from group in action profile: act_prof_remove_member_from_group <action profile name> <member handle> <group handle>',
  table_indirect_add: 'Add entry to an indirect match table: table_indirect_add <table name> <match fields> => <member handle> [priority]',
  table_indirect_add_with_group: 'Add entry to an indirect match table: table_indirect_add_with_group <table name> <match fields> => <group handle> [priority]',
  table_indirect_delete: 'Delete entry from an indirect match table: table_indirect_delete <table name> <entry handle>',
  table_indirect_modify: 'Modify entry in an indirect match table: table_indirect_modify <table name> <entry handle> <member handle>',
  table_indirect_modify_with_group: 'Modify entry in an indirect match table: table_indirect_modify_with_group <table name> <entry handle> <group handle>',
  table_indirect_set_default: 'Set default member for indirect match table: table_indirect_set_default <table name> <member handle>',
  table_indirect_set_default_with_group: 'Set default group for indirect match table: table_indirect_set_default_with_group <table name> <group handle>',
  table_indirect_reset_default: 'Reset default entry for indirect match table: table_indirect_reset_default <table name>',
  mirroring_add: 'Add mirroring session to unicast port: mirroring_add <mirror_id> <egress_port>',
  mirroring_add_mc: 'Add mirroring session to multicast group: mirroring_add_mc <mirror_id> <mgrp>',
  mirroring_delete: 'Delete mirroring session: mirroring_delete <mirror_id>',
  mirroring_get: 'Display mirroring session: mirroring_get <mirror_id>',
  mc_mgrp_create: 'Create multicast group: mc_mgrp_create <group id>',
  mc_mgrp_destroy: 'Destroy multicast group: mc_mgrp_destroy <group id>',
  mc_node_create: 'Create multicast node: mc_node_create <rid> <space-separated port list> [ | <space-separated lag list> ]',
  mc_node_update: 'Update multicast node: mc_node_update <node handle> <space-separated port list> [ | <space-separated lag list> ]',
  mc_node_associate: 'Associate node to multicast group: mc_node_associate <group handle> <node handle>',
  mc_node_dissociate: 'Dissociate node from multicast group: mc_node_dissociate <group handle> <node handle>',
  mc_node_destroy: 'Destroy multicast node: mc_node_destroy <node handle>',
  mc_dump: 'Dump entries in multicast engine: mc_dump',
  counter_read: 'Read counter value: counter_read <name> <index>',
  counter_reset: 'Reset counter: counter_reset <name>',
  counter_write: 'Write counter value: counter_write <name> <index> <packets> <bytes>',
  register_read: 'Read register value: register_read <name> [index]',
  register_write: 'Write register value: register_write <name> <index> <value>',
  register_reset: 'Reset all the cells in the register array to 0: register_reset <name>',
  meter_set_rates: 'Configure rates for a meter: meter_set_rates <name> <index> <rate_1>:<burst_1> <rate_2>:<burst_2> ...',
  meter_array_set_rates: 'Configure rates for an entire meter array: meter_array_set_rates <name> <rate_1>:<burst_1> <rate_2>:<burst_2> ...',
  meter_get_rates: 'Retrieve rates for a meter: meter_get_rates <name> <index>',
  set_crc16_parameters: 'Change the parameters for a custom crc16 hash: set_crc16_parameters <name> <polynomial> <initial remainder> <final xor value> <reflect data?> <reflect remainder?>',
  set_crc32_parameters: 'Change the parameters for a custom crc32 hash: set_crc32_parameters <name> <polynomial> <initial remainder> <final xor value> <reflect data?> <reflect remainder?>',
  pvs_add: 'Add an entry to a parser value set: pvs_add <pvs name> <value>',
  pvs_remove: 'Remove an entry from a parser value set: pvs_remove <pvs name> <value>',
  pvs_get: 'Print all entries in a parser value set: pvs_get <pvs name>',
  pvs_clear: 'Remove all entries from a parser value set: pvs_clear <pvs name>',
  show_pvs: 'List parser value sets defined in the P4 program: show_pvs',
  help: 'List commands or show the usage of one: help [command]',
  tee_control: 'Send a control line to an enclave module (p4tee): tee_control <module> <line...>',
};

/** A ControlTarget whose switch has TeeFunction calls: `tee_control` reaches the enclave modules through it. */
export interface TeeControlTarget extends ControlTarget {
  /** The module's answer (refusals start with 'error: '), or null when there is no such module. */
  readonly teeControl?: (moduleName: string, line: string) => string | null;
}

type Handler = (t: ControlTarget, args: string[]) => CommandResult;

/** Runs one command line. Never throws for a user mistake; a refused command changes nothing. */
export function executeCommand(target: ControlTarget, line: string): CommandResult {
  const hash = line.indexOf('#');
  const args = tokenize(hash >= 0 ? line.slice(0, hash) : line);
  if (args.length === 0) return ok('');
  const name = args[0];
  const handler = Object.prototype.hasOwnProperty.call(handlers, name) ? handlers[name] : undefined;
  if (handler === undefined) return err(`unknown command '${name}' (try 'help')`);
  return handler(target, args.slice(1));
}

/** Runs a commands file: one command per line, `#` starts a comment, blank lines are skipped. */
export function executeScript(target: ControlTarget, text: string): { line: number; command: string; result: CommandResult }[] {
  const out: { line: number; command: string; result: CommandResult }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i].indexOf('#');
    const command = (hash >= 0 ? lines[i].slice(0, hash) : lines[i]).trim();
    if (command === '') continue;
    out.push({ line: i + 1, command, result: executeCommand(target, command) });
  }
  return out;
}

/** Splits on white space; `=>` becomes its own token even when written without spaces. */
function tokenize(line: string): string[] {
  return line.replace(/=>/g, ' => ').trim().split(/\s+/).filter((s) => s !== '');
}

// ---------------------------------------------------------------------------------------
// Names

/**
 * Finds `given` among `names`: an exact match, else the one name ending in `.given`. A leading dot
 * (a top-level `@name(".x")`) may be written or left out.
 */
export function resolveName(names: readonly string[], given: string, what: string): Result<string> {
  if (names.includes(given)) return { ok: true, value: given };
  if (given.startsWith('.') && given.length > 1) {
    if (names.includes(given.slice(1))) return { ok: true, value: given.slice(1) };
  } else if (names.includes('.' + given)) return { ok: true, value: '.' + given };
  const hits = names.filter((n) => n.endsWith('.' + given));
  if (hits.length === 1) return { ok: true, value: hits[0] };
  if (hits.length > 1) return err(`${what} name '${given}' is ambiguous: ${hits.join(', ')}`);
  return err(`unknown ${what} '${given}'`);
}

function findTable(t: ControlTarget, given: string | undefined): Result<Table> {
  if (given === undefined) return err('missing table name');
  const r = resolveName(t.info.tables.map((x) => x.name), given, 'table');
  if (!r.ok) return r;
  const info = t.info.tables.find((x) => x.name === r.value) as TableInfo;
  const table = t.tables[info.id];
  if (table === undefined) return err(`table '${info.name}' has no runtime state`);
  return { ok: true, value: table };
}

/** An action of `table` by name; names an action that exists but is not in the table's list. */
function findTableAction(t: ControlTarget, info: TableInfo, given: string | undefined): Result<ActionInfo> {
  if (given === undefined) return err('missing action name');
  const own = info.actionIds.map((id) => t.info.actions[id]);
  const r = resolveName(own.map((a) => a.name), given, 'action');
  if (r.ok) return { ok: true, value: own.find((a) => a.name === r.value) as ActionInfo };
  const global = resolveName(t.info.actions.map((a) => a.name), given, 'action');
  if (global.ok) return err(`action '${global.value}' is not an action of table '${info.name}'`);
  return r;
}

function findExtern<T>(t: ControlTarget, map: ReadonlyMap<string, T>, given: string | undefined, what: string): Result<{ name: string; obj: T; info: ExternInfo | undefined }> {
  if (given === undefined) return err(`missing ${what} name`);
  const r = resolveName([...map.keys()], given, what);
  if (!r.ok) return r;
  return { ok: true, value: { name: r.value, obj: map.get(r.value) as T, info: t.info.externs.find((e) => e.name === r.value) } };
}

// ---------------------------------------------------------------------------------------
// Pieces of table commands

function matchKeys(info: TableInfo): TableInfo['keys'] {
  return info.keys.filter(isMatchKey);
}

/** Largest priority a table stores. */
const MAX_PRIORITY = 0x7fffffff;

/**
 * CLI priorities follow BMv2: the smaller number wins. A table whose info says the largest
 * priority wins stores MAX_PRIORITY - p instead, so the same command line means the same order
 * whichever way the table compares. The mapping is its own inverse.
 */
export function cliPriorityToTable(info: TableInfo, priority: number): number {
  return info.largestPriorityWins ? MAX_PRIORITY - priority : priority;
}

function parseKeys(info: TableInfo, tokens: readonly string[]): Result<KeyMatch[]> {
  const keys = matchKeys(info);
  if (tokens.length !== keys.length) {
    return err(`table '${info.name}' needs ${keys.length} match key${keys.length === 1 ? '' : 's'} (${keys.map((k) => `${k.name}:${matchKindNames[k.match]}`).join(' ')}), got ${tokens.length}`);
  }
  const out: KeyMatch[] = [];
  for (let i = 0; i < keys.length; i++) {
    const m = parseKeyMatch(tokens[i], keys[i]);
    if (!m.ok) return m;
    out.push(m.value);
  }
  return { ok: true, value: out };
}

function parseArgs(action: ActionInfo, tokens: readonly string[]): Result<bigint[]> {
  if (tokens.length !== action.params.length) {
    return err(`action '${action.name}' takes ${action.params.length} parameter${action.params.length === 1 ? '' : 's'} (${action.params.map((p) => `${p.name}(${p.width})`).join(', ')}), got ${tokens.length}`);
  }
  const out: bigint[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const p = action.params[i];
    const v = parseValue(tokens[i], p.width);
    if (!v.ok) return err(`parameter '${p.name}' of '${action.name}': ${v.error}`);
    out.push(v.value);
  }
  return { ok: true, value: out };
}

/**
 * Splits `KEYS... => REST...` and takes the priority off the end of REST when the table needs one.
 * Without `=>`, every token is a key (allowed only when nothing follows).
 */
function splitEntry(table: Table, tokens: readonly string[]): Result<{ keys: string[]; rest: string[]; priority: number }> {
  const info = table.info;
  const arrow = tokens.indexOf('=>');
  const keys = arrow < 0 ? [...tokens] : tokens.slice(0, arrow);
  const rest = arrow < 0 ? [] : tokens.slice(arrow + 1);
  if (rest.includes('=>')) return err("'=>' appears more than once");
  let priority = 0;
  if (table.needsPriority) {
    const p = rest.pop();
    if (p === undefined) return err(`table '${info.name}' has ternary, range or optional keys: a priority must be given last`);
    const r = parseIndex(p, 'priority', MAX_PRIORITY);
    if (!r.ok) return r;
    priority = cliPriorityToTable(info, r.value);
  }
  return { ok: true, value: { keys, rest, priority } };
}

/** Resets the direct counter cell of a new entry, so that it starts from zero. */
function resetDirectCounter(t: ControlTarget, info: TableInfo, handle: number): void {
  if (info.directCounter === null) return;
  const c = t.counters.get(info.directCounter);
  if (c !== undefined && handle < c.packets.length) {
    c.packets[handle] = 0;
    c.bytes[handle] = 0;
  }
}

function formatArgs(action: ActionInfo | undefined, args: readonly bigint[]): string {
  if (action === undefined) return args.map((a) => a.toString(16)).join(', ');
  return args.map((a, i) => formatHex(a, action.params[i]?.width ?? 8)).join(', ');
}

function describeEntry(t: ControlTarget, table: Table, e: TableEntry): string[] {
  const info = table.info;
  const keys = matchKeys(info);
  const lines = [`Dumping entry 0x${e.handle.toString(16)}`, 'Match key:'];
  const width = Math.max(0, ...keys.map((k) => k.name.length));
  for (let i = 0; i < keys.length && i < e.keys.length; i++) {
    const kind = e.keys[i].kind === 'optional' ? 'TERNARY' : e.keys[i].kind.toUpperCase();
    lines.push(`* ${keys[i].name.padEnd(width)} : ${kind.padEnd(10)}${formatKeyMatch(e.keys[i], keys[i].width)}`);
  }
  if (table.needsPriority) lines.push(`Priority: ${cliPriorityToTable(info, e.priority)}`);
  if (e.member !== undefined) lines.push(`Index: member(${e.member})`);
  else if (e.group !== undefined) lines.push(`Index: group(${e.group})`);
  else {
    const a = t.info.actions[e.actionId];
    lines.push(`Action entry: ${a?.name ?? `#${e.actionId}`} - ${formatArgs(a, e.args)}`);
  }
  return lines;
}

function describeTable(t: ControlTarget, info: TableInfo): string {
  const mk = info.keys.map((k) => `${k.name}(${matchKindNames[k.match] === 'optional' ? 'ternary' : matchKindNames[k.match]}, ${k.width})`).join(',\t');
  return `${info.name.padEnd(32)}[implementation=${info.implementation ?? 'None'}, mk=${mk}]`;
}

function describeAction(a: ActionInfo): string {
  return `${a.name.padEnd(32)}[${a.params.map((p) => `${p.name}(${p.width})`).join(',\t')}]`;
}

function checkArity(args: readonly string[], min: number, max: number, usage: string): CommandResult | null {
  if (args.length < min || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    return err(`wrong number of arguments (${want} expected, got ${args.length}); usage: ${commandUsage[usage]}`);
  }
  return null;
}

// ---------------------------------------------------------------------------------------
// Handlers

function tableAdd(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, Infinity, 'table_add');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  const action = findTableAction(t, info, args[1]);
  if (!action.ok) return action;
  if (info.constEntries) return err(`table '${info.name}' has const entries: the control plane cannot add entries`);
  if (action.value.defaultOnly) return err(`action '${action.value.name}' is @defaultonly in table '${info.name}'`);
  const parts = splitEntry(table.value, args.slice(2));
  if (!parts.ok) return parts;
  const keys = parseKeys(info, parts.value.keys);
  if (!keys.ok) return keys;
  const data = parseArgs(action.value, parts.value.rest);
  if (!data.ok) {
    if (!table.value.needsPriority && parts.value.rest.length === action.value.params.length + 1) {
      return err(`${data.error}; table '${info.name}' has no ternary, range or optional key, so it takes no priority`);
    }
    return data;
  }
  const r = table.value.add(keys.value, parts.value.priority, action.value.id, data.value);
  if (!r.ok) return r;
  resetDirectCounter(t, info, r.handle);
  return ok(`Entry has been added with handle ${r.handle}`);
}

function tableSetDefault(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, Infinity, 'table_set_default');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  const action = findTableAction(t, info, args[1]);
  if (!action.ok) return action;
  if (info.defaultConst) return err(`table '${info.name}' has a const default action: it cannot be changed`);
  if (action.value.tableOnly) return err(`action '${action.value.name}' is @tableonly: it cannot be the default action`);
  const rest = args.slice(2).filter((a, i) => !(i === 0 && a === '=>'));
  const data = parseArgs(action.value, rest);
  if (!data.ok) return data;
  const r = table.value.setDefault(action.value.id, data.value);
  if (!r.ok) return r;
  return ok(`Setting default action of ${info.name}\naction:              ${action.value.name}\nruntime data:        ${formatArgs(action.value, data.value)}`);
}

function tableResetDefault(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_reset_default');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  if (table.value.info.defaultConst) return err(`table '${table.value.info.name}' has a const default action: it cannot be changed`);
  table.value.resetDefault();
  return ok(`Resetting default entry of ${table.value.info.name}`);
}

function tableModify(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 3, Infinity, 'table_modify');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  const action = findTableAction(t, info, args[1]);
  if (!action.ok) return action;
  if (info.constEntries) return err(`table '${info.name}' has const entries: the control plane cannot modify entries`);
  if (action.value.defaultOnly) return err(`action '${action.value.name}' is @defaultonly in table '${info.name}'`);
  const handle = parseIndex(args[2], 'entry handle');
  if (!handle.ok) return handle;
  const rest = args.slice(3).filter((a, i) => !(i === 0 && a === '=>'));
  const data = parseArgs(action.value, rest);
  if (!data.ok) return data;
  const r = table.value.modify(handle.value, action.value.id, data.value);
  if (!r.ok) return r;
  return ok(`Modifying entry ${handle.value} for ${info.name}`);
}

function tableDelete(t: ControlTarget, args: string[], usage = 'table_delete'): CommandResult {
  const bad = checkArity(args, 2, 2, usage);
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  if (table.value.info.constEntries) return err(`table '${table.value.info.name}' has const entries: the control plane cannot delete entries`);
  const handle = parseIndex(args[1], 'entry handle');
  if (!handle.ok) return handle;
  const r = table.value.delete(handle.value);
  if (!r.ok) return r;
  return ok(`Deleting entry ${handle.value} from ${table.value.info.name}`);
}

function tableClear(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_clear');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  if (table.value.info.constEntries) return err(`table '${table.value.info.name}' has const entries: the control plane cannot clear it`);
  const r = table.value.clear();
  if (!r.ok) return r;
  return ok(`Clearing table ${table.value.info.name}`);
}

function tableNumEntries(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_num_entries');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  return ok(String(table.value.list().length));
}

function tableDump(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_dump');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  const lines = ['==========', 'TABLE ENTRIES'];
  for (const e of table.value.list()) lines.push('**********', ...describeEntry(t, table.value, e));
  lines.push('==========', 'Dumping default entry');
  const d = table.value.getDefault();
  if (d.group !== undefined) lines.push(`Index: group(${d.group})`);
  else {
    if (d.member !== undefined) lines.push(`Index: member(${d.member})`);
    const a = t.info.actions[d.actionId];
    lines.push(`Action entry: ${a?.name ?? `#${d.actionId}`} - ${formatArgs(a, d.args)}`);
  }
  lines.push('==========');
  return ok(lines.join('\n'));
}

function tableDumpEntry(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, 2, 'table_dump_entry');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  const h = parseIndex(args[1], 'entry handle');
  if (!h.ok) return h;
  const e = table.value.getEntry(h.value);
  if (e === null) return err(`table '${table.value.info.name}' has no entry with handle ${h.value}`);
  return ok(describeEntry(t, table.value, e).join('\n'));
}

function tableShowActions(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_show_actions');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  return ok(table.value.info.actionIds.map((id) => describeAction(t.info.actions[id])).join('\n'));
}

function tableInfo(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_info');
  if (bad) return bad;
  const table = findTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  const lines = [describeTable(t, info), '*'.repeat(20)];
  for (const id of info.actionIds) lines.push(describeAction(t.info.actions[id]));
  return ok(lines.join('\n'));
}

function showTables(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 0, 0, 'show_tables');
  if (bad) return bad;
  return ok(t.info.tables.map((x) => describeTable(t, x)).join('\n'));
}

function showActions(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 0, 0, 'show_actions');
  if (bad) return bad;
  return ok(t.info.actions.map(describeAction).join('\n'));
}

// --- action profiles and indirect tables

function findProfile(t: ControlTarget, given: string | undefined): Result<{ name: string; obj: ActionProfile | ActionSelector; info: ExternInfo | undefined }> {
  return findExtern(t, t.profiles, given, 'action profile');
}

/** An action usable by members of a profile: one in the action list of a table that uses it. */
function findProfileAction(t: ControlTarget, profile: string, given: string | undefined): Result<ActionInfo> {
  if (given === undefined) return err('missing action name');
  const ids = new Set<number>();
  const ext = t.info.externs.find((e) => e.name === profile);
  for (const ti of t.info.tables) {
    if (ti.implementation === profile || (ext !== undefined && ext.tables.includes(ti.name))) for (const id of ti.actionIds) ids.add(id);
  }
  const own = [...ids].map((id) => t.info.actions[id]);
  const r = resolveName(own.map((a) => a.name), given, 'action');
  if (r.ok) return { ok: true, value: own.find((a) => a.name === r.value) as ActionInfo };
  const global = resolveName(t.info.actions.map((a) => a.name), given, 'action');
  if (global.ok) return err(`action '${global.value}' is not an action of the tables using '${profile}'`);
  return r;
}

function actProfCreateMember(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, Infinity, 'act_prof_create_member');
  if (bad) return bad;
  const p = findProfile(t, args[0]);
  if (!p.ok) return p;
  const action = findProfileAction(t, p.value.name, args[1]);
  if (!action.ok) return action;
  const data = parseArgs(action.value, args.slice(2).filter((a, i) => !(i === 0 && a === '=>')));
  if (!data.ok) return data;
  const r = p.value.obj.createMember(action.value.id, data.value);
  if (!r.ok) return r;
  return ok(`Member has been created with handle ${r.handle}`);
}

function actProfDeleteMember(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, 2, 'act_prof_delete_member');
  if (bad) return bad;
  const p = findProfile(t, args[0]);
  if (!p.ok) return p;
  const h = parseIndex(args[1], 'member handle');
  if (!h.ok) return h;
  const r = p.value.obj.deleteMember(h.value);
  return r.ok ? ok(`Deleting member ${h.value} from ${p.value.name}`) : r;
}

function actProfModifyMember(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 3, Infinity, 'act_prof_modify_member');
  if (bad) return bad;
  const p = findProfile(t, args[0]);
  if (!p.ok) return p;
  const action = findProfileAction(t, p.value.name, args[1]);
  if (!action.ok) return action;
  const h = parseIndex(args[2], 'member handle');
  if (!h.ok) return h;
  const data = parseArgs(action.value, args.slice(3).filter((a, i) => !(i === 0 && a === '=>')));
  if (!data.ok) return data;
  const r = p.value.obj.modifyMember(h.value, action.value.id, data.value);
  return r.ok ? ok(`Modifying member ${h.value} of ${p.value.name}`) : r;
}

function selectorOf(t: ControlTarget, given: string | undefined): Result<{ name: string; obj: ActionSelector }> {
  const p = findProfile(t, given);
  if (!p.ok) return p;
  if (p.value.obj.kind !== 'action_selector') return err(`'${p.value.name}' is an action profile, not an action selector: it has no groups`);
  return { ok: true, value: { name: p.value.name, obj: p.value.obj as ActionSelector } };
}

function actProfCreateGroup(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'act_prof_create_group');
  if (bad) return bad;
  const s = selectorOf(t, args[0]);
  if (!s.ok) return s;
  const r = s.value.obj.createGroup();
  return r.ok ? ok(`Group has been created with handle ${r.handle}`) : r;
}

function actProfDeleteGroup(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, 2, 'act_prof_delete_group');
  if (bad) return bad;
  const s = selectorOf(t, args[0]);
  if (!s.ok) return s;
  const h = parseIndex(args[1], 'group handle');
  if (!h.ok) return h;
  const r = s.value.obj.deleteGroup(h.value);
  return r.ok ? ok(`Deleting group ${h.value} from ${s.value.name}`) : r;
}

function actProfMemberGroup(t: ControlTarget, args: string[], add: boolean): CommandResult {
  const bad = checkArity(args, 3, 3, add ? 'act_prof_add_member_to_group' : 'act_prof_remove_member_from_group');
  if (bad) return bad;
  const s = selectorOf(t, args[0]);
  if (!s.ok) return s;
  const m = parseIndex(args[1], 'member handle');
  if (!m.ok) return m;
  const g = parseIndex(args[2], 'group handle');
  if (!g.ok) return g;
  const r = add ? s.value.obj.addMemberToGroup(g.value, m.value) : s.value.obj.removeMemberFromGroup(g.value, m.value);
  if (!r.ok) return r;
  return ok(add ? `Adding member ${m.value} to group ${g.value}` : `Removing member ${m.value} from group ${g.value}`);
}

function indirectTable(t: ControlTarget, given: string | undefined): Result<Table> {
  const table = findTable(t, given);
  if (!table.ok) return table;
  if (table.value.info.implementation === null) return err(`table '${table.value.info.name}' is not an indirect table (it has no action profile or selector)`);
  return table;
}

function tableIndirectAdd(t: ControlTarget, args: string[], kind: 'member' | 'group'): CommandResult {
  const usage = kind === 'member' ? 'table_indirect_add' : 'table_indirect_add_with_group';
  const bad = checkArity(args, 1, Infinity, usage);
  if (bad) return bad;
  const table = indirectTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  if (info.constEntries) return err(`table '${info.name}' has const entries: the control plane cannot add entries`);
  const parts = splitEntry(table.value, args.slice(1));
  if (!parts.ok) return parts;
  const keys = parseKeys(info, parts.value.keys);
  if (!keys.ok) return keys;
  if (parts.value.rest.length !== 1) return err(`expected exactly one ${kind} handle after '=>', got ${parts.value.rest.length} values; usage: ${commandUsage[usage]}`);
  const h = parseIndex(parts.value.rest[0], `${kind} handle`);
  if (!h.ok) return h;
  const r = kind === 'member' ? table.value.addMember(keys.value, parts.value.priority, h.value) : table.value.addGroup(keys.value, parts.value.priority, h.value);
  if (!r.ok) return r;
  resetDirectCounter(t, info, r.handle);
  return ok(`Entry has been added with handle ${r.handle}`);
}

function tableIndirectModify(t: ControlTarget, args: string[], kind: 'member' | 'group'): CommandResult {
  const bad = checkArity(args, 3, 3, kind === 'member' ? 'table_indirect_modify' : 'table_indirect_modify_with_group');
  if (bad) return bad;
  const table = indirectTable(t, args[0]);
  if (!table.ok) return table;
  const e = parseIndex(args[1], 'entry handle');
  if (!e.ok) return e;
  const h = parseIndex(args[2], `${kind} handle`);
  if (!h.ok) return h;
  const r = kind === 'member' ? table.value.modifyMember(e.value, h.value) : table.value.modifyGroup(e.value, h.value);
  return r.ok ? ok(`Modifying entry ${e.value} for ${table.value.info.name}`) : r;
}

function tableIndirectSetDefault(t: ControlTarget, args: string[], kind: 'member' | 'group'): CommandResult {
  const bad = checkArity(args, 2, 2, kind === 'member' ? 'table_indirect_set_default' : 'table_indirect_set_default_with_group');
  if (bad) return bad;
  const table = indirectTable(t, args[0]);
  if (!table.ok) return table;
  const info = table.value.info;
  if (info.defaultConst) return err(`table '${info.name}' has a const default action: it cannot be changed`);
  const h = parseIndex(args[1], `${kind} handle`);
  if (!h.ok) return h;
  const r = kind === 'member' ? table.value.setDefaultMember(h.value) : table.value.setDefaultGroup(h.value);
  return r.ok ? ok(`Setting default ${kind} of ${info.name} to ${h.value}`) : r;
}

function tableIndirectResetDefault(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'table_indirect_reset_default');
  if (bad) return bad;
  const table = indirectTable(t, args[0]);
  if (!table.ok) return table;
  return tableResetDefault(t, args);
}

// --- PRE and mirroring

function mirroringAdd(t: ControlTarget, args: string[], mc: boolean): CommandResult {
  const bad = checkArity(args, 2, 2, mc ? 'mirroring_add_mc' : 'mirroring_add');
  if (bad) return bad;
  const id = parseIndex(args[0], 'mirror id');
  if (!id.ok) return id;
  const target = parseIndex(args[1], mc ? 'multicast group' : 'egress port');
  if (!target.ok) return target;
  return mc ? t.mirroring.addMulticast(id.value, target.value) : t.mirroring.addPort(id.value, target.value);
}

function mirroringDelete(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'mirroring_delete');
  if (bad) return bad;
  const id = parseIndex(args[0], 'mirror id');
  return id.ok ? t.mirroring.delete(id.value) : id;
}

function mirroringGet(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'mirroring_get');
  if (bad) return bad;
  const id = parseIndex(args[0], 'mirror id');
  return id.ok ? t.mirroring.describe(id.value) : id;
}

function mcGroup(t: ControlTarget, args: string[], create: boolean): CommandResult {
  const bad = checkArity(args, 1, 1, create ? 'mc_mgrp_create' : 'mc_mgrp_destroy');
  if (bad) return bad;
  const g = parseIndex(args[0], 'group id');
  if (!g.ok) return g;
  return create ? t.pre.createGroup(g.value) : t.pre.destroyGroup(g.value);
}

/** `<ports...> [| <lags...>]` of mc_node_create / mc_node_update. */
function parsePortList(tokens: readonly string[]): Result<{ ports: number[]; lags: number[] }> {
  const bar = tokens.indexOf('|');
  const portTokens = bar < 0 ? tokens : tokens.slice(0, bar);
  const lagTokens = bar < 0 ? [] : tokens.slice(bar + 1);
  const ports: number[] = [];
  const lags: number[] = [];
  for (const p of portTokens) {
    const r = parseIndex(p, 'port');
    if (!r.ok) return r;
    ports.push(r.value);
  }
  for (const l of lagTokens) {
    const r = parseIndex(l, 'lag');
    if (!r.ok) return r;
    lags.push(r.value);
  }
  return { ok: true, value: { ports, lags } };
}

function mcNodeCreate(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, Infinity, 'mc_node_create');
  if (bad) return bad;
  const rid = parseIndex(args[0], 'rid');
  if (!rid.ok) return rid;
  const list = parsePortList(args.slice(1));
  if (!list.ok) return list;
  const r = t.pre.createNode(rid.value, list.value.ports, list.value.lags);
  return r.ok ? ok(r.message) : r;
}

function mcNodeUpdate(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, Infinity, 'mc_node_update');
  if (bad) return bad;
  const h = parseIndex(args[0], 'node handle');
  if (!h.ok) return h;
  const list = parsePortList(args.slice(1));
  if (!list.ok) return list;
  return t.pre.updateNode(h.value, list.value.ports, list.value.lags);
}

function mcNodeAssociate(t: ControlTarget, args: string[], associate: boolean): CommandResult {
  const bad = checkArity(args, 2, 2, associate ? 'mc_node_associate' : 'mc_node_dissociate');
  if (bad) return bad;
  const g = parseIndex(args[0], 'group id');
  if (!g.ok) return g;
  const h = parseIndex(args[1], 'node handle');
  if (!h.ok) return h;
  return associate ? t.pre.associate(g.value, h.value) : t.pre.dissociate(g.value, h.value);
}

function mcNodeDestroy(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'mc_node_destroy');
  if (bad) return bad;
  const h = parseIndex(args[0], 'node handle');
  return h.ok ? t.pre.destroyNode(h.value) : h;
}

function mcDump(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 0, 0, 'mc_dump');
  if (bad) return bad;
  return ok(t.pre.dump());
}

// --- counters, registers, meters

function counterRead(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, 2, 'counter_read');
  if (bad) return bad;
  const c = findExtern(t, t.counters, args[0], 'counter');
  if (!c.ok) return c;
  const i = parseIndex(args[1], 'index');
  if (!i.ok) return i;
  const v = c.value.obj.readEntry(i.value);
  if (!v.ok) return err(`${c.value.name}: ${v.error}`);
  return ok(`${c.value.name}[${i.value}]=  BmCounterValue(packets=${v.packets}, bytes=${v.bytes})`);
}

function counterReset(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'counter_reset');
  if (bad) return bad;
  const c = findExtern(t, t.counters, args[0], 'counter');
  if (!c.ok) return c;
  c.value.obj.reset();
  return ok('');
}

function counterWrite(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 4, 4, 'counter_write');
  if (bad) return bad;
  const c = findExtern(t, t.counters, args[0], 'counter');
  if (!c.ok) return c;
  const i = parseIndex(args[1], 'index');
  if (!i.ok) return i;
  const packets = parseValue(args[2], 64);
  if (!packets.ok) return err(`packets: ${packets.error}`);
  const bytes = parseValue(args[3], 64);
  if (!bytes.ok) return err(`bytes: ${bytes.error}`);
  const r = c.value.obj.write(i.value, packets.value, bytes.value);
  return r.ok ? ok('') : err(`${c.value.name}: ${r.error}`);
}

function registerRead(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 2, 'register_read');
  if (bad) return bad;
  const r = findExtern(t, t.registers, args[0], 'register');
  if (!r.ok) return r;
  const reg = r.value.obj;
  if (args.length === 1) {
    const values: string[] = [];
    for (let i = 0; i < reg.size; i++) values.push(String(reg.read(i)));
    return ok(`${r.value.name}= ${values.join(', ')}`);
  }
  const i = parseIndex(args[1], 'index');
  if (!i.ok) return i;
  const v = reg.readEntry(i.value);
  if (!v.ok) return err(`${r.value.name}: ${v.error}`);
  return ok(`${r.value.name}[${i.value}]= ${v.value}`);
}

function registerWrite(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 3, 3, 'register_write');
  if (bad) return bad;
  const r = findExtern(t, t.registers, args[0], 'register');
  if (!r.ok) return r;
  const i = parseIndex(args[1], 'index');
  if (!i.ok) return i;
  const v = parseValue(args[2], r.value.obj.width);
  if (!v.ok) return err(`${r.value.name}: ${v.error}`);
  const w = r.value.obj.write(i.value, v.value);
  return w.ok ? ok('') : err(`${r.value.name}: ${w.error}`);
}

function registerReset(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'register_reset');
  if (bad) return bad;
  const r = findExtern(t, t.registers, args[0], 'register');
  if (!r.ok) return r;
  r.value.obj.reset();
  return ok('');
}

/** `RATE:BURST` pairs: rate a non-negative decimal (units per microsecond), burst a non-negative integer. */
function parseRates(tokens: readonly string[]): Result<MeterRate[]> {
  if (tokens.length !== 2) return err(`give two RATE:BURST pairs (committed, then peak), got ${tokens.length}`);
  const out: MeterRate[] = [];
  for (const tok of tokens) {
    const m = /^([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?):([0-9]+)$/.exec(tok);
    if (m === null) return err(`'${tok}' is not RATE:BURST (e.g. 0.0001:16)`);
    out.push({ rate: Number(m[1]), burst: Number(m[2]) });
  }
  return { ok: true, value: out };
}

function meterSetRates(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, Infinity, 'meter_set_rates');
  if (bad) return bad;
  const m = findExtern(t, t.meters, args[0], 'meter');
  if (!m.ok) return m;
  const i = parseIndex(args[1], 'index');
  if (!i.ok) return i;
  const rates = parseRates(args.slice(2));
  if (!rates.ok) return rates;
  const r = m.value.obj.setRates(i.value, rates.value);
  return r.ok ? ok('') : err(`${m.value.name}: ${r.error}`);
}

function meterArraySetRates(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, Infinity, 'meter_array_set_rates');
  if (bad) return bad;
  const m = findExtern(t, t.meters, args[0], 'meter');
  if (!m.ok) return m;
  const rates = parseRates(args.slice(1));
  if (!rates.ok) return rates;
  const r = m.value.obj.setRates(null, rates.value);
  return r.ok ? ok('') : err(`${m.value.name}: ${r.error}`);
}

function meterGetRates(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 2, 2, 'meter_get_rates');
  if (bad) return bad;
  const m = findExtern(t, t.meters, args[0], 'meter');
  if (!m.ok) return m;
  const i = parseIndex(args[1], 'index');
  if (!i.ok) return i;
  const rates = m.value.obj.getRates(i.value);
  if (rates === null) return err(`${m.value.name}: index ${i.value} out of range: the meter array has ${m.value.obj.size} meters`);
  if (rates.length === 0) return ok(`${m.value.name}[${i.value}] has no rates configured`);
  return ok(rates.map((r, k) => `${k}: info rate = ${r.rate.toFixed(6)}, burst size = ${r.burst}`).join('\n'));
}

function parseBool(text: string | undefined): boolean | null {
  const t = text?.toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return null;
}

function setCrcParameters(t: ControlTarget, args: string[], width: 16 | 32): CommandResult {
  const usage = width === 16 ? 'set_crc16_parameters' : 'set_crc32_parameters';
  const bad = checkArity(args, 6, 6, usage);
  if (bad) return bad;
  if (t.hashes === undefined) return err(`${usage}: this program has no custom CRC calculations`);
  const h = findExtern(t, t.hashes, args[0], 'hash calculation');
  if (!h.ok) return h;
  const crc = h.value.obj.crc;
  if (crc === null || crc.width !== width) return err(`'${h.value.name}' is not a crc${width}_custom calculation`);
  const values: number[] = [];
  for (const [k, what] of [[1, 'polynomial'], [2, 'initial remainder'], [3, 'final xor value']] as const) {
    const v = parseValue(args[k], width);
    if (!v.ok) return err(`${what}: ${v.error}`);
    values.push(Number(v.value));
  }
  const reflectIn = parseBool(args[4]);
  const reflectOut = parseBool(args[5]);
  if (reflectIn === null || reflectOut === null) return err("reflect data and reflect remainder must be 'true' or 'false'");
  const r = crc.setParameters({ polynomial: values[0], init: values[1], xorOut: values[2], reflectIn, reflectOut });
  return r.ok ? ok('') : err(`${h.value.name}: ${r.error}`);
}

// Parser value sets: one integer per entry, of the set's compressed width (its element's fields
// concatenated by the user, first field most significant). Adding a value already there and
// removing one that is not are not errors (BMv2 does not warn either).
function pvsAddRemove(t: ControlTarget, args: string[], cmd: 'pvs_add' | 'pvs_remove'): CommandResult {
  const bad = checkArity(args, 2, 2, cmd);
  if (bad) return bad;
  const r = findExtern(t, t.valueSets ?? new Map<string, never>(), args[0], 'value set');
  if (!r.ok) return r;
  const v = parseValue(args[1], r.value.obj.width);
  if (!v.ok) return err(`${r.value.name}: ${v.error}`);
  const res = cmd === 'pvs_add' ? r.value.obj.add(v.value) : r.value.obj.remove(v.value);
  return res.ok ? ok('') : err(`${r.value.name}: ${res.error}`);
}

function pvsGet(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'pvs_get');
  if (bad) return bad;
  const r = findExtern(t, t.valueSets ?? new Map<string, never>(), args[0], 'value set');
  if (!r.ok) return r;
  const w = r.value.obj.width;
  return ok(r.value.obj.entries().map((v) => formatHex(v, w)).join('\n'));
}

function pvsClear(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 1, 1, 'pvs_clear');
  if (bad) return bad;
  const r = findExtern(t, t.valueSets ?? new Map<string, never>(), args[0], 'value set');
  if (!r.ok) return r;
  r.value.obj.clear();
  return ok('');
}

function showPvs(t: ControlTarget, args: string[]): CommandResult {
  const bad = checkArity(args, 0, 0, 'show_pvs');
  if (bad) return bad;
  return ok([...(t.valueSets ?? new Map()).entries()].map(([name, v]) => `${name.padEnd(24)} [bitwidth ${v.width}]`).join('\n'));
}

function help(_t: ControlTarget, args: string[]): CommandResult {
  if (args.length === 0) return ok(`Documented commands:\n${Object.keys(commandUsage).sort().join('  ')}`);
  const u = Object.prototype.hasOwnProperty.call(commandUsage, args[0]) ? commandUsage[args[0]] : undefined;
  return u === undefined ? err(`unknown command '${args[0]}'`) : ok(u);
}

const handlers: Readonly<Record<string, Handler>> = {
  table_add: tableAdd,
  table_set_default: tableSetDefault,
  table_reset_default: tableResetDefault,
  table_modify: tableModify,
  table_delete: (t, a) => tableDelete(t, a),
  table_dump: tableDump,
  table_clear: tableClear,
  table_num_entries: tableNumEntries,
  table_info: tableInfo,
  table_dump_entry: tableDumpEntry,
  table_show_actions: tableShowActions,
  show_tables: showTables,
  show_actions: showActions,
  act_prof_create_member: actProfCreateMember,
  act_prof_delete_member: actProfDeleteMember,
  act_prof_modify_member: actProfModifyMember,
  act_prof_create_group: actProfCreateGroup,
  act_prof_delete_group: actProfDeleteGroup,
  act_prof_add_member_to_group: (t, a) => actProfMemberGroup(t, a, true),
  act_prof_remove_member_from_group: (t, a) => actProfMemberGroup(t, a, false),
  table_indirect_add: (t, a) => tableIndirectAdd(t, a, 'member'),
  table_indirect_add_with_group: (t, a) => tableIndirectAdd(t, a, 'group'),
  table_indirect_delete: (t, a) => tableDelete(t, a, 'table_indirect_delete'),
  table_indirect_modify: (t, a) => tableIndirectModify(t, a, 'member'),
  table_indirect_modify_with_group: (t, a) => tableIndirectModify(t, a, 'group'),
  table_indirect_set_default: (t, a) => tableIndirectSetDefault(t, a, 'member'),
  table_indirect_set_default_with_group: (t, a) => tableIndirectSetDefault(t, a, 'group'),
  table_indirect_reset_default: tableIndirectResetDefault,
  mirroring_add: (t, a) => mirroringAdd(t, a, false),
  mirroring_add_mc: (t, a) => mirroringAdd(t, a, true),
  mirroring_delete: mirroringDelete,
  mirroring_get: mirroringGet,
  mc_mgrp_create: (t, a) => mcGroup(t, a, true),
  mc_mgrp_destroy: (t, a) => mcGroup(t, a, false),
  mc_node_create: mcNodeCreate,
  mc_node_update: mcNodeUpdate,
  mc_node_associate: (t, a) => mcNodeAssociate(t, a, true),
  mc_node_dissociate: (t, a) => mcNodeAssociate(t, a, false),
  mc_node_destroy: mcNodeDestroy,
  mc_dump: mcDump,
  counter_read: counterRead,
  counter_reset: counterReset,
  counter_write: counterWrite,
  register_read: registerRead,
  register_write: registerWrite,
  register_reset: registerReset,
  meter_set_rates: meterSetRates,
  meter_array_set_rates: meterArraySetRates,
  meter_get_rates: meterGetRates,
  set_crc16_parameters: (t, a) => setCrcParameters(t, a, 16),
  set_crc32_parameters: (t, a) => setCrcParameters(t, a, 32),
  pvs_add: (t, a) => pvsAddRemove(t, a, 'pvs_add'),
  pvs_remove: (t, a) => pvsAddRemove(t, a, 'pvs_remove'),
  pvs_get: pvsGet,
  pvs_clear: pvsClear,
  show_pvs: showPvs,
  help,
  tee_control: teeControl,
};

/** tee_control MODULE LINE...: the line goes to the enclave module as it is; its answer comes back. */
function teeControl(t: ControlTarget, args: string[]): CommandResult {
  if (args.length < 2) return err('expected: tee_control <module> <line...>');
  const f = (t as TeeControlTarget).teeControl;
  if (f === undefined) return err('this switch has no enclave modules (the program makes no TeeFunction call)');
  const answer = f(args[0], args.slice(1).join(' '));
  if (answer === null) return err(`no enclave module '${args[0]}'`);
  return answer.startsWith('error: ') ? err(answer.slice(7)) : ok(answer);
}
