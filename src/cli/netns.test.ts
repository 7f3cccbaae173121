// Tests of `p4tee netns` (netnsUp/netnsDown): as root, builds the topology under a unique prefix,
// checks namespaces, veths, addresses and link state, repeats (idempotent), and always removes it.
// Skipped with a message when not root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { netnsDown, netnsUp, topology } from './netns.js';

const isRoot = process.getuid?.() === 0;
const hasIp = spawnSync('ip', ['-V']).status === 0;
const prefix = `p4t-${process.pid}`;

function ip(args: string[]): string {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
}

test('prefix validation and the not-root message', () => {
  const bad = netnsUp('bad prefix!');
  assert.ok(!bad.ok && /--prefix/.test(bad.error));
  if (!isRoot) {
    const r = netnsUp(prefix);
    assert.ok(!r.ok && /needs root/.test(r.error));
  }
});

test('netns up builds two namespaces joined by two veth pairs; down removes them (root)', { skip: !isRoot || !hasIp ? 'needs root and iproute2 (CI runs as root)' : false }, () => {
  const cleanup = (): void => { netnsDown(prefix); };
  process.once('exit', cleanup);
  try {
    const t = topology(prefix);
    const r = netnsUp(prefix);
    assert.ok(r.ok, r.ok ? '' : r.error);
    const list = ip(['netns', 'list']);
    assert.match(list, new RegExp(`^${t.gen}\\b`, 'm'));
    assert.match(list, new RegExp(`^${t.dut}\\b`, 'm'));
    for (const l of t.links) {
      const g = ip(['-n', t.gen, '-br', 'addr', 'show', 'dev', l.gen]);
      const d = ip(['-n', t.dut, '-br', 'addr', 'show', 'dev', l.dut]);
      assert.ok(g.includes(l.genAddr), g);
      assert.ok(d.includes(l.dutAddr), d);
      // The link is up on our side (the state shows UP, or LOWERLAYERDOWN for a moment while the peer comes up).
      assert.match(ip(['-n', t.gen, 'link', 'show', 'dev', l.gen]), /[<,]UP[,>]/);
      // The peer of genN is dutN: same veth pair.
      assert.match(ip(['-n', t.gen, '-d', 'link', 'show', 'dev', l.gen]), /veth/);
    }
    // Nothing in the host namespace.
    assert.doesNotMatch(ip(['link', 'show']), /\b(gen0|dut0|gen1|dut1)\b/);
    const again = netnsUp(prefix);
    assert.ok(again.ok, 'up is idempotent');
    // Half-built topology: remove one veth pair; up restores it.
    ip(['-n', t.gen, 'link', 'del', 'gen1']);
    assert.ok(netnsUp(prefix).ok);
    assert.ok(ip(['-n', t.dut, '-br', 'addr', 'show', 'dev', 'dut1']).includes('10.111.1.2/24'));
    const down = netnsDown(prefix);
    assert.ok(down.ok);
    if (down.ok) assert.deepEqual(down.removed.sort(), [t.dut, t.gen].sort());
    assert.doesNotMatch(ip(['netns', 'list']), new RegExp(prefix));
    const twice = netnsDown(prefix);
    assert.ok(twice.ok && twice.removed.length === 0, 'down is idempotent');
  } finally {
    cleanup();
    process.off('exit', cleanup);
  }
});
