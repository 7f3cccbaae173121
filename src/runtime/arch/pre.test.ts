// The packet replication engine: groups, nodes, association, and the replication lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MulticastEngine } from './pre.js';

function copies(pre: MulticastEngine, group: number): [number, number][] {
  const out = { ports: new Int32Array(16), rids: new Int32Array(16) };
  const n = pre.replicate(group, out);
  const list: [number, number][] = [];
  for (let i = 0; i < n; i++) list.push([out.ports[i], out.rids[i]]);
  return list;
}

test('the simple_switch documentation example, step by step', () => {
  const pre = new MulticastEngine();
  const n0 = pre.createNode(5, [3, 0]);
  assert.ok(n0.ok);
  assert.equal(n0.ok && n0.handle, 0);
  assert.match(n0.ok ? n0.message : '', /port map 1001 .*\nnode was created with handle 0/);
  const n1 = pre.createNode(10, [7]);
  assert.equal(n1.ok && n1.handle, 1);
  assert.deepEqual(pre.createGroup(1113), { ok: true, message: 'Creating multicast group 1113' });
  assert.equal(pre.dump(), '==========\nMC ENTRIES\n**********\nmgrp(1113)\n==========\nLAGS\n==========');
  assert.deepEqual(copies(pre, 1113), []);
  assert.ok(pre.associate(1113, 0).ok);
  assert.deepEqual(copies(pre, 1113), [[0, 5], [3, 5]]);
  assert.ok(pre.associate(1113, 1).ok);
  assert.deepEqual(copies(pre, 1113), [[0, 5], [3, 5], [7, 10]]);
  assert.equal(pre.dump(), [
    '==========', 'MC ENTRIES', '**********', 'mgrp(1113)',
    '  -> (L1h=0, rid=5) -> (ports=[0, 3], lags=[])',
    '  -> (L1h=1, rid=10) -> (ports=[7], lags=[])',
    '==========', 'LAGS', '=========='].join('\n'));
  assert.ok(pre.dissociate(1113, 0).ok);
  assert.deepEqual(copies(pre, 1113), [[7, 10]]);
  assert.ok(pre.dissociate(1113, 1).ok);
  assert.deepEqual(copies(pre, 1113), []);
  assert.ok(pre.destroyGroup(1113).ok);
  assert.equal(pre.dump(), '==========\nMC ENTRIES\n==========\nLAGS\n==========');
});

test('association order decides copy order; updates and destroys rebuild the list', () => {
  const pre = new MulticastEngine();
  pre.createGroup(1);
  const a = pre.createNode(1, [4, 2, 2]);
  const b = pre.createNode(2, [1]);
  assert.ok(a.ok && b.ok);
  pre.associate(1, 1);
  pre.associate(1, 0);
  assert.deepEqual(copies(pre, 1), [[1, 2], [2, 1], [4, 1]]);
  assert.ok(pre.updateNode(0, [9]).ok);
  assert.deepEqual(copies(pre, 1), [[1, 2], [9, 1]]);
  assert.ok(pre.destroyNode(1).ok);
  assert.deepEqual(copies(pre, 1), [[9, 1]]);
  const c = pre.createNode(3, [5]);
  assert.equal(c.ok && c.handle, 1, 'lowest free handle is reused');
  assert.equal(pre.copies(1), 1);
  assert.equal(pre.maxCopies(), 1);
});

test('a destroyed group frees its nodes for another group', () => {
  const pre = new MulticastEngine();
  pre.createGroup(1);
  pre.createGroup(2);
  pre.createNode(0, [1]);
  assert.ok(pre.associate(1, 0).ok);
  assert.equal(pre.associate(2, 0).ok, false, 'a node is in one group at a time');
  assert.ok(pre.destroyGroup(1).ok);
  assert.equal(pre.node(0)?.group, -1);
  assert.ok(pre.associate(2, 0).ok);
  assert.deepEqual(copies(pre, 2), [[1, 0]]);
  assert.deepEqual(copies(pre, 1), []);
});

test('mistakes are refused and change nothing', () => {
  const pre = new MulticastEngine();
  pre.createGroup(7);
  pre.createNode(1, [1, 2]);
  pre.associate(7, 0);
  const before = pre.dump();
  const refused = [
    pre.createGroup(7), pre.createGroup(70000), pre.destroyGroup(8),
    pre.createNode(70000, [1]), pre.createNode(1, [512]), pre.createNode(1, [1], [0]),
    pre.updateNode(5, [1]), pre.updateNode(0, [600]), pre.destroyNode(5),
    pre.associate(8, 0), pre.associate(7, 5), pre.associate(7, 0),
    pre.dissociate(8, 0), pre.dissociate(7, 5),
  ];
  for (const r of refused) assert.equal(r.ok, false, JSON.stringify(r));
  pre.createNode(2, [3]);
  assert.equal(pre.dissociate(7, 1).ok, false, 'node 1 is not in group 7');
  assert.equal(pre.dump(), before);
  assert.deepEqual(copies(pre, 7), [[1, 1], [2, 1]]);
});

test('replicate writes only what fits and still returns the full count; unknown groups make no copies', () => {
  const pre = new MulticastEngine();
  pre.createGroup(3);
  pre.createNode(9, [1, 2, 3, 4]);
  pre.associate(3, 0);
  const out = { ports: new Int32Array(2), rids: new Int32Array(2) };
  assert.equal(pre.replicate(3, out), 4);
  assert.deepEqual([...out.ports], [1, 2]);
  assert.equal(pre.replicate(4, out), 0);
  assert.equal(pre.replicate(-1, out), 0);
  assert.equal(pre.replicate(1 << 20, out), 0);
  pre.reset();
  assert.equal(pre.replicate(3, out), 0);
});
