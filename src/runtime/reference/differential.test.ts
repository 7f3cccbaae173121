// Differential tests: random, structured and truncated packets plus random table entries through
// the generated code (Switch) and the reference interpreter; outputs, digests, registers and
// counters must agree. Bounded and seeded: the same run every time, a few seconds per program.
// P4TEE_DIFF_ITER=N scales the packets per program; P4TEE_DIFF_SEED=S changes the seed (default 7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { commandsFile, runDifferential } from './run-differential.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const scale = Number(process.env.P4TEE_DIFF_ITER ?? 0);

interface Case {
  readonly file: string; readonly iterations: number; readonly commands?: string; readonly variant?: 'lowered' | 'final';
  /** Commands run before the packets, besides the commands file. */
  readonly lines?: readonly string[];
}

const examples = ['study-forward', 'ipv4-router', 'stateful-firewall', 'l2-learning', 'ecmp', 'multicast'];
const testdata = [
  'calling-convention', 'clone-resubmit-recirculate', 'composition', 'control-flow', 'counters-meters', 'ecmp-selector',
  'functions', 'header-stacks', 'header-union', 'kitchen-sink', 'l2-learning', 'lexical', 'minimal', 'multicast',
  'parser-statements', 'preprocessor', 'select-keysets', 'stack-index-types', 'table-properties', 'tunnel-encap',
  'types-and-enums', 'varbit-lookahead', 'wide-and-signed', 'annotations', 'expressions', 'structured-values',
  'ipv4-router', 'stateful-firewall', 'study-forward',
];
const cases: Case[] = [
  ...examples.map((e) => ({ file: `examples/${e}/${e}.p4`, iterations: 400, commands: `examples/${e}/commands.txt` })),
  ...testdata.map((t) => ({ file: `testdata/p4/${t}.p4`, iterations: 200 })),
  { file: 'src/runtime/reference/programs/arith.p4', iterations: 800 },
  { file: 'src/runtime/reference/programs/arith.p4', iterations: 200, variant: 'final' },
  { file: 'src/runtime/reference/programs/stacks-varbit.p4', iterations: 800 },
  { file: 'src/runtime/reference/programs/stacks-varbit.p4', iterations: 200, variant: 'final' },
  // Value sets need entries to be reached: the harness builds packets from them.
  { file: 'testdata/p4/value-set-nested-struct.p4', iterations: 200, lines: ['pvs_add pvs 0x0000000a0000000b', 'pvs_add pvs 0x0000000100000003'] },
  { file: 'src/runtime/reference/programs/backend-gaps.p4', iterations: 400, lines: ['pvs_add pvs_pair 0x0000000000aa1234', 'pvs_add pvs_type 0x0800'] },
  { file: 'src/runtime/reference/programs/backend-gaps.p4', iterations: 200, variant: 'final', lines: ['pvs_add pvs_type 0x0800'] },
];

for (const c of cases) {
  test(`differential: ${c.file}${c.variant === 'final' ? ' (final IR)' : ''}`, () => {
    const fe = { includeDirs: [`${root}testdata/p4/include`], defines: new Map<string, string>() };
    const r = runDifferential(`${root}${c.file}`, fe, {
      iterations: scale > 0 ? scale : c.iterations, seed: Number(process.env.P4TEE_DIFF_SEED ?? 7), variant: c.variant ?? 'lowered',
      setup: [...(c.commands === undefined ? [] : commandsFile(`${root}${c.commands}`)), ...(c.lines ?? [])],
    });
    assert.equal(r.reports.length, 0, r.reports.join('\n\n'));
  });
}

test('differential: regressions of generated-code bugs the interpreter found', () => {
  const fe = { includeDirs: [], defines: new Map<string, string>() };
  const r = runDifferential(`${root}src/runtime/reference/programs/fixed-bugs.p4`, fe, { iterations: 200, seed: 7 });
  assert.equal(r.reports.length, 0, r.reports.join('\n\n'));
});

test('the comparison can fail: an interpreter running a mutated IR (+ turned into -) disagrees', async () => {
  const { makePair, runPacket, randomBytes, envOf } = await import('./harness.js');
  const { Interpreter } = await import('./interpreter.js');
  const { Random } = await import('../externs/random.js');
  const pair = makePair(`${root}src/runtime/reference/programs/arith.p4`, { includeDirs: [], defines: new Map() });
  const pkt = randomBytes(new Random(3), 120);
  assert.equal(runPacket(pair, 0, pkt).mismatch, null);
  const ir = structuredClone(pair.ir);
  let mutated = 0;
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.k === 'bin' && o.op === '+' && mutated === 0) { o.op = '-'; mutated++; }
    for (const v of Object.values(o)) walk(v);
  };
  walk(ir.ingress);
  assert.equal(mutated, 1);
  const bad = { ...pair, ref: new Interpreter(envOf(pair.refSw, ir)) };
  const o = runPacket(bad, 0, pkt);
  assert.notEqual(o.mismatch, null);
});
