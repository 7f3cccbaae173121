// Tests of the switchless spin policy (AdaptiveSpin): the budget halves on every spin that ran out
// and reaches 0 (then only a short probe once every 64 waits), doubles back on spins that saw the
// other side; of the CPU-list parsing behind the shared-CPU check; and, in a child process pinned
// to one CPU with taskset, that a switchless gate notices it shares that CPU with its enclave,
// does not spin, says so in its stats, and still answers correctly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AdaptiveSpin } from './ring.js';
import { cpuAffinity, parseCpuList } from '../runtime/core/affinity.js';

test('adaptive spin: misses shrink the budget to 0, probes come every 64 waits, hits grow it back', () => {
  const s = new AdaptiveSpin(0.1);
  assert.equal(s.take(), 0.1);
  let misses = 0;
  while (s.budgetMs > 0) {
    s.miss();
    misses++;
    assert.ok(misses < 20, 'budget never reached 0');
  }
  // 100 µs halves below the 1 µs floor after 7 misses.
  assert.equal(misses, 7);
  let probes = 0;
  for (let i = 0; i < 640; i++) {
    const b = s.take();
    if (b > 0) {
      probes++;
      assert.equal(b, 0.002);
      s.miss();
    }
  }
  assert.equal(probes, 10);
  assert.equal(s.budgetMs, 0);
  // A probe that sees the other side brings spinning back, doubling up to the maximum.
  s.hit();
  assert.equal(s.budgetMs, 0.002);
  for (let i = 0; i < 10; i++) s.hit();
  assert.equal(s.budgetMs, 0.1);
  assert.equal(s.caught, 11);
  assert.equal(s.missed, 17);
  // No spinning configured: never spins.
  const off = new AdaptiveSpin(0);
  for (let i = 0; i < 200; i++) assert.equal(off.take(), 0);
});

test('cpu lists parse as the kernel writes them; bad ones give null', () => {
  assert.deepEqual(parseCpuList('0'), [0]);
  assert.deepEqual(parseCpuList('0-2,5'), [0, 1, 2, 5]);
  assert.deepEqual(parseCpuList(' 3 \n'), [3]);
  assert.equal(parseCpuList(''), null);
  assert.equal(parseCpuList('2-1'), null);
  assert.equal(parseCpuList('a'), null);
  assert.deepEqual(cpuAffinity('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n'), [0, 1]);
  assert.equal(cpuAffinity('Name:\tnode\n'), null);
  const mine = cpuAffinity();
  if (process.platform === 'linux') assert.ok(mine !== null && mine.length >= 1);
});

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

test('a switchless gate pinned to one CPU with its enclave does not spin, says why, and answers right', { skip: hasTaskset ? false : 'taskset not available' }, () => {
  const gateUrl = new URL('./gate.js', import.meta.url).href;
  const script = `
    const { openTeeGate } = await import(${JSON.stringify(gateUrl)});
    const g = await openTeeGate({ backend: 'isolate', transition: 'switchless', modules: ['study-xor'], sealIntervalMs: 0, timeoutMs: 10000 });
    if ('error' in g) { console.log(JSON.stringify({ error: g.error })); process.exit(0); }
    g.control('study-xor', 'set_key 0x01020304');
    const fn = g.resolve('study-xor', 'crypt');
    const outs = [];
    for (let i = 0; i < 50; i++) {
      g.inBuf.set([0, 0, 0, i], 0);
      if (g.call(fn, 0, 0, 1) !== 0) { outs.push(-1); continue; }
      outs.push(Array.from(g.outBuf.subarray(0, 4)));
    }
    const s = g.stats();
    await g.close();
    console.log(JSON.stringify({ outs, spinNote: s.spinNote, spinMaxUs: s.spinMaxUs, spinCaught: s.spinCaught, spinMissed: s.spinMissed, crossings: s.crossings }));
  `;
  const r = spawnSync('taskset', ['-c', '0', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string);
  assert.equal(out.error, undefined, out.error);
  assert.equal(out.crossings, 50);
  assert.match(out.spinNote, /pinned to CPU 0/);
  assert.equal(out.spinMaxUs, 0);
  assert.equal(out.spinCaught + out.spinMissed, 0);
  // study-xor: decrypt with the key, add 1, encrypt again.
  const key = 0x01020304;
  out.outs.forEach((o: number[] | -1, i: number) => {
    const y = ((((i ^ key) >>> 0) + 1) ^ key) >>> 0;
    assert.deepEqual(o, [y >>> 24, (y >>> 16) & 0xff, (y >>> 8) & 0xff, y & 0xff], `record ${i}`);
  });
});
