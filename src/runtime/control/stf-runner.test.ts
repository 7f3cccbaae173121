import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionInfo, CommandResult, KeyFieldInfo, ProgramInfo, TableInfo } from '../abi.js';
import { MatchKind } from '../abi.js';
import { parseStf } from './stf.js';
import { findKey, runStfText, translateAdd, translateSetDefault } from './stf-runner.js';
import type { StfSwitch } from './stf-runner.js';

function action(id: number, name: string, params: [string, number][]): ActionInfo {
  return { id, name, params: params.map(([n, w]) => ({ name: n, width: w })), defaultOnly: false, tableOnly: false };
}

function table(id: number, name: string, keys: KeyFieldInfo[], actionIds: number[]): TableInfo {
  return {
    id, name, keys, actionIds, defaultActionId: 0, defaultArgs: [], defaultConst: false, size: 1024,
    constEntries: false, entries: [], implementation: null, directCounter: null, directMeter: null, largestPriorityWins: true,
  };
}

const info: ProgramInfo = {
  program: 'fake.p4',
  arch: 'v1model',
  phvWords: 0,
  fields: [],
  actions: [
    action(0, 'NoAction', []),
    action(1, 'MyIngress.forward', [['port', 9]]),
    action(2, 'MyIngress.set_nhop', [['dmac', 48], ['port', 9]]),
    action(3, 'MyEgress.forward', [['port', 9]]),
  ],
  tables: [
    table(0, 'MyIngress.ipv4_lpm', [
      { name: 'hdr.ipv4.dstAddr', match: MatchKind.Lpm, width: 32 },
      { name: 'hdr.ipv4.isValid()', match: MatchKind.Exact, width: 1 },
    ], [0, 2]),
    table(1, 'MyIngress.acl', [
      { name: 'hdr.ethernet.etherType', match: MatchKind.Ternary, width: 16 },
      { name: 'hdr.extra[0].h', match: MatchKind.Ternary, width: 16 },
      { name: 'standard_metadata.ingress_port', match: MatchKind.Exact, width: 9 },
    ], [0, 1]),
    table(2, 'MyEgress.acl2', [{ name: 'meta.x', match: MatchKind.Range, width: 8 }], [0, 3]),
  ],
  externs: [],
  errors: ['NoError'],
};

function add(line: string): string {
  const f = parseStf(line);
  assert.equal(f.errors.length, 0);
  const c = f.commands[0]!;
  assert.ok(c.kind === 'add');
  const t = translateAdd(info, c);
  return t.ok ? t.line : `ERR ${t.error}`;
}

test('translateAdd puts keys in table order and converts values', () => {
  assert.equal(add('add ipv4_lpm ipv4.valid:1 ipv4.dstAddr:0x0a01**** set_nhop(port:3, dmac:0x001122334455)'),
    'table_add MyIngress.ipv4_lpm MyIngress.set_nhop 0xa010000/16 0x1 => 0x1122334455 0x3');
  assert.equal(add('add MyIngress.ipv4_lpm hdr.ipv4.dstAddr:167772160/8 hdr.ipv4.$valid$:1 MyIngress.set_nhop(dmac:1, port:2)'),
    'table_add MyIngress.ipv4_lpm MyIngress.set_nhop 0xa000000/8 0x1 => 0x1 0x2');
  // Ternary: `*` digits, the p4c runner's digit-wise mask, priority 10000 - p, a missing key defaults.
  assert.equal(add('add acl 110 etherType:0x08** ingress_port:0b101 forward(port:1)'),
    'table_add MyIngress.acl MyIngress.forward 0x800&&&0xff00 0x0&&&0x0 0x5 => 0x1 9890');
  assert.equal(add('add acl extra$0.h:0x1&&&0xf ethernet.etherType:2048 NoAction()'),
    'table_add MyIngress.acl NoAction 0x800&&&0xffff 0x1&&&0xf 0x0 => 10000');
  assert.equal(add('add acl2 x:0x1* forward(port:9)'), 'table_add MyEgress.acl2 MyEgress.forward 0x10->0x1f => 0x9 10000');
  assert.equal(add('add acl2 x:3->7 forward(9)'), 'table_add MyEgress.acl2 MyEgress.forward 0x3->0x7 => 0x9 10000');
});

test('translateAdd reports bad names and arguments', () => {
  assert.match(add('add nope k:1 forward(port:1)'), /ERR no table 'nope'/);
  assert.match(add('add acl bogus:1 forward(port:1)'), /ERR table MyIngress.acl has no key 'bogus'/);
  assert.match(add('add acl etherType:1 set_nhop(port:1)'), /ERR no action 'set_nhop' in table MyIngress.acl/);
  assert.match(add('add acl etherType:1 forward(prt:1)'), /no parameter 'prt'/);
  assert.match(add('add acl etherType:1 forward()'), /missing argument\(s\) port/);
  assert.match(add('add ipv4_lpm isValid():1 NoAction()'), /table_add .* 0x0\/0 0x1 =>/);
  // `forward` is in both MyIngress and MyEgress, but only one is in each table: no ambiguity there.
  assert.equal(findKey(info.tables[1]!, 'h'), 1);
});

test('translateSetDefault', () => {
  const f = parseStf('setdefault ipv4_lpm set_nhop(dmac:0x0a, port:2)\nsetdefault acl2 NoAction()');
  const [a, b] = f.commands;
  assert.ok(a!.kind === 'setdefault' && b!.kind === 'setdefault');
  const ta = translateSetDefault(info, a);
  const tb = translateSetDefault(info, b);
  assert.ok(ta.ok && tb.ok);
  assert.equal(ta.line, 'table_set_default MyIngress.ipv4_lpm MyIngress.set_nhop 0xa 0x2');
  assert.equal(tb.line, 'table_set_default MyEgress.acl2 NoAction');
});

/**
 * A fake switch: each packet goes out on port+1; a first byte 0xFF drops it, 0xEE sends two
 * copies. Commands are recorded; table_add answers with a handle, counter_read with counts.
 */
class FakeSwitch implements StfSwitch {
  readonly info = info;
  readonly commands: string[] = [];
  queue: { port: number; bytes: Uint8Array }[] = [];
  out: { port: number; bytes: Uint8Array }[] = [];
  nextHandle = 0;
  command(line: string): CommandResult {
    this.commands.push(line);
    if (line.startsWith('table_add')) {
      if (line.includes('acl2')) return { ok: false, error: 'refused on purpose' };
      return { ok: true, message: `Entry has been added with handle ${this.nextHandle++}` };
    }
    if (line.startsWith('counter_read')) return { ok: true, message: 'c[1]= (packets=3, bytes=192)' };
    if (line.startsWith('register_read')) return { ok: true, message: 'r[2]= 41' };
    if (line.startsWith('bad')) return { ok: false, error: 'unknown command' };
    return { ok: true, message: '' };
  }
  inject(port: number, bytes: Uint8Array): void {
    this.queue.push({ port, bytes });
  }
  run(): void {
    for (const p of this.queue) {
      if (p.bytes[0] === 0xff) continue;
      this.out.push({ port: p.port + 1, bytes: p.bytes });
      if (p.bytes[0] === 0xee) this.out.push({ port: p.port + 1, bytes: p.bytes });
    }
    this.queue = [];
  }
  takeOutput(): { port: number; bytes: Uint8Array }[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}

function run(text: string, allPorts = false): { ok: boolean; failures: string[]; sw: FakeSwitch } {
  const sw = new FakeSwitch();
  const r = runStfText(sw, text, { allPorts });
  return { ...r, sw };
}

test('a port the test does not name is not an interface: what is sent there is lost (as BMv2 under p4c)', () => {
  // The fake sends to ingress port + 1: port 1 is named by no line here.
  assert.deepEqual(run('packet 0 01').failures, []);
  assert.deepEqual(run('packet 0 01\nexpect 0').ok, false);
  const strict = run('packet 0 01', true);
  assert.match(strict.failures.join('\n'), /unexpected packet #1 on port 1/);
});

test('a passing test: per-port order, prefix match, $ anchor, bare expect, wildcards', () => {
  const r = run([
    'expect 1 0102 03$',
    'expect 3 AB**',
    'packet 0 010203',
    'packet 2 abcdef',
    'expect 1',
    'packet 0 99',
    'wait',
    'expect 5 ee',
    'expect 5 ee00$',
    'packet 4 ee00',
  ].join('\n'));
  assert.deepEqual(r.failures, []);
  assert.equal(r.ok, true);
});

test('failures: content difference with the first differing byte, missing and unexpected packets', () => {
  const diff = run('packet 0 010203\nexpect 1 0102FF');
  assert.equal(diff.ok, false);
  assert.equal(diff.failures.length, 1);
  assert.match(diff.failures[0]!, /line 2: packet #1 on port 1 differs: first difference at byte 2/);
  assert.match(diff.failures[0]!, /expected: 0102FF\n {2}got: {6}010203/);

  const missing = run('packet 0 ff\nexpect 1 ff');
  assert.match(missing.failures.join('\n'), /expected packet #1 on port 1 was not received/);

  const extra = run('packet 0 01\npacket 1 ff');
  assert.match(extra.failures.join('\n'), /unexpected packet #1 on port 1 \(no packet was expected on this port\): 01/);

  const anchored = run('packet 0 0102\nexpect 1 01$');
  assert.match(anchored.failures.join('\n'), /too long/);
});

test('no_packet fails when something was sent, and passes when nothing was', () => {
  assert.equal(run('packet 0 ff\nno_packet').ok, true);
  const r = run('packet 0 01\nno_packet', true);
  assert.equal(r.ok, false);
  assert.equal(r.failures.length, 1, r.failures.join('\n'));
  assert.match(r.failures[0]!, /no_packet: port 1 sent 01/);
});

test('control commands: translation, refusal, entry ids, remove, counters, registers', () => {
  const r = run([
    'add acl 5 etherType:0x0800 forward(port:1) = E1',
    'check_counter c($E1) packets == 3',
    'check_counter c(1) bytes > 200',
    'remove acl E1',
    'remove all',
    'mirroring_add 5 4',
    'register_read r 2 == 41',
    'register_read r 2 != 41',
    'add acl2 x:1 forward(port:1)',
    'add nosuch k:1 NoAction()',
    'remove X',
  ].join('\n'));
  const cmds = r.sw.commands;
  assert.equal(cmds[0], 'table_add MyIngress.acl MyIngress.forward 0x800&&&0xffff 0x0&&&0x0 0x0 => 0x1 9995');
  assert.equal(cmds[1], 'counter_read c 0');
  assert.equal(cmds[2], 'counter_read c 1');
  assert.equal(cmds[3], 'table_delete MyIngress.acl 0');
  assert.deepEqual(cmds.slice(4, 7), ['table_clear MyIngress.ipv4_lpm', 'table_clear MyIngress.acl', 'table_clear MyEgress.acl2']);
  assert.equal(cmds[7], 'mirroring_add 5 4');
  assert.deepEqual(r.failures, [
    'line 3: check_counter c(1): bytes is 192, expected > 200',
    'line 8: register r[2] is 41, expected != 41',
    "line 9: 'table_add MyEgress.acl2 MyEgress.forward 0x1->0x1 => 0x1 10000' refused: refused on purpose",
    "line 10: no table 'nosuch'",
    "line 11: remove: no entry named 'X' (name entries with '= ID' at the end of add)",
  ]);
  assert.equal(r.ok, false);
});

test('a parse error fails the test without running it', () => {
  const r = run('packet 0 01\nbogus 1\nexpect 1 01');
  assert.deepEqual(r.failures, ["line 2: unknown STF command 'bogus'"]);
  assert.equal(r.sw.commands.length, 0);
});

test('packets are processed before later control commands (sequential semantics)', () => {
  const sw = new FakeSwitch();
  const order: string[] = [];
  const orig = sw.run.bind(sw);
  sw.run = () => { order.push(`run(${sw.queue.length})`); orig(); };
  const origCmd = sw.command.bind(sw);
  sw.command = (l: string) => { order.push(l.split(' ')[0]!); return origCmd(l); };
  runStfText(sw, 'packet 0 01\nmirroring_add 1 2\nexpect 1 01');
  assert.deepEqual(order.slice(0, 2), ['run(1)', 'mirroring_add']);
});
