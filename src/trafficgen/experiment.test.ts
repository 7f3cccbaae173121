// Tests of experiment files: parsing and validation with clear errors, matrix expansion, and
// resumption (complete cells are skipped, failed cells do not stop the run).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatorDriverOf, loadExperiment, parseRate, parseTeeMode, ringFor, runExperiment, type Experiment } from './experiment.js';

function withFile(text: string, fn: (file: string, dir: string) => Promise<void> | void): Promise<void> | void {
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-exp-'));
  writeFileSync(join(dir, 'prog.p4'), '// empty\n');
  const file = join(dir, 'exp.yaml');
  writeFileSync(file, text);
  const done = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const r = fn(file, dir);
    if (r instanceof Promise) return r.finally(done);
    done();
  } catch (e) {
    done();
    throw e;
  }
}

test('TEE modes and rates parse; bad ones say why', () => {
  assert.deepEqual(parseTeeMode('extern:process:batch'), { text: 'extern:process:batch', mode: 'extern', backend: 'process', transition: 'batch' });
  assert.equal((parseTeeMode('pipeline:isolate') as { mode: string }).mode, 'pipeline');
  assert.equal((parseTeeMode('baseline') as { backend: string }).backend, 'none');
  assert.match(parseTeeMode('extern:sgx:sync') as string, /unknown TEE backend 'sgx'/);
  assert.match(parseTeeMode('pipeline:none') as string, /pipeline backend/);
  assert.equal(parseRate('1.5M'), 1.5e6);
  assert.equal(parseRate('500k'), 5e5);
  assert.equal(parseRate(2000), 2000);
  assert.equal(parseRate('fast'), null);
});

test('the matrix expands driver x mode x size x burst with one directory per cell', () =>
  withFile('program: prog.p4\ndrivers: [shm, afxdp]\nmodes: [baseline, "extern:process:sync", "pipeline:process"]\npacketBytes: [64, 1500]\nout: res\n', (file, dir) => {
    const e = loadExperiment(file) as Experiment;
    assert.ok(!('error' in e));
    assert.equal(e.cells.length, 2 * 3 * 2);
    assert.equal(e.cells[0]!.id, 'shm-baseline-64B-b32');
    assert.equal(e.cells[3]!.dir, join(dir, 'res', 'shm-extern-process-sync-1500B-b32'));
    assert.equal(new Set(e.cells.map((c) => c.id)).size, e.cells.length);
    assert.equal(e.search, 'quick');
    assert.equal(e.ring, null);
  }));

test('ring: one size for every cell, or one per driver (the others keep the harness default)', () => {
  withFile('program: prog.p4\nring: 8192\n', (file) => {
    const e = loadExperiment(file) as Experiment;
    assert.equal(e.ring, 8192);
    assert.equal(ringFor(e, 'shm'), 8192);
    assert.equal(ringFor(e, 'afxdp'), 8192);
  });
  withFile('program: prog.p4\nring: {shm: 16384, afxdp: 4096}\n', (file) => {
    const e = loadExperiment(file) as Experiment;
    assert.ok(!('error' in e), JSON.stringify(e));
    assert.equal(ringFor(e, 'shm'), 16384);
    assert.equal(ringFor(e, 'afxdp'), 4096);
    assert.equal(ringFor(e, 'afpacket'), undefined);
  });
});

test('generatorDriver: one for every veth cell, or one per switch driver; shm cells always keep shm', () => {
  withFile('program: prog.p4\n', (file) => {
    const e = loadExperiment(file) as Experiment;
    assert.equal(e.generatorDriver, null);
    assert.equal(generatorDriverOf(e, 'afpacket'), undefined);
  });
  withFile('program: prog.p4\ngeneratorDriver: afpacket\n', (file) => {
    const e = loadExperiment(file) as Experiment;
    assert.equal(generatorDriverOf(e, 'afxdp'), 'afpacket');
    assert.equal(generatorDriverOf(e, 'afpacket'), 'afpacket');
    assert.equal(generatorDriverOf(e, 'shm'), undefined);
  });
  withFile('program: prog.p4\ngeneratorDriver: {afpacket: afpacket}\n', (file) => {
    const e = loadExperiment(file) as Experiment;
    assert.ok(!('error' in e), JSON.stringify(e));
    assert.equal(generatorDriverOf(e, 'afpacket'), 'afpacket');
    assert.equal(generatorDriverOf(e, 'afxdp'), undefined);
  });
});

test('mistakes in the file are refused with the key named', () => {
  for (const [text, re] of [
    ['drivers: [shm]\n', /'program'.*required/],
    ['program: nope.p4\n', /does not exist/],
    ['program: prog.p4\ndrivers: [dpdk]\n', /unknown driver 'dpdk'/],
    ['program: prog.p4\nmodes: [sgx]\n', /bad TEE mode 'sgx'/],
    ['program: prog.p4\npacketBytes: [20]\n', /'packetBytes' values must be integers in 64..9000/],
    ['program: prog.p4\nsweep: [fast]\n', /'sweep' rates/],
    ['program: prog.p4\nspeed: 3\n', /unknown key 'speed'/],
    ['program: prog.p4\nring: 100.5\n', /'ring' must be an integer in 64..65536/],
    ['program: prog.p4\nring: {shm: 16384, dpdk: 4096}\n', /'ring' .* mapping .*bad entry 'dpdk'/],
    ['program: prog.p4\nring: {shm: 10}\n', /bad entry 'shm'/],
    ['program: prog.p4\nring: [4096]\n', /'ring' must be/],
    ['program: prog.p4\ngeneratorDriver: shm\n', /'generatorDriver' must be afxdp or afpacket/],
    ['program: prog.p4\ngeneratorDriver: {shm: afxdp}\n', /'generatorDriver' .*bad entry 'shm'/],
    ['program: prog.p4\ngeneratorDriver: {afpacket: dpdk}\n', /bad entry 'afpacket'/],
    ['program: [\n', /exp\.yaml: /],
  ] as const) {
    withFile(text, (file) => {
      const e = loadExperiment(file);
      assert.ok('error' in e, text);
      assert.match((e as { error: string }).error, re);
    });
  }
});

test('runExperiment skips complete cells, records failures and goes on', () =>
  withFile('program: prog.p4\nmodes: [baseline, "extern:isolate:sync", "extern:isolate:batch"]\nout: res\n', async (file) => {
    const e = loadExperiment(file) as Experiment;
    const first = e.cells[0]!;
    mkdirSync(first.dir, { recursive: true });
    writeFileSync(join(first.dir, 'results.json'), JSON.stringify({ complete: true, trials: [] }));
    // A half-written cell (no complete flag) runs again.
    mkdirSync(e.cells[1]!.dir, { recursive: true });
    writeFileSync(join(e.cells[1]!.dir, 'results.json'), JSON.stringify({ trials: [] }));
    const seen: string[] = [];
    const s = await runExperiment(e, async (_x, cell) => {
      seen.push(cell.id);
      if (cell.tee.transition === 'batch') throw new Error('enclave failed to start');
      return { ok: true, message: '' };
    });
    assert.deepEqual(seen, [e.cells[1]!.id, e.cells[2]!.id]);
    assert.deepEqual(s.skipped, [first.id]);
    assert.deepEqual(s.ran, [e.cells[1]!.id]);
    assert.deepEqual(s.failed, [{ id: e.cells[2]!.id, message: 'enclave failed to start' }]);
  }));
