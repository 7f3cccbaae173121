// Tests of the calibration reflector: the trivial pipeline sends every packet out of port (in ^ 1)
// in arrival order, and the reflector's command line round-trips through its parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { ReflectPipeline, parseReflectorArgs, reflectorArgs, REFLECTOR_SCRIPT } from './calibrate.js';

test('ReflectPipeline moves port 0 to 1 and 1 to 0, in order, once', () => {
  const pool = new PacketPool(16, 256, 32);
  const p = new ReflectPipeline(pool, 8);
  const a = pool.alloc();
  const b = pool.alloc();
  pool.port[a] = 0;
  pool.port[b] = 1;
  p.injectBatch(Int32Array.from([a, b]), 2);
  p.run();
  assert.equal(p.takeSent(), a);
  assert.equal(pool.port[a], 1);
  assert.equal(p.takeSent(), b);
  assert.equal(pool.port[b], 0);
  assert.equal(p.takeSent(), -1);
  assert.equal(p.overflowDrops, 0);
});

test('reflector arguments round-trip; bad ones are refused with a message', () => {
  const f = { driver: 'shm' as const, ports: ['r0', 'r1'], control: '/tmp/x.sock', burst: 16, ring: 512, mode: undefined };
  const args = reflectorArgs(f);
  assert.equal(args[0], REFLECTOR_SCRIPT);
  assert.deepEqual(parseReflectorArgs(args.slice(1)), f);
  assert.deepEqual(parseReflectorArgs(reflectorArgs({ ...f, driver: 'afxdp', mode: 'copy' }).slice(1)), { ...f, driver: 'afxdp', mode: 'copy' });
  assert.match(parseReflectorArgs(['--reflect', '--driver', 'pcap']) as string, /--driver/);
  assert.match(parseReflectorArgs(['--driver', 'shm', '--port', 'a', '--control', 's']) as string, /two --port/);
  assert.match(parseReflectorArgs(['--driver', 'shm', '--port', 'a', '--port', 'b']) as string, /--control/);
});
