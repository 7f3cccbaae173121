// Micro-benchmark of table lookups (not a test): exact (48-bit key), lpm (IPv4, mixed prefix
// lengths) and ternary (32-bit + 16-bit keys) tables with 1k entries each, probed with a mix of
// hits and misses. Prints ns/lookup per table. Run: node dist/runtime/tables/bench-tables.js

import { MatchKind } from '../abi.js';
import type { KeyMatch } from '../abi.js';
import { Table } from './table.js';
import { ACTIONS, key, tableInfo } from './testing.js';

const ENTRIES = 1000;
const PROBES = 4096;
const ROUNDS = 2000;

let seed = 1;
function rand32(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed;
}

/** Runs lookups over `keys` (words per probe = t.key.length) and returns ns per lookup. */
function measure(t: Table, keys: Uint32Array): number {
  const kw = t.key.length;
  const k = t.key;
  let hits = 0;
  const run = (rounds: number): void => {
    for (let r = 0; r < rounds; r++) {
      for (let p = 0, o = 0; p < PROBES; p++, o += kw) {
        for (let i = 0; i < kw; i++) k[i] = keys[o + i];
        if (t.lookup()) hits++;
      }
    }
  };
  run(ROUNDS / 10); // warm up
  const start = process.hrtime.bigint();
  run(ROUNDS);
  const ns = Number(process.hrtime.bigint() - start);
  if (hits === 0) throw new Error('benchmark never hit');
  return ns / (ROUNDS * PROBES);
}

function exactBench(): number {
  const t = new Table(tableInfo([key('mac', MatchKind.Exact, 48)], { size: ENTRIES }), ACTIONS);
  const macs: [number, number][] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const lo = rand32();
    const hi = rand32() & 0xffff;
    macs.push([lo, hi]);
    t.add([{ kind: 'exact', value: (BigInt(hi) << 32n) | BigInt(lo) }], 0, 1, [BigInt(i)]);
  }
  const keys = new Uint32Array(PROBES * 2);
  for (let p = 0; p < PROBES; p++) {
    const m = macs[rand32() % ENTRIES];
    const miss = p % 4 === 3;
    keys[2 * p] = miss ? rand32() : m[0];
    keys[2 * p + 1] = m[1];
  }
  return measure(t, keys);
}

function lpmBench(): number {
  const t = new Table(tableInfo([key('dst', MatchKind.Lpm, 32)], { size: ENTRIES + 1 }), ACTIONS);
  const lengths = [8, 16, 20, 24, 24, 24, 28, 32];
  const nets: number[] = [];
  let n = 0;
  while (n < ENTRIES) {
    const len = lengths[rand32() % lengths.length];
    const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
    const v = (rand32() & mask) >>> 0;
    const r = t.add([{ kind: 'lpm', value: BigInt(v), prefixLength: len }], 0, 1, [BigInt(n)]);
    if (r.ok) {
      nets.push(v);
      n++;
    }
  }
  const keys = new Uint32Array(PROBES);
  for (let p = 0; p < PROBES; p++) keys[p] = p % 4 === 3 ? rand32() : (nets[rand32() % ENTRIES] | (rand32() & 0xff)) >>> 0;
  return measure(t, keys);
}

function ternaryBench(): number {
  const t = new Table(tableInfo([key('ip', MatchKind.Ternary, 32), key('port', MatchKind.Ternary, 16)], { size: ENTRIES }), ACTIONS);
  const vals: number[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const mask = i % 2 === 0 ? 0xffffffff : 0xffffff00;
    const v = (rand32() & mask) >>> 0;
    vals.push(v);
    const keys: KeyMatch[] = [
      { kind: 'ternary', value: BigInt(v), mask: BigInt(mask) },
      i % 3 === 0 ? { kind: 'ternary', value: 80n, mask: 0xffffn } : { kind: 'ternary', value: 0n, mask: 0n },
    ];
    t.add(keys, rand32() % 1000, 1, [BigInt(i)]);
  }
  const keys = new Uint32Array(PROBES * 2);
  for (let p = 0; p < PROBES; p++) {
    keys[2 * p] = p % 4 === 3 ? rand32() : vals[rand32() % ENTRIES];
    keys[2 * p + 1] = p % 2 === 0 ? 80 : 443;
  }
  return measure(t, keys);
}

const results = { exact: exactBench(), lpm: lpmBench(), ternary: ternaryBench() };
for (const [name, ns] of Object.entries(results)) {
  console.log(`${name.padEnd(8)} ${ENTRIES} entries: ${ns.toFixed(1)} ns/lookup`);
}
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
