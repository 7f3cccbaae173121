// Behavioural tests of the compiled pipeline through Switch: inject packets, run, compare bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from './switch.js';
import type { Switch } from './switch.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const p4 = (name: string): string => `${root}testdata/p4/${name}`;
const fe = { includeDirs: [`${root}testdata/p4/include`], defines: new Map<string, string>() };

function load(name: string): Switch {
  const r = loadSwitch(p4(name), fe);
  if (!r.ok) assert.fail(r.diagnostics.join('\n'));
  return r.sw;
}
const bytes = (hex: string): Uint8Array => Uint8Array.from((hex.replace(/\s+/g, '').match(/../g) ?? []).map((x) => parseInt(x, 16)));
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
function ok(sw: Switch, line: string): void {
  const r = sw.command(line);
  assert.ok(r.ok, `${line}: ${r.ok ? '' : r.error}`);
}

/** IPv4 header checksum (for building test packets). */
function ipv4(src: string, dst: string, ttl: number, proto = 17, totalLen = 0x2e): string {
  const h = [0x4500, totalLen, 0, 0x4000, (ttl << 8) | proto, 0, ...[src, dst].flatMap((a) => { const o = a.split('.').map(Number); return [(o[0] << 8) | o[1], (o[2] << 8) | o[3]]; })];
  let sum = 0;
  for (const w of h) sum += w;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  h[5] = ~sum & 0xffff;
  return h.map((w) => w.toString(16).padStart(4, '0')).join('');
}

const eth = (dst: string, src: string, type: string): string => dst + src + type;

test('study-forward: XOR / increment / XOR on the custom header, forwarded by ingress port', () => {
  const sw = load('study-forward.p4');
  ok(sw, 'table_add forward set_egress 0 => 3');
  const pkt = eth('ffffffffffff', '000000000001', '0800') + ipv4('10.0.0.1', '10.0.0.2', 64) +
    '1234567800161234' + '00000001' + '5a5aa5a5' + '0000000000000000' + 'cafe';
  sw.inject(0, bytes(pkt));
  sw.run();
  const out = sw.takeOutput();
  assert.equal(out.length, 1);
  assert.equal(out[0].port, 3);
  // secret 0x5a5aa5a5 ^ key = 0, +1, ^ key = 0x5a5aa5a4; udp checksum zeroed.
  const expected = pkt.replace('1234567800161234', '1234567800160000').replace('5a5aa5a5', '5a5aa5a4');
  assert.equal(hexOf(out[0].bytes), expected);
  // Port 1 has no entry: the const default action drops.
  sw.inject(1, bytes(pkt));
  sw.run();
  assert.equal(sw.takeOutput().length, 0);
});

test('ipv4-router: LPM, TTL decrement, MAC rewrite and checksum update; bad checksum dropped', () => {
  const sw = load('ipv4-router.p4');
  ok(sw, 'table_add ipv4_lpm route 10.0.0.0/8 => 00:00:00:00:00:aa 00:00:00:00:00:bb 2');
  ok(sw, 'table_add ipv4_lpm route 10.1.0.0/16 => 00:00:00:00:00:cc 00:00:00:00:00:dd 5');
  const payload = '00112233445566778899aabbccddeeff00112233445566778899';
  const pkt = (dst: string, ttl: number): string => eth('010203040506', '0a0b0c0d0e0f', '0800') + ipv4('192.168.0.1', dst, ttl) + payload;
  sw.inject(1, bytes(pkt('10.1.2.3', 64)));
  sw.inject(1, bytes(pkt('10.9.9.9', 64)));
  sw.inject(1, bytes(pkt('11.0.0.1', 64)));
  sw.inject(1, bytes(pkt('10.1.2.3', 1)));
  sw.run();
  const out = sw.takeOutput();
  assert.equal(out.length, 2);
  assert.equal(out[0].port, 5);
  assert.equal(hexOf(out[0].bytes), eth('0000000000cc', '0000000000dd', '0800') + ipv4('192.168.0.1', '10.1.2.3', 63) + payload);
  assert.equal(out[1].port, 2);
  assert.equal(hexOf(out[1].bytes), eth('0000000000aa', '0000000000bb', '0800') + ipv4('192.168.0.1', '10.9.9.9', 63) + payload);
  // A corrupted checksum sets checksum_error and ingress drops.
  const bad = pkt('10.1.2.3', 64).split('');
  bad[14 * 2 + 20] = bad[14 * 2 + 20] === '0' ? '1' : '0';
  sw.inject(1, bytes(bad.join('')));
  sw.run();
  assert.equal(sw.takeOutput().length, 0);
});

test('parser error: a truncated IPv4 header reaches ingress with PacketTooShort and is dropped', () => {
  const sw = load('ipv4-router.p4');
  ok(sw, 'table_add ipv4_lpm route 0.0.0.0/0 => 00:00:00:00:00:aa 00:00:00:00:00:bb 2');
  sw.inject(1, bytes(eth('010203040506', '0a0b0c0d0e0f', '0800') + '4500002e0000'));
  sw.run();
  assert.equal(sw.takeOutput().length, 0);
  // Without an IPv4 ethertype the parser accepts; ingress drops non-IPv4 (nothing out, nothing thrown).
  sw.inject(1, bytes(eth('010203040506', '0a0b0c0d0e0f', '86dd') + '00'.repeat(40)));
  sw.run();
  assert.equal(sw.takeOutput().length, 0);
});

test('multicast: replication to the group ports, source port pruned in egress', () => {
  const sw = load('multicast.p4');
  ok(sw, 'mc_mgrp_create 1');
  ok(sw, 'mc_node_create 0 1 2 3');
  ok(sw, 'mc_node_associate 1 0');
  const pkt = eth('ffffffffffff', '000000000001', '0800') + '00'.repeat(46);
  sw.inject(2, bytes(pkt));
  sw.run();
  const out = sw.takeOutput().map((o) => o.port).sort();
  assert.deepEqual(out, [1, 3]);
});

test('clone: an I2E clone goes to the mirror session port as well as the original', () => {
  const sw = load('clone-resubmit-recirculate.p4');
  const info = sw.info.tables.map((t) => t.name).join(', ');
  assert.match(info, /mirror_select/);
  ok(sw, 'mirroring_add 5 7');
  ok(sw, 'table_add mirror_select mirror_plain 0x000000000001 => 5');
  sw.inject(0, bytes(eth('ffffffffffff', '000000000001', '0800') + '00'.repeat(46)));
  sw.run();
  const ports = sw.takeOutput().map((o) => o.port);
  assert.ok(ports.includes(7), `clone copy on port 7, got ${ports.join(',')}`);
});
