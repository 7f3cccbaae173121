// `p4tee switch --driver shm --shm-zero-copy`: the flag's usage checks, and a switch that starts on
// a zero-copy domain, stops on SIGTERM and leaves no shared-memory region behind. (Packets through a
// domain are tested in src/runtime/io/shm-zc.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nativeStatus } from '../runtime/io/native.js';

const bin = fileURLToPath(new URL('../../bin/p4tee.js', import.meta.url));
const prog = fileURLToPath(new URL('../../examples/study-forward/study-forward.p4', import.meta.url));

test('--shm-zero-copy refuses ports of different domains and other drivers', () => {
  const a = spawnSync(process.execPath, [bin, 'switch', prog, '--driver', 'shm', '--shm-zero-copy', '-i', '0@zc-a:0', '-i', '1@zc-b:1'], { encoding: 'utf8' });
  assert.equal(a.status, 2);
  assert.match(a.stderr, /every -i must name the same domain/);
  const b = spawnSync(process.execPath, [bin, 'switch', prog, '--driver', 'afpacket', '--shm-zero-copy', '-i', '0@x:0'], { encoding: 'utf8' });
  assert.equal(b.status, 2);
  assert.match(b.stderr, /needs --driver shm/);
});

test('a zero-copy switch starts, stops on SIGTERM and removes its region', { skip: nativeStatus().ok ? false : 'native addon not built' }, async () => {
  const dom = `p4tzc${process.pid}`;
  const child = spawn(process.execPath, [bin, 'switch', prog, '--driver', 'shm', '--shm-zero-copy', '-i', `0@${dom}:0`, '-i', `1@${dom}:1`, '--stats', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  try {
    for (let i = 0; i < 300 && !/ready in/.test(err) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(err, /ready in \d+ ms: 0@\S+:0 1@\S+:1 \(shm/);
    // The domain's region exists while the switch runs (so the check after the stop can fail).
    assert.equal(spawnSync('sh', ['-c', `ls /dev/shm | grep ${dom} || true`], { encoding: 'utf8' }).stdout.trim(), dom);
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    assert.equal(code, 0, err);
    const left = spawnSync('sh', ['-c', `ls /dev/shm | grep ${dom} || true`], { encoding: 'utf8' }).stdout.trim();
    assert.equal(left, '');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
