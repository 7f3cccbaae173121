import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { isPortError, openPort, type Port } from '../runtime/io/port.js';
import { nativeStatus } from '../runtime/io/native.js';
import { GenClient, buildGenerator, buildTemplate, launchPrefix } from './gen-process.js';

const noNative = nativeStatus().ok ? false : 'native addon not built (shm regions need it)';

test('a generator process runs trials for its parent over IPC (shm, parent reflects)', { skip: noNative, timeout: 60_000 }, async () => {
  const a = openPort({ driver: 'shm', iface: `p4tee-gt-${process.pid}-a`, shmRole: 'create', ringSize: 1024 });
  const b = openPort({ driver: 'shm', iface: `p4tee-gt-${process.pid}-b`, shmRole: 'create', ringSize: 1024 });
  assert.ok(!isPortError(a) && !isPortError(b));
  const pa = a as Port;
  const pb = b as Port;
  // The reflector: what the generator sends on region a comes back to it on region b.
  const pool = new PacketPool(512, 2048, 64);
  const slots = new Int32Array(256);
  let reflected = 0;
  const timer = setInterval(() => {
    const n = pa.rx(pool, slots, 256);
    const k = pb.tx(pool, slots, n);
    for (let i = k; i < n; i++) pool.free(slots[i]!);
    reflected += k;
  }, 1);
  let client: GenClient | null = null;
  try {
    const c = await GenClient.start(
      {
        driver: 'shm', tx: pa.name, rx: [pb.name], size: 256, ringSize: 1024, graceNs: 10e9, maxOverrunNs: 60e9, lateToleranceNs: 1e12,
        validity: { minAchievedRatio: 0, maxLateRatio: 1, maxBackpressureRatio: 1 },
      },
      { stderr: 'inherit' },
    );
    if ('error' in c) assert.fail(c.error);
    client = c;
    assert.notEqual(client.info.pid, process.pid);
    assert.match(client.info.template, /study 256 B/);
    const r1 = await client.trial(2000, 0.1);
    assert.equal(r1.intended, 200);
    assert.equal(r1.sent, 200);
    assert.equal(r1.received, 200);
    assert.equal(r1.lost, 0);
    // Latency crosses processes: same clock, so positive and below the grace period.
    assert.ok(r1.latencyNs.p50 !== null && r1.latencyNs.p50 >= 0 && r1.latencyNs.p50 < 10e9);
    const r2 = await client.trial(1000, 0.05, { pattern: 'burst:10' });
    assert.equal(r2.pattern, 'burst:10');
    assert.equal(r2.received, 50);
    assert.notEqual(r1.runId, r2.runId);
    await assert.rejects(client.trial(1000, 0.01, { pattern: 'zigzag' }), /expected a pattern/);
    assert.equal(reflected, 250);
  } finally {
    clearInterval(timer);
    await client?.close();
    pa.close();
    pb.close();
  }
  assert.ok(client !== null && client.child.exitCode !== null);
});

test('a setup that cannot open its ports is refused with the reason', { timeout: 30_000 }, async () => {
  const c = await GenClient.start({ driver: 'afpacket', tx: 'no-such-iface0', rx: [] }, { stderr: 'ignore' });
  assert.ok('error' in c);
  assert.match(c.error, /no-such-iface0/);
  const g = buildGenerator({ driver: 'shm', tx: 'x', rx: [], size: 10 });
  assert.ok('error' in g && /frame size/.test(g.error));
  assert.match((buildTemplate({ driver: 'shm', tx: 'x', rx: [], dstPort: '1-99999' }) as { error: string }).error, /--dst-port/);
});

test('launch prefix: taskset and netns', () => {
  assert.deepEqual(launchPrefix({}), []);
  assert.deepEqual(launchPrefix({ cpu: 1, netns: 'p-gen' }), ['taskset', '-c', '1', 'ip', 'netns', 'exec', 'p-gen']);
});
