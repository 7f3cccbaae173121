// Tests of action profiles and selectors, and of tables in indirect mode (entries pointing at
// members or groups, member choice by the data plane's hash, reference counts, refusals).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatchKind } from '../abi.js';
import type { ExternInfo, KeyMatch, ProgramInfo } from '../abi.js';
import { ActionProfile, ActionSelector, createProfile } from './action-profile.js';
import { Table } from './table.js';
import { ACTIONS, key, probe, setKey, tableInfo } from './testing.js';

const ex = (value: bigint): KeyMatch => ({ kind: 'exact', value });

function handle(r: { ok: true; handle: number } | { ok: false; error: string }): number {
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.handle;
}

function refused(r: { ok: boolean; error?: string }, pattern: RegExp): void {
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, pattern);
}

test('action profile members: create, modify, delete, full, validation', () => {
  const p = new ActionProfile('c.prof', 2, ACTIONS, [0, 1, 2, 4]);
  assert.equal(p.stride, 3);
  const m0 = handle(p.createMember(2, [5n, 0x112233445566n]));
  const m1 = handle(p.createMember(1, [9n]));
  assert.deepEqual([m0, m1], [0, 1]);
  refused(p.createMember(1, [1n]), /full \(2 members\)/);
  refused(p.createMember(3, [1n]), /not an action of the tables using c.prof/);
  refused(p.createMember(4, []), /@defaultonly/);
  refused(p.createMember(1, [1n << 32n]), /does not fit/);
  refused(p.createMember(77, []), /unknown action id 77/);
  assert.deepEqual(p.member(m0), { handle: 0, actionId: 2, args: [5n, 0x112233445566n] });
  assert.equal(p.data[0], 5);
  assert.equal(p.data[1], 0x33445566);
  assert.equal(p.data[2], 0x1122);
  assert.ok(p.modifyMember(m0, 1, [7n]).ok);
  assert.deepEqual([p.data[0], p.data[1], p.data[2]], [7, 0, 0]);
  refused(p.modifyMember(5, 1, [7n]), /no member 5/);
  assert.ok(p.deleteMember(m0).ok);
  refused(p.deleteMember(m0), /no member 0/);
  assert.equal(handle(p.createMember(0, [])), 0);
  assert.equal(p.memberCount, 2);
  assert.equal(p.listMembers().length, 2);
});

test('indirect table: entries and default point at members', () => {
  const p = new ActionProfile('c.prof', 16, ACTIONS, [0, 1, 2]);
  const t = new Table(tableInfo([key('f', MatchKind.Exact, 8)], { actionIds: [0, 1, 2], implementation: 'c.prof' }), ACTIONS, { profile: p });
  assert.equal(t.indirect, true);
  const m = handle(p.createMember(1, [100n]));
  const e = handle(t.addMember([ex(1n)], 0, m));
  assert.deepEqual(probe(t, [1n]), { hit: true, actionId: 1, arg0: 100n, entry: e });
  assert.deepEqual(t.list()[0], { handle: e, keys: [ex(1n)], priority: 0, actionId: 1, args: [100n], member: m });
  // modifying the member changes what the entry does
  assert.ok(p.modifyMember(m, 1, [101n]).ok);
  assert.equal(probe(t, [1n]).arg0, 101n);
  refused(p.deleteMember(m), /still used by 1/);
  refused(t.addMember([ex(2n)], 0, 9), /no member 9/);
  refused(t.addMember([ex(1n)], 0, m), /already has an entry/);
  refused(t.addGroup([ex(2n)], 0, 0), /no action selector/);
  // default member
  const m2 = handle(p.createMember(2, [3n, 4n]));
  assert.ok(t.setDefaultMember(m2).ok);
  assert.deepEqual(probe(t, [7n]), { hit: false, actionId: 2, arg0: 3n, entry: -1 });
  assert.deepEqual(t.getDefault(), { actionId: 2, args: [3n, 4n], member: m2 });
  refused(p.deleteMember(m2), /still used/);
  t.resetDefault();
  assert.deepEqual(probe(t, [7n]), { hit: false, actionId: 0, arg0: -1n, entry: -1 });
  // entry moved to another member, then to a direct action; references follow
  assert.ok(t.modifyMember(e, m2).ok);
  assert.equal(probe(t, [1n]).actionId, 2);
  assert.ok(p.deleteMember(m).ok);
  assert.ok(t.modify(e, 1, [55n]).ok);
  assert.equal(probe(t, [1n]).arg0, 55n);
  assert.ok(p.deleteMember(m2).ok);
  // a direct add works on an indirect table too (program entries, STF `add`)
  const d = handle(t.add([ex(3n)], 0, 1, [33n]));
  assert.equal(probe(t, [3n]).arg0, 33n);
  assert.ok(t.delete(d).ok);
});

test('member whose action is not in the table is refused', () => {
  const p = new ActionProfile('c.prof', 4, ACTIONS, [0, 1, 2]);
  const t = new Table(tableInfo([key('f', MatchKind.Exact, 8)], { actionIds: [0, 1], implementation: 'c.prof' }), ACTIONS, { profile: p });
  const m = handle(p.createMember(2, [1n, 1n]));
  refused(t.addMember([ex(1n)], 0, m), /not an action of table/);
  assert.equal(t.entryCount, 0);
  assert.equal(p.memberRefs[m], 0);
});

test('action selector: groups, member chosen by hash, empty group is a miss', () => {
  const s = new ActionSelector('c.sel', 8, ACTIONS, [0, 1]);
  const t = new Table(
    tableInfo([key('f', MatchKind.Exact, 8), key('h', MatchKind.Selector, 32)], { actionIds: [0, 1], implementation: 'c.sel', defaultActionId: 0 }),
    ACTIONS,
    { profile: s },
  );
  const members = [10n, 11n, 12n].map((a) => handle(s.createMember(1, [a])));
  const g = handle(s.createGroup());
  for (const m of [members[2], members[0], members[1]]) assert.ok(s.addMemberToGroup(g, m).ok);
  assert.deepEqual(s.group(g), { handle: g, members: [0, 1, 2] });
  refused(s.addMemberToGroup(g, members[0]), /already in group/);
  refused(s.addMemberToGroup(g, 7), /no member 7/);
  refused(s.addMemberToGroup(5, members[0]), /no group 5/);
  const e = handle(t.addGroup([ex(1n)], 0, g));
  assert.deepEqual(t.getEntry(e), { handle: e, keys: [ex(1n)], priority: 0, actionId: -1, args: [], group: g });
  for (let hash = 0; hash < 9; hash++) {
    t.selectorHash = hash;
    assert.deepEqual(probe(t, [1n, 0n]), { hit: true, actionId: 1, arg0: 10n + BigInt(hash % 3), entry: e });
  }
  t.selectorHash = -1; // 0xffffffff
  assert.equal(probe(t, [1n, 0n]).arg0, 10n + BigInt(0xffffffff % 3));
  refused(s.deleteGroup(g), /still used by 1/);
  refused(s.deleteMember(members[1]), /still used/);
  assert.ok(s.removeMemberFromGroup(g, members[1]).ok);
  refused(s.removeMemberFromGroup(g, members[1]), /not in group/);
  t.selectorHash = 1;
  assert.equal(probe(t, [1n, 0n]).arg0, 12n);
  assert.ok(s.deleteMember(members[1]).ok);
  assert.ok(s.removeMemberFromGroup(g, members[0]).ok);
  assert.ok(s.removeMemberFromGroup(g, members[2]).ok);
  assert.deepEqual(probe(t, [1n, 0n]), { hit: false, actionId: 0, arg0: -1n, entry: -1 });
  // default group
  assert.ok(s.addMemberToGroup(g, members[2]).ok);
  assert.ok(t.setDefaultGroup(g).ok);
  assert.deepEqual(probe(t, [2n, 0n]), { hit: false, actionId: 1, arg0: 12n, entry: -1 });
  refused(t.setDefaultGroup(4), /no group 4/);
  t.resetDefault();
  assert.ok(t.delete(e).ok);
  assert.equal(s.groupRefs[g], 0);
  assert.ok(s.deleteGroup(g).ok);
  assert.equal(s.memberRefs[members[2]], 0, 'deleting a group releases its members');
  assert.ok(s.deleteMember(members[2]).ok);
});

test('clear releases member and group references', () => {
  const s = new ActionSelector('c.sel', 4, ACTIONS, [0, 1]);
  const t = new Table(tableInfo([key('f', MatchKind.Exact, 8)], { actionIds: [0, 1], implementation: 'c.sel' }), ACTIONS, { profile: s });
  const m = handle(s.createMember(1, [1n]));
  const g = handle(s.createGroup());
  assert.ok(s.addMemberToGroup(g, m).ok);
  handle(t.addMember([ex(1n)], 0, m));
  handle(t.addGroup([ex(2n)], 0, g));
  assert.equal(s.memberRefs[m], 2);
  assert.ok(t.clear().ok);
  assert.equal(s.memberRefs[m], 1);
  assert.equal(s.groupRefs[g], 0);
  setKey(t, [1n]);
  assert.equal(t.lookup(), false);
});

test('createProfile builds a selector or a profile from the program description', () => {
  const tables = [
    tableInfo([key('f', MatchKind.Exact, 8)], { name: 'c.a', actionIds: [0, 1], implementation: 'c.sel' }),
    tableInfo([key('f', MatchKind.Exact, 8)], { name: 'c.b', actionIds: [2], implementation: 'c.sel' }),
  ];
  const ext: ExternInfo = { id: 0, name: 'c.sel', kind: 'action_selector', size: 32, type: '', width: 16, algorithm: 'crc16', tables: ['c.a', 'c.b'] };
  const program: ProgramInfo = { program: 'x.p4', arch: 'v1model', phvWords: 0, fields: [], tables, actions: ACTIONS, externs: [ext], errors: [] };
  const s = createProfile(ext, program);
  assert.ok(s instanceof ActionSelector);
  assert.deepEqual(s.actionIds, [0, 1, 2]);
  assert.equal(s.stride, 3);
  const p = createProfile({ ...ext, kind: 'action_profile' }, program);
  assert.ok(!(p instanceof ActionSelector));
  assert.equal(p.kind, 'action_profile');
});
