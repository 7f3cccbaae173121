// Tests of the afpacket driver over a veth pair in a private network namespace (root and the
// native addon needed; skipped otherwise). The test creates namespace p4t-<pid>, runs this file
// again inside it (ip netns exec) to send frames with one afpacket port and receive them on the
// other end, and always deletes the namespace (and with it the veth pair).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PacketPool } from '../core/packet-pool.js';
import { nativeStatus } from './native.js';
import { isPortError, openPort, type Port } from './port.js';

const ETHERTYPE = 0x88b5; // IEEE local experimental: nothing else in the namespace sends it
const FRAMES = 200;

/** Child side, inside the namespace: sends FRAMES frames a -> b and 50 back b -> a. */
function child(a: string, b: string): void {
  const result: Record<string, unknown> = {};
  const deadline = Date.now() + 10_000;
  // veth carrier comes up asynchronously.
  const up = (n: string): boolean => readFileSync(`/sys/class/net/${n}/operstate`, 'utf8').trim() === 'up';
  while (!(up(a) && up(b)) && Date.now() < deadline) spawnSync('sleep', ['0.05']);
  const pa = openPort({ driver: 'afpacket', iface: a, ringSize: 256 });
  const pb = openPort({ driver: 'afpacket', iface: b, ringSize: 256 });
  if (isPortError(pa) || isPortError(pb)) {
    console.log(JSON.stringify({ error: isPortError(pa) ? pa.error : (pb as { error: string }).error }));
    return;
  }
  const pool = new PacketPool(1024);
  result.ab = transfer(pa, pb, pool, FRAMES, deadline);
  result.ba = transfer(pb, pa, pool, 50, deadline);
  result.poolLeft = pool.slots - pool.available;
  pa.poll?.();
  result.statsA = pa.stats.toJSON();
  result.statsB = pb.stats.toJSON();
  pa.close();
  pb.close();
  console.log(JSON.stringify(result));
}

/** Sends `count` numbered frames from tx to rx; returns the sequence numbers received, in order. */
function transfer(tx: Port, rx: Port, pool: PacketPool, count: number, deadline: number): number[] {
  const got: number[] = [];
  const slots = new Int32Array(32);
  const inn = new Int32Array(32);
  let next = 0;
  while (got.length < count && Date.now() < deadline) {
    let k = 0;
    while (k < 32 && next + k < count) {
      const s = pool.alloc();
      const len = 64 + ((next + k) % 1000);
      pool.setLength(s, len);
      const v = pool.view(s);
      v.fill(0xab);
      v.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, ETHERTYPE >> 8, ETHERTYPE & 0xff, (next + k) >> 8, (next + k) & 0xff], 0);
      slots[k++] = s;
    }
    const sent = tx.tx(pool, slots, k);
    for (let i = sent; i < k; i++) pool.free(slots[i]);
    next += sent;
    const n = rx.rx(pool, inn, 32);
    for (let i = 0; i < n; i++) {
      const v = pool.view(inn[i]);
      if (((v[12] << 8) | v[13]) === ETHERTYPE && v.length === 64 + (((v[14] << 8) | v[15]) % 1000)) got.push((v[14] << 8) | v[15]);
      pool.free(inn[i]);
    }
    if (n === 0 && next >= count) spawnSync('sleep', ['0.002']);
  }
  return got;
}

function ip(...args: string[]): { ok: boolean; err: string } {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return { ok: r.status === 0, err: (r.stderr ?? '').trim() };
}

const childArgs = process.env.P4TEE_AFP_CHILD;
if (childArgs !== undefined) {
  const [a, b] = childArgs.split(',');
  child(a, b);
} else {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const st = nativeStatus();
  const skip = !isRoot ? 'needs root (network namespaces)' : !st.ok ? st.reason : false;

  test('afpacket over a veth pair in a private namespace', { skip, timeout: 60_000 }, () => {
    const ns = `p4t-${process.pid}`;
    const a = `p4t${process.pid}a`.slice(0, 15);
    const b = `p4t${process.pid}b`.slice(0, 15);
    const cleanup = (): void => {
      ip('netns', 'del', ns);
    };
    process.on('exit', cleanup);
    try {
      const made = ip('netns', 'add', ns);
      assert.ok(made.ok, `ip netns add: ${made.err}`);
      for (const cmd of [
        ['link', 'add', 'name', a, 'type', 'veth', 'peer', 'name', b],
        ['link', 'set', a, 'up'],
        ['link', 'set', b, 'up'],
      ]) {
        const r = ip('-n', ns, ...cmd);
        assert.ok(r.ok, `ip -n ${ns} ${cmd.join(' ')}: ${r.err}`);
      }
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url)], {
        env: { ...process.env, P4TEE_AFP_CHILD: `${a},${b}` },
        encoding: 'utf8',
        timeout: 45_000,
      });
      assert.equal(r.status, 0, `child failed: ${r.stderr}`);
      const res = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as {
        error?: string;
        ab: number[];
        ba: number[];
        poolLeft: number;
        statsA: { txPackets: number };
      };
      assert.equal(res.error, undefined);
      assert.deepEqual(res.ab, Array.from({ length: FRAMES }, (_, i) => i), 'a -> b: every frame, in order');
      assert.deepEqual(res.ba, Array.from({ length: 50 }, (_, i) => i), 'b -> a: every frame, in order');
      assert.equal(res.poolLeft, 0, 'no slot leaked');
      assert.equal(res.statsA.txPackets, FRAMES);
    } finally {
      cleanup();
      process.off('exit', cleanup);
    }
    assert.ok(!ip('netns', 'list').err && !spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.includes(ns), 'namespace removed');
  });

  test('afpacket: unknown interface is an error result', { skip: st.ok ? false : 'native addon missing' }, () => {
    const r = openPort({ driver: 'afpacket', iface: 'p4t-no-such-if' });
    assert.ok(isPortError(r));
    assert.match(r.error, /no interface 'p4t-no-such-if'/);
  });
}
