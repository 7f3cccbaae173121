import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchPacket, parseStf, parseStfLine } from './stf.js';
import type { StfCommand } from './stf.js';

function one(line: string): StfCommand {
  const r = parseStfLine(line, 1);
  assert.ok(r !== null && !('message' in r), `expected a command for '${line}', got ${r === null ? 'null' : 'message' in r ? r.message : r.kind}`);
  return r;
}

function error(line: string): string {
  const r = parseStfLine(line, 1);
  assert.ok(r !== null && 'message' in r, `expected an error for '${line}'`);
  return r.message;
}

test('packet and expect lines: spaces, wildcards, anchors, bare expect', () => {
  const p = one('packet 0 0102 03 04  # comment');
  assert.equal(p.kind, 'packet');
  if (p.kind === 'packet') assert.deepEqual([...p.bytes], [1, 2, 3, 4]);
  const e = one('expect 2 00ab **** 7f$');
  assert.deepEqual(e, { kind: 'expect', line: 1, port: 2, pattern: { nibbles: '00AB****7F', exactLength: true } });
  assert.deepEqual(one('expect 5'), { kind: 'expect', line: 1, port: 5, pattern: null });
  assert.match(error('packet 0 0x12'), /hex digits/);
  assert.match(error('packet 0 123'), /odd number/);
  assert.match(error('expect x 00'), /expect PORT/);
  assert.equal(parseStfLine('   # only a comment', 3), null);
  assert.equal(parseStfLine('', 3), null);
});

test('add with priority, keys, action args and an entry id', () => {
  const c = one('add test1 503 data.f1:0x****0202 extra$0.h:0x25** ingress.setb1(val:7, port:3) = A');
  assert.deepEqual(c, {
    kind: 'add', line: 1, table: 'test1', priority: 503,
    keys: [{ name: 'data.f1', value: '0x****0202' }, { name: 'extra$0.h', value: '0x25**' }],
    action: 'ingress.setb1', args: [{ name: 'val', value: '7' }, { name: 'port', value: '3' }], id: 'A',
  });
  const d = one('add t h.isValid():1 ip.dst:0x0a000000/8 act()');
  assert.ok(d.kind === 'add');
  if (d.kind === 'add') {
    assert.equal(d.priority, null);
    assert.deepEqual(d.keys, [{ name: 'h.isValid()', value: '1' }, { name: 'ip.dst', value: '0x0a000000/8' }]);
    assert.deepEqual(d.args, []);
  }
  assert.match(error('add t k:1'), /missing action/);
  assert.match(error('add t k:1 act(x:1'), /missing '\)'/);
  assert.match(error('add t k:1 act(x:1) junk'), /unexpected text/);
});

test('setdefault, remove, check_counter, wait, no_packet, pass-through commands', () => {
  assert.deepEqual(one('setdefault tbl drop()'), { kind: 'setdefault', line: 1, table: 'tbl', action: 'drop', args: [] });
  assert.deepEqual(one('remove all'), { kind: 'remove', line: 1, all: true, table: null, id: null });
  assert.deepEqual(one('remove tbl $A'), { kind: 'remove', line: 1, all: false, table: 'tbl', id: 'A' });
  assert.deepEqual(one('check_counter cnt(10) packets == 2'), {
    kind: 'check_counter', line: 1, counter: 'cnt', index: { kind: 'index', value: 10 }, type: 'packets', op: '==', value: 2n,
  });
  const cc = one('check_counter cnt($A) bytes >= 0x40');
  assert.ok(cc.kind === 'check_counter' && cc.index.kind === 'entry' && cc.index.id === 'A' && cc.value === 64n && cc.op === '>=');
  assert.deepEqual(one('wait'), { kind: 'wait', line: 1 });
  assert.deepEqual(one('no_packet'), { kind: 'no_packet', line: 1 });
  assert.deepEqual(one('mirroring_add 5 4'), { kind: 'cli', line: 1, text: 'mirroring_add 5 4' });
  assert.deepEqual(one('mc_node_create 400 6 7'), { kind: 'cli', line: 1, text: 'mc_node_create 400 6 7' });
  assert.deepEqual(one('register_read r 3 == 7'), { kind: 'check_register', line: 1, register: 'r', index: 3, op: '==', value: 7n });
  assert.deepEqual(one('register_read r 3'), { kind: 'cli', line: 1, text: 'register_read r 3' });
  assert.match(error('frobnicate 1 2'), /unknown STF command/);
  assert.match(error('check_counter c(1) packets ~ 2'), /packets\|bytes OP VALUE/);
});

test('parseStf keeps line numbers and collects errors', () => {
  const f = parseStf('# header\n\npacket 0 00\r\nbogus\nexpect 1 00\n');
  assert.deepEqual(f.commands.map((c) => [c.kind, c.line]), [['packet', 3], ['expect', 5]]);
  assert.deepEqual(f.errors.map((e) => e.line), [4]);
});

test('matchPacket: wildcards, prefix, $ anchor, first differing byte', () => {
  const pkt = new Uint8Array([0x00, 0x01, 0x02, 0x03]);
  assert.equal(matchPacket({ nibbles: '000102', exactLength: false }, pkt), null);
  assert.equal(matchPacket({ nibbles: '0*01**03', exactLength: true }, pkt), null);
  assert.match(matchPacket({ nibbles: '000102', exactLength: true }, pkt)!, /too long/);
  assert.match(matchPacket({ nibbles: '0001020304', exactLength: false }, pkt)!, /too short/);
  assert.match(matchPacket({ nibbles: '0001FF03', exactLength: false }, pkt)!, /byte 2 .*expected FF, got 02/);
  assert.equal(matchPacket(null, pkt), null);
});

test('fuzzed lines never throw', () => {
  const parts = ['add', 'packet', 'expect', 'setdefault', 'check_counter', 'remove', 'register_read', ' ', '(', ')', ':', ',', '=',
    '$', '*', '0x', 'ff', '12', 'a.b', '==', '/', '&&&', '->', '#', 'packets', 'all', '\t'];
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 3000; i++) {
    let line = '';
    const len = 1 + rnd(12);
    for (let j = 0; j < len; j++) line += parts[rnd(parts.length)];
    parseStf(line);
  }
});

test('act_prof_* and table_indirect_* lines go to the switch as simple_switch_CLI commands', () => {
  assert.deepEqual(one('act_prof_create_member ing.sel ing.set_nhop 00:00:00:00:02:02 2'),
    { kind: 'cli', line: 1, text: 'act_prof_create_member ing.sel ing.set_nhop 00:00:00:00:02:02 2' });
  assert.deepEqual(one('table_indirect_add_with_group ing.t 10.0.0.0/8 => 0'),
    { kind: 'cli', line: 1, text: 'table_indirect_add_with_group ing.t 10.0.0.0/8 => 0' });
  for (const w of ['act_prof_create_group s', 'act_prof_add_member_to_group s 0 0', 'table_indirect_add t 1 => 2', 'table_indirect_set_default t 0']) {
    assert.equal(one(w).kind, 'cli', w);
  }
});
