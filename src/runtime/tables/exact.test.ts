// Tests of HashIndex: random inserts and removals against a Map, in a nearly full table so that
// probe runs are long and backward-shift deletion is exercised.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashIndex } from './exact.js';

test('HashIndex agrees with a Map under random inserts and removals', () => {
  const slots = 64;
  const idx = new HashIndex(slots, 2);
  const ref = new Map<string, number>();
  const slotKey: (string | null)[] = new Array(slots).fill(null);
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };
  const buf = new Uint32Array(2);
  for (let step = 0; step < 20000; step++) {
    buf[0] = rand(40);
    buf[1] = rand(3) * 0x80000000;
    const tag = rand(2);
    const k = `${buf[0]},${buf[1]},${tag}`;
    const found = idx.find(buf, 0, tag);
    assert.equal(found, ref.has(k) ? ref.get(k) : -1, `step ${step}`);
    if (found >= 0) {
      if (rand(2) === 0) {
        idx.remove(found);
        ref.delete(k);
        slotKey[found] = null;
      }
    } else {
      const free = slotKey.indexOf(null);
      if (free >= 0) {
        idx.insert(free, buf, 0, tag);
        ref.set(k, free);
        slotKey[free] = k;
      }
    }
    assert.equal(idx.count, ref.size);
  }
});
