// The copy paths of the shm and pcap ports allocate nothing per packet: a child process running
// only the in-process shm loopback of bench/ports.ts (after a warm-up) sees no young-generation GC
// over 300,000 packets, with the native copyBatch and with the pure-JS copy. A child of its own
// keeps other code's garbage out; one retry absorbs a stray collection, while a per-packet
// allocation (a subarray view is ~100 bytes) would cause dozens of them every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bench = fileURLToPath(new URL('./ports.js', import.meta.url));

interface Side { packets: number; gcs: number; minor: number; reordered: number }

function gcCheck(js: boolean): { copy: string; loopback: Side; pcap: Side } {
  const args = [bench, '--gc-check', '--packets', '300000', ...(js ? ['--js'] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { copy: string; loopback: Side; pcap: Side };
}

for (const js of [false, true]) {
  test(`shm copy path (${js ? 'pure JS' : 'native when built'}): no young-generation GC over 300,000 packets`, { timeout: 300_000 }, () => {
    let r = gcCheck(js);
    if (r.loopback.minor !== 0) r = gcCheck(js);
    if (js) assert.equal(r.copy, 'js');
    assert.equal(r.loopback.packets >= 300_000 - 32, true, `packets measured: ${r.loopback.packets}`);
    assert.equal(r.loopback.reordered, 0, 'loopback keeps order');
    assert.equal(r.loopback.minor, 0, `young-generation GCs in the loopback window: ${JSON.stringify(r)}`);
    assert.equal(r.pcap.reordered, 0);
  });
}
