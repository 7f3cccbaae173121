import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CommandResult, ProgramInfo } from '../runtime/abi.js';
import type { StfSwitch } from '../runtime/control/stf-runner.js';
import { readPcap, writePcap } from '../runtime/io/pcap.js';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../runtime/switch.js';
import { formatReport, programFor, runOneStf, summary } from './stf.js';
import type { SwitchLoader } from './stf.js';
import { parsePortFile, runOffline } from './run.js';

const info: ProgramInfo = { program: 'x.p4', arch: 'v1model', phvWords: 0, fields: [], tables: [], actions: [], externs: [], errors: [] };

/** Sends every packet out on port+1; `mirroring_add` is accepted, anything else refused. */
class Reflector implements StfSwitch {
  readonly info = info;
  private q: { port: number; bytes: Uint8Array }[] = [];
  private out: { port: number; bytes: Uint8Array }[] = [];
  command(line: string): CommandResult {
    return line.startsWith('mirroring_add') ? { ok: true, message: '' } : { ok: false, error: `unknown: ${line}` };
  }
  inject(port: number, bytes: Uint8Array): void { this.q.push({ port, bytes }); }
  run(): void {
    for (const p of this.q) this.out.push({ port: p.port + 1, bytes: p.bytes });
    this.q = [];
  }
  takeOutput(): { port: number; bytes: Uint8Array }[] {
    const o = this.out;
    this.out = [];
    return o;
  }
}

const seen: string[] = [];
const loader: SwitchLoader = (p4) => {
  seen.push(p4);
  if (p4.includes('broken')) return { ok: false, diagnostics: ['broken.p4(1:1): error P4E0001: nope'] };
  if (p4.includes('crash')) throw new Error('boom');
  return { ok: true, sw: new Reflector() };
};

const dir = mkdtempSync(join(tmpdir(), 'p4tee-stf-'));
const frontend = { includeDirs: [], defines: new Map<string, string>() };

test('programFor: the .p4 beside the test unless given', () => {
  assert.equal(programFor('a/b/t1.stf', undefined), join('a/b', 't1.p4'));
  assert.equal(programFor('a/b/t1.stf', 'p.p4'), 'p.p4');
});

test('runOneStf: pass, fail, compile error, internal error, unreadable test', () => {
  const pass = join(dir, 'pass.stf');
  writeFileSync(pass, 'packet 0 0102\nexpect 1 0102$\nmirroring_add 1 2\n');
  const fail = join(dir, 'fail.stf');
  writeFileSync(fail, 'packet 3 0102\nexpect 4 0103\n');
  const r1 = runOneStf(pass, undefined, frontend, {}, loader);
  assert.deepEqual(r1, { test: pass, ok: true, failures: [] });
  assert.equal(seen.at(-1), join(dir, 'pass.p4'));
  const r2 = runOneStf(fail, undefined, frontend, {}, loader);
  assert.equal(r2.ok, false);
  assert.match(formatReport(r2), /^FAIL .*fail\.stf\n {2}line 2: packet #1 on port 4 differs: first difference at byte 1/);
  const r3 = runOneStf(pass, 'broken.p4', frontend, {}, loader);
  assert.deepEqual(r3.failures, ['the program broken.p4 does not compile:', 'broken.p4(1:1): error P4E0001: nope']);
  const r4 = runOneStf(pass, 'crash.p4', frontend, {}, loader);
  assert.equal(r4.ok, false);
  assert.match(r4.internalError!, /boom/);
  const r5 = runOneStf(join(dir, 'missing.stf'), undefined, frontend, {}, loader);
  assert.match(r5.failures[0]!, /cannot read the test: ENOENT/);
  assert.equal(summary([r1, r2, r3, r4, r5]), '1 passed, 4 failed');
  // The JSON form carries exactly test, ok, failures (and internalError when set).
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(r4))), ['test', 'ok', 'failures', 'internalError']);
});

test('parsePortFile', () => {
  assert.deepEqual(parsePortFile('3=a=b.pcap'), { port: 3, file: 'a=b.pcap' });
  assert.equal(typeof parsePortFile('x=a.pcap'), 'string');
  assert.equal(typeof parsePortFile('3'), 'string');
});

test('runOffline merges inputs by timestamp and writes each output port', () => {
  const a = join(dir, 'a.pcap');
  const b = join(dir, 'b.pcap');
  writeFileSync(a, writePcap([{ sec: 1, nsec: 0, data: new Uint8Array([0xa1]) }, { sec: 3, nsec: 0, data: new Uint8Array([0xa3]) }]));
  writeFileSync(b, writePcap([{ sec: 2, nsec: 0, data: new Uint8Array([0xb2]) }], { nanosecond: true }));
  const cmds = join(dir, 'cmds.txt');
  writeFileSync(cmds, '# setup\nmirroring_add 1 2\n');
  const out1 = join(dir, 'out1.pcap');
  const out5 = join(dir, 'out5.pcap');
  const r = runOffline({
    program: 'x.p4', inputs: [{ port: 0, file: a }, { port: 1, file: b }], outputs: [{ port: 1, file: out1 }, { port: 5, file: out5 }],
    commands: cmds, frontend, options: {},
  }, loader);
  assert.equal(r.status, 0, r.messages.join('\n'));
  assert.match(r.messages.at(-1)!, /^3 packets in, 3 out \(port 1: 2, port 2: 1 \(not written: no --pcap-out\)\)$/);
  const o1 = readPcap(readFileSync(out1));
  assert.ok(o1.ok);
  assert.equal(o1.nanosecond, true);
  assert.deepEqual(o1.records.map((p) => [p.sec, p.data[0]]), [[1, 0xa1], [3, 0xa3]]);
  const o5 = readPcap(readFileSync(out5));
  assert.ok(o5.ok && o5.records.length === 0);

  writeFileSync(cmds, 'mirroring_add 1 2\ntable_add x y\n');
  const bad = runOffline({ program: 'x.p4', inputs: [], outputs: [], commands: cmds, frontend, options: {} }, loader);
  assert.equal(bad.status, 1);
  assert.match(bad.messages[0]!, /cmds\.txt:2: error: unknown: table_add x y/);

  writeFileSync(b, 'not a pcap file at all, no');
  const badPcap = runOffline({ program: 'x.p4', inputs: [{ port: 1, file: b }], outputs: [], commands: null, frontend, options: {} }, loader);
  assert.equal(badPcap.status, 1);
  assert.match(badPcap.messages[0]!, /bad magic/);
});

const fixtures = fileURLToPath(new URL('../../testdata/stf/', import.meta.url));

test('end to end: testdata/stf/forward.stf passes on the real switch, forward-fail.stf fails', () => {
  const ok = runOneStf(join(fixtures, 'forward.stf'), undefined, frontend, {}, loadSwitch);
  assert.deepEqual(ok.failures, []);
  assert.equal(ok.ok, true);
  const bad = runOneStf(join(fixtures, 'forward-fail.stf'), join(fixtures, 'forward.p4'), frontend, {}, loadSwitch);
  assert.equal(bad.ok, false);
  assert.equal(bad.internalError, undefined);
  assert.deepEqual(bad.failures.map((f) => f.split(':')[0]), ['line 4', 'line 5']);
  assert.match(bad.failures[0]!, /first difference at byte 13/);
});

test('end to end: p4tee run on pcap files with a commands file', () => {
  const h = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
  const in0 = join(dir, 'e2e-in0.pcap');
  writeFileSync(in0, writePcap([
    { sec: 5, nsec: 0, data: h('000000000001aabbccddeeff0800') },
    { sec: 6, nsec: 0, data: h('000000000002aabbccddeeff88cc0102') },
    { sec: 7, nsec: 0, data: h('000000000009aabbccddeeff0800') },
  ]));
  const cmds = join(dir, 'e2e-cmds.txt');
  writeFileSync(cmds, 'table_add fwd forward 0x000000000001 => 1\ntable_add fwd forward 0x000000000002 => 2\n' +
    'table_add acl forward 0x88cc&&&0xffff => 4 1\n');
  const out1 = join(dir, 'e2e-out1.pcap');
  const out4 = join(dir, 'e2e-out4.pcap');
  const r = runOffline({
    program: join(fixtures, 'forward.p4'), inputs: [{ port: 0, file: in0 }],
    outputs: [{ port: 1, file: out1 }, { port: 4, file: out4 }], commands: cmds, frontend, options: {},
  }, loadSwitch);
  assert.equal(r.status, 0, r.messages.join('\n'));
  assert.equal(r.messages.at(-1), '3 packets in, 2 out (port 1: 1, port 4: 1)');
  const o1 = readPcap(readFileSync(out1));
  const o4 = readPcap(readFileSync(out4));
  assert.ok(o1.ok && o4.ok);
  assert.deepEqual(o1.records.map((p) => [p.sec, Buffer.from(p.data).toString('hex')]), [[5, '000000000001aabbccddeeff0800']]);
  assert.deepEqual(o4.records.map((p) => [p.sec, Buffer.from(p.data).toString('hex')]), [[6, '000000000002aabbccddeeff88cc0102']]);
});
