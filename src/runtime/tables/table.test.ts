// Unit tests of Table: each match kind, mixes, priorities, wide keys, action data, defaults,
// program entries, and refusals that must leave the table unchanged.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatchKind } from '../abi.js';
import type { KeyMatch } from '../abi.js';
import { Table } from './table.js';
import { ACTIONS, key, probe, tableInfo } from './testing.js';
import { readWords } from './values.js';

const ex = (value: bigint): KeyMatch => ({ kind: 'exact', value });
const lpm = (value: bigint, prefixLength: number): KeyMatch => ({ kind: 'lpm', value, prefixLength });
const tern = (value: bigint, mask: bigint): KeyMatch => ({ kind: 'ternary', value, mask });
const rng = (low: bigint, high: bigint): KeyMatch => ({ kind: 'range', low, high });
const opt = (value: bigint | null): KeyMatch => ({ kind: 'optional', value: value ?? 0n, wildcard: value === null });

function addOk(t: Table, keys: KeyMatch[], prio: number, actionId: number, args: bigint[]): number {
  const r = t.add(keys, prio, actionId, args);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.handle;
}

function refused(r: { ok: boolean; error?: string }, pattern: RegExp): void {
  assert.equal(r.ok, false);
  assert.match((r as { error: string }).error, pattern);
}

/** Snapshot of the observable state: entries and the default action. */
function snapshot(t: Table): string {
  return JSON.stringify({ e: t.list(), d: t.getDefault(), n: t.entryCount }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

test('exact table: hit, miss, action data, default action', () => {
  const t = new Table(tableInfo([key('h.a', MatchKind.Exact, 16), key('h.b', MatchKind.Exact, 8)], { defaultActionId: 1, defaultArgs: [7n] }), ACTIONS);
  assert.equal(t.mode, 1);
  const h = addOk(t, [ex(0x1234n), ex(5n)], 0, 1, [0xdeadbeefn]);
  assert.equal(h, 0);
  let r = probe(t, [0x1234n, 5n]);
  assert.deepEqual(r, { hit: true, actionId: 1, arg0: 0xdeadbeefn, entry: 0 });
  r = probe(t, [0x1234n, 6n]);
  assert.deepEqual(r, { hit: false, actionId: 1, arg0: 7n, entry: -1 });
  // two-parameter action: 9-bit then 48-bit (two words)
  const h2 = addOk(t, [ex(1n), ex(2n)], 0, 2, [0x1ffn, 0xaabbccddeeffn]);
  probe(t, [1n, 2n]);
  assert.equal(t.actionId, 2);
  assert.equal(t.entry, h2);
  assert.equal(t.data[t.dataOffset], 0x1ff);
  assert.equal(readWords(t.data, t.dataOffset + 1, 2), 0xaabbccddeeffn);
});

test('exact table: modify, delete, handle reuse, duplicate, full', () => {
  const t = new Table(tableInfo([key('k', MatchKind.Exact, 32)], { size: 3 }), ACTIONS);
  const a = addOk(t, [ex(1n)], 0, 1, [10n]);
  const b = addOk(t, [ex(2n)], 0, 1, [20n]);
  const c = addOk(t, [ex(0xffffffffn)], 0, 1, [30n]);
  assert.deepEqual([a, b, c], [0, 1, 2]);
  refused(t.add([ex(4n)], 0, 1, [1n]), /full \(3 entries\)/);
  refused(t.add([ex(2n)], 0, 1, [1n]), /already has an entry.*handle 1/);
  assert.equal(probe(t, [0xffffffffn]).arg0, 30n);
  assert.ok(t.modify(b, 0, []).ok);
  assert.equal(probe(t, [2n]).actionId, 0);
  assert.ok(t.delete(a).ok);
  assert.equal(probe(t, [1n]).hit, false);
  refused(t.delete(a), /no entry with handle 0/);
  refused(t.modify(a, 1, [1n]), /no entry with handle 0/);
  assert.equal(addOk(t, [ex(9n)], 0, 1, [90n]), 0, 'lowest free handle reused');
  assert.equal(probe(t, [9n]).arg0, 90n);
  assert.equal(t.entryCount, 3);
  assert.ok(t.clear().ok);
  assert.equal(t.entryCount, 0);
  assert.equal(probe(t, [9n]).hit, false);
  assert.equal(probe(t, [2n]).hit, false);
});

test('exact table: wide keys (48 and 128 bits) and many entries', () => {
  const t = new Table(tableInfo([key('mac', MatchKind.Exact, 48), key('ip6', MatchKind.Exact, 128)], { size: 5000 }), ACTIONS);
  const ip = 0x20010db8000000000000000000000001n;
  for (let i = 0n; i < 3000n; i++) addOk(t, [ex(0xaabbccdd0000n + i), ex(ip + (i << 64n))], 0, 1, [i]);
  for (let i = 0n; i < 3000n; i += 7n) assert.equal(probe(t, [0xaabbccdd0000n + i, ip + (i << 64n)]).arg0, i);
  assert.equal(probe(t, [0xaabbccdd0000n, ip + 1n]).hit, false);
  // delete every other entry; the rest must still be found (backward-shift deletion)
  for (const e of t.list()) if (e.handle % 2 === 0) assert.ok(t.delete(e.handle).ok);
  for (let i = 0n; i < 3000n; i++) assert.equal(probe(t, [0xaabbccdd0000n + i, ip + (i << 64n)]).hit, i % 2n === 1n);
  refused(t.add([ex(1n << 48n), ex(0n)], 0, 1, [1n]), /mac: value 0x1000000000000 does not fit in 48 bit/);
});

test('lpm table: longest prefix wins, /0, delete falls back', () => {
  const t = new Table(tableInfo([key('dst', MatchKind.Lpm, 32)], { defaultActionId: 6 }), ACTIONS);
  assert.equal(t.mode, 2);
  const h0 = addOk(t, [lpm(0n, 0)], 0, 1, [0n]);
  const h8 = addOk(t, [lpm(0x0a000000n, 8)], 0, 1, [8n]);
  const h24 = addOk(t, [lpm(0x0a010200n, 24)], 0, 1, [24n]);
  addOk(t, [lpm(0x0a010203n, 32)], 0, 1, [32n]);
  assert.equal(probe(t, [0x0a010203n]).arg0, 32n);
  assert.equal(probe(t, [0x0a0102ffn]).arg0, 24n);
  assert.equal(probe(t, [0x0a7f0000n]).arg0, 8n);
  assert.equal(probe(t, [0xc0a80001n]).arg0, 0n);
  assert.ok(t.delete(h24).ok);
  assert.equal(probe(t, [0x0a0102ffn]).arg0, 8n);
  assert.ok(t.delete(h0).ok);
  assert.equal(probe(t, [0xc0a80001n]).hit, false);
  assert.equal(t.actionId, 6);
  refused(t.add([lpm(0x0a000000n, 8)], 0, 1, [1n]), new RegExp(`handle ${h8}`));
  // same value, different prefix length: a different key
  addOk(t, [lpm(0x0a000000n, 7)], 0, 1, [7n]);
  refused(t.add([lpm(0x0a000001n, 24)], 0, 1, [1n]), /bits set beyond the \/24 prefix/);
  refused(t.add([lpm(0n, 33)], 0, 1, [1n]), /prefix length 33 is not between 0 and 32/);
  refused(t.add([lpm(0n, -1)], 0, 1, [1n]), /prefix length -1/);
  // a ternary with a prefix mask is accepted for an lpm field; another mask is not
  const h16 = addOk(t, [tern(0xc0a80000n, 0xffff0000n)], 0, 1, [16n]);
  assert.equal(probe(t, [0xc0a81234n]).arg0, 16n);
  assert.deepEqual(t.getEntry(h16)!.keys, [lpm(0xc0a80000n, 16)]);
  refused(t.add([tern(0n, 0xff00ff00n)], 0, 1, [1n]), /not a prefix mask/);
});

test('lpm table: lenient masks clear the bits beyond the prefix', () => {
  const t = new Table(tableInfo([key('dst', MatchKind.Lpm, 32)]), ACTIONS, { strictMasks: false });
  addOk(t, [lpm(0x0a0102ffn, 24)], 0, 1, [1n]);
  assert.deepEqual(t.list()[0].keys, [lpm(0x0a010200n, 24)]);
  assert.equal(probe(t, [0x0a010201n]).hit, true);
});

test('lpm table: exact fields plus a 128-bit lpm field', () => {
  const t = new Table(tableInfo([key('vrf', MatchKind.Exact, 16), key('dst6', MatchKind.Lpm, 128)]), ACTIONS);
  const net = 0x20010db8n << 96n;
  addOk(t, [ex(1n), lpm(net, 32)], 0, 1, [32n]);
  addOk(t, [ex(1n), lpm(net | (0xabcdn << 80n), 48)], 0, 1, [48n]);
  addOk(t, [ex(1n), lpm(net | 5n, 128)], 0, 1, [128n]);
  addOk(t, [ex(2n), lpm(0n, 0)], 0, 1, [0n]);
  assert.equal(probe(t, [1n, net | 5n]).arg0, 128n);
  assert.equal(probe(t, [1n, net | 6n]).arg0, 32n);
  assert.equal(probe(t, [1n, net | (0xabcdn << 80n) | 6n]).arg0, 48n);
  assert.equal(probe(t, [1n, 0n]).hit, false);
  assert.equal(probe(t, [2n, net]).arg0, 0n);
  assert.equal(probe(t, [3n, net]).hit, false);
});

test('ternary table: mask semantics, largest priority wins, ties go to the earlier entry', () => {
  const t = new Table(tableInfo([key('f', MatchKind.Ternary, 32)]), ACTIONS);
  assert.equal(t.mode, 3);
  addOk(t, [tern(0x80000000n, 0x80000000n)], 10, 1, [1n]);
  addOk(t, [tern(0x80000001n, 0x800000ffn)], 20, 1, [2n]);
  addOk(t, [tern(0n, 0n)], 1, 1, [3n]);
  addOk(t, [tern(0n, 0n)], 20, 1, [4n]); // same priority as entry 2, added later
  assert.equal(probe(t, [0x80000001n]).arg0, 2n);
  assert.equal(probe(t, [0x80000002n]).arg0, 4n);
  assert.equal(probe(t, [0x00000001n]).arg0, 4n);
  refused(t.add([tern(0n, 0n)], 20, 1, [5n]), /already has an entry/);
  refused(t.add([tern(1n, 0n)], 5, 1, [5n]), /bits set outside mask/);
  refused(t.add([tern(0n, 0n)], -1, 1, [5n]), /need a priority/);
  refused(t.add([tern(0n, 0n)], 1.5, 1, [5n]), /need a priority/);
  refused(t.add([tern(0n, 1n << 32n)], 5, 1, [5n]), /mask 0x100000000 does not fit/);
});

test('ternary table: smallest priority wins when the table says so', () => {
  const t = new Table(tableInfo([key('f', MatchKind.Ternary, 8)], { largestPriorityWins: false }), ACTIONS);
  addOk(t, [tern(0n, 0n)], 10, 1, [10n]);
  addOk(t, [tern(0x10n, 0xf0n)], 5, 1, [5n]);
  addOk(t, [tern(0x11n, 0xffn)], 7, 1, [7n]);
  addOk(t, [tern(0x11n, 0xffn)], 5, 1, [55n]); // same key, other priority: allowed
  assert.equal(probe(t, [0x11n]).arg0, 5n);
  assert.equal(probe(t, [0x22n]).arg0, 10n);
  const e5 = t.list().find((e) => e.priority === 5 && e.args[0] === 5n)!;
  assert.ok(t.delete(e5.handle).ok);
  assert.equal(probe(t, [0x11n]).arg0, 55n);
  assert.equal(probe(t, [0x12n]).arg0, 10n);
});

test('ternary table: wide keys', () => {
  const t = new Table(tableInfo([key('a', MatchKind.Ternary, 128), key('b', MatchKind.Exact, 8)]), ACTIONS);
  const v = 0xfedcba98765432100123456789abcdefn;
  addOk(t, [tern(v & (0xffffn << 112n), 0xffffn << 112n), ex(1n)], 1, 1, [1n]);
  addOk(t, [tern(v, (1n << 128n) - 1n), ex(1n)], 2, 1, [2n]);
  assert.equal(probe(t, [v, 1n]).arg0, 2n);
  assert.equal(probe(t, [v ^ 1n, 1n]).arg0, 1n);
  assert.equal(probe(t, [v ^ (1n << 127n), 1n]).hit, false);
  assert.equal(probe(t, [v, 2n]).hit, false);
});

test('range table: inclusive bounds, 64-bit ranges, mixed with ternary and lpm', () => {
  const t = new Table(tableInfo([key('port', MatchKind.Range, 16), key('big', MatchKind.Range, 64), key('p', MatchKind.Ternary, 8), key('d', MatchKind.Lpm, 32)]), ACTIONS);
  const all64 = rng(0n, (1n << 64n) - 1n);
  addOk(t, [rng(1n, 8n), all64, tern(0n, 0n), lpm(0n, 0)], 5, 1, [1n]);
  addOk(t, [rng(6n, 12n), all64, tern(0n, 0n), lpm(0n, 0)], 6, 1, [2n]);
  addOk(t, [rng(0n, 0xffffn), rng(0x1_0000_0000n, 0x2_0000_0005n), tern(0n, 0n), lpm(0n, 0)], 7, 1, [3n]);
  // lpm in a priority table: priority decides, not the prefix length
  addOk(t, [rng(100n, 100n), all64, tern(6n, 0xffn), lpm(0x0a000000n, 8)], 9, 1, [4n]);
  addOk(t, [rng(100n, 100n), all64, tern(6n, 0xffn), lpm(0x0a010000n, 16)], 8, 1, [5n]);
  const q = (port: bigint, big: bigint, p = 0n, d = 0n): bigint => { const r = probe(t, [port, big, p, d]); return r.hit ? r.arg0 : -1n; };
  assert.equal(q(1n, 0n), 1n);
  assert.equal(q(8n, 0n), 2n);
  assert.equal(q(6n, 0n), 2n);
  assert.equal(q(12n, 0n), 2n);
  assert.equal(q(13n, 0n), -1n);
  assert.equal(q(0n, 0n), -1n);
  assert.equal(q(0n, 0x1_0000_0000n), 3n);
  assert.equal(q(0n, 0x2_0000_0005n), 3n);
  assert.equal(q(0n, 0x2_0000_0006n), -1n);
  assert.equal(q(0n, 0x0_ffff_ffffn), -1n);
  assert.equal(q(0n, 0x1_ffff_ffffn), 3n);
  assert.equal(q(100n, 0n, 6n, 0x0a010101n), 4n);
  assert.equal(q(100n, 0n, 7n, 0x0a010101n), -1n);
  refused(t.add([rng(9n, 8n), all64, tern(0n, 0n), lpm(0n, 0)], 1, 1, [1n]), /empty \(low > high\)/);
  refused(t.add([rng(0n, 0x10000n), all64, tern(0n, 0n), lpm(0n, 0)], 1, 1, [1n]), /high end 0x10000 does not fit in 16/);
  // an exact value is accepted for a range field as value..value
  const h200 = addOk(t, [ex(200n), all64, tern(0n, 0n), lpm(0n, 0)], 1, 1, [6n]);
  assert.deepEqual(t.getEntry(h200)!.keys[0], rng(200n, 200n));
  assert.equal(q(200n, 5n), 6n);
});

test('optional keys: value or wildcard', () => {
  const t = new Table(tableInfo([key('a', MatchKind.Optional, 8), key('b', MatchKind.Optional, 8)]), ACTIONS);
  addOk(t, [opt(47n), opt(72n)], 5, 1, [1n]);
  addOk(t, [opt(null), opt(72n)], 4, 1, [2n]);
  addOk(t, [opt(49n), opt(null)], 3, 1, [4n]);
  addOk(t, [tern(0n, 0n), tern(0n, 0n)], 1, 1, [5n]); // ternary form (CLI): 0&&&0 is a wildcard
  assert.equal(probe(t, [47n, 72n]).arg0, 1n);
  assert.equal(probe(t, [48n, 72n]).arg0, 2n);
  assert.equal(probe(t, [49n, 1n]).arg0, 4n);
  assert.equal(probe(t, [50n, 1n]).arg0, 5n);
  assert.deepEqual(t.list()[3].keys, [opt(null), opt(null)]);
  refused(t.add([tern(0x10n, 0xf0n), opt(null)], 1, 1, [1n]), /optional: mask 0xf0 must be 0/);
});

test('refusals leave the table unchanged', () => {
  const actions = [...ACTIONS];
  const t = new Table(tableInfo([key('f', MatchKind.Exact, 8)], { actionIds: [0, 1, 2, 4, 5], defaultActionId: 1, defaultArgs: [3n] }), actions);
  addOk(t, [ex(1n)], 0, 1, [1n]);
  const before = snapshot(t);
  const cases: [{ ok: boolean }, RegExp][] = [
    [t.add([], 0, 1, [1n]), /1 key field\(s\), got 0/],
    [t.add([ex(1n), ex(2n)], 0, 1, [1n]), /1 key field\(s\), got 2/],
    [t.add([ex(256n)], 0, 1, [1n]), /value 0x100 does not fit in 8 bit/],
    [t.add([ex(-1n)], 0, 1, [1n]), /value -1 does not fit/],
    [t.add([tern(1n, 0x0fn)], 0, 1, [1n]), /exact: a ternary match of more than one value/],
    [t.add([ex(2n)], 0, 99, []), /unknown action id 99/],
    [t.add([ex(2n)], 0, 6, []), /c.other is not an action of table c.t/],
    [t.add([ex(2n)], 0, 4, []), /@defaultonly/],
    [t.add([ex(2n)], 0, 1, []), /takes 1 argument\(s\), got 0/],
    [t.add([ex(2n)], 0, 1, [1n << 32n]), /argument p0 of action c.set: 0x100000000 does not fit in 32/],
    [t.add([ex(2n)], 0, 2, [512n, 0n]), /argument p0 of action c.pair: 0x200 does not fit in 9/],
    [t.add([ex(1n)], 0, 1, [1n]), /already has an entry/],
    [t.modify(0, 1, [1n << 40n]), /does not fit/],
    [t.modify(0, 6, []), /not an action of table/],
    [t.modify(5, 1, [1n]), /no entry with handle 5/],
    [t.modify(-1, 1, [1n]), /no entry with handle -1/],
    [t.delete(7), /no entry with handle 7/],
    [t.setDefault(5, [1n]), /@tableonly/],
    [t.setDefault(6, []), /not an action of table/],
    [t.setDefault(1, []), /takes 1 argument/],
    [t.setDefault(1, [1n << 32n]), /does not fit/],
  ];
  for (const [r, pattern] of cases) refused(r as { ok: boolean; error?: string }, pattern);
  assert.equal(snapshot(t), before);
  assert.deepEqual(probe(t, [1n]), { hit: true, actionId: 1, arg0: 1n, entry: 0 });
  assert.deepEqual(probe(t, [2n]), { hit: false, actionId: 1, arg0: 3n, entry: -1 });
  // @defaultonly may be the default, and resetDefault goes back to the program's default
  assert.ok(t.setDefault(4, []).ok);
  assert.equal(probe(t, [2n]).actionId, 4);
  t.resetDefault();
  assert.deepEqual(probe(t, [2n]), { hit: false, actionId: 1, arg0: 3n, entry: -1 });
});

test('const default action and const entries', () => {
  const t = new Table(
    tableInfo([key('f', MatchKind.Ternary, 8)], {
      defaultConst: true,
      constEntries: true,
      defaultActionId: 1,
      defaultArgs: [9n],
      entries: [
        { keys: [tern(0x04n, 0xfcn)], priority: 4, actionId: 1, args: [1n] },
        { keys: [tern(0x04n, 0xffn)], priority: 3, actionId: 1, args: [2n] },
        { keys: [tern(0n, 0n)], priority: 1, actionId: 1, args: [5n] },
      ],
    }),
    ACTIONS,
  );
  assert.deepEqual(t.constructionErrors, []);
  assert.equal(t.entryCount, 3);
  assert.equal(probe(t, [0x04n]).arg0, 1n);
  assert.equal(probe(t, [0x07n]).arg0, 1n);
  assert.equal(probe(t, [0x08n]).arg0, 5n);
  const before = snapshot(t);
  refused(t.add([tern(0n, 0n)], 9, 1, [1n]), /const entries: cannot add/);
  refused(t.modify(0, 1, [1n]), /const entries: cannot modify/);
  refused(t.delete(0), /const entries: cannot delete/);
  refused(t.clear(), /const entries/);
  refused(t.setDefault(0, []), /default action of table c.t is const/);
  assert.equal(snapshot(t), before);
});

test('program entries that are invalid are reported, the rest installed', () => {
  const t = new Table(
    tableInfo([key('f', MatchKind.Exact, 8)], {
      entries: [
        { keys: [ex(1n)], priority: 0, actionId: 1, args: [1n] },
        { keys: [ex(300n)], priority: 0, actionId: 1, args: [1n] },
        { keys: [ex(1n)], priority: 0, actionId: 1, args: [2n] },
      ],
    }),
    ACTIONS,
  );
  assert.equal(t.entryCount, 1);
  assert.equal(t.constructionErrors.length, 2);
  assert.match(t.constructionErrors[0], /entry 1: .*does not fit/);
  assert.match(t.constructionErrors[1], /entry 2: .*already has an entry/);
});

test('lpm const entries: prefix length decides, not program order', () => {
  const t = new Table(
    tableInfo([key('f', MatchKind.Lpm, 8)], {
      constEntries: true,
      entries: [
        { keys: [tern(0x04n, 0xfcn)], priority: 0, actionId: 1, args: [1n] },
        { keys: [tern(0x04n, 0xffn)], priority: 0, actionId: 1, args: [3n] },
        { keys: [lpm(0n, 0)], priority: 0, actionId: 1, args: [5n] },
      ],
    }),
    ACTIONS,
  );
  assert.deepEqual(t.constructionErrors, []);
  assert.equal(probe(t, [0x04n]).arg0, 3n);
  assert.equal(probe(t, [0x05n]).arg0, 1n);
  assert.equal(probe(t, [0x09n]).arg0, 5n);
});

test('keyless table: always the default action, entries refused', () => {
  const t = new Table(tableInfo([], { defaultActionId: 1, defaultArgs: [42n] }), ACTIONS);
  assert.equal(t.mode, 0);
  assert.equal(t.lookup(), false);
  assert.equal(t.actionId, 1);
  assert.equal(t.data[t.dataOffset], 42);
  refused(t.add([], 0, 1, [1n]), /has no key/);
  assert.ok(t.setDefault(1, [43n]).ok);
  t.lookup();
  assert.equal(t.data[t.dataOffset], 43);
});

test('selector fields in the key are skipped by the match', () => {
  const t = new Table(tableInfo([key('a', MatchKind.Exact, 8), key('s', MatchKind.Selector, 32), key('b', MatchKind.Exact, 40)]), ACTIONS);
  assert.equal(t.key.length, 4);
  addOk(t, [ex(1n), ex(0x1_0000_0002n)], 0, 1, [7n]);
  assert.equal(probe(t, [1n, 12345n, 0x1_0000_0002n]).arg0, 7n);
  assert.equal(probe(t, [1n, 999n, 0x1_0000_0002n]).arg0, 7n);
  assert.equal(probe(t, [1n, 999n, 0x2n]).hit, false);
});

test('findEntry, getEntry, onEntryAdded', () => {
  const t = new Table(tableInfo([key('f', MatchKind.Ternary, 8)]), ACTIONS);
  const seen: number[] = [];
  t.onEntryAdded = (h) => seen.push(h);
  const h = addOk(t, [tern(0x10n, 0xf0n)], 3, 1, [1n]);
  assert.equal(t.findEntry([tern(0x10n, 0xf0n)], 3), h);
  assert.equal(t.findEntry([tern(0x10n, 0xf0n)], 4), -1);
  assert.deepEqual(t.getEntry(h), { handle: h, keys: [tern(0x10n, 0xf0n)], priority: 3, actionId: 1, args: [1n] });
  assert.equal(t.getEntry(h + 1), null);
  assert.deepEqual(seen, [h]);
});

// A slow reference: the first/best matching entry by the documented rules, on bigint values.
function reference(entries: { keys: KeyMatch[]; priority: number; arg: bigint }[], kinds: string[], values: bigint[], largestWins: boolean): bigint {
  let best: { priority: number; len: number; arg: bigint } | null = null;
  for (const e of entries) {
    let len = 0;
    const ok = e.keys.every((k, i) => {
      const v = values[i];
      if (k.kind === 'exact') return v === k.value;
      if (k.kind === 'ternary') return (v & k.mask) === (k.value & k.mask);
      if (k.kind === 'range') return k.low <= v && v <= k.high;
      if (k.kind === 'lpm') {
        len = k.prefixLength;
        const w = 40;
        const mask = ((1n << BigInt(k.prefixLength)) - 1n) << BigInt(w - k.prefixLength);
        return (v & mask) === k.value;
      }
      return false;
    });
    if (!ok) continue;
    const lpmOnly = !kinds.some((k) => k === 'ternary' || k === 'range');
    if (best === null) best = { priority: e.priority, len, arg: e.arg };
    else if (lpmOnly ? len > best.len : largestWins ? e.priority > best.priority : e.priority < best.priority) best = { priority: e.priority, len, arg: e.arg };
  }
  return best === null ? -1n : best.arg;
}

test('random differential test against a slow reference (exact, lpm, ternary, range)', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const randBig = (bits: number): bigint => {
    let v = 0n;
    for (let i = 0; i < bits; i += 8) v = (v << 8n) | BigInt(rand(256));
    return v & ((1n << BigInt(bits)) - 1n);
  };
  const configs: string[][] = [['exact', 'exact'], ['lpm', 'exact'], ['ternary', 'exact'], ['range', 'ternary'], ['lpm', 'range']];
  const kindOf: Record<string, 0 | 1 | 2 | 3> = { exact: 0, lpm: 1, ternary: 2, range: 3 };
  for (const kinds of configs) {
    for (const largestWins of [true, false]) {
      // 40-bit fields with a small value space so that matches happen.
      const t = new Table(tableInfo(kinds.map((k, i) => key(`f${i}`, kindOf[k], 40)), { size: 300, largestPriorityWins: largestWins }), ACTIONS);
      const small = (): bigint => (BigInt(rand(4)) << 36n) | BigInt(rand(4));
      const entries: { keys: KeyMatch[]; priority: number; arg: bigint; handle: number }[] = [];
      for (let n = 0; n < 200; n++) {
        const keys: KeyMatch[] = kinds.map((k) => {
          if (k === 'exact') return ex(small());
          if (k === 'lpm') {
            const len = [0, 2, 4, 38, 40][rand(5)];
            const mask = ((1n << BigInt(len)) - 1n) << BigInt(40 - len);
            return lpm(small() & mask, len);
          }
          if (k === 'ternary') {
            const mask = [0n, 0xf000000000n, 0xf00000000fn, 0xffffffffffn, 0x3n][rand(5)];
            return tern(small() & mask, mask);
          }
          const lo = small();
          const hi = lo + BigInt(rand(3)) * (1n << 36n) + BigInt(rand(4));
          return rng(lo, hi > 0xffffffffffn ? 0xffffffffffn : hi);
        });
        const priority = rand(20);
        const arg = BigInt(n);
        const r = t.add(keys, priority, 1, [arg]);
        if (r.ok) entries.push({ keys, priority, arg, handle: r.handle });
        if (rand(10) === 0 && entries.length > 0) {
          const [gone] = entries.splice(rand(entries.length), 1);
          assert.ok(t.delete(gone.handle).ok);
        }
      }
      assert.equal(t.entryCount, entries.length);
      for (let n = 0; n < 500; n++) {
        const values = kinds.map(() => (n % 2 === 0 ? small() : randBig(40)));
        const want = reference(entries, kinds, values, largestWins);
        const got = probe(t, values);
        assert.equal(got.hit ? got.arg0 : -1n, want, `${kinds.join('+')} largestWins=${largestWins} key ${values.map((v) => v.toString(16))}`);
      }
    }
  }
});

test('ternary tuple-space search: many entries, few masks, ties and deletions', () => {
  for (const largestWins of [true, false]) {
    const t = new Table(tableInfo([key('a', MatchKind.Ternary, 48), key('b', MatchKind.Ternary, 8)], { size: 2000, largestPriorityWins: largestWins }), ACTIONS);
    const masks: [bigint, bigint][] = [[0xffffffffffffn, 0xffn], [0xffffff000000n, 0n], [0n, 0xf0n], [0xff00000000ffn, 0x0fn]];
    const entries: { keys: KeyMatch[]; priority: number; arg: bigint; handle: number }[] = [];
    let seed = 99;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const val = (): bigint => (BigInt(rand(3)) << 40n) | (BigInt(rand(3)) << 24n) | BigInt(rand(3));
    for (let n = 0; n < 1500; n++) {
      const [ma, mb] = masks[rand(masks.length)];
      const keys = [tern(val() & ma, ma), tern(BigInt(rand(4) * 17) & mb, mb)];
      const priority = rand(4); // many ties
      const r = t.add(keys, priority, 1, [BigInt(n)]);
      if (r.ok) entries.push({ keys, priority, arg: BigInt(n), handle: r.handle });
      if (rand(4) === 0) {
        const [gone] = entries.splice(rand(entries.length), 1);
        assert.ok(t.delete(gone.handle).ok);
      }
    }
    for (let n = 0; n < 800; n++) {
      const values = [val(), BigInt(rand(4) * 17)];
      const want = reference(entries, ['ternary', 'ternary'], values, largestWins);
      const got = probe(t, values);
      assert.equal(got.hit ? got.arg0 : -1n, want, `largestWins=${largestWins} ${values}`);
    }
  }
});

test('ternary tuple-space search: an equal-priority earlier entry in a later tuple wins', () => {
  const t = new Table(tableInfo([key('a', MatchKind.Ternary, 8), key('b', MatchKind.Exact, 16)]), ACTIONS);
  addOk(t, [tern(0n, 0n), ex(1000n)], 9, 1, [999n]); // gives the wildcard tuple the best bound
  for (let i = 0n; i < 100n; i++) addOk(t, [tern(1n, 0xffn), ex(i)], 5, 1, [i]);
  for (let i = 0n; i < 100n; i++) addOk(t, [tern(0n, 0n), ex(i)], 5, 1, [100n + i]);
  assert.equal(probe(t, [1n, 7n]).arg0, 7n);
  assert.equal(probe(t, [2n, 7n]).arg0, 107n);
  assert.equal(probe(t, [1n, 1000n]).arg0, 999n);
});
