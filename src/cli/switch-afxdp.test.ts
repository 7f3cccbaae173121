// End-to-end and robustness tests of `p4tee switch --driver afxdp --mode copy` between network
// namespaces (root only; skipped with the reason otherwise). The test builds its own p4te-<pid>
// namespaces, sends study frames into gen0 and reads them back on gen1 (matched by sequence number),
// changes the key with `p4tee ctl` while running, sends truncated and garbage frames, takes dut1
// down and up under traffic, then stops the switch with SIGTERM, and checks that no XDP program,
// AF_XDP socket, control socket or namespace is left behind; SIGKILL must not leave an XDP program
// either (the program is attached through a BPF link). No timing assertions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { netnsDown, netnsUp } from './netns.js';
import { SwitchProc, eventually, hasXdp, liveSwitchScenario, namespacesWith, netnsSkipReason, socketCount, studyProgram } from './netns-test-helpers.js';

const skip = netnsSkipReason();
const prefix = `p4te-${process.pid}`;
const dut = `${prefix}-dut`;
if (skip === false) process.once('exit', () => { netnsDown(prefix); });

test('namespaces up', { skip }, () => {
  const up = netnsUp(prefix);
  assert.ok(up.ok, up.ok ? '' : up.error);
});

test('p4tee switch over afxdp (copy mode) between namespaces', { skip }, async (t) => {
  await liveSwitchScenario(t, prefix, 'afxdp', ['--mode', 'copy']);
});

test('SIGKILL leaves no XDP program behind (BPF link) and the next switch starts', { skip }, async () => {
  const sock = join(tmpdir(), `${prefix}-kill.sock`);
  const args = [studyProgram, '--driver', 'afxdp', '--mode', 'copy', '-i', '0@dut0', '-i', '1@dut1', '--control', sock, '--stats', '0'];
  let sw: SwitchProc | null = null;
  try {
    sw = new SwitchProc(dut, args);
    await sw.waitFor(/ready in \d+ ms/);
    assert.ok(hasXdp(dut, 'dut0'), 'attached while running');
    const r = await sw.stop('SIGKILL');
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(await eventually(() => !hasXdp(dut, 'dut0') && !hasXdp(dut, 'dut1')), 'the kernel detached the XDP programs of the killed process');
    assert.ok(await eventually(() => socketCount(dut, 'XDP') === 0), 'no AF_XDP socket left');
    rmSync(sock, { force: true });
    // A new switch can attach at once (nothing stale in the way).
    sw = new SwitchProc(dut, args);
    await sw.waitFor(/ready in \d+ ms/);
    const st = await sw.stop('SIGTERM');
    assert.equal(st.code, 0, `exit ${JSON.stringify(st)}:\n${sw.err}`);
  } finally {
    sw?.kill();
    rmSync(sock, { force: true });
  }
});

test('namespaces removed, none with the prefix left', { skip }, () => {
  const r = netnsDown(prefix);
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(namespacesWith(prefix + '-'), []);
});
