import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePcap } from '../runtime/io/pcap.js';
import { ipv4Checksum, parseIpRange, parsePortRange, pcapTemplate, studyTemplate, formatIpv4, parseMac } from './template.js';
import { STUDY_LAYOUT, TAIL_LAYOUT } from './stamp.js';

function ok<T>(r: T | { error: string }): T {
  if (typeof r === 'object' && r !== null && 'error' in r) assert.fail((r as { error: string }).error);
  return r as T;
}

test('study template: layout, lengths, valid IPv4 checksum, UDP 7777 checksum 0', () => {
  const t = ok(studyTemplate({ size: 1500 }));
  assert.equal(t.layout, STUDY_LAYOUT);
  assert.equal(t.frames.length, 1);
  const f = t.frames[0]!;
  assert.equal(f.length, 1500);
  assert.deepEqual([...f.subarray(12, 14)], [0x08, 0x00]);
  assert.equal(f[14], 0x45);
  assert.equal((f[16]! << 8) | f[17]!, 1486);
  assert.equal(f[23], 17);
  // A header with a correct checksum sums to 0xffff, i.e. its checksum over itself is 0.
  assert.equal(ipv4Checksum(f, 14), 0);
  assert.equal((f[36]! << 8) | f[37]!, 7777);
  assert.equal((f[38]! << 8) | f[39]!, 1466);
  assert.deepEqual([...f.subarray(40, 42)], [0, 0]);
  assert.equal(formatIpv4((f[26]! << 24 | f[27]! << 16 | f[28]! << 8 | f[29]!) >>> 0), '10.111.0.1');
  // Known-answer checksum: the classic example header 4500 0073 0000 4000 4011 ---- c0a8 0001 c0a8 00c7 -> b861.
  const h = Uint8Array.from([0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7]);
  assert.equal(ipv4Checksum(h, 0), 0xb861);
});

test('study template: sizes and refusals', () => {
  assert.equal(ok(studyTemplate({ size: 64 })).frames[0]!.length, 64);
  assert.ok('error' in studyTemplate({ size: 63 }));
  assert.ok('error' in studyTemplate({ size: 9001 }));
  assert.ok('error' in studyTemplate({ size: 100, srcMac: 'zz' }));
});

test('field variation: each range cycles independently, K = lcm capped', () => {
  const sip = parseIpRange('10.0.0.1-10.0.0.4');
  const dp = parsePortRange('7777-7779');
  assert.ok(typeof sip !== 'string' && typeof dp !== 'string');
  const t = ok(studyTemplate({ size: 128, srcIp: sip, dstPort: dp }));
  assert.equal(t.frames.length, 12);
  const seen = new Set<string>();
  for (const f of t.frames) {
    assert.equal(ipv4Checksum(f, 14), 0);
    seen.add(`${f[29]}/${(f[36]! << 8) | f[37]!}`);
  }
  assert.equal(seen.size, 12);
  const capped = ok(studyTemplate({ size: 128, srcIp: parseIpRange('10.0.0.0-10.0.255.255') as { lo: number; hi: number }, maxFrames: 100 }));
  assert.equal(capped.frames.length, 100);
  assert.equal(typeof parseIpRange('10.0.0.9-10.0.0.1'), 'string');
  assert.equal(typeof parsePortRange('70000'), 'string');
  assert.equal(typeof parseMac('02:00:00:00:00:0g'), 'string');
});

test('pcap template: frames in order, tail layout, UDP checksum cleared, short frames refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-tpl-'));
  try {
    const a = ok(studyTemplate({ size: 100 })).frames[0]!.slice();
    a[40] = 0x12;
    a[41] = 0x34; // a UDP checksum to clear
    const b = new Uint8Array(70).fill(0xab);
    const p = join(dir, 'in.pcap');
    writeFileSync(p, writePcap([{ sec: 0, nsec: 0, data: a }, { sec: 0, nsec: 1, data: b }]));
    const t = ok(pcapTemplate(p));
    assert.equal(t.layout, TAIL_LAYOUT);
    assert.equal(t.frames.length, 2);
    assert.deepEqual([...t.frames[0]!.subarray(40, 42)], [0, 0]);
    assert.deepEqual(t.frames[1], b);
    const short = join(dir, 'short.pcap');
    writeFileSync(short, writePcap([{ sec: 0, nsec: 0, data: new Uint8Array(59) }]));
    assert.match((pcapTemplate(short) as { error: string }).error, /at least 60/);
    assert.match((pcapTemplate(join(dir, 'nope.pcap')) as { error: string }).error, /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
