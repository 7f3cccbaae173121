// Tests of the secure pipeline: the examples' STF files pass through it on both backends; batches of
// generated packets come out byte for byte as from the plain switch; commands reach the state inside
// the enclave; a killed or hung enclave fails closed, reports, and restarts from its sealed state
// with table entries and registers restored; pipelined crossings (depth 4) give the same bytes
// with fewer hand-overs and lose no slot when the enclave dies with batches in flight; without the
// native addon `process` says what is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSwitch, type Switch } from '../../runtime/switch.js';
import { runStfText } from '../../runtime/control/stf-runner.js';
import type { LoopPipeline } from '../../runtime/core/poll-loop.js';
import { writeFileSync } from 'node:fs';
import { PollLoop, type LoopSwitch } from '../../runtime/core/poll-loop.js';
import { nativeStatus, setNativePath } from '../../runtime/io/native.js';
import { openPcapPort, type PcapPort } from '../../runtime/io/pcap-port.js';
import { readPcap, writePcap } from '../../runtime/io/pcap.js';
import { EnclaveDownError, openSecurePipeline, openSecurePipelineHandle, type HostPipeline, type SecurePipelineHandle } from './secure-pipeline.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ex = (p: string): string => join(root, 'examples', p);
const haveNative = nativeStatus().ok;
const backends: ('isolate' | 'process')[] = haveNative ? ['isolate', 'process'] : ['isolate'];

interface Program { name: string; p4: string; stf: string; commands: string | null }
const programs: Program[] = [
  { name: 'study-forward', p4: ex('study-forward/study-forward.p4'), stf: ex('study-forward/study-forward.stf'), commands: ex('study-forward/commands.txt') },
  { name: 'study-forward-tee', p4: ex('study-forward/study-forward-tee.p4'), stf: ex('study-forward/study-forward-tee.stf'), commands: null },
  { name: 'monitor', p4: ex('monitor/monitor.p4'), stf: ex('monitor/monitor.stf'), commands: ex('monitor/commands.txt') },
];

function commandLines(file: string | null): string[] {
  if (file === null) return [];
  return readFileSync(file, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== '');
}

function plainSwitch(p: Program, extra: string[] = []): Switch {
  const r = loadSwitch(p.p4, { includeDirs: [], defines: new Map() });
  assert.ok(r.ok, r.ok ? '' : r.diagnostics.join('\n'));
  for (const line of [...commandLines(p.commands), ...extra]) {
    const c = r.sw.command(line);
    assert.ok(c.ok, `${line}: ${c.ok ? '' : c.error}`);
  }
  return r.sw;
}

async function open(p: Program, backend: 'isolate' | 'process', extra: Partial<Parameters<typeof openSecurePipelineHandle>[0]> = {}): Promise<SecurePipelineHandle> {
  const sp = await openSecurePipelineHandle({ backend, p4file: p.p4, commandsFile: p.commands, poolSlots: 512, sealIntervalMs: 0, ...extra });
  assert.ok(!('error' in sp), 'error' in sp ? sp.error : '');
  return sp as SecurePipelineHandle;
}

/** Deterministic packets: study packets (UDP 7777), other UDP, ARP, short ones; a few sources and ports. */
function packets(count: number, seed: number): { port: number; bytes: Uint8Array }[] {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s >>> 8; // the low bits of an LCG have short periods
  };
  const hex = (h: string): Uint8Array => Uint8Array.from(h.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16)));
  const out: { port: number; bytes: Uint8Array }[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rnd() % 4;
    const src = `0a0000${(1 + (rnd() % 5)).toString(16).padStart(2, '0')}`;
    let b: Uint8Array;
    if (kind === 0 || kind === 1) {
      b = hex(`000000000002 000000000001 0800 4500003000010000401166ba ${src} 0a000002 9c40 1e61 001c abcd 00000000 00000000 0102030405060708 deadbeef`);
      new DataView(b.buffer).setUint32(42, i);
      new DataView(b.buffer).setUint32(46, Math.imul(rnd(), 2654435761) >>> 0);
    } else if (kind === 2) {
      b = hex(`000000000002 000000000001 0800 4500002000010000401166ca ${src} 0a000001 0035 0035 000c 1234 deadbeef`);
    } else {
      b = hex('ffffffffffff 000000000001 0806 0001080006040001');
    }
    out.push({ port: rnd() % 4, bytes: b });
  }
  return out;
}

/** Takes every sent packet off the pipeline (as `port hex`) and frees its slot. */
function takeAll(arch: LoopPipeline, out: string[]): void {
  const pool = arch.pool;
  for (;;) {
    const p = arch.takeSent();
    if (p < 0) break;
    out.push(`${pool.port[p]} ${Buffer.from(pool.view(p)).toString('hex')}`);
    pool.free(p);
  }
}

/**
 * As drive(), the way the poll loop drives a secure pipeline: crossings deferred (up to `depth`
 * batches in flight), what came out taken after each batch, everything settled at the end.
 */
function drivePipelined(arch: HostPipeline, pkts: { port: number; bytes: Uint8Array }[], burst: number): string[] {
  arch.setDeferred(true);
  try {
    const out = drive(arch, pkts, burst);
    arch.settle();
    takeAll(arch, out);
    return out;
  } finally {
    arch.setDeferred(false);
  }
}

/** Runs the packets through a LoopPipeline in batches, as the poll loop does; returns what came out. */
function drive(arch: LoopPipeline, pkts: { port: number; bytes: Uint8Array }[], burst: number): string[] {
  const pool = arch.pool;
  const idx = new Int32Array(burst);
  const out: string[] = [];
  for (let i = 0; i < pkts.length; i += burst) {
    let n = 0;
    for (let j = i; j < Math.min(pkts.length, i + burst); j++) {
      const p = pool.alloc();
      assert.ok(p >= 0 && pool.write(p, pkts[j].bytes));
      pool.port[p] = pkts[j].port;
      idx[n++] = p;
    }
    arch.injectBatch(idx, n);
    arch.run();
    takeAll(arch, out);
  }
  return out;
}

for (const backend of backends) {
  for (const p of programs) {
    test(`${p.name}: the STF test passes through the secure pipeline (${backend})`, async () => {
      // The STF files set up their own state: start without the commands file.
      const sp = await open(p, backend, { commandsFile: null });
      try {
        const r = runStfText(sp, readFileSync(p.stf, 'utf8'));
        assert.deepEqual(r.failures, []);
        assert.equal(sp.stats().failedBatches, 0);
      } finally {
        await sp.close();
      }
    });

    test(`${p.name}: batches come out byte for byte as from the plain switch (${backend})`, async () => {
      const plain = plainSwitch(p);
      const sp = await open(p, backend);
      try {
        const pk = packets(600, 7);
        const want = drive(plain.arch, pk, 32);
        const got = drive(sp.arch, pk, 32);
        assert.ok(want.length > (p.name === 'monitor' ? 20 : 100), `${want.length} packets out`);
        assert.deepEqual(got, want);
        const st = sp.stats();
        assert.equal(st.crossings, Math.ceil(600 / 32));
        assert.equal(st.packetsIn, 600);
        assert.equal(st.packetsOut, want.length);
        if (p.name === 'monitor') {
          const a = plain.command('counter_read MonitorIngress.blocked 0');
          const b = sp.command('counter_read MonitorIngress.blocked 0');
          assert.deepEqual(b, a);
          assert.ok(a.ok && !/packets\s*[=:]\s*0\b/.test(a.message), 'the monitor blocked something');
        }
        // Every slot is back in the host pool.
        assert.equal(sp.arch.pool.available, sp.arch.pool.slots);
      } finally {
        await sp.close();
      }
    });
  }

  test(`a command changes the behaviour inside the enclave (${backend})`, async () => {
    const p = programs[0];
    const sp = await open(p, backend);
    try {
      const pk = packets(40, 3);
      const before = drive(sp.arch, pk, 16);
      assert.deepEqual(before, drive(plainSwitch(p).arch, pk, 16));
      const c = sp.command('register_write StudyIngress.key 0 0x01020304');
      assert.ok(c.ok, c.ok ? '' : c.error);
      const after = drive(sp.arch, pk, 16);
      assert.notDeepEqual(after, before);
      assert.deepEqual(after, drive(plainSwitch(p, ['register_write StudyIngress.key 0 0x01020304']).arch, pk, 16));
      const read = sp.command('register_read StudyIngress.key 0');
      assert.ok(read.ok && /16909060|0x1020304/i.test(read.message), JSON.stringify(read));
      // A refused command comes back as refused.
      const bad = sp.command('table_add no_such_table x 1 =>');
      assert.equal(bad.ok, false);
      // tee_control reaches the modules inside the enclave.
      const tp = programs[1];
      const sp2 = await open(tp, backend);
      try {
        const k = sp2.command('tee_control study-xor set_key 0x5A5AA5A5');
        assert.ok(k.ok, k.ok ? '' : k.error);
        assert.deepEqual(drive(sp2.arch, pk, 16), drive(plainSwitch(tp, ['tee_control study-xor set_key 0x5A5AA5A5']).arch, pk, 16));
      } finally {
        await sp2.close();
      }
    } finally {
      await sp.close();
    }
  });

  test(`a killed enclave fails closed, reports, restarts from sealed state (${backend})`, async () => {
    const p = programs[1];
    const dir = mkdtempSync(join(tmpdir(), 'p4tee-sp-'));
    const events: { kind: string; message: string }[] = [];
    const sp = await open(p, backend, { sealDir: dir, platformSecretPath: join(dir, 'secret'), onEvent: (e) => events.push(e) });
    try {
      assert.ok(sp.command('tee_control study-xor set_key 0x5A5AA5A5').ok);
      const pk = packets(64, 11);
      const want = drive(sp.arch, pk, 32);
      assert.deepEqual(want, drive(plainSwitch(p, ['tee_control study-xor set_key 0x5A5AA5A5']).arch, pk, 32));
      const s = sp.command('tee_seal');
      assert.ok(s.ok, s.ok ? '' : s.error);
      const pid = sp.enclaveInfo();
      sp.kill();
      // Until the pipeline notices the exit, or while it restarts, a batch fails closed.
      const deadline = Date.now() + 10_000;
      while (sp.isUp() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // A SIGKILLed child is seen by its exit event, or by the timeout of a request made before that event.
      assert.ok(events.some((e) => e.kind === 'crash' || e.kind === 'hang'), JSON.stringify(events));
      const pool = sp.arch.pool;
      const slot = pool.alloc();
      pool.write(slot, pk[0].bytes);
      pool.port[slot] = 0;
      const one = Int32Array.of(slot);
      let threw = false;
      try {
        sp.arch.injectBatch(one, 1);
        sp.arch.run();
      } catch (e) {
        threw = e instanceof EnclaveDownError;
      }
      if (sp.isUp()) {
        // Restarted already (fast machine): the batch went through instead.
        assert.equal(threw, false);
        while (sp.arch.takeSent() >= 0) { /* drain */ }
        pool.free(slot);
      } else {
        assert.ok(threw, 'a batch while the enclave is down fails closed');
        assert.equal(sp.stats().failClosedDrops, 1);
        pool.free(slot);
      }
      assert.ok(await sp.whenUp(30_000), 'restarted');
      assert.ok(events.some((e) => e.kind === 'restart' && /sealed state version/.test(e.message)), JSON.stringify(events));
      const info = sp.enclaveInfo();
      assert.equal(info.incarnation, 2);
      assert.ok(info.pid !== pid.pid || info.threadId !== pid.threadId);
      // The key came back from the sealed state: same outputs as before the crash.
      assert.deepEqual(drive(sp.arch, pk, 32), want);
      assert.equal(sp.stats().restarts, 1);
    } finally {
      await sp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`table entries, registers and counters survive a restart (${backend})`, async () => {
    const p = programs[2];
    const dir = mkdtempSync(join(tmpdir(), 'p4tee-sp-'));
    const events: { kind: string; message: string }[] = [];
    const sp = await open(p, backend, { sealDir: dir, platformSecretPath: join(dir, 'secret'), onEvent: (e) => events.push(e) });
    try {
      const pk = packets(200, 5);
      drive(sp.arch, pk, 32);
      const counter = sp.command('counter_read MonitorIngress.blocked 0');
      assert.ok(counter.ok);
      assert.ok(sp.command('tee_seal').ok);
      sp.kill();
      assert.ok(await waitFor(() => events.some((e) => e.kind === 'restart'), 30_000), JSON.stringify(events));
      assert.ok(await sp.whenUp(5000));
      assert.deepEqual(sp.command('counter_read MonitorIngress.blocked 0'), counter);
      // The monitor's sketch came back too: every source is still a heavy hitter.
      const plain = plainSwitch(p);
      drive(plain.arch, pk, 32);
      assert.deepEqual(drive(sp.arch, pk, 32), drive(plain.arch, pk, 32));
    } finally {
      await sp.close();
    }
    // Reopening the same seal directory restores the state (and skips the commands file).
    const events2: { kind: string; message: string }[] = [];
    const sp2 = await open(p, backend, { sealDir: dir, platformSecretPath: join(dir, 'secret'), onEvent: (e) => events2.push(e) });
    try {
      assert.ok(events2.some((e) => /sealed state version/.test(e.message)), JSON.stringify(events2));
      assert.ok(events2.some((e) => /not applied/.test(e.message)), JSON.stringify(events2));
    } finally {
      await sp2.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/** Runs the poll loop over two pcap ports until the input is used up; returns each output file's packets (hex). */
function loopThroughPcap(sw: LoopSwitch, dir: string, tag: string, pk: { port: number; bytes: Uint8Array }[]): string[][] {
  const ins = [0, 1].map((port) => {
    const path = join(dir, `in${port}.pcap`);
    writeFileSync(path, writePcap(pk.filter((x) => x.port === port).map((x, i) => ({ sec: 1, nsec: i * 1000, data: x.bytes }))));
    return path;
  });
  const ports = [0, 1].map((num) => {
    const p = openPcapPort({ driver: 'pcap', iface: ins[num], pcapOut: join(dir, `${tag}-out${num}.pcap`) });
    assert.ok(!('error' in p));
    return { num, port: p as PcapPort };
  });
  const loop = new PollLoop(sw, ports, { burst: 32, telemetry: false });
  loop.runUntil(() => ports.every((b) => b.port.remaining === 0), 100_000);
  loop.runUntil(() => false, 8);
  loop.closePorts();
  assert.equal(loop.totalDrops(), 0, JSON.stringify(loop.stats().drops));
  return [0, 1].map((num) => {
    const f = readPcap(readFileSync(join(dir, `${tag}-out${num}.pcap`)));
    assert.ok(f.ok);
    return f.ok ? f.records.map((r) => Buffer.from(r.data).toString('hex')) : [];
  });
}

for (const backend of backends) {
  test(`the poll loop runs the secure pipeline unchanged over pcap ports (${backend})`, async () => {
    const p = programs[0];
    const dir = mkdtempSync(join(tmpdir(), 'p4tee-sp-'));
    const sp = await open(p, backend, { depth: 4, coalesce: 32 });
    try {
      const pk = packets(500, 21).map((x) => ({ port: x.port & 1, bytes: x.bytes }));
      const want = loopThroughPcap(plainSwitch(p), dir, 'plain', pk);
      const got = loopThroughPcap(sp, dir, 'secure', pk);
      assert.ok(want[0].length + want[1].length === 500);
      assert.deepEqual(got, want);
      assert.equal(sp.arch.pool.available, sp.arch.pool.slots);
      // The loop let batches stay in flight (depth 4) and settled them when the input ran out.
      const st = sp.stats();
      assert.equal(st.inFlight, 0);
      assert.ok((st.handoffs as number) < (st.crossings as number), JSON.stringify(st));
    } finally {
      await sp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return cond();
}

const router: Program = { name: 'ipv4-router', p4: ex('ipv4-router/ipv4-router.p4'), stf: ex('ipv4-router/ipv4-router.stf'), commands: ex('ipv4-router/commands.txt') };

for (const backend of backends) {
  test(`table entries are restored from the sealed state (ipv4-router, ${backend})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p4tee-sp-'));
    const sp = await open(router, backend, { sealDir: dir, platformSecretPath: join(dir, 'secret') });
    try {
      // Change the tables after the commands file: a delete and an add must both come back.
      assert.ok(sp.command('table_delete RouterIngress.ipv4_lpm 1').ok);
      assert.ok(sp.command('table_add RouterIngress.ipv4_lpm RouterIngress.set_nhop 10.2.0.0/16 => 00:00:00:00:04:04 3').ok);
      const dump = sp.command('table_dump RouterIngress.ipv4_lpm');
      assert.ok(dump.ok && /0a020000/i.test(dump.message), JSON.stringify(dump));
      // Sealing after commands happens by itself shortly (coalesced); wait for it.
      assert.ok(await waitFor(() => (sp.stats().seals as number) >= 2, 5000));
      sp.kill();
      assert.ok(await waitFor(() => !sp.isUp() || sp.enclaveInfo().incarnation > 1, 10_000));
      assert.ok(await sp.whenUp(30_000));
      assert.equal(sp.enclaveInfo().incarnation, 2);
      assert.deepEqual(sp.command('table_dump RouterIngress.ipv4_lpm'), dump);
    } finally {
      await sp.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

// Every example's STF file gives the same verdict through the secure pipeline as through the plain switch.
const examples = ['ecmp', 'ipv4-router', 'l2-learning', 'multicast', 'stateful-firewall'];
for (const backend of backends) {
  test(`the other examples' STF files give the plain switch's verdict (${backend})`, async () => {
    for (const e of examples) {
      const p4 = ex(`${e}/${e}.p4`);
      const text = readFileSync(ex(`${e}/${e}.stf`), 'utf8');
      const r = loadSwitch(p4, { includeDirs: [], defines: new Map() });
      assert.ok(r.ok);
      const want = runStfText(r.sw, text);
      const sp = await openSecurePipelineHandle({ backend, p4file: p4, poolSlots: 256, sealIntervalMs: 0 });
      assert.ok(!('error' in sp), 'error' in sp ? sp.error : '');
      try {
        assert.deepEqual(runStfText(sp as SecurePipelineHandle, text), want, e);
      } finally {
        await (sp as SecurePipelineHandle).close();
      }
    }
  });

  test(`a program that never replicates is offered no spare slots: one crossing per batch (${backend})`, async () => {
    const p = programs[0];
    const plain = plainSwitch(p);
    const sp = await open(p, backend);
    try {
      const pk = packets(96, 7);
      assert.deepEqual(drive(sp.arch, pk, 32), drive(plain.arch, pk, 32));
      assert.equal(sp.arch.sparesOffered, 0);
      assert.equal(sp.stats().crossings, 3);
      assert.equal(sp.arch.pool.available, sp.arch.pool.slots);
    } finally {
      await sp.close();
    }
  });

  test(`multicast copies beyond the offered slots are drained, in order (${backend})`, async () => {
    const mc: Program = { name: 'multicast', p4: ex('multicast/multicast.p4'), stf: '', commands: ex('multicast/commands.txt') };
    const plain = plainSwitch(mc);
    const sp = await open(mc, backend);
    try {
      const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
      const pk: { port: number; bytes: Uint8Array }[] = [];
      for (let i = 0; i < 96; i++) {
        const dst = i % 4 === 3 ? '01005e000001' : 'ffffffffffff';
        pk.push({ port: i % 5, bytes: hex(`${dst} 0000000000${(i & 0xff).toString(16).padStart(2, '0')} 0800 45000014000100004011 0000 0a000001 0a000002`) });
      }
      const want = drive(plain.arch, pk, 32);
      assert.ok(want.length > 2 * pk.length, `multicast gives more outputs than 2 per input (${want.length})`);
      assert.deepEqual(drive(sp.arch, pk, 32), want);
      assert.ok((sp.stats().crossings as number) > 3, 'drain crossings happened');
      assert.ok(sp.arch.sparesOffered > 0, 'batches after the first offer spare slots for the copies');
      assert.equal(sp.arch.pool.available, sp.arch.pool.slots);
    } finally {
      await sp.close();
    }
  });
}

if (haveNative) {
  test('a hung enclave (stopped process) is detected by the batch timeout and restarted', async () => {
    const p = programs[0];
    const events: { kind: string; message: string }[] = [];
    const sp = await open(p, 'process', { timeoutMs: 300, onEvent: (e) => events.push(e) });
    try {
      const pid = sp.enclaveInfo().pid!;
      process.kill(pid, 'SIGSTOP');
      const pool = sp.arch.pool;
      const slot = pool.alloc();
      pool.write(slot, packets(1, 1)[0].bytes);
      pool.port[slot] = 0;
      assert.throws(() => { sp.arch.injectBatch(Int32Array.of(slot), 1); sp.arch.run(); }, EnclaveDownError);
      pool.free(slot);
      assert.ok(events.some((e) => e.kind === 'hang'), JSON.stringify(events));
      assert.equal(sp.stats().timeouts, 1);
      assert.ok(await sp.whenUp(30_000));
      assert.ok(sp.command('register_read StudyIngress.key 0').ok);
    } finally {
      await sp.close();
    }
  });
}

test('without the native addon the process backend says what is missing; isolate still works', async () => {
  setNativePath('/nonexistent/p4tee_native.node');
  try {
    const r = await openSecurePipeline({ backend: 'process', p4file: programs[0].p4 });
    assert.ok('error' in r);
    assert.match((r as { error: string }).error, /native addon/);
    const sp = await openSecurePipeline({ backend: 'isolate', p4file: programs[0].p4, sealIntervalMs: 0 });
    assert.ok(!('error' in sp), 'error' in sp ? sp.error : '');
    await (sp as SecurePipelineHandle).close();
  } finally {
    setNativePath(undefined);
  }
});

test('a program that does not compile is reported, not thrown', async () => {
  const r = await openSecurePipeline({ backend: 'isolate', p4file: join(root, 'examples', 'no-such-program.p4') });
  assert.ok('error' in r);
});

// ---- Pipelined crossings (option depth).

for (const backend of backends) {
  for (const p of [programs[0], programs[2]]) {
    test(`${p.name}: depth 4 gives byte-identical outputs to depth 1 and the plain switch (${backend})`, async () => {
      const pk = packets(3000, 17);
      const want = drive(plainSwitch(p).arch, pk, 32);
      const one = await open(p, backend, { depth: 1 });
      const four = await open(p, backend, { depth: 4, coalesce: 32 });
      try {
        const got1 = drivePipelined(one.arch, pk, 32);
        const got4 = drivePipelined(four.arch, pk, 32);
        assert.ok(want.length > (p.name === 'monitor' ? 100 : 500), `${want.length} packets out`);
        assert.deepEqual(got1, want);
        assert.deepEqual(got4, want);
        const st = four.stats();
        assert.equal(st.depth, 4);
        assert.equal(st.crossings, Math.ceil(3000 / 32));
        assert.equal(st.packetsIn, 3000);
        assert.equal(st.packetsOut, want.length);
        assert.equal(st.inFlight, 0);
        if (p.name === 'monitor') assert.deepEqual(four.command('counter_read MonitorIngress.blocked 0'), one.command('counter_read MonitorIngress.blocked 0'));
        assert.equal(four.arch.pool.available, four.arch.pool.slots);
        assert.equal(one.arch.pool.available, one.arch.pool.slots);
      } finally {
        await one.close();
        await four.close();
      }
    });
  }

  test(`depth 4 under a steady load of full batches waits fewer times than it crosses (${backend})`, async () => {
    const p = programs[0];
    const sp = await open(p, backend, { depth: 4, coalesce: 32 });
    try {
      const pk = packets(32 * 64, 23);
      drivePipelined(sp.arch, pk, 32);
      const st = sp.stats();
      const crossings = st.crossings as number;
      const handoffs = st.handoffs as number;
      assert.equal(crossings, 64);
      assert.ok(handoffs < crossings, `handoffs ${handoffs} < crossings ${crossings}`);
      // The host waits once every 4 batches, give or take the enclave catching up on its own.
      assert.ok(handoffs <= crossings / 2, `handoffs ${handoffs} for ${crossings} crossings`);
      assert.equal(st.crossingsPerHandoff, +(crossings / handoffs).toFixed(2));
      // Not deferred (STF, offline runs): every batch completes before run() returns.
      const before = sp.arch.handoffs;
      const out = drive(sp.arch, pk.slice(0, 64), 32);
      assert.equal(sp.arch.inFlight, 0);
      assert.ok(out.length > 0);
      assert.ok(sp.arch.handoffs - before <= 2);
    } finally {
      await sp.close();
    }
  });

  test(`deferred with depth 4, small batches are coalesced into crossings of a full burst (${backend})`, async () => {
    const p = programs[0];
    const sp = await open(p, backend, { depth: 4, coalesce: 32, burst: 32 });
    try {
      const pk = packets(8 * 64, 31);
      const got = drivePipelined(sp.arch, pk, 8);
      assert.deepEqual(got, drive(plainSwitch(p).arch, pk, 8));
      const st = sp.stats();
      // 64 runs of 8 packets: a crossing once 32 are queued (16 crossings), not one per run.
      assert.equal(st.crossings, 16, JSON.stringify(st));
      assert.equal(st.packetsIn, 8 * 64);
      assert.equal(sp.arch.pool.available, sp.arch.pool.slots);
      // The enclave dies while packets of earlier runs wait to be coalesced: those fail closed here,
      // the caller's current batch is the caller's (thrown), and no slot leaks.
      const arch = sp.arch;
      const pool = arch.pool;
      arch.setDeferred(true);
      const idx = new Int32Array(8);
      const batch = (from: number): number[] => {
        for (let j = 0; j < 8; j++) {
          const s = pool.alloc();
          assert.ok(s >= 0 && pool.write(s, pk[from + j].bytes));
          pool.port[s] = pk[from + j].port;
          idx[j] = s;
        }
        arch.injectBatch(idx, 8);
        return Array.from(idx);
      };
      const drops0 = sp.stats().failClosedDrops as number;
      for (let b = 0; b < 3; b++) {
        batch(8 * b);
        arch.run();
      }
      assert.equal(arch.backlog, 24);
      sp.kill();
      await waitFor(() => !sp.isUp(), 10_000);
      const current = batch(24);
      let threw = false;
      try {
        arch.run();
      } catch (e) {
        assert.ok(e instanceof EnclaveDownError, String(e));
        threw = true;
      }
      const out: string[] = [];
      if (threw) {
        assert.equal(pool.slots - pool.available, 8, 'only the current batch is held (by the caller)');
        for (const s of current) pool.free(s);
        assert.equal((sp.stats().failClosedDrops as number) - drops0, 32);
      } else {
        // The enclave was back already (restart raced the run): everything crossed.
        arch.settle();
        takeAll(arch, out);
      }
      assert.equal(arch.backlog, 0);
      assert.equal(pool.available, pool.slots, 'no pool slot leaked');
      arch.setDeferred(false);
      assert.ok(await sp.whenUp(30_000), 'restarted');
    } finally {
      await sp.close();
    }
  });

  test(`an enclave that dies with 4 batches in flight loses no slot; the pipeline restarts (${backend})`, async () => {
    const p = programs[0];
    const plain = plainSwitch(p);
    // Packets that come out exactly once each from the plain switch: then sent + failed closed = injected.
    const pk = packets(400, 29).filter((x) => {
      plain.inject(x.port, x.bytes);
      plain.run();
      return plain.takeOutput().length === 1;
    }).slice(0, 4 * 32);
    assert.equal(pk.length, 128);
    const events: { kind: string; message: string }[] = [];
    const sp = await open(p, backend, { depth: 4, coalesce: 32, timeoutMs: 300, onEvent: (e) => events.push(e) });
    const arch = sp.arch;
    const pool = arch.pool;
    arch.setDeferred(true);
    try {
      const out: string[] = [];
      const idx = new Int32Array(32);
      const batch = (from: number): number[] => {
        for (let j = 0; j < 32; j++) {
          const s = pool.alloc();
          assert.ok(s >= 0 && pool.write(s, pk[from + j].bytes));
          pool.port[s] = pk[from + j].port;
          idx[j] = s;
        }
        arch.injectBatch(idx, 32);
        return Array.from(idx);
      };
      // Three batches go in flight without a wait; the enclave dies; the fourth waits for the oldest.
      for (let b = 0; b < 3; b++) {
        batch(32 * b);
        arch.run();
        takeAll(arch, out);
      }
      assert.equal(arch.inFlight, 3);
      sp.kill();
      const current = batch(96);
      let threw = false;
      try {
        arch.run();
      } catch (e) {
        assert.ok(e instanceof EnclaveDownError, String(e));
        threw = true;
      }
      takeAll(arch, out);
      assert.equal(arch.inFlight, 0);
      const st = sp.stats();
      if (threw) {
        // The current batch's slots are the caller's (the poll loop frees them); nothing else is held.
        assert.equal(pool.slots - pool.available, 32);
        for (const s of current) assert.ok(pool.isAllocated(s));
        for (const s of current) pool.free(s);
        assert.ok(events.some((e) => e.kind === 'crash' || e.kind === 'hang'), JSON.stringify(events));
      }
      assert.equal(out.length + (st.failClosedDrops as number), 128, `sent ${out.length}, failed closed ${st.failClosedDrops}`);
      assert.equal(pool.available, pool.slots, 'no pool slot leaked');
      assert.ok(await sp.whenUp(30_000), 'restarted');
      assert.ok((sp.stats().restarts as number) >= 1 || !threw);
      // Second round: batches in flight when the exit event is seen first (the ring is gone).
      const out2: string[] = [];
      const drops0 = sp.stats().failClosedDrops as number;
      for (let b = 0; b < 2; b++) {
        batch(32 * b);
        arch.run();
        takeAll(arch, out2);
      }
      sp.kill();
      await waitFor(() => !sp.isUp(), 10_000);
      const current2 = batch(64);
      try {
        arch.run();
      } catch (e) {
        assert.ok(e instanceof EnclaveDownError, String(e));
        for (const s of current2) if (pool.isAllocated(s)) pool.free(s);
      }
      arch.settle();
      takeAll(arch, out2);
      assert.equal(out2.length + (sp.stats().failClosedDrops as number) - drops0, 96, `sent ${out2.length}`);
      assert.equal(pool.available, pool.slots, 'no pool slot leaked');
      assert.ok(await sp.whenUp(30_000), 'restarted again');
      // Working again, same bytes as the plain switch.
      assert.deepEqual(drivePipelined(arch, pk, 32), drive(plainSwitch(p).arch, pk, 32));
      assert.equal(pool.available, pool.slots);
    } finally {
      await sp.close();
    }
  });
}

test('depth outside 1..16 is refused', async () => {
  for (const depth of [0, 17, 2.5]) {
    const r = await openSecurePipeline({ backend: 'isolate', p4file: programs[0].p4, depth });
    assert.ok('error' in r && /depth/.test(r.error), JSON.stringify('error' in r ? r.error : 'opened'));
  }
});

test('coalesce outside 1..1024 is refused', async () => {
  for (const coalesce of [0, 1025, 2.5]) {
    const r = await openSecurePipeline({ backend: 'isolate', p4file: programs[0].p4, coalesce });
    assert.ok('error' in r && /coalesce/.test(r.error), JSON.stringify('error' in r ? r.error : 'opened'));
  }
});

for (const backend of backends) {
  test(`under the poll loop a crossing carries up to \`coalesce\` packets (default 128; 1: one crossing per run()); outputs unchanged (${backend})`, async () => {
    const p = programs[0];
    const pk = packets(32 * 64, 37);
    const want = drive(plainSwitch(p).arch, pk, 32);
    const dflt = await open(p, backend, { burst: 32 });
    const small = await open(p, backend, { burst: 32, coalesce: 1 });
    try {
      assert.deepEqual(drivePipelined(dflt.arch, pk, 32), want);
      assert.deepEqual(drivePipelined(small.arch, pk, 32), want);
      assert.equal(dflt.stats().coalesce, 128);
      assert.equal(small.stats().coalesce, 1);
      // 64 runs of 32 packets: a crossing once 128 are queued (16), or at every run() (64).
      assert.equal(dflt.stats().crossings, 16);
      assert.equal(small.stats().crossings, 64);
      assert.equal(dflt.stats().packetsIn, 32 * 64);
      // STF and offline runs (not deferred) still cross once per run().
      const before = dflt.stats().crossings as number;
      drive(dflt.arch, pk.slice(0, 64), 32);
      assert.equal((dflt.stats().crossings as number) - before, 2);
      assert.equal(dflt.arch.pool.available, dflt.arch.pool.slots);
      assert.equal(small.arch.pool.available, small.arch.pool.slots);
    } finally {
      await dflt.close();
      await small.close();
    }
  });

}
