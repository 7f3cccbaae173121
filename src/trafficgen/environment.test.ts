// Tests of the environment record: real machine facts have the right shapes; injected facts pass through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { collectEnvironment } from './environment.js';

test('the environment of this machine', () => {
  const e = collectEnvironment();
  assert.equal(e.kernel, os.release());
  assert.equal(e.node, process.version);
  assert.ok(e.cores >= 1);
  assert.ok(e.cpu.length > 0);
  assert.equal(e.hostname, os.hostname());
  assert.ok(!Number.isNaN(Date.parse(e.date)));
});

test('injected facts, and a CPU list the OS leaves empty', () => {
  const e = collectEnvironment({
    release: () => '6.1.0-test',
    version: 'v20.0.0',
    cpus: () => [],
    availableParallelism: () => 0,
    hostname: () => 'box',
    date: new Date(Date.UTC(2025, 0, 2, 3, 4, 5)),
  });
  assert.deepEqual(e, { kernel: '6.1.0-test', node: 'v20.0.0', cpu: 'unknown', cores: 1, hostname: 'box', date: '2025-01-02T03:04:05.000Z' });
  assert.equal(collectEnvironment({ cpus: () => [{ model: '  Intel(R)   Xeon(R)  ' }] }).cpu, 'Intel(R) Xeon(R)');
});
