// Tests of the shared statistics (stats.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median } from './stats.js';

test('median: middle value, mean of the middle two, non-finite values left out, NaN when empty', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5, NaN, 1, Infinity, 3]), 3);
  assert.ok(Number.isNaN(median([])));
  assert.ok(Number.isNaN(median([NaN])));
  const xs = [9, 7, 8];
  median(xs);
  assert.deepEqual(xs, [9, 7, 8], 'the input is not reordered');
});
