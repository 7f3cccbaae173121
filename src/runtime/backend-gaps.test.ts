// Tests of constructs the back end once refused (issue 3's known gaps), through the compiled switch:
// slices at run-time positions, constant tuple indexing, for-in over a list, Checksum16.get, parser
// value sets (one key, and a struct over two keys) with the pvs_* commands, and the P4W0009 warning for
// headers that are not a whole number of bytes. Expected bytes are computed here from the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from './switch.js';
import type { Switch } from './switch.js';
import { compileFile } from '../compiler/compile.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fe = { includeDirs: [`${root}testdata/p4/include`], defines: new Map<string, string>() };
const program = `${root}src/runtime/reference/programs/backend-gaps.p4`;

function load(): Switch {
  const r = loadSwitch(program, fe);
  if (!r.ok) assert.fail(r.diagnostics.join('\n'));
  return r.sw;
}
function ok(sw: Switch, line: string): string {
  const r = sw.command(line);
  assert.ok(r.ok, `${line}: ${r.ok ? '' : r.error}`);
  return r.ok ? r.message : '';
}
function refused(sw: Switch, line: string, why: RegExp): void {
  const r = sw.command(line);
  assert.equal(r.ok, false, line);
  if (!r.ok) assert.match(r.error, why);
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from((h.match(/../g) ?? []).map((x) => parseInt(x, 16)));
const h = (v: bigint | number, nbytes: number): string => BigInt.asUintN(nbytes * 8, BigInt(v)).toString(16).padStart(nbytes * 2, '0');

interface Data { base: number; v: number; word: number; wide: bigint; idx2: number; sv: number }

/** The data header as bytes: base v word wide csum sum idx2 acc sv. */
function dataHex(d: Data, csum = 0, sum = 0, acc = 0): string {
  return h(d.base, 1) + h(d.v, 1) + h(d.word, 4) + h(d.wide, 8) + h(csum, 2) + h(sum, 1) + h(d.idx2, 1) + h(acc, 1) + h(d.sv, 1);
}

/** What the ingress of backend-gaps.p4 does, written from the spec's rules. */
function expected(d: Data): string {
  const setBits = (x: bigint, width: number, lo: number, w: number, v: bigint): bigint => {
    let r = x;
    for (let i = 0; i < w; i++) {
      const at = lo + i;
      if (at >= width) break; // bits past the top are not written
      const bit = (v >> BigInt(i)) & 1n;
      r = (r & ~(1n << BigInt(at))) | (bit << BigInt(at));
    }
    return r;
  };
  const getBits = (x: bigint, width: number, lo: number, w: number): bigint => {
    let r = 0n;
    for (let i = 0; i < w; i++) if (lo + i < width) r |= ((x >> BigInt(lo + i)) & 1n) << BigInt(i);
    return r;
  };
  const word = setBits(BigInt(d.word), 32, d.base, 8, BigInt(d.v));
  const wide = setBits(d.wide, 64, d.base, 4, 0xfn);
  const sv = setBits(BigInt(d.sv), 8, d.base & 7, 2, 1n);
  const sum = (getBits(word, 32, d.idx2, 8) + getBits(wide, 64, d.idx2, 4)) & 0xffn;
  let acc = 0;
  for (const e of [d.base, 3, 5]) { acc = (acc + e) & 0xff; if (e !== 3) acc = (acc + 1) & 0xff; }
  const v = 12;
  // csum16 of word (4 bytes) and v (1 byte, padded with a zero byte).
  const ws = [Number(word >> 16n), Number(word & 0xffffn), v << 8];
  let s = 0;
  for (const x of ws) s += x;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  const csum = ~s & 0xffff;
  return dataHex({ ...d, v, word: Number(word), wide, sv: Number(sv) }, csum, Number(sum), acc);
}

const DST = '0000000000aa';
const SRC = '000000000001';
const eth = (dst: string, type: string): string => dst + SRC + type;

function send(sw: Switch, pkt: string): { port: number; bytes: string }[] {
  sw.inject(0, bytes(pkt));
  sw.run();
  return sw.takeOutput().map((o) => ({ port: o.port, bytes: hex(o.bytes) }));
}

test('value sets: pvs_add / pvs_remove / pvs_get / pvs_clear drive the parser (one key, and a struct of two keys)', () => {
  const sw = load();
  const d: Data = { base: 4, v: 0xab, word: 0x11223344, wide: 0n, idx2: 8, sv: 0 };
  const pair = eth(DST, '1234') + dataHex(d);
  const single = eth('0000000000bb', '0800') + dataHex(d);
  // Empty sets: nothing parses the data header, ingress sends to port 2 with the bytes unchanged.
  assert.deepEqual(send(sw, pair), [{ port: 2, bytes: pair }]);
  assert.deepEqual(send(sw, single), [{ port: 2, bytes: single }]);
  // dst ++ etherType: 48 + 16 bits, concatenated by the user (BMv2's compressed width).
  ok(sw, 'pvs_add pvs_pair 0x0000000000aa1234');
  ok(sw, 'pvs_add GapParser.pvs_type 0x0800');
  ok(sw, 'pvs_add pvs_type 0x0800'); // already there: accepted, not added twice
  assert.equal(ok(sw, 'pvs_get pvs_type'), '0800');
  assert.equal(ok(sw, 'pvs_get pvs_pair'), '0000000000aa1234');
  assert.deepEqual(send(sw, pair), [{ port: 1, bytes: eth(DST, '1234') + expected(d) }]);
  assert.deepEqual(send(sw, single), [{ port: 1, bytes: eth('0000000000bb', '0800') + expected(d) }]);
  // Only the whole pair matches: the right etherType with another dst does not.
  const otherDst = eth('0000000000ab', '1234') + dataHex(d);
  assert.deepEqual(send(sw, otherDst), [{ port: 2, bytes: otherDst }]);
  ok(sw, 'pvs_remove pvs_pair 0x0000000000aa1234');
  ok(sw, 'pvs_remove pvs_pair 0x0000000000aa1234'); // not there: not an error
  assert.equal(ok(sw, 'pvs_get pvs_pair'), '');
  assert.deepEqual(send(sw, pair), [{ port: 2, bytes: pair }]);
  ok(sw, 'pvs_clear pvs_type');
  assert.deepEqual(send(sw, single), [{ port: 2, bytes: single }]);
  assert.match(ok(sw, 'show_pvs'), /GapParser\.pvs_pair\s+\[bitwidth 64\]/);
  // Refused commands change nothing.
  refused(sw, 'pvs_add nope 1', /unknown value set 'nope'/);
  refused(sw, 'pvs_add pvs_type 0x10000', /too wide for 16 bits/);
  refused(sw, 'pvs_add pvs_type', /wrong number of arguments/);
  refused(sw, 'pvs_get', /wrong number of arguments/);
  ok(sw, 'pvs_add pvs_type 1');
  ok(sw, 'pvs_add pvs_type 2');
  refused(sw, 'pvs_add pvs_type 3', /full/);
  assert.equal(ok(sw, 'pvs_get pvs_type'), '0001\n0002');
});

test('slices at run-time positions, tuple indexing, for-in over a list and Checksum16.get compute what the spec says', () => {
  const sw = load();
  ok(sw, 'pvs_add pvs_type 0x0800');
  const cases: Data[] = [
    { base: 4, v: 0xab, word: 0x11223344, wide: 0n, idx2: 8, sv: 0 },
    // Partly past the top: only the bits inside are written / read.
    { base: 28, v: 0xab, word: 0x11223344, wide: 0x0123456789abcdefn, idx2: 30, sv: -1 },
    { base: 62, v: 0x5a, word: 0x0, wide: 0n, idx2: 60, sv: 0x40 },
    // Wholly past the top: no change; reads give 0.
    { base: 40, v: 0xff, word: 0xcafef00d, wide: 0xffffffffffffffffn, idx2: 200, sv: 0x7f },
    { base: 0, v: 0x01, word: 0xffffffff, wide: 0x8000000000000001n, idx2: 0, sv: -128 },
  ];
  for (const d of cases) {
    const pkt = eth('0000000000bb', '0800') + dataHex(d);
    assert.deepEqual(send(sw, pkt), [{ port: 1, bytes: eth('0000000000bb', '0800') + expected(d) }], JSON.stringify(d, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v)));
  }
});

test('headers that are not a whole number of bytes get warning P4W0009 at their declaration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-gaps-'));
  const file = join(dir, 'odd.p4');
  writeFileSync(file, [
    '#include <core.p4>',
    '#include <v1model.p4>',
    'header odd_h { bit<7> a; bit<4> b; }',
    'header fine_h { bit<4> a; bit<4> b; }',
    'struct headers_t { odd_h odd; fine_h fine; }',
    'struct meta_t { }',
    'parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {',
    '    state start { pkt.extract(hdr.odd); transition accept; }',
    '}',
    'control VC(inout headers_t hdr, inout meta_t meta) { apply { } }',
    'control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }',
    'control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }',
    'control CC(inout headers_t hdr, inout meta_t meta) { apply { } }',
    'control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr); } }',
    'V1Switch(P(), VC(), I(), E(), CC(), D()) main;',
    '',
  ].join('\n'));
  const r = compileFile(file, fe);
  assert.equal(r.ok, true);
  if (!r.ok) return;
  const warnings = r.compiled.warnings.filter((d) => /P4W0009/.test(d));
  assert.equal(warnings.length, 1, r.compiled.warnings.join('\n'));
  assert.match(warnings[0]!, /odd\.p4\(3:8\): warning P4W0009: header 'odd_h' is 11 bits wide/);
});

test('a program for another architecture gets P4E0802 only', () => {
  const r = compileFile(`${root}testdata/p4/custom-architecture.p4`, fe);
  assert.equal(r.ok, false);
  if (r.ok) return;
  const errors = r.diagnostics.filter((d) => / error /.test(d));
  assert.equal(errors.length, 1, r.diagnostics.join('\n'));
  assert.match(errors[0], /P4E0802/);
});
