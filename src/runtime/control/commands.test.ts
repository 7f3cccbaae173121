// simple_switch_CLI commands against a small program: every command parses and acts, and every
// refused command leaves the whole target unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatchKind } from '../abi.js';
import type { ActionInfo, ExternInfo, ProgramInfo, TableInfo } from '../abi.js';
import { MulticastEngine } from '../arch/pre.js';
import { MirrorSessions } from '../arch/mirroring.js';
import { CounterArray } from '../externs/counters.js';
import { MeterArray } from '../externs/meters.js';
import { RegisterArray } from '../externs/registers.js';
import { Hasher, HashAlgorithm } from '../externs/hash.js';
import { cliPriorityToTable, commandUsage, executeCommand, executeScript, resolveName } from './commands.js';
import type { ControlTarget } from './target.js';
import { Table } from '../tables/table.js';
import { createProfile } from '../tables/action-profile.js';
import type { ActionProfile, ActionSelector } from '../tables/action-profile.js';

// ---------------------------------------------------------------------------------------
// The program

const E = MatchKind.Exact, L = MatchKind.Lpm, T = MatchKind.Ternary, R = MatchKind.Range, O = MatchKind.Optional, S = MatchKind.Selector;

const actions: ActionInfo[] = [
  { id: 0, name: 'NoAction', params: [], defaultOnly: false, tableOnly: false },
  { id: 1, name: 'MyIngress.drop', params: [], defaultOnly: false, tableOnly: false },
  { id: 2, name: 'MyIngress.fwd', params: [{ name: 'port', width: 9 }], defaultOnly: false, tableOnly: false },
  { id: 3, name: 'MyIngress.set_nhop', params: [{ name: 'mac', width: 48 }, { name: 'port', width: 9 }], defaultOnly: false, tableOnly: false },
  { id: 4, name: 'MyEgress.drop', params: [], defaultOnly: false, tableOnly: false },
  { id: 5, name: 'MyIngress.miss', params: [], defaultOnly: true, tableOnly: false },
  { id: 6, name: 'MyIngress.hit_only', params: [], defaultOnly: false, tableOnly: true },
  { id: 7, name: 'MyIngress.set_v6', params: [{ name: 'addr', width: 128 }], defaultOnly: false, tableOnly: false },
];

function table(id: number, name: string, keys: [string, number, number][], actionIds: number[], extra: Partial<TableInfo> = {}): TableInfo {
  return {
    id, name, keys: keys.map(([n, match, width]) => ({ name: n, match: match as TableInfo['keys'][number]['match'], width })),
    actionIds, defaultActionId: actionIds[0], defaultArgs: [], defaultConst: false, size: 64, constEntries: false,
    entries: [], implementation: null, directCounter: null, directMeter: null, largestPriorityWins: false, ...extra,
  };
}

const tables: TableInfo[] = [
  table(0, 'MyIngress.smac', [['hdr.ethernet.srcAddr', E, 48]], [1, 2, 5, 6], { directCounter: 'MyIngress.smac_counter', size: 4 }),
  table(1, 'MyIngress.ipv4_lpm', [['hdr.ipv4.dstAddr', L, 32]], [1, 3, 0]),
  table(2, 'MyIngress.acl', [['hdr.ethernet.etherType', T, 16], ['hdr.ipv4.ttl', R, 8], ['meta.flag', O, 1]], [1, 2]),
  table(3, 'MyIngress.ecmp', [['hdr.ipv4.dstAddr', E, 32], ['hdr.ipv4.srcAddr', S, 32]], [2, 0], { implementation: 'MyIngress.ecmp_sel' }),
  table(4, 'MyIngress.fixed', [['hdr.ipv4.protocol', E, 8]], [1, 2], { constEntries: true, defaultConst: true }),
  table(5, 'MyEgress.smac', [['standard_metadata.egress_port', E, 9]], [4]),
  table(6, 'MyIngress.v6', [['hdr.ipv6.dstAddr', L, 128]], [7, 0]),
  table(7, 'MyIngress.prof_t', [['hdr.ipv4.protocol', E, 8]], [2, 1], { implementation: 'MyIngress.prof' }),
];

function ext(id: number, name: string, kind: ExternInfo['kind'], size: number, extra: Partial<ExternInfo> = {}): ExternInfo {
  return { id, name, kind, size, type: '', width: 0, algorithm: null, tables: [], ...extra };
}

const info: ProgramInfo = {
  program: 'test.p4', arch: 'v1model', phvWords: 0, fields: [], tables, actions, errors: [],
  externs: [
    ext(0, 'MyIngress.port_counter', 'counter', 4, { type: 'packets_and_bytes' }),
    ext(1, 'MyIngress.smac_counter', 'direct_counter', 0, { tables: ['MyIngress.smac'] }),
    ext(2, 'MyIngress.flows', 'register', 4, { width: 16 }),
    ext(3, 'MyIngress.big', 'register', 2, { width: 64 }),
    ext(4, 'MyIngress.policer', 'meter', 2, { type: 'bytes' }),
    ext(5, 'MyIngress.ecmp_sel', 'action_selector', 16, { tables: ['MyIngress.ecmp'], algorithm: 'crc16', width: 16 }),
    ext(6, 'MyIngress.prof', 'action_profile', 16, { tables: ['MyIngress.prof_t'] }),
  ],
};

function makeTarget(tableInfos: TableInfo[] = tables): ControlTarget & { sel: ActionSelector; prof: ActionProfile } {
  const program = { ...info, tables: tableInfos };
  const sel = createProfile(info.externs[5], program) as ActionSelector;
  const prof = createProfile(info.externs[6], program);
  return {
    info: program,
    tables: tableInfos.map((x) => new Table(x, actions, { profile: x.implementation === null ? null : x.implementation === 'MyIngress.prof' ? prof : sel })),
    profiles: new Map<string, ActionProfile | ActionSelector>([['MyIngress.ecmp_sel', sel], ['MyIngress.prof', prof]]),
    counters: new Map([['MyIngress.port_counter', new CounterArray(4, 'packets_and_bytes')], ['MyIngress.smac_counter', new CounterArray(4, 'packets_and_bytes')]]),
    meters: new Map([['MyIngress.policer', new MeterArray(2, 'bytes')]]),
    registers: new Map([['MyIngress.flows', new RegisterArray(4, 16)], ['MyIngress.big', new RegisterArray(2, 64)]]),
    pre: new MulticastEngine(),
    mirroring: new MirrorSessions(),
    hashes: new Map([['calc_crc16', new Hasher(HashAlgorithm.crc16_custom)], ['calc_crc32', new Hasher(HashAlgorithm.crc32_custom)], ['calc_plain', new Hasher(HashAlgorithm.crc32)]]),
    sel,
    prof,
  };
}

/** Everything a command could change, as comparable text. */
function snapshot(t: ReturnType<typeof makeTarget>): string {
  const big = (_: string, v: unknown): unknown => (typeof v === 'bigint' ? `${v}n` : v instanceof Float64Array || v instanceof Uint32Array || v instanceof Uint8Array ? [...v] : v);
  return JSON.stringify({
    tables: t.tables.map((x) => ({ entries: x.list(), def: x.getDefault() })),
    sel: [t.sel.listMembers(), t.sel.listGroups()],
    prof: t.prof.listMembers(),
    pre: t.pre.dump(),
    mirroring: t.mirroring.list(),
    counters: [...t.counters.values()].map((c) => [c.packets, c.bytes]),
    registers: [...t.registers.values()].map((r) => r.words),
    meters: [...t.meters.values()].map((m) => [m.configured, m.cir, m.pir, m.cbs, m.pbs]),
    crc: [...(t.hashes ?? new Map()).values()].map((h) => h.crc?.parameters ?? null),
  }, big);
}

function run(t: ControlTarget, line: string): string {
  const r = executeCommand(t, line);
  assert.ok(r.ok, `${line}: ${r.ok ? '' : r.error}`);
  return r.ok ? r.message : '';
}

function refuse(t: ReturnType<typeof makeTarget>, line: string, reason: RegExp): void {
  const before = snapshot(t);
  const r = executeCommand(t, line);
  assert.equal(r.ok, false, `${line} should be refused`);
  assert.match(r.ok ? '' : r.error, reason, line);
  assert.equal(snapshot(t), before, `${line} changed state`);
}

// ---------------------------------------------------------------------------------------

test('names resolve fully qualified or by an unambiguous suffix', () => {
  const names = ['MyIngress.smac', 'MyEgress.smac', 'MyIngress.ipv4_lpm'];
  assert.deepEqual(resolveName(names, 'ipv4_lpm', 'table'), { ok: true, value: 'MyIngress.ipv4_lpm' });
  assert.deepEqual(resolveName(names, 'MyEgress.smac', 'table'), { ok: true, value: 'MyEgress.smac' });
  const amb = resolveName(names, 'smac', 'table');
  assert.equal(amb.ok, false);
  assert.match(amb.ok ? '' : amb.error, /ambiguous: MyIngress.smac, MyEgress.smac/);
  assert.equal(resolveName(names, 'mac', 'table').ok, false, 'a suffix must start at a dot');
  assert.deepEqual(resolveName(['.top', 'a.b'], 'top', 'table'), { ok: true, value: '.top' });
  assert.deepEqual(resolveName(['top', 'a.b'], '.top', 'table'), { ok: true, value: 'top' });
});

test('table_add on exact, lpm, ternary/range/optional tables, and table_dump', () => {
  const t = makeTarget();
  assert.equal(run(t, 'table_add MyIngress.smac fwd 00:11:22:33:44:55 => 3'), 'Entry has been added with handle 0');
  assert.equal(run(t, 'table_add ipv4_lpm set_nhop 10.0.0.0/8 => aa:bb:cc:dd:ee:ff 0x1ff'), 'Entry has been added with handle 0');
  assert.equal(run(t, 'table_add ipv4_lpm NoAction 0.0.0.0/0 =>'), 'Entry has been added with handle 1');
  assert.equal(run(t, 'table_add ipv4_lpm NoAction 1.0.0.0/8'), 'Entry has been added with handle 2');
  assert.equal(run(t, 'table_add acl fwd 0x0800&&&0xffff 1->64 1&&&1 => 2 10'), 'Entry has been added with handle 0');
  assert.equal(run(t, 'table_add acl drop 0&&&0 0->255 0&&&0 => 20'), 'Entry has been added with handle 1');
  assert.equal(run(t, 'table_add acl drop 0&&&0 0->255 0 =>20'), 'Entry has been added with handle 2');
  assert.equal(run(t, 'table_add v6 set_v6 2001:db8::/32 => ::1'), 'Entry has been added with handle 0');
  const lpm = t.tables[1].list();
  assert.deepEqual(lpm[0], { handle: 0, keys: [{ kind: 'lpm', value: 0x0a000000n, prefixLength: 8 }], priority: 0, actionId: 3, args: [0xaabbccddeeffn, 0x1ffn] });
  const acl = t.tables[2].list();
  assert.deepEqual(acl[0].keys, [{ kind: 'ternary', value: 0x800n, mask: 0xffffn }, { kind: 'range', low: 1n, high: 64n }, { kind: 'optional', value: 1n, wildcard: false }]);
  assert.equal(acl[0].priority, 10);
  assert.deepEqual(acl[1].keys[2], { kind: 'optional', value: 0n, wildcard: true });
  assert.equal(run(t, 'table_num_entries acl'), '3');
  const dump = run(t, 'table_dump acl');
  assert.match(dump, /^==========\nTABLE ENTRIES\n\*\*\*\*\*\*\*\*\*\*\nDumping entry 0x0\nMatch key:\n/);
  assert.match(dump, /\* hdr\.ethernet\.etherType : TERNARY   0800 &&& ffff\n\* hdr\.ipv4\.ttl           : RANGE     01 -> 40\n\* meta\.flag              : TERNARY   01 &&& 01\nPriority: 10\nAction entry: MyIngress\.fwd - 0002\n/);
  assert.match(dump, /Dumping default entry\nAction entry: MyIngress\.drop - \n==========$/);
});

test('table_add refusals name the problem and change nothing', () => {
  const t = makeTarget();
  run(t, 'table_add ipv4_lpm set_nhop 10.0.0.0/8 => 1 2');
  refuse(t, 'table_add nosuch drop 1', /unknown table 'nosuch'/);
  refuse(t, 'table_add smac drop 1', /ambiguous/);
  refuse(t, 'table_add ipv4_lpm nosuch 10.0.0.0/8', /unknown action 'nosuch'/);
  refuse(t, 'table_add ipv4_lpm fwd 10.0.0.0/8 => 1', /'MyIngress.fwd' is not an action of table 'MyIngress.ipv4_lpm'/);
  refuse(t, 'table_add ipv4_lpm drop', /needs 1 match key .*got 0/);
  refuse(t, 'table_add ipv4_lpm drop 1.0.0.0/8 2.0.0.0/8', /needs 1 match key/);
  refuse(t, 'table_add ipv4_lpm set_nhop 11.0.0.0/8 => 1', /takes 2 parameters .*got 1/);
  refuse(t, 'table_add ipv4_lpm set_nhop 11.0.0.0/8 => 1 2 3', /takes 2 parameters.*takes no priority/);
  refuse(t, 'table_add ipv4_lpm set_nhop 11.0.0.0/8 => 1 512', /parameter 'port'.*too wide for 9 bits/);
  refuse(t, 'table_add ipv4_lpm set_nhop 11.0.0.0/33 => 1 2', /prefix length 33/);
  refuse(t, 'table_add ipv4_lpm set_nhop 11.0.0.0 => 1 2', /lpm key/);
  refuse(t, 'table_add ipv4_lpm set_nhop 10.0.0.0/8 => 1 2', /already has an entry with this key/);
  refuse(t, 'table_add ipv4_lpm set_nhop 10.0.0.0/8 => 1 2 => 3', /more than once/);
  refuse(t, 'table_add acl drop 0&&&0 0->255 0&&&0', /priority must be given/);
  refuse(t, 'table_add acl drop 0&&&0 0->255 0&&&0 => x', /priority 'x'/);
  refuse(t, 'table_add acl drop 0&&&0 0->256 0&&&0 => 1', /too wide for 8 bits/);
  refuse(t, 'table_add acl drop 0&&&0 0->255 0&&&0x1 0&&&0 => 1', /needs 3 match keys/);
  refuse(t, 'table_add smac miss 00:00:00:00:00:01', /ambiguous/);
  refuse(t, 'table_add MyIngress.smac miss 00:00:00:00:00:01', /@defaultonly/);
  refuse(t, 'table_add fixed drop 6', /const entries/);
  refuse(t, 'table_add MyIngress.smac', /wrong number of arguments/);
  refuse(t, 'table_add', /wrong number of arguments/);
  refuse(t, 'frobnicate 1 2', /unknown command 'frobnicate'/);
});

test('table_modify, table_delete, table_clear, defaults', () => {
  const t = makeTarget();
  run(t, 'table_add MyIngress.smac fwd 1 => 3');
  run(t, 'table_add MyIngress.smac fwd 2 => 4');
  assert.equal(run(t, 'table_modify MyIngress.smac drop 0'), 'Modifying entry 0 for MyIngress.smac');
  run(t, 'table_modify MyIngress.smac fwd 1 => 9');
  assert.deepEqual(t.tables[0].list().map((e) => [e.actionId, e.args]), [[1, []], [2, [9n]]]);
  refuse(t, 'table_modify MyIngress.smac fwd 7 => 9', /has no entry with handle 7/);
  refuse(t, 'table_modify MyIngress.smac fwd 1 => 999', /too wide/);
  refuse(t, 'table_modify MyIngress.smac fwd x 1', /entry handle 'x'/);
  refuse(t, 'table_modify MyIngress.smac miss 1', /@defaultonly/);
  assert.equal(run(t, 'table_delete MyIngress.smac 0'), 'Deleting entry 0 from MyIngress.smac');
  refuse(t, 'table_delete MyIngress.smac 0', /has no entry with handle 0/);
  refuse(t, 'table_delete MyIngress.smac', /wrong number/);
  refuse(t, 'table_delete fixed 0', /const entries/);
  assert.equal(run(t, 'table_num_entries MyIngress.smac'), '1');
  run(t, 'table_clear MyIngress.smac');
  assert.equal(run(t, 'table_num_entries MyIngress.smac'), '0');
  refuse(t, 'table_clear fixed', /const entries/);

  assert.match(run(t, 'table_set_default MyIngress.smac fwd 5'), /^Setting default action of MyIngress.smac/);
  assert.deepEqual(t.tables[0].getDefault(), { actionId: 2, args: [5n] });
  run(t, 'table_set_default MyIngress.smac miss');
  assert.deepEqual(t.tables[0].getDefault(), { actionId: 5, args: [] });
  refuse(t, 'table_set_default MyIngress.smac hit_only', /@tableonly/);
  refuse(t, 'table_set_default MyIngress.smac fwd', /takes 1 parameter/);
  refuse(t, 'table_set_default fixed drop', /const default action/);
  refuse(t, 'table_reset_default fixed', /const default action/);
  run(t, 'table_reset_default MyIngress.smac');
  assert.deepEqual(t.tables[0].getDefault(), { actionId: 1, args: [] });
});

test('a new entry starts with a zero direct counter', () => {
  const t = makeTarget();
  const dc = t.counters.get('MyIngress.smac_counter') as CounterArray;
  dc.count(0, 100);
  run(t, 'table_add MyIngress.smac drop 1');
  assert.equal(dc.packets[0], 0);
  dc.count(0, 100);
  assert.equal(run(t, 'counter_read smac_counter 0'), 'MyIngress.smac_counter[0]=  BmCounterValue(packets=1, bytes=100)');
});

test('show_tables, show_actions, table_info, help', () => {
  const t = makeTarget();
  const tablesText = run(t, 'show_tables');
  assert.match(tablesText, /^MyIngress\.smac\s+\[implementation=None, mk=hdr\.ethernet\.srcAddr\(exact, 48\)\]$/m);
  assert.match(tablesText, /^MyIngress\.acl\s+\[implementation=None, mk=hdr\.ethernet\.etherType\(ternary, 16\),\thdr\.ipv4\.ttl\(range, 8\),\tmeta\.flag\(ternary, 1\)\]$/m);
  assert.match(tablesText, /^MyIngress\.ecmp\s+\[implementation=MyIngress\.ecmp_sel, /m);
  assert.match(run(t, 'show_actions'), /^MyIngress\.set_nhop\s+\[mac\(48\),\tport\(9\)\]$/m);
  assert.equal(run(t, 'table_show_actions ipv4_lpm').split('\n').length, 3);
  run(t, 'table_add ipv4_lpm set_nhop 10.0.0.0/8 => 1 2');
  assert.equal(run(t, 'table_dump_entry ipv4_lpm 0'), 'Dumping entry 0x0\nMatch key:\n* hdr.ipv4.dstAddr : LPM       0a000000/8\nAction entry: MyIngress.set_nhop - 000000000001, 0002');
  assert.equal(executeCommand(t, 'table_dump_entry ipv4_lpm 1').ok, false);
  const ti = run(t, 'table_info ipv4_lpm');
  assert.match(ti, /^MyIngress\.ipv4_lpm\s+\[implementation=None, mk=hdr\.ipv4\.dstAddr\(lpm, 32\)\]\n\*{20}\nMyIngress\.drop/);
  assert.match(run(t, 'help'), /table_add/);
  assert.equal(run(t, 'help mc_node_create'), commandUsage.mc_node_create);
  assert.equal(executeCommand(t, 'help nope').ok, false);
  assert.equal(executeCommand(t, 'show_tables extra').ok, false);
  assert.deepEqual(executeCommand(t, '   '), { ok: true, message: '' });
  assert.deepEqual(executeCommand(t, 'mirroring_add 3 4 # trailing comment'), { ok: true, message: '' });
});

test('action profiles and selectors, indirect tables', () => {
  const t = makeTarget();
  assert.equal(run(t, 'act_prof_create_member ecmp_sel fwd 1'), 'Member has been created with handle 0');
  assert.equal(run(t, 'act_prof_create_member MyIngress.ecmp_sel fwd 2'), 'Member has been created with handle 1');
  run(t, 'act_prof_modify_member ecmp_sel fwd 1 => 3');
  assert.deepEqual(t.sel.member(1), { handle: 1, actionId: 2, args: [3n] });
  assert.equal(run(t, 'act_prof_create_group ecmp_sel'), 'Group has been created with handle 0');
  run(t, 'act_prof_add_member_to_group ecmp_sel 0 0');
  run(t, 'act_prof_add_member_to_group ecmp_sel 1 0');
  assert.deepEqual(t.sel.group(0)?.members, [0, 1]);
  run(t, 'act_prof_remove_member_from_group ecmp_sel 0 0');
  assert.deepEqual(t.sel.group(0)?.members, [1]);
  assert.equal(run(t, 'table_indirect_add ecmp 10.0.0.1 => 0'), 'Entry has been added with handle 0');
  assert.equal(run(t, 'table_indirect_add_with_group ecmp 10.0.0.2 => 0'), 'Entry has been added with handle 1');
  assert.deepEqual(t.tables[3].list().map((e) => [e.keys, e.member, e.group]), [
    [[{ kind: 'exact', value: 0x0a000001n }], 0, undefined],
    [[{ kind: 'exact', value: 0x0a000002n }], undefined, 0],
  ]);
  assert.match(run(t, 'table_dump ecmp'), /Index: member\(0\)[\s\S]*Index: group\(0\)/);
  run(t, 'table_indirect_set_default ecmp 1');
  run(t, 'table_indirect_set_default_with_group ecmp 0');
  run(t, 'table_indirect_reset_default ecmp');
  run(t, 'table_indirect_delete ecmp 0');
  assert.equal(run(t, 'table_num_entries ecmp'), '1');
  refuse(t, 'act_prof_delete_group ecmp_sel 0', /still used/);
  refuse(t, 'act_prof_add_member_to_group ecmp_sel 1 0', /already in group/);
  refuse(t, 'act_prof_remove_member_from_group ecmp_sel 0 0', /not in group/);
  refuse(t, 'act_prof_delete_member ecmp_sel 1', /still used/);
  refuse(t, 'table_indirect_modify ecmp 1 9', /has no member 9/);
  refuse(t, 'table_indirect_modify_with_group ecmp 1 9', /has no group 9/);
  assert.equal(run(t, 'table_indirect_modify ecmp 1 0'), 'Modifying entry 1 for MyIngress.ecmp');
  assert.equal(t.tables[3].getEntry(1)?.member, 0);
  run(t, 'act_prof_delete_group ecmp_sel 0');
  run(t, 'act_prof_delete_member ecmp_sel 1');
  run(t, 'act_prof_create_member prof drop');
  run(t, 'act_prof_delete_member prof 0');

  refuse(t, 'act_prof_create_member nosuch fwd 1', /unknown action profile 'nosuch'/);
  refuse(t, 'act_prof_create_member ecmp_sel set_nhop 1 2', /not an action of the tables using 'MyIngress.ecmp_sel'/);
  refuse(t, 'act_prof_create_member ecmp_sel fwd 600', /too wide/);
  refuse(t, 'act_prof_create_member ecmp_sel fwd', /takes 1 parameter/);
  refuse(t, 'act_prof_modify_member ecmp_sel fwd 9 1', /has no member 9/);
  refuse(t, 'act_prof_delete_member ecmp_sel 9', /has no member 9/);
  refuse(t, 'act_prof_create_group prof', /not an action selector/);
  refuse(t, 'act_prof_add_member_to_group prof 0 0', /not an action selector/);
  refuse(t, 'act_prof_add_member_to_group ecmp_sel 0 7', /has no group 7/);
  refuse(t, 'act_prof_remove_member_from_group ecmp_sel 0 7', /has no group 7/);
  refuse(t, 'table_indirect_add ipv4_lpm 10.0.0.0/8 => 0', /not an indirect table/);
  refuse(t, 'table_indirect_add ecmp 10.0.0.9 => 0 1', /exactly one member handle/);
  refuse(t, 'table_indirect_add ecmp 10.0.0.9', /exactly one member handle/);
  refuse(t, 'table_indirect_add ecmp 10.0.0.9 1.1.1.1 => 0', /needs 1 match key/);
  refuse(t, 'table_indirect_add ecmp 10.0.0.2 => 0', /already has an entry with this key/);
  refuse(t, 'table_indirect_set_default ecmp x', /member handle 'x'/);
  refuse(t, 'table_indirect_delete ecmp 5', /has no entry with handle/);
});

test('PRE and mirroring commands', () => {
  const t = makeTarget();
  assert.equal(run(t, 'mc_mgrp_create 1113'), 'Creating multicast group 1113');
  assert.equal(run(t, 'mc_node_create 5 0 3'), 'Creating node with rid 5 , port map 1001 and lag map \nnode was created with handle 0');
  run(t, 'mc_node_create 10 7 |');
  run(t, 'mc_node_create 11');
  assert.equal(run(t, 'mc_node_associate 1113 0'), 'Associating node 0 to multicast group 1113');
  run(t, 'mc_node_associate 1113 1');
  run(t, 'mc_node_update 1 7 8');
  assert.equal(run(t, 'mc_dump'), [
    '==========', 'MC ENTRIES', '**********', 'mgrp(1113)',
    '  -> (L1h=0, rid=5) -> (ports=[0, 3], lags=[])',
    '  -> (L1h=1, rid=10) -> (ports=[7, 8], lags=[])',
    '==========', 'LAGS', '=========='].join('\n'));
  assert.equal(t.pre.copies(1113), 4);
  run(t, 'mc_node_dissociate 1113 0');
  run(t, 'mc_node_destroy 0');
  run(t, 'mc_mgrp_destroy 1113');
  refuse(t, 'mc_mgrp_create', /wrong number/);
  refuse(t, 'mc_mgrp_create abc', /group id 'abc'/);
  refuse(t, 'mc_mgrp_destroy 1113', /INVALID_MGID/);
  refuse(t, 'mc_node_create 5 1 | 2', /LAG/);
  refuse(t, 'mc_node_create 5 1 x', /port 'x'/);
  refuse(t, 'mc_node_create 5 999', /port 999/);
  refuse(t, 'mc_node_associate 1 1', /INVALID_MGID/);
  refuse(t, 'mc_node_destroy 0', /INVALID_L1_HANDLE/);
  refuse(t, 'mc_node_update 9 1', /INVALID_L1_HANDLE/);

  assert.equal(run(t, 'mirroring_add 5 7'), '');
  assert.equal(run(t, 'mirroring_get 5'), 'MirroringSessionConfig(mgid=None, port=7)');
  run(t, 'mirroring_add_mc 5 22');
  assert.deepEqual(t.mirroring.get(5), { id: 5, port: -1, group: 22 });
  run(t, 'mirroring_delete 5');
  refuse(t, 'mirroring_get 5', /SESSION_NOT_FOUND/);
  refuse(t, 'mirroring_delete 5', /SESSION_NOT_FOUND/);
  refuse(t, 'mirroring_add 40000 1', /INVALID_MIRROR_ID/);
  refuse(t, 'mirroring_add 1 1000', /egress port 1000/);
  refuse(t, 'mirroring_add 1', /wrong number/);
});

test('counters, registers, meters', () => {
  const t = makeTarget();
  const c = t.counters.get('MyIngress.port_counter') as CounterArray;
  c.count(2, 64);
  assert.equal(run(t, 'counter_read port_counter 2'), 'MyIngress.port_counter[2]=  BmCounterValue(packets=1, bytes=64)');
  run(t, 'counter_write port_counter 1 5 500');
  assert.equal(run(t, 'counter_read port_counter 1'), 'MyIngress.port_counter[1]=  BmCounterValue(packets=5, bytes=500)');
  refuse(t, 'counter_read port_counter 4', /out of range/);
  refuse(t, 'counter_read nosuch 0', /unknown counter/);
  refuse(t, 'counter_write port_counter 9 1 1', /out of range/);
  refuse(t, 'counter_write port_counter 0 x 1', /packets/);
  run(t, 'counter_reset port_counter');
  assert.equal(c.packets[2], 0);

  run(t, 'register_write flows 3 0xbeef');
  assert.equal(run(t, 'register_read flows 3'), 'MyIngress.flows[3]= 48879');
  assert.equal(run(t, 'register_read flows'), 'MyIngress.flows= 0, 0, 0, 48879');
  run(t, 'register_write big 1 0x1122334455667788');
  assert.equal(run(t, 'register_read big 1'), `MyIngress.big[1]= ${0x1122334455667788n}`);
  run(t, 'register_write flows 0 -1');
  assert.equal(run(t, 'register_read flows 0'), 'MyIngress.flows[0]= 65535');
  refuse(t, 'register_write flows 0 0x10000', /too wide for 16 bits/);
  refuse(t, 'register_write flows 4 1', /out of range/);
  refuse(t, 'register_read flows 4', /out of range/);
  refuse(t, 'register_write flows 1', /wrong number/);
  run(t, 'register_reset flows');
  assert.equal(run(t, 'register_read flows'), 'MyIngress.flows= 0, 0, 0, 0');

  run(t, 'meter_set_rates policer 1 0.5:100 1:200');
  assert.equal(run(t, 'meter_get_rates policer 1'), '0: info rate = 0.500000, burst size = 100\n1: info rate = 1.000000, burst size = 200');
  run(t, 'meter_array_set_rates policer 0.1:10 0.2:20');
  assert.match(run(t, 'meter_get_rates policer 0'), /^0: info rate = 0.100000, burst size = 10/);
  refuse(t, 'meter_set_rates policer 2 1:1 1:1', /out of range/);
  refuse(t, 'meter_set_rates policer 0 1:1', /two RATE:BURST/);
  refuse(t, 'meter_set_rates policer 0 1:1 x:1', /not RATE:BURST/);
  refuse(t, 'meter_set_rates policer 0 2:1 1:1', /committed rate/);
  refuse(t, 'meter_get_rates policer 5', /out of range/);
});

test('set_crc16_parameters and set_crc32_parameters', () => {
  const t = makeTarget();
  run(t, 'set_crc16_parameters calc_crc16 0x1021 0xffff 0x0000 false false');
  assert.deepEqual(t.hashes?.get('calc_crc16')?.crc?.parameters, { polynomial: 0x1021, init: 0xffff, xorOut: 0, reflectIn: false, reflectOut: false });
  // CRC-16/CCITT-FALSE of "123456789" is 0x29b1.
  const data = new TextEncoder().encode('123456789');
  assert.equal(t.hashes?.get('calc_crc16')?.compute(data, data.length), 0x29b1);
  run(t, 'set_crc32_parameters calc_crc32 0x04c11db7 0xffffffff 0xffffffff true true');
  refuse(t, 'set_crc32_parameters calc_crc16 1 1 1 true true', /not a crc32_custom/);
  refuse(t, 'set_crc16_parameters calc_plain 1 1 1 true true', /not a crc16_custom/);
  refuse(t, 'set_crc16_parameters calc_crc16 0x10000 1 1 true true', /polynomial: .*too wide/);
  refuse(t, 'set_crc16_parameters calc_crc16 1 1 1 maybe true', /'true' or 'false'/);
  refuse(t, 'set_crc16_parameters nosuch 1 1 1 true true', /unknown hash calculation/);
});

test('executeScript skips comments and blank lines and reports line numbers', () => {
  const t = makeTarget();
  const out = executeScript(t, '# setup\n\ntable_add MyIngress.smac drop 1   # a comment\r\nbogus\n  mirroring_add 1 2\n');
  assert.deepEqual(out.map((o) => [o.line, o.command, o.result.ok]), [
    [3, 'table_add MyIngress.smac drop 1', true],
    [4, 'bogus', false],
    [5, 'mirroring_add 1 2', true],
  ]);
});

test('fuzzed command lines never throw', () => {
  const t = makeTarget();
  const words = ['table_add', 'acl', 'ipv4_lpm', 'smac', 'ecmp', 'drop', 'fwd', '=>', '1', '0x', '10.0.0.0/8', '1&&&1', '1->2', '-1', '::', 'mc_node_create',
    'mc_mgrp_create', 'mirroring_add', 'register_write', 'flows', 'counter_read', 'port_counter', 'meter_set_rates', 'policer', '1:1', 'act_prof_create_group',
    'ecmp_sel', 'table_indirect_add', '|', '99999999999999999999', 'set_crc16_parameters', 'calc_crc16', 'help', 'table_dump', 'mc_dump', '__proto__', 'constructor'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    const n = 1 + rnd(7);
    const line = Array.from({ length: n }, () => words[rnd(words.length)]).join(' ');
    const r = executeCommand(t, line);
    assert.equal(typeof r.ok, 'boolean');
  }
});

test('CLI priorities: the smaller number wins, whichever way the table compares', () => {
  for (const largestPriorityWins of [false, true]) {
    const tern = table(0, 'MyIngress.tern', [['meta.x', T, 8]], [2, 1], { largestPriorityWins });
    const t = makeTarget([tern]);
    run(t, 'table_add tern fwd 0&&&0 => 7 20');
    run(t, 'table_add tern fwd 5&&&0xff => 8 10');
    run(t, 'table_add tern fwd 0&&&0 => 9 5');
    const tbl = t.tables[0];
    tbl.key[0] = 5;
    assert.equal(tbl.lookup(), true);
    assert.equal(tbl.data[tbl.dataOffset], 9, `largestPriorityWins=${largestPriorityWins}`);
    run(t, 'table_delete tern 2');
    assert.equal(tbl.lookup(), true);
    assert.equal(tbl.data[tbl.dataOffset], 8);
    tbl.key[0] = 6;
    tbl.lookup();
    assert.equal(tbl.data[tbl.dataOffset], 7);
    assert.deepEqual([...run(t, 'table_dump tern').matchAll(/Priority: (\d+)/g)].map((m) => m[1]), ['20', '10']);
    assert.equal(cliPriorityToTable(tern, cliPriorityToTable(tern, 10)), 10);
    refuse(t, 'table_add tern fwd 0&&&0 => 7 20', /already has an entry/);
    refuse(t, 'table_add tern fwd 1&&&0 => 7 0x80000000', /out of range/);
  }
});
