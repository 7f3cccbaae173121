// The direct batch path (V1Model.injectBatch: batch state area, in-place deparse, no queues)
// must send the same packets, in the same order, as one-at-a-time inject + run. Packets: those of
// each example's STF test plus truncated and bit-flipped variants, through each example's commands.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadSwitch } from '../switch.js';
import type { Switch } from '../switch.js';

const root = new URL('../../../examples/', import.meta.url).pathname;

function load(dir: string, name: string): Switch {
  const r = loadSwitch(join(dir, `${name}.p4`), { includeDirs: [], defines: new Map() }, { seed: 7 });
  if (!r.ok) throw new Error(r.diagnostics.join('\n'));
  const cmds = join(dir, 'commands.txt');
  if (existsSync(cmds)) {
    for (const line of readFileSync(cmds, 'utf8').split('\n')) {
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      r.sw.command(line);
    }
  }
  return r.sw;
}

function packets(stf: string): { port: number; bytes: Uint8Array }[] {
  const out: { port: number; bytes: Uint8Array }[] = [];
  for (const line of readFileSync(stf, 'utf8').split('\n')) {
    const m = /^packet\s+(\d+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const hex = m[2]!.replace(/\s+/g, '');
    if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) continue;
    out.push({ port: Number(m[1]), bytes: Uint8Array.from(Buffer.from(hex, 'hex')) });
  }
  let seed = 12345;
  const rnd = (n: number): number => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  const base = out.slice();
  for (let k = 0; k < 40 && base.length > 0; k++) {
    const p = base[rnd(base.length)]!;
    const b = p.bytes.slice(0, Math.max(0, p.bytes.length - rnd(24)));
    if (b.length > 0 && rnd(2) === 0) b[rnd(b.length)] ^= 1 << rnd(8);
    out.push({ port: p.port, bytes: b });
  }
  return out;
}

for (const name of readdirSync(root).sort()) {
  const dir = join(root, name);
  const stf = join(dir, `${name}.stf`);
  if (!existsSync(stf) || !existsSync(join(dir, `${name}.p4`))) continue;
  test(`batch path = queue path: ${name}`, () => {
    const pkts = packets(stf);
    const a = load(dir, name);
    for (const p of pkts) a.inject(p.port, p.bytes);
    a.run();
    const expected = a.takeOutput().map((o) => `${o.port} ${Buffer.from(o.bytes).toString('hex')}`);

    const b = load(dir, name);
    const pool = b.arch.pool;
    const batch = new Int32Array(pkts.length);
    pkts.forEach((p, i) => {
      const slot = pool.alloc();
      assert.ok(slot >= 0 && pool.write(slot, p.bytes));
      pool.port[slot] = p.port;
      batch[i] = slot;
    });
    for (let i = 0; i < pkts.length; i += 32) b.arch.injectBatch(batch.subarray(i, Math.min(pkts.length, i + 32)), Math.min(32, pkts.length - i));
    b.run();
    const got = b.takeOutput().map((o) => `${o.port} ${Buffer.from(o.bytes).toString('hex')}`);
    assert.deepEqual(got, expected);
  });
}

// Headers the program never changes are left in place or copied from the packet: check both when
// a header after them is removed (they move) and when one in front of them is added.
test('in-place deparse: unchanged headers survive a removed or added header', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-inplace-'));
  const file = join(dir, 'shift.p4');
  writeFileSync(file, `#include <core.p4>
#include <v1model.p4>
header a_t { bit<8> kind; bit<24> x; }
header b_t { bit<32> y; }
header c_t { bit<16> z; }
struct h_t { c_t c; a_t a; b_t b; }
struct m_t { }
parser P(packet_in pk, out h_t h, inout m_t m, inout standard_metadata_t sm) {
  state start { pk.extract(h.a); pk.extract(h.b); transition accept; }
}
control V(inout h_t h, inout m_t m) { apply { } }
control I(inout h_t h, inout m_t m, inout standard_metadata_t sm) {
  apply {
    sm.egress_spec = 1;
    if (h.a.kind == 1) { h.b.setInvalid(); }
    if (h.a.kind == 2) { h.c.setValid(); h.c.z = 0xc0de; }
  }
}
control E(inout h_t h, inout m_t m, inout standard_metadata_t sm) { apply { } }
control C(inout h_t h, inout m_t m) { apply { } }
control D(packet_out pk, in h_t h) { apply { pk.emit(h.c); pk.emit(h.a); pk.emit(h.b); } }
V1Switch(P(), V(), I(), E(), C(), D()) main;
`);
  const r = loadSwitch(file, { includeDirs: [], defines: new Map() });
  rmSync(dir, { recursive: true, force: true });
  if (!r.ok) throw new Error(r.diagnostics.join('\n'));
  const sw = r.sw;
  const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
  sw.inject(0, hex('00aabbcc' + '11223344' + 'eeff'));
  sw.inject(0, hex('01aabbcc' + '11223344' + 'eeff'));
  sw.inject(0, hex('02aabbcc' + '11223344' + 'eeff'));
  sw.run();
  const out = sw.takeOutput().map((o) => Buffer.from(o.bytes).toString('hex'));
  assert.deepEqual(out, [
    '00aabbcc' + '11223344' + 'eeff',
    '01aabbcc' + 'eeff',
    'c0de' + '02aabbcc' + '11223344' + 'eeff',
  ]);
});

// The fused batch functions of generated code (emit.ts batch()) hand packets back to the general
// path at the traffic manager (I2E clone) and after the egress block (drop, E2E clone,
// recirculate); exit, ingress drop, truncation, a removed header and a checksum over the payload
// stay on the fused path. Each kind of packet, mixed in one batch, must leave as with queues only.
test('fused batch path = queue path: exits, drops, clones, recirculation, truncation, payload checksum', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-fused-'));
  const file = join(dir, 'fused.p4');
  writeFileSync(file, `#include <core.p4>
#include <v1model.p4>
header a_t { bit<8> kind; bit<8> pad; bit<16> ck; }
header b_t { bit<32> y; }
struct h_t { a_t a; b_t b; }
struct m_t { bit<8> seen; }
parser P(packet_in pk, out h_t h, inout m_t m, inout standard_metadata_t sm) {
  state start { pk.extract(h.a); pk.extract(h.b); transition accept; }
}
control V(inout h_t h, inout m_t m) { apply { } }
control I(inout h_t h, inout m_t m, inout standard_metadata_t sm) {
  apply {
    sm.egress_spec = 1;
    if (h.a.kind == 1) { mark_to_drop(sm); }
    if (h.a.kind == 2) { sm.egress_spec = 2; exit; }
    if (h.a.kind == 6) { truncate(32w6); }
    if (h.a.kind == 7) { clone(CloneType.I2E, 5); }
    if (h.a.kind == 9) { h.b.setInvalid(); }
    h.a.pad = 0xee;
  }
}
control E(inout h_t h, inout m_t m, inout standard_metadata_t sm) {
  apply {
    if (h.a.kind == 3) { mark_to_drop(sm); }
    if (h.a.kind == 4 && sm.instance_type == 0) { clone(CloneType.E2E, 5); }
    if (h.a.kind == 5 && sm.instance_type == 0) { recirculate_preserving_field_list(0); }
    if (h.a.kind == 8) { h.b.y = 0x88888888; exit; }
    h.b.y = h.b.y + (bit<32>)sm.instance_type;
  }
}
control C(inout h_t h, inout m_t m) {
  apply { update_checksum_with_payload(h.a.kind == 10, { h.b.y }, h.a.ck, HashAlgorithm.csum16); }
}
control D(packet_out pk, in h_t h) { apply { pk.emit(h.a); pk.emit(h.b); } }
V1Switch(P(), V(), I(), E(), C(), D()) main;
`);
  const mk = (): Switch => {
    const r = loadSwitch(file, { includeDirs: [], defines: new Map() }, { seed: 3 });
    if (!r.ok) throw new Error(r.diagnostics.join('\n'));
    assert.ok(r.sw.command('mirroring_add 5 7').ok);
    return r.sw;
  };
  const a = mk();
  const b = mk();
  rmSync(dir, { recursive: true, force: true });
  assert.equal(typeof b.arch.blocks.batchIngress, 'function');
  assert.equal(typeof b.arch.blocks.batchEgress, 'function');
  const pkts: { port: number; bytes: Uint8Array }[] = [];
  for (let r = 0; r < 3; r++) {
    for (let kind = 0; kind <= 10; kind++) {
      const bytes = Uint8Array.from(Buffer.from(`${kind.toString(16).padStart(2, '0')}000000` + '01020304' + 'a0a1a2a3' + (r * 16 + kind).toString(16).padStart(4, '0'), 'hex'));
      pkts.push({ port: kind & 3, bytes: r === 2 ? bytes.subarray(0, 6) : bytes });
    }
  }
  // Batches of 3 put each kind of packet at several places of a batch; each batch runs to the end
  // (as a driver's loop does), so that the next one may take the direct path again.
  for (let i = 0; i < pkts.length; i += 3) {
    for (const p of pkts.slice(i, i + 3)) a.inject(p.port, p.bytes);
    a.run();
  }
  const expected = a.takeOutput().map((o) => `${o.port} ${Buffer.from(o.bytes).toString('hex')}`);
  const pool = b.arch.pool;
  const batch = new Int32Array(pkts.length);
  pkts.forEach((p, i) => {
    const slot = pool.alloc();
    assert.ok(slot >= 0 && pool.write(slot, p.bytes));
    pool.port[slot] = p.port;
    batch[i] = slot;
  });
  for (let i = 0; i < pkts.length; i += 3) {
    b.arch.injectBatch(batch.subarray(i, Math.min(pkts.length, i + 3)), Math.min(3, pkts.length - i));
    b.run();
  }
  const got = b.takeOutput().map((o) => `${o.port} ${Buffer.from(o.bytes).toString('hex')}`);
  assert.deepEqual(got, expected);
  assert.ok(expected.length > 20, `only ${expected.length} packets out`);
  assert.ok(expected.some((x) => x.startsWith('7 ')), 'a clone must reach the mirror port');
  assert.equal(pool.available, pool.slots, 'every slot is back in the pool');
});
