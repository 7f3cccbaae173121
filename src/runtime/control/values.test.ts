// Value and key-match syntax of simple_switch_CLI lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MatchKind } from '../abi.js';
import type { KeyFieldInfo } from '../abi.js';
import { formatKeyMatch, parseIndex, parseIpv4, parseIpv6, parseKeyMatch, parseMac, parseNumber, parseValue } from './values.js';

const key = (match: number, width: number): KeyFieldInfo => ({ name: 'k', match: match as KeyFieldInfo['match'], width });

test('numbers in decimal, hex, binary and octal', () => {
  assert.equal(parseNumber('0'), 0n);
  assert.equal(parseNumber('1234'), 1234n);
  assert.equal(parseNumber('0x1F'), 31n);
  assert.equal(parseNumber('0b101'), 5n);
  assert.equal(parseNumber('0o17'), 15n);
  assert.equal(parseNumber('1_000'), 1000n);
  assert.equal(parseNumber('0xffffffffffffffffffff'), (1n << 80n) - 1n);
  for (const bad of ['', 'x', '0x', '12a', '1.5', '_1', '0xg', '--1']) assert.equal(parseNumber(bad), null, bad);
});

test('IPv4, MAC and IPv6 notations', () => {
  assert.equal(parseIpv4('10.1.2.3'), 0x0a010203n);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffffn);
  assert.equal(parseIpv4('256.1.1.1'), null);
  assert.equal(parseIpv4('1.2.3'), null);
  assert.equal(parseMac('00:12:34:56:78:9a'), 0x00123456789an);
  assert.equal(parseMac('ff:ff:ff:ff:ff:ff'), 0xffffffffffffn);
  assert.equal(parseMac('00:12:34:56:78'), null);
  assert.equal(parseIpv6('FEDC:BA98:7654:3210:FEDC:BA98:7654:3210'), 0xfedcba9876543210fedcba9876543210n);
  assert.equal(parseIpv6('1080::8:800:200C:417A'), 0x108000000000000000080800200c417an);
  assert.equal(parseIpv6('::'), 0n);
  assert.equal(parseIpv6('::1'), 1n);
  assert.equal(parseIpv6('fe80::'), 0xfe80n << 112n);
  assert.equal(parseIpv6('::ffff:10.0.0.1'), 0xffff0a000001n);
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '12345::', 'g::1', '1:2:3:4:5:6:7::8']) {
    assert.equal(parseIpv6(bad), null, bad);
  }
  assert.equal(parseNumber('10.0.0.1'), 0x0a000001n);
  assert.equal(parseNumber('aa:bb:cc:dd:ee:ff'), 0xaabbccddeeffn);
  assert.equal(parseNumber('2001:db8::1'), 0x20010db8000000000000000000000001n);
});

test('values are checked against the width; negatives become two\'s complement', () => {
  assert.deepEqual(parseValue('255', 8), { ok: true, value: 255n });
  const wide = parseValue('256', 8);
  assert.equal(wide.ok, false);
  assert.match(!wide.ok ? wide.error : '', /too wide for 8 bits/);
  assert.equal(parseValue('10.0.0.1', 16).ok, false);
  assert.deepEqual(parseValue('10.0.0.1', 32), { ok: true, value: 0x0a000001n });
  assert.deepEqual(parseValue('-1', 8), { ok: true, value: 255n });
  assert.deepEqual(parseValue('-128', 8), { ok: true, value: 128n });
  assert.deepEqual(parseValue('-0', 8), { ok: true, value: 0n });
  assert.equal(parseValue('-129', 8).ok, false);
  assert.equal(parseValue('nope', 8).ok, false);
  assert.deepEqual(parseValue('0', 0), { ok: true, value: 0n });
});

test('indices: decimal or hex, bounded', () => {
  assert.deepEqual(parseIndex('12', 'handle'), { ok: true, value: 12 });
  assert.deepEqual(parseIndex('0x10', 'handle'), { ok: true, value: 16 });
  assert.equal(parseIndex('-1', 'handle').ok, false);
  assert.equal(parseIndex(undefined, 'handle').ok, false);
  assert.equal(parseIndex('70000', 'id', 65535).ok, false);
});

test('key matches of each kind', () => {
  assert.deepEqual(parseKeyMatch('0x800', key(MatchKind.Exact, 16)), { ok: true, value: { kind: 'exact', value: 0x800n } });
  assert.deepEqual(parseKeyMatch('10.0.0.0/8', key(MatchKind.Lpm, 32)), { ok: true, value: { kind: 'lpm', value: 0x0a000000n, prefixLength: 8 } });
  assert.deepEqual(parseKeyMatch('0/0', key(MatchKind.Lpm, 32)), { ok: true, value: { kind: 'lpm', value: 0n, prefixLength: 0 } });
  assert.deepEqual(parseKeyMatch('2001:db8::/32', key(MatchKind.Lpm, 128)), { ok: true, value: { kind: 'lpm', value: 0x20010db8n << 96n, prefixLength: 32 } });
  assert.deepEqual(parseKeyMatch('0x0800&&&0xff00', key(MatchKind.Ternary, 16)), { ok: true, value: { kind: 'ternary', value: 0x800n, mask: 0xff00n } });
  assert.deepEqual(parseKeyMatch('10->20', key(MatchKind.Range, 8)), { ok: true, value: { kind: 'range', low: 10n, high: 20n } });
  assert.deepEqual(parseKeyMatch('5&&&0', key(MatchKind.Optional, 8)), { ok: true, value: { kind: 'optional', value: 0n, wildcard: true } });
  assert.deepEqual(parseKeyMatch('5&&&0xff', key(MatchKind.Optional, 8)), { ok: true, value: { kind: 'optional', value: 5n, wildcard: false } });
  assert.deepEqual(parseKeyMatch('5', key(MatchKind.Optional, 8)), { ok: true, value: { kind: 'optional', value: 5n, wildcard: false } });
});

test('bad key matches are refused with the reason', () => {
  const cases: [string, number, number, RegExp][] = [
    ['10.0.0.0/33', MatchKind.Lpm, 32, /prefix length 33 is longer than the key width 32/],
    ['10.0.0.0/0x8', MatchKind.Lpm, 32, /must be a decimal/],
    ['10.0.0.0', MatchKind.Lpm, 32, /lpm key/],
    ['5', MatchKind.Ternary, 8, /VALUE&&&MASK/],
    ['5&&&0x100', MatchKind.Ternary, 8, /too wide/],
    ['5&&&0x0f', MatchKind.Optional, 8, /mask must be 0.*or all ones/],
    ['5', MatchKind.Range, 8, /LOW->HIGH/],
    ['1->300', MatchKind.Range, 8, /too wide/],
    ['1&&&1', MatchKind.Exact, 8, /exact key/],
    ['1/8', MatchKind.Exact, 8, /exact key/],
    ['0x100', MatchKind.Exact, 8, /too wide/],
    ['x', MatchKind.Selector, 8, /selector/],
  ];
  for (const [text, kind, width, re] of cases) {
    const r = parseKeyMatch(text, key(kind, width));
    assert.equal(r.ok, false, text);
    assert.match(!r.ok ? r.error : '', re, text);
  }
});

test('key matches print as BMv2 dumps them', () => {
  assert.equal(formatKeyMatch({ kind: 'lpm', value: 0x0a000000n, prefixLength: 8 }, 32), '0a000000/8');
  assert.equal(formatKeyMatch({ kind: 'ternary', value: 0x800n, mask: 0xffffn }, 16), '0800 &&& ffff');
  assert.equal(formatKeyMatch({ kind: 'range', low: 1n, high: 2n }, 9), '0001 -> 0002');
  assert.equal(formatKeyMatch({ kind: 'exact', value: 1n }, 1), '01');
  assert.equal(formatKeyMatch({ kind: 'optional', value: 0n, wildcard: true }, 8), '00 &&& 00');
});
