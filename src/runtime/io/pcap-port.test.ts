// Tests of the pcap driver: records go in order into pool slots and sent packets come out in the
// output file; bad files give an error result, never an exception.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PacketPool } from '../core/packet-pool.js';
import { readPcap, writePcap } from './pcap.js';
import { isPortError, openPort } from './port.js';
import { PcapPort } from './pcap-port.js';

test('pcap port round trip: rx in order, tx to the output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-pcap-port-'));
  try {
    const packets = [];
    for (let i = 0; i < 70; i++) packets.push({ sec: 1, nsec: i, data: new Uint8Array(60 + i).fill(i) });
    writeFileSync(join(dir, 'in.pcap'), writePcap(packets));
    const port = openPort({ driver: 'pcap', iface: join(dir, 'in.pcap'), pcapOut: join(dir, 'out.pcap') });
    if (isPortError(port)) assert.fail(port.error);
    const pool = new PacketPool(64);
    const slots = new Int32Array(32);
    let total = 0;
    for (;;) {
      const n: number = port.rx(pool, slots, 32);
      if (n === 0) break;
      for (let i = 0; i < n; i++) assert.equal(pool.length[slots[i]], 60 + total + i);
      assert.equal(port.tx(pool, slots, n), n);
      total += n;
    }
    assert.equal(total, 70);
    assert.equal(pool.available, 64);
    port.close();
    const out = readPcap(readFileSync(join(dir, 'out.pcap')));
    assert.ok(out.ok);
    if (out.ok) assert.deepEqual(out.records.map((r) => Uint8Array.from(r.data)), packets.map((p) => p.data));
    assert.equal(port.stats.rxPackets, 70);
    assert.equal(port.stats.txPackets, 70);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pcap port: missing and malformed files are errors, not exceptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-pcap-port-'));
  try {
    const missing = openPort({ driver: 'pcap', iface: join(dir, 'none.pcap') });
    assert.ok(isPortError(missing));
    assert.match(missing.error, /ENOENT/);
    writeFileSync(join(dir, 'bad.pcap'), new Uint8Array(30));
    const bad = openPort({ driver: 'pcap', iface: join(dir, 'bad.pcap') });
    assert.ok(isPortError(bad));
    assert.match(bad.error, /bad magic/);
    const unknown = openPort({ driver: 'nope' as 'pcap', iface: '' });
    assert.ok(isPortError(unknown));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pcap port: rewind loops the input; output larger than the write buffer is kept whole and in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-pcap-port-'));
  try {
    const packets = [];
    for (let i = 0; i < 10; i++) packets.push({ sec: 1, nsec: i, data: new Uint8Array(1500).fill(i) });
    writeFileSync(join(dir, 'in.pcap'), writePcap(packets));
    const port = openPort({ driver: 'pcap', iface: join(dir, 'in.pcap'), pcapOut: join(dir, 'out.pcap') });
    if (isPortError(port) || !(port instanceof PcapPort)) assert.fail('pcap port did not open');
    const pool = new PacketPool(64);
    const slots = new Int32Array(32);
    // 3000 x 1500 bytes: more than the 4 MiB output buffer, so it is written out mid-run.
    let total = 0;
    while (total < 3000) {
      let n = port.rx(pool, slots, 32);
      if (n === 0) {
        port.rewind();
        n = port.rx(pool, slots, 32);
      }
      assert.equal(port.tx(pool, slots, n), n);
      total += n;
    }
    assert.equal(pool.available, 64);
    assert.equal(port.sentPackets().length, 3000);
    port.close();
    const out = readPcap(readFileSync(join(dir, 'out.pcap')));
    assert.ok(out.ok);
    if (out.ok) {
      assert.equal(out.records.length, 3000);
      out.records.forEach((r, i) => {
        assert.equal(r.data.length, 1500);
        assert.equal(r.data[0], i % 10);
        assert.equal(r.data[1499], i % 10);
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pcap port: an output path that cannot be written is an error result', () => {
  const r = openPort({ driver: 'pcap', iface: '-', pcapOut: '/nonexistent-dir/out.pcap' });
  assert.ok(isPortError(r));
  assert.match(r.error, /cannot write '\/nonexistent-dir\/out.pcap': ENOENT/);
});
