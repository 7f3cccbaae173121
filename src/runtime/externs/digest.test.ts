import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DigestQueue } from './digest.js';
import { formatLogMessage } from './log.js';

test('digests queue in order and overflow is counted', () => {
  const q = new DigestQueue(2);
  assert.equal(q.push(1, [0xaabbccddeeffn, 3n], 'learn_t'), true);
  assert.equal(q.push(1, [1n, 4n]), true);
  assert.equal(q.push(1, [2n, 5n]), false);
  assert.equal(q.dropped, 1);
  assert.equal(q.length, 2);
  const got = q.take();
  assert.deepEqual(got.map((d) => d.values), [[0xaabbccddeeffn, 3n], [1n, 4n]]);
  assert.equal(got[0].name, 'learn_t');
  assert.equal(q.length, 0);
  assert.equal(q.push(1, [9n]), true);
  q.clear();
  assert.equal(q.length, 0);
  assert.equal(q.dropped, 0);
});

test('log_msg formatting', () => {
  assert.equal(formatLogMessage('a={} b={}', [1, 2n]), 'a=1 b=2');
  assert.equal(formatLogMessage('x={} y={}', [true]), 'x=1 y={}');
  assert.equal(formatLogMessage('plain', [5]), 'plain');
});
