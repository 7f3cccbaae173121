// Bounded fuzz test of the switch: truncated, random and wrong-length packets, and random or
// malformed control-plane commands (random tokens, wrong widths, unknown names, huge numbers).
// Nothing may throw, and a refused command must change nothing (table dumps, multicast groups,
// registers and counters compared before and after). Seeded: the same run every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadSwitch } from '../switch.js';
import type { Switch } from '../switch.js';
import { Random } from '../externs/random.js';
import { below, interesting, randomBytes, randomEntry } from './harness.js';
import { commandsFile } from './run-differential.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fe = { includeDirs: [`${root}testdata/p4/include`], defines: new Map<string, string>() };
const programs = [
  'examples/study-forward/study-forward.p4', 'examples/ipv4-router/ipv4-router.p4', 'examples/stateful-firewall/stateful-firewall.p4',
  'examples/ecmp/ecmp.p4', 'examples/multicast/multicast.p4', 'testdata/p4/counters-meters.p4', 'testdata/p4/header-stacks.p4',
  'testdata/p4/clone-resubmit-recirculate.p4', 'src/runtime/reference/programs/stacks-varbit.p4',
];

const verbs = [
  'table_add', 'table_set_default', 'table_reset_default', 'table_modify', 'table_delete', 'table_clear', 'table_dump',
  'table_indirect_add', 'table_indirect_add_with_group', 'table_indirect_delete', 'act_prof_create_member', 'act_prof_create_group',
  'act_prof_add_member_to_group', 'act_prof_delete_member', 'mirroring_add', 'mirroring_add_mc', 'mirroring_delete',
  'mc_mgrp_create', 'mc_mgrp_destroy', 'mc_node_create', 'mc_node_associate', 'mc_node_dissociate', 'mc_node_destroy',
  'counter_read', 'counter_reset', 'counter_write', 'register_read', 'register_write', 'register_reset', 'meter_set_rates',
  'meter_array_set_rates', 'help', 'no_such_command', '', 'TABLE_ADD',
];

function token(sw: Switch, rng: Random): string {
  const info = sw.info;
  const pick = <T>(l: readonly T[]): T | undefined => (l.length === 0 ? undefined : l[below(rng, l.length)]);
  switch (below(rng, 16)) {
    case 0: return pick(info.tables)?.name ?? 'x';
    case 1: return pick(info.actions)?.name ?? 'y';
    case 2: return pick(info.externs)?.name ?? 'z';
    case 3: return 'NoSuchTable.foo';
    case 4: return '=>';
    case 5: return `0x${interesting(rng, 1 + below(rng, 200)).toString(16)}`;
    case 6: return String(below(rng, 1000));
    case 7: return `-${below(rng, 10)}`;
    case 8: return '99999999999999999999999999999999999999';
    case 9: return `${below(rng, 256)}.${below(rng, 256)}.${below(rng, 300)}.${below(rng, 256)}/${below(rng, 40)}`;
    case 10: return `${below(rng, 300)}&&&0x${below(rng, 0x10000).toString(16)}`;
    case 11: return `${below(rng, 100)}->${below(rng, 100)}`;
    case 12: return 'aa:bb:cc:dd:ee:ff';
    case 13: return ['0x', '&&&', '/', '->', '::', 'abc', '1/', '/1', '0xg'][below(rng, 9)];
    case 14: return String(below(rng, 5));
    default: return `${below(rng, 16)}`;
  }
}

/** Everything a command may change, as text. */
function snapshot(sw: Switch): string {
  const parts: string[] = [];
  for (const t of sw.info.tables) {
    const r = sw.command(`table_dump ${t.name}`);
    parts.push(r.ok ? r.message : r.error);
  }
  const mc = sw.command('mc_dump');
  parts.push(mc.ok ? mc.message : mc.error);
  for (const [n, r] of sw.target.registers) parts.push(`${n}:${Array.from(r.words).join(',')}`);
  for (const [n, c] of sw.target.counters) parts.push(`${n}:${Array.from(c.packets).join(',')}:${Array.from(c.bytes).join(',')}`);
  for (let i = 0; i < 8; i++) { const m = sw.command(`mirroring_get ${i}`); parts.push(m.ok ? m.message : m.error); }
  for (const [n, p] of sw.target.profiles) parts.push(`${n}:${JSON.stringify(p, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
  return parts.join('\n');
}

for (const file of programs) {
  test(`fuzz: ${file}`, () => {
    const r = loadSwitch(`${root}${file}`, fe, { seed: 5 });
    if (!r.ok) assert.fail(r.diagnostics.join('\n'));
    const sw = r.sw;
    const dir = file.replace(/[^/]*$/, '');
    for (const line of commandsFile(`${root}${dir}commands.txt`)) sw.command(line);
    const rng = new Random(99);
    let accepted = 0;
    let refused = 0;
    let sent = 0;
    for (let i = 0; i < 150; i++) {
      // Commands: random token soup, or a well-formed table_add with one part corrupted.
      let line: string;
      if (below(rng, 2) === 0) {
        const n = below(rng, 8);
        const toks = [verbs[below(rng, verbs.length)]];
        for (let j = 0; j < n; j++) toks.push(token(sw, rng));
        line = toks.join(' ');
      } else {
        const t = sw.info.tables[below(rng, Math.max(1, sw.info.tables.length))];
        line = (t === undefined ? null : randomEntry(rng, sw.info, t, null)) ?? 'table_add nothing';
        if (below(rng, 2) === 0) {
          const toks = line.split(' ');
          toks[below(rng, toks.length)] = token(sw, rng);
          line = toks.join(' ');
        }
      }
      const before = snapshot(sw);
      let res;
      try {
        res = sw.command(line);
      } catch (e) {
        assert.fail(`command threw: ${line}: ${e instanceof Error ? e.stack : String(e)}`);
      }
      if (res.ok) accepted++;
      else refused++;
      if (!res.ok) assert.equal(snapshot(sw), before, `refused command changed state: ${line} (${res.error})`);
      // Packets: empty, truncated, random, oversized.
      const len = [0, 1, below(rng, 14), below(rng, 64), below(rng, 1600), 17000 + below(rng, 1000)][below(rng, 6)];
      const pkt = randomBytes(rng, len);
      try {
        sw.inject(below(rng, 512), pkt);
        sw.run();
        for (const o of sw.takeOutput()) { assert.ok(o.port >= 0 && o.port < 512); sent++; }
        sw.takeDigests();
      } catch (e) {
        assert.fail(`packet of ${len} bytes threw after '${line}': ${e instanceof Error ? e.stack : String(e)}`);
      }
    }
    // The fuzzer must exercise both paths (else it tests nothing).
    assert.ok(refused > 20 && (accepted > 0 || sw.info.tables.length === 0), `accepted ${accepted}, refused ${refused}`);
    if (process.env.P4TEE_FUZZ_VERBOSE === '1') console.log(`${file}: accepted ${accepted}, refused ${refused}, packets out ${sent}`);
  });
}
