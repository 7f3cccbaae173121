import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRate, parseSeconds, runGen } from './gen.js';
import { readPcap } from '../runtime/io/pcap.js';
import { readSeq, STUDY_LAYOUT } from '../trafficgen/stamp.js';

test('rates: pps, k/M prefixes and bit rates with the wire overhead', () => {
  assert.equal(parseRate('1Mpps', 1500), 1e6);
  assert.equal(parseRate('500kpps', 1500), 5e5);
  assert.equal(parseRate('20000', 64), 20000);
  // 10 Gbit/s of 1500-byte frames: (1500 + 24) * 8 bits each.
  assert.equal(parseRate('10Gbit', 1500), 10e9 / (1524 * 8));
  assert.equal(parseRate('100Mbps', 64), 100e6 / (88 * 8));
  assert.equal(typeof parseRate('fast', 64), 'string');
  assert.equal(typeof parseRate('0pps', 64), 'string');
  assert.equal(parseSeconds('10s'), 10);
  assert.equal(parseSeconds('500ms'), 0.5);
  assert.equal(parseSeconds('100us'), 1e-4);
  assert.equal(parseSeconds('2m'), 120);
  assert.equal(typeof parseSeconds('soon'), 'string');
});

function flags(over: Record<string, unknown>): Parameters<typeof runGen>[0] {
  return {
    driver: 'pcap', rx: [], rate: '1kpps', size: '100', duration: '1s', pattern: 'cbr', seed: '1', burst: '32', ring: '256',
    lateTolerance: '1000s', grace: '10ms', catchUp: '1.1', quiet: true, ...over,
  } as Parameters<typeof runGen>[0];
}

test('p4tee gen over the pcap driver writes stamped packets; usage errors exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-gen-'));
  try {
    const out = join(dir, 'out.pcap');
    let text = '';
    const logs: string[] = [];
    const code = await runGen(flags({ tx: out, count: '20', json: true }), { out: (t) => { text += t; }, log: (l) => logs.push(l) });
    const r = JSON.parse(text) as { sent: number; intended: number; lossRatio: number | null; packetBytes: number };
    assert.equal(r.intended, 20);
    assert.equal(r.sent, 20);
    assert.equal(r.lossRatio, null);
    assert.equal(r.packetBytes, 100);
    assert.ok(code === 0 || code === 3, logs.join('\n'));
    const f = readPcap(readFileSync(out));
    assert.ok(f.ok);
    if (f.ok) {
      assert.equal(f.records.length, 20);
      assert.deepEqual(f.records.map((x) => readSeq(x.data, STUDY_LAYOUT, 0, x.data.length)), Array.from({ length: 20 }, (_, i) => i));
    }
    assert.equal(await runGen(flags({ tx: out, rate: 'lots' }), { log: (l) => logs.push(l), out: () => {} }), 2);
    assert.match(logs.at(-1) ?? '', /--rate/);
    assert.equal(await runGen(flags({ driver: 'tap', tx: out }), { log: (l) => logs.push(l), out: () => {} }), 2);
    for (const catchUp of ['0.5', 'fast', '0']) {
      assert.equal(await runGen(flags({ tx: out, catchUp }), { log: (l) => logs.push(l), out: () => {} }), 2);
      assert.match(logs.at(-1) ?? '', /--catch-up/);
    }
    assert.equal(await runGen(flags({}), { log: (l) => logs.push(l), out: () => {} }), 2);
    assert.equal(await runGen(flags({ tx: out, pcap: join(dir, 'missing.pcap') }), { log: (l) => logs.push(l), out: () => {} }), 1);
    assert.match(logs.at(-1) ?? '', /missing\.pcap/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
