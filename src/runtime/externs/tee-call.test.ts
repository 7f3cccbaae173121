// TeeFunction calls end to end: record packing of mixed field widths, identical outputs in the
// sync / switchless / batch transitions and in the reference interpreter, one crossing per packet
// (sync) or per batch and call site (batch), fail-closed drops when the enclave is down, load
// errors, and the front/back-end errors for calls and records the pipeline cannot take.
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../compiler/compile.js';
import type { Compiled } from '../../compiler/compile.js';
import { checkSource } from '../../compiler/frontend.js';
import { Switch, loadSwitch } from '../switch.js';
import type { SwitchOptions } from '../switch.js';
import { Interpreter } from '../reference/interpreter.js';
import { envOf } from '../reference/harness.js';
import { FakeTeeGate } from './tee-fake-gate.js';
import type { TeeModuleDef, TeeModuleResolver } from './tee-call.js';
import { InlineTeeGate } from './tee-call.js';
import { referenceTeeModules } from './tee-reference-modules.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fe = { includeDirs: [], defines: new Map<string, string>() };
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function compile(rel: string): Compiled {
  const r = compileFile(join(root, rel), fe);
  if (!r.ok) throw new Error(r.diagnostics.join('\n'));
  return r.compiled;
}

/** `echo.invert`: every byte of the 20-byte record inverted; records seen are kept for inspection. */
const seenRecords: string[] = [];
const echoModule: TeeModuleDef = {
  name: 'echo',
  version: '1',
  functions: [{ name: 'invert', inputBytes: 20, outputBytes: 20 }],
  create() {
    return {
      invoke(_fn, inBuf, inOff, outBuf, outOff, n) {
        for (let i = 0; i < n * 20; i++) outBuf[outOff + i] = ~inBuf[inOff + i] & 255;
        for (let i = 0; i < n; i++) seenRecords.push(hex(inBuf.subarray(inOff + 20 * i, inOff + 20 * i + 20)));
      },
      control: () => 'ok',
      exportState: () => new Uint8Array(0),
    };
  },
};
const withEcho: TeeModuleResolver = { module: (name) => (name === 'echo' ? echoModule : referenceTeeModules.module(name)) };

/** Sends packets as batches of `batch` through the direct batch path; returns what came out, in order. */
function runBatches(sw: Switch, pkts: readonly { port: number; bytes: Uint8Array }[], batch: number): string[] {
  const pool = sw.arch.pool;
  const out: string[] = [];
  for (let i = 0; i < pkts.length; i += batch) {
    const chunk = pkts.slice(i, i + batch);
    const slots = new Int32Array(chunk.length);
    chunk.forEach((p, j) => {
      const slot = pool.alloc();
      assert.ok(slot >= 0 && pool.write(slot, p.bytes));
      pool.port[slot] = p.port;
      slots[j] = slot;
    });
    sw.arch.injectBatch(slots, chunk.length);
    sw.run();
    for (const o of sw.takeOutput()) out.push(`${o.port} ${hex(o.bytes)}`);
  }
  return out;
}

test('records: mixed field widths are packed big-endian in field order and unpacked back', () => {
  const c = compile('testdata/p4/tee-mixed-fields.p4');
  const x = c.info.externs.find((e) => e.kind === 'tee');
  assert.deepEqual(x?.tee, { module: 'echo', function: 'invert', inputWidths: [4, 12, 48, 8, 7, 1, 64, 16], outputWidths: [4, 12, 48, 8, 7, 1, 64, 16], inputBytes: 20, outputBytes: 20 });
  const record = Uint8Array.from(Buffer.from('a5c3010203040506fe' + 'b3' + '1122334455667788' + 'beef', 'hex'));
  const payload = Uint8Array.from([9, 8, 7]);
  const pkt = new Uint8Array([...record, ...payload]);
  const inverted = hex(record.map((b) => ~b & 255));
  for (const transition of ['sync', 'batch'] as const) {
    seenRecords.length = 0;
    const sw = new Switch(c, 'tee-mixed-fields.p4', { teeModules: withEcho, teeTransition: transition });
    const got = runBatches(sw, [{ port: 0, bytes: pkt }, { port: 0, bytes: pkt }], 2);
    // The record the enclave saw is exactly the header's bytes (the header is laid out like the record).
    assert.deepEqual(seenRecords, [hex(record), hex(record)], transition);
    assert.deepEqual(got, [`1 ${inverted}090807`, `1 ${inverted}090807`], transition);
  }
});

// --- the split program: eth / ipv4 / udp / study packets from a few sources

function packet(rnd: (n: number) => number): { port: number; bytes: Uint8Array } {
  const kind = rnd(6);
  const eth = [0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1];
  if (kind === 0) return { port: rnd(4), bytes: Uint8Array.from([...eth, 0x08, 0x06, 1, 2, 3, 4, 5, 6, 7, 8]) };
  const study = kind >= 2;
  const src = [10, 0, 0, 1 + rnd(4)];
  const ttl = rnd(4);
  const udp = [0x9c, 0x40, study ? 0x1e : 0x00, study ? 0x61 : 0x35, 0, study ? 28 : 12, 0xab, 0xcd];
  const body = study ? [0, 0, 0, rnd(256), rnd(256), rnd(256), rnd(256), rnd(256), 1, 2, 3, 4, 5, 6, 7, 8] : [];
  const total = 20 + udp.length + body.length + 4;
  const ip = [0x45, 0, 0, total, 0, 1, 0, 0, ttl, 17, 0, 0, ...src, 10, 0, 0, 9];
  return { port: rnd(4), bytes: Uint8Array.from([...eth, 0x08, 0x00, ...ip, ...udp, ...body, 0xde, 0xad, 0xbe, 0xef]) };
}

function packets(n: number, seed: number): { port: number; bytes: Uint8Array }[] {
  let s = seed;
  const rnd = (k: number): number => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % k; };
  return Array.from({ length: n }, () => packet(rnd));
}

const setup = ['tee_control study-xor set_key 0x5A5AA5A5', 'tee_control monitor set_threshold 20'];

function splitSwitch(c: Compiled, options: SwitchOptions): Switch {
  const sw = new Switch(c, 'tee-split.p4', options);
  for (const line of setup) assert.equal(sw.command(line).ok, true, line);
  return sw;
}

test('split program: sync, switchless and batch give the same packets as the reference interpreter', () => {
  const c = compile('testdata/p4/tee-split.p4');
  const pkts = packets(300, 4242);
  // Reference: the IR interpreter, one packet at a time, on its own switch's modules.
  const refSw = splitSwitch(c, {});
  const ref = new Interpreter(envOf(refSw, c.ir));
  const expected: string[] = [];
  for (const p of pkts) for (const o of ref.process(p.port, p.bytes).outputs) expected.push(`${o.port} ${hex(o.bytes)}`);
  assert.ok(expected.length > 100 && expected.length < pkts.length, `some packets pass, some are blocked (${expected.length})`);
  // Queue path, one packet at a time.
  const q = splitSwitch(c, { teeTransition: 'sync' });
  const queued: string[] = [];
  for (const p of pkts) { q.inject(p.port, p.bytes); q.run(); for (const o of q.takeOutput()) queued.push(`${o.port} ${hex(o.bytes)}`); }
  assert.deepEqual(queued, expected, 'queue path');
  const sizes = [1, 7, 32, 64];
  for (const transition of ['sync', 'switchless', 'batch'] as const) {
    for (const batch of sizes) {
      const gate = new FakeTeeGate(transition);
      const sw = splitSwitch(c, { tee: gate, teeControl: (m, l) => gate.control(m, l) });
      assert.equal(sw.tee?.transition, transition);
      assert.deepEqual(runBatches(sw, pkts, batch), expected, `${transition}, batches of ${batch}`);
      assert.equal(sw.tee?.failDrops(), 0);
    }
  }
  // Counters agree too (seen: total, blocked, non-IPv4).
  const gate = new FakeTeeGate('batch');
  const sw = splitSwitch(c, { tee: gate, teeControl: (m, l) => gate.control(m, l) });
  runBatches(sw, pkts, 64);
  const seen = (s: Switch): string => [0, 1, 2].map((i) => s.command(`counter_read I.seen ${i}`)).map((r) => (r.ok ? r.message : r.error)).join(' | ');
  assert.equal(seen(sw), seen(q));
});

test('crossings: sync makes one per call, batch one per batch and call site', () => {
  const c = compile('testdata/p4/tee-split.p4');
  const pkts = packets(64, 99);
  const sync = new FakeTeeGate('sync');
  const a = splitSwitch(c, { tee: sync, teeControl: (m, l) => sync.control(m, l) });
  runBatches(a, pkts, 64);
  const calls = [...(a.tee?.functions.values() ?? [])].reduce((n, f) => n + f.calls, 0);
  assert.ok(calls > 64, `calls: ${calls}`);
  assert.equal(sync.crossingSizes.length, calls);
  assert.ok(sync.crossingSizes.every((n) => n === 1));

  const batch = new FakeTeeGate('batch');
  const b = splitSwitch(c, { tee: batch, teeControl: (m, l) => batch.control(m, l) });
  runBatches(b, pkts, 64);
  // One batch of 64, four call sites (monitor and crypt in ingress, two crypts in egress): at most one crossing each.
  assert.ok(batch.crossingSizes.length >= 3 && batch.crossingSizes.length <= 4, `crossings: ${batch.crossingSizes.join(',')}`);
  assert.equal(batch.crossingSizes.reduce((x, y) => x + y, 0), calls, 'the same calls, fewer crossings');

  // Study program through the extern: one crossing per study packet (sync), one per batch (batch).
  const study = compile('examples/study-forward/study-forward-tee.p4');
  const sp = packets(200, 5).filter((p) => p.bytes.length > 60 && p.bytes[37] === 0x61);
  for (const [transition, expected] of [['sync', sp.length], ['batch', Math.ceil(sp.length / 16)]] as const) {
    const g = new FakeTeeGate(transition);
    const sw = new Switch(study, 'study-forward-tee.p4', { tee: g, teeControl: (m, l) => g.control(m, l) });
    assert.equal(sw.command('tee_control study-xor set_key 0x5A5AA5A5').ok, true);
    runBatches(sw, sp, 16);
    assert.equal(g.crossingSizes.length, expected, transition);
  }
});

test('fail closed: when the enclave does not answer, packets that call it are dropped and counted', () => {
  const c = compile('testdata/p4/tee-split.p4');
  const pkts = packets(100, 7);
  const nonIp = pkts.filter((p) => p.bytes[12] !== 0x08 || p.bytes[13] !== 0x00).length;
  for (const transition of ['sync', 'batch'] as const) {
    const gate = new FakeTeeGate(transition);
    const sw = splitSwitch(c, { tee: gate, teeControl: (m, l) => gate.control(m, l) });
    gate.down = true;
    const out = runBatches(sw, pkts, 32);
    assert.equal(out.length, nonIp, `${transition}: only packets that need no enclave pass`);
    assert.equal(sw.tee?.failDrops(), pkts.length - nonIp, transition);
    // The switch keeps running: back up, packets pass again.
    gate.down = false;
    assert.ok(runBatches(sw, pkts.slice(0, 10), 10).length > 0);
  }
  // The reference interpreter drops the same way.
  const gate = new FakeTeeGate('sync');
  const refSw = splitSwitch(c, { tee: gate, teeControl: (m, l) => gate.control(m, l) });
  gate.down = true;
  const ref = new Interpreter(envOf(refSw, c.ir));
  assert.equal(pkts.reduce((n, p) => n + ref.process(p.port, p.bytes).outputs.length, 0), nonIp);
});

test('load errors: unknown enclave function, record sizes that differ, no modules', () => {
  const file = join(root, 'testdata/p4/tee-split.p4');
  const none: TeeModuleResolver = { module: () => null };
  const r1 = loadSwitch(file, fe, { teeModules: none });
  assert.equal(r1.ok, false);
  assert.match(r1.ok ? '' : r1.diagnostics.join('\n'), /error: TeeFunction I\.monitor: the enclave has no function 'monitor\.check'/);
  const wrong: TeeModuleResolver = {
    module: (name) => (name === 'monitor' ? { ...echoModule, name: 'monitor', functions: [{ name: 'check', inputBytes: 8, outputBytes: 1 }] } : referenceTeeModules.module(name)),
  };
  const r2 = loadSwitch(file, fe, { tee: new InlineTeeGate(wrong) });
  assert.equal(r2.ok, false);
  assert.match(r2.ok ? '' : r2.diagnostics.join('\n'), /takes 8 input bytes and returns 1, the program's records have 6 and 1/);
  // Staging buffers too small for a batch at every call site.
  const r4 = loadSwitch(file, fe, { tee: new InlineTeeGate(referenceTeeModules, 'batch', 256) });
  assert.equal(r4.ok, false);
  assert.match(r4.ok ? '' : r4.diagnostics.join('\n'), /error: the TEE gate's staging buffers \(256 \/ 256 bytes\) are too small/);
  assert.equal(loadSwitch(file, fe, { tee: new InlineTeeGate(referenceTeeModules, 'sync', 256) }).ok, true, 'sync needs one record');
  // tee_control refuses what the module refuses, and unknown modules.
  const r3 = loadSwitch(file, fe, {});
  assert.ok(r3.ok);
  if (r3.ok) {
    assert.equal(r3.sw.command('tee_control study-xor set_key nope').ok, false);
    assert.equal(r3.sw.command('tee_control nosuch stats').ok, false);
    assert.equal(r3.sw.command('tee_control monitor stats').ok, true);
  }
});

// --- compile errors

const header = `#include <core.p4>
#include <v1model.p4>
#include <tee.p4>
struct in_t { bit<32> a; }
struct out_t { bit<32> a; }
header h_t { bit<32> a; }
struct headers_t { h_t h; }
struct meta_t { }
parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
`;
const ingressCalls = `control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    TeeFunction<in_t, out_t>("study-xor", "crypt") f;
    apply { out_t o; f.call({hdr.h.a}, o); hdr.h.a = o.a; }
}
`;

test('catalogue: unknown module or function, and record sizes that differ, are compile errors', () => {
  const text = header + ingressCalls + `control C(inout headers_t hdr, inout meta_t meta) { apply { } }
V1Switch(P(), C(), I(), E(), C(), D()) main;
`;
  const codes = (cat: { lookup(m: string, f: string): { inputBytes: number; outputBytes: number } | null }): string[] =>
    checkSource('x.p4', text, { ...fe, teeCatalog: cat }).diagnostics.items.map((d) => d.code);
  assert.deepEqual(codes({ lookup: (m, f) => (m === 'study-xor' && f === 'crypt' ? { inputBytes: 4, outputBytes: 4 } : null) }), []);
  assert.deepEqual(codes({ lookup: () => null }), ['P4E0510']);
  assert.deepEqual(codes({ lookup: () => ({ inputBytes: 4, outputBytes: 8 }) }), ['P4E0509']);
  // Without a catalogue any name is accepted by the front end.
  assert.deepEqual(checkSource('x.p4', text, fe).diagnostics.items.map((d) => d.code), []);
});

test('a TeeFunction call outside ingress and egress is a back-end error with its span', () => {
  const text = header + ingressCalls + `control C(inout headers_t hdr, inout meta_t meta) {
    TeeFunction<in_t, out_t>("study-xor", "crypt") g;
    apply { out_t o; g.call({hdr.h.a}, o); }
}
control C2(inout headers_t hdr, inout meta_t meta) { apply { } }
V1Switch(P(), C(), I(), E(), C2(), D()) main;
`;
  const f = checkSource('x.p4', text, fe);
  assert.equal(f.diagnostics.hasErrors, false);
  const { compileChecked } = compileModule;
  const r = compileChecked(f);
  assert.equal(r.ok, false);
  const msg = r.ok ? '' : r.diagnostics.join('\n');
  assert.match(msg, /P4E0804/);
  assert.match(msg, /x\.p4\(20:/, msg);
});

test('a register written on one side of a TeeFunction call and used on the other is refused (batch would reorder it)', () => {
  const text = header + `control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    TeeFunction<in_t, out_t>("study-xor", "crypt") f;
    register<bit<32>>(4) r;
    register<bit<32>>(4) ro;
    apply {
        bit<32> x;
        r.read(x, 0);
        ro.read(x, 1);
        out_t o;
        f.call({x}, o);
        ro.read(x, 2);
        r.write(0, o.a);
    }
}
control C(inout headers_t hdr, inout meta_t meta) { apply { } }
V1Switch(P(), C(), I(), E(), C(), D()) main;
`;
  const r = compileModule.compileChecked(checkSource('x.p4', text, fe));
  assert.equal(r.ok, false);
  const msg = r.ok ? '' : r.diagnostics.join('\n');
  assert.match(msg, /x\.p4\(25:9\): error P4E0805: register 'I\.r'/, msg);
  assert.doesNotMatch(msg, /I\.ro/, 'a register only read on both sides is fine');
});

const compileModule = await import('../../compiler/compile.js');

test('examples: study-forward-tee and monitor send the same packets in every transition as study-forward / the queue path', async () => {
  const { readFileSync } = await import('node:fs');
  const stfPackets = (rel: string): { port: number; bytes: Uint8Array }[] =>
    readFileSync(join(root, rel), 'utf8').split('\n').map((l) => /^packet\s+(\d+)\s+(.*)$/.exec(l.trim())).filter((m) => m !== null)
      .map((m) => ({ port: Number(m[1]), bytes: Uint8Array.from(Buffer.from(m[2]!.replace(/\s+/g, ''), 'hex')) }));
  // study-forward-tee against the register version of the study program.
  const plain = loadSwitch(join(root, 'examples/study-forward/study-forward.p4'), fe, {});
  assert.ok(plain.ok);
  if (!plain.ok) return;
  assert.equal(plain.sw.command('register_write StudyIngress.key 0 0x5A5AA5A5').ok, true);
  const sp = stfPackets('examples/study-forward/study-forward.stf');
  const more = packets(200, 11);
  const all = [...sp, ...more, ...sp];
  const expected = runBatches(plain.sw, all, 64);
  const study = compile('examples/study-forward/study-forward-tee.p4');
  const monitor = compile('examples/monitor/monitor.p4');
  const mp = [...stfPackets('examples/monitor/monitor.stf'), ...more];
  const q = new Switch(monitor, 'monitor.p4', {});
  assert.equal(q.command('tee_control monitor set_threshold 3').ok, true);
  const mExpected: string[] = [];
  for (const p of mp) { q.inject(p.port, p.bytes); q.run(); for (const o of q.takeOutput()) mExpected.push(`${o.port} ${hex(o.bytes)}`); }
  for (const transition of ['sync', 'switchless', 'batch'] as const) {
    for (const batch of [1, 5, 64]) {
      const g = new FakeTeeGate(transition);
      const sw = new Switch(study, 'study-forward-tee.p4', { tee: g, teeControl: (m, l) => g.control(m, l) });
      assert.equal(sw.command('tee_control study-xor set_key 0x5A5AA5A5').ok, true);
      assert.deepEqual(runBatches(sw, all, batch), expected, `study-forward-tee, ${transition}, batches of ${batch}`);
      const gm = new FakeTeeGate(transition);
      const m = new Switch(monitor, 'monitor.p4', { tee: gm, teeControl: (mod, l) => gm.control(mod, l) });
      assert.equal(m.command('tee_control monitor set_threshold 3').ok, true);
      assert.deepEqual(runBatches(m, mp, batch), mExpected, `monitor, ${transition}, batches of ${batch}`);
    }
  }
});

test('inline gate: an instance replaced through setInstance (sealed state restored) serves the next calls', () => {
  const gate = new InlineTeeGate(referenceTeeModules);
  const fn = gate.resolve('study-xor', 'crypt');
  assert.ok(fn >= 0);
  const crypt = (v: number): number => {
    new DataView(gate.inBuf.buffer, gate.inBuf.byteOffset).setUint32(0, v);
    assert.equal(gate.call(fn, 0, 0, 1), 0);
    return new DataView(gate.outBuf.buffer, gate.outBuf.byteOffset).getUint32(0);
  };
  assert.equal(crypt(41), 42, 'key 0: decrypt, add 1, encrypt');
  const state = new Uint8Array(4);
  new DataView(state.buffer).setUint32(0, 0xff);
  const def = referenceTeeModules.module('study-xor');
  assert.ok(def !== null);
  gate.setInstance('study-xor', def.create(state));
  assert.equal(crypt(41), (((41 ^ 0xff) + 1) ^ 0xff) >>> 0, 'the call used the replacement, not the instance cached at resolve()');
  assert.equal(gate.instances.get('study-xor')?.control('stats')?.startsWith('error'), false);
});
