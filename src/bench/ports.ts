// `node dist/bench/ports.js` (npm run bench:ports): the copy paths of the port drivers. Pushes
// numbered packets through a pair of shm ports (two processes over a native region, two threads
// over a SharedArrayBuffer, or one thread looping back) and through the pcap port (a small file
// looped with rewind(), output to /dev/null), with the native copyBatch and with the pure-JS copy;
// and the zero-copy shm pair (shm-zc.ts: the sender writes the sequence number into a slot of the
// shared domain, the receiver reads it in place and frees it back through the return ring).
// Prints Mpps, the GCs seen by each side while it handled the measured packets (after a warm-up),
// and packets received out of order. Options: --packets N (default 1e6), --warmup N, --sizes 64,1500,
// --json (one line). `--gc-check` runs only the in-process loopback and prints its JSON (used by
// ports.test.ts in a child process of its own).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PacketPool } from '../runtime/core/packet-pool.js';
import { ShmPort, initShmRegion, shmRegionSize, BurstCopier } from '../runtime/io/shm.js';
import { ShmDomain, attachShmZcPeer, initShmZcRegion, shmZcLayout, shmZcRegionSize } from '../runtime/io/shm-zc.js';
import { PcapPort, openPcapPort } from '../runtime/io/pcap-port.js';
import { writePcap } from '../runtime/io/pcap.js';
import { isPortError, type Port } from '../runtime/io/port.js';
import { loadNative, type NativeAddon } from '../runtime/io/native.js';
import { median } from '../measure/stats.js';

const BURST = 32;
const RING = 1024;
const SLOT = 2048;
const SEQ_AT = 14;
const self = fileURLToPath(import.meta.url);

const argv = process.argv.slice(2);
const numArg = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i >= 0 && i + 1 < argv.length ? Number(argv[i + 1]) : dflt;
};

/** GC entries seen by this isolate since install(): start times and kinds (1: minor/scavenge). */
const gcTimes: number[] = [];
const gcKinds: number[] = [];
let gcObserver: PerformanceObserver | null = null;
function installGcObserver(): void {
  if (gcObserver !== null) return;
  gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcTimes.push(e.startTime);
      gcKinds.push((e as { detail?: { kind?: number } }).detail?.kind ?? 0);
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
}
/** GCs that started within [t0, t1] (performance.now() times): all, and minor ones (young generation). */
async function gcsBetween(t0: number, t1: number): Promise<{ gcs: number; minor: number }> {
  await new Promise((r) => setTimeout(r, 20));
  let gcs = 0;
  let minor = 0;
  for (let i = 0; i < gcTimes.length; i++) {
    if (gcTimes[i] < t0 || gcTimes[i] > t1) continue;
    gcs++;
    if (gcKinds[i] === 1) minor++;
  }
  return { gcs, minor };
}

/** Result of one side of one run. */
interface SideResult {
  packets: number;
  ns: number;
  /** GCs in the window, and how many of them were young-generation (allocation-driven). */
  gcs: number;
  minor: number;
  reordered: number;
}

/** Sends warm + n packets of `size` bytes numbered from 0; the window covers the last n. */
function sendLoop(port: Port, pool: PacketPool, warm: number, n: number, size: number, deadline: number): { t0: number; t1: number; sent: number } {
  const out = new Int32Array(BURST);
  const total = warm + n;
  const buf = pool.buf;
  let next = 0;
  let t0 = warm === 0 ? performance.now() : -1;
  let spins = 0;
  // The clock only every 65536 passes: Date.now() in a spin loop allocates a heap number per call.
  while (next < total && ((++spins & 0xffff) !== 0 || Date.now() < deadline)) {
    let k = 0;
    while (k < BURST && next + k < total) {
      const s = pool.alloc();
      if (s < 0) break;
      pool.length[s] = size;
      const at = pool.start[s] + SEQ_AT;
      const seq = next + k;
      buf[at] = seq >>> 24;
      buf[at + 1] = (seq >>> 16) & 0xff;
      buf[at + 2] = (seq >>> 8) & 0xff;
      buf[at + 3] = seq & 0xff;
      out[k++] = s;
    }
    const sent = port.tx(pool, out, k);
    for (let i = sent; i < k; i++) pool.free(out[i]);
    const before = next;
    next += sent;
    if (before < warm && next >= warm) t0 = performance.now();
  }
  return { t0, t1: performance.now(), sent: next };
}

/** Receives warm + n packets, counting sequence breaks; the window covers the last n. */
function recvLoop(port: Port, pool: PacketPool, warm: number, n: number, deadline: number): { t0: number; t1: number; got: number; reordered: number } {
  const inn = new Int32Array(BURST);
  const total = warm + n;
  const buf = pool.buf;
  let got = 0;
  let expect = 0;
  let reordered = 0;
  let t0 = -1;
  let spins = 0;
  while (got < total && ((++spins & 0xffff) !== 0 || Date.now() < deadline)) {
    const k = port.rx(pool, inn, BURST);
    if (k > 0 && t0 < 0 && got + k > warm) t0 = performance.now();
    for (let i = 0; i < k; i++) {
      const at = pool.start[inn[i]] + SEQ_AT;
      const seq = ((buf[at] << 24) | (buf[at + 1] << 16) | (buf[at + 2] << 8) | buf[at + 3]) >>> 0;
      if (seq !== expect) reordered++;
      expect = seq + 1;
      pool.free(inn[i]);
    }
    got += k;
  }
  return { t0, t1: performance.now(), got, reordered };
}

/** Zero-copy domain for the bench: as many sender slots as the ring holds, so the ring never starves. */
const ZC_LAYOUT = shmZcLayout({ ports: 1, slots: 2 * RING, peerSlots: 2 * BURST, slotSize: SLOT, ringSize: RING, headroom: 128 });

/** Both ends in one thread: tx a burst on side 0, rx it on side 1 (zeroCopy: a domain's switch and peer ends). */
async function loopback(useNative: boolean, warm: number, n: number, size: number, zeroCopy = false): Promise<SideResult> {
  installGcObserver();
  let a: Port;
  let b: Port;
  let pool: PacketPool;
  let rxPool: PacketPool;
  if (zeroCopy) {
    const buffer = new SharedArrayBuffer(shmZcRegionSize(ZC_LAYOUT));
    initShmZcRegion(buffer, ZC_LAYOUT);
    const za = new ShmDomain('zc', buffer).port(0);
    if ('error' in za) throw new Error(za.error);
    const zb = attachShmZcPeer('zc', buffer, 0);
    a = za;
    b = zb;
    pool = za.pool;
    rxPool = zb.pool;
  } else {
    const buffer = new SharedArrayBuffer(shmRegionSize(RING, SLOT));
    initShmRegion(buffer, RING, SLOT);
    a = new ShmPort('a', buffer, 0, undefined, useNative);
    b = new ShmPort('b', buffer, 1, undefined, useNative);
    pool = new PacketPool(4 * BURST, SLOT, 128);
    rxPool = pool;
  }
  const out = new Int32Array(BURST);
  const inn = new Int32Array(BURST);
  const buf = pool.buf;
  let expect = 0;
  let reordered = 0;
  let t0 = 0;
  let w0 = 0;
  const total = warm + n;
  for (let next = 0; next < total; ) {
    if (t0 === 0 && next >= warm) {
      t0 = performance.now();
      w0 = next;
    }
    let k = 0;
    while (k < BURST && next + k < total) {
      const s = pool.alloc();
      pool.length[s] = size;
      const at = pool.start[s] + SEQ_AT;
      buf[at + 2] = ((next + k) >>> 8) & 0xff;
      buf[at + 3] = (next + k) & 0xff;
      out[k++] = s;
    }
    const sent = a.tx(pool, out, k);
    for (let i = sent; i < k; i++) pool.free(out[i]);
    const m = b.rx(rxPool, inn, BURST);
    for (let i = 0; i < m; i++) {
      const at = rxPool.start[inn[i]] + SEQ_AT;
      const seq = (buf[at + 2] << 8) | buf[at + 3];
      if (seq !== (expect & 0xffff)) reordered++;
      expect++;
      rxPool.free(inn[i]);
    }
    next += sent;
  }
  const t1 = performance.now();
  return { packets: total - w0, ns: (t1 - t0) * 1e6, ...(await gcsBetween(t0, t1)), reordered };
}

/** shm between two threads: this thread sends, a worker receives. */
async function threads(useNative: boolean, warm: number, n: number, size: number): Promise<{ tx: SideResult; rx: SideResult }> {
  installGcObserver();
  const buffer = new SharedArrayBuffer(shmRegionSize(RING, SLOT));
  initShmRegion(buffer, RING, SLOT);
  const port = new ShmPort('t0', buffer, 0, undefined, useNative);
  const worker = new Worker(self, { workerData: { benchSink: true, buffer, useNative, warm, n } });
  const result = new Promise<SideResult>((resolve, reject) => {
    worker.once('message', (m: SideResult) => resolve(m));
    worker.once('error', reject);
  });
  await new Promise<void>((r) => worker.once('online', () => r()));
  const pool = new PacketPool(4 * BURST, SLOT, 128);
  const s = sendLoop(port, pool, warm, n, size, Date.now() + 120_000);
  const g = await gcsBetween(s.t0, s.t1);
  const rx = await result;
  await worker.terminate();
  return { tx: { packets: s.sent - warm, ns: (s.t1 - s.t0) * 1e6, ...g, reordered: 0 }, rx };
}

/** shm between two processes over a native region: this process sends, a child receives. */
async function processes(native: NativeAddon, useNative: boolean, warm: number, n: number, size: number): Promise<{ tx: SideResult; rx: SideResult }> {
  installGcObserver();
  const name = `p4tee-bench-${process.pid}`;
  const region = native.shmOpen(name, shmRegionSize(RING, SLOT), 0);
  try {
    initShmRegion(region.buffer, RING, SLOT);
    const port = new ShmPort(name, region.buffer, 0, undefined, useNative);
    const child = spawn(process.execPath, [self, '--sink', name, String(warm), String(n), useNative ? 'native' : 'js'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const pool = new PacketPool(4 * BURST, SLOT, 128);
    const s = sendLoop(port, pool, warm, n, size, Date.now() + 120_000);
    const g = await gcsBetween(s.t0, s.t1);
    const code = await exited;
    if (code !== 0) throw new Error(`shm sink process exited with ${code}`);
    const rx = JSON.parse(out.trim().split('\n').pop() ?? '{}') as SideResult;
    return { tx: { packets: s.sent - warm, ns: (s.t1 - s.t0) * 1e6, ...g, reordered: 0 }, rx };
  } finally {
    native.shmClose(region.handle, region.buffer);
    native.shmUnlink(name);
  }
}

/** Zero-copy shm between two threads: this thread sends from the domain pool, a worker receives in place. */
async function zcThreads(warm: number, n: number, size: number): Promise<{ tx: SideResult; rx: SideResult }> {
  installGcObserver();
  const buffer = new SharedArrayBuffer(shmZcRegionSize(ZC_LAYOUT));
  initShmZcRegion(buffer, ZC_LAYOUT);
  const domain = new ShmDomain('zc', buffer);
  const port = domain.port(0);
  if ('error' in port) throw new Error(port.error);
  const worker = new Worker(self, { workerData: { benchZcSink: true, buffer, warm, n } });
  const result = new Promise<SideResult>((resolve, reject) => {
    worker.once('message', (m: SideResult) => resolve(m));
    worker.once('error', reject);
  });
  await new Promise<void>((r) => worker.once('online', () => r()));
  const s = sendLoop(port, port.pool, warm, n, size, Date.now() + 120_000);
  const g = await gcsBetween(s.t0, s.t1);
  const rx = await result;
  await worker.terminate();
  domain.close();
  return { tx: { packets: s.sent - warm, ns: (s.t1 - s.t0) * 1e6, ...g, reordered: 0 }, rx };
}

/** Zero-copy shm between two processes over a native domain region. */
async function zcProcesses(native: NativeAddon, warm: number, n: number, size: number): Promise<{ tx: SideResult; rx: SideResult }> {
  installGcObserver();
  const name = `p4tee-bench-zc-${process.pid}`;
  const region = native.shmOpen(name, shmZcRegionSize(ZC_LAYOUT), 0);
  try {
    initShmZcRegion(region.buffer, ZC_LAYOUT);
    const domain = new ShmDomain(name, region.buffer);
    const port = domain.port(0);
    if ('error' in port) throw new Error(port.error);
    const child = spawn(process.execPath, [self, '--zc-sink', name, String(warm), String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { out += d; });
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    const s = sendLoop(port, port.pool, warm, n, size, Date.now() + 120_000);
    const g = await gcsBetween(s.t0, s.t1);
    const code = await exited;
    if (code !== 0) throw new Error(`zero-copy shm sink process exited with ${code}`);
    const rx = JSON.parse(out.trim().split('\n').pop() ?? '{}') as SideResult;
    return { tx: { packets: s.sent - warm, ns: (s.t1 - s.t0) * 1e6, ...g, reordered: 0 }, rx };
  } finally {
    native.shmClose(region.handle, region.buffer);
    native.shmUnlink(name);
  }
}

/** Receiving side of the thread and process runs (zero-copy: pass the peer port's own pool). */
async function sink(port: Port, warm: number, n: number, zcPool?: PacketPool): Promise<SideResult> {
  installGcObserver();
  const pool = zcPool ?? new PacketPool(4 * BURST, SLOT, 128);
  const r = recvLoop(port, pool, warm, n, Date.now() + 120_000);
  return { packets: r.got - warm, ns: (r.t1 - r.t0) * 1e6, ...(await gcsBetween(r.t0, r.t1)), reordered: r.reordered };
}

/** pcap: a 1024-record file looped (rx, then tx of the same burst to /dev/null). */
async function pcap(warm: number, n: number, size: number): Promise<SideResult> {
  installGcObserver();
  const dir = mkdtempSync(join(tmpdir(), 'p4tee-bench-ports-'));
  try {
    const packets = [];
    for (let i = 0; i < 1024; i++) {
      const data = new Uint8Array(size);
      data[SEQ_AT + 2] = i >>> 8;
      data[SEQ_AT + 3] = i & 0xff;
      packets.push({ sec: 0, nsec: 0, data });
    }
    writeFileSync(join(dir, 'in.pcap'), writePcap(packets));
    const port = openPcapPort({ driver: 'pcap', iface: join(dir, 'in.pcap'), pcapOut: '/dev/null' });
    if (isPortError(port) || !(port instanceof PcapPort)) throw new Error(isPortError(port) ? port.error : 'not a pcap port');
    const pool = new PacketPool(4 * BURST, SLOT, 128);
    const slots = new Int32Array(BURST);
    let done = 0;
    let t0 = 0;
    let w0 = 0;
    const total = warm + n;
    while (done < total) {
      if (t0 === 0 && done >= warm) {
        t0 = performance.now();
        w0 = done;
      }
      let k = port.rx(pool, slots, total - done < BURST ? total - done : BURST);
      if (k === 0) {
        port.rewind();
        k = port.rx(pool, slots, total - done < BURST ? total - done : BURST);
      }
      port.tx(pool, slots, k);
      done += k;
    }
    const t1 = performance.now();
    port.close();
    return { packets: total - w0, ns: (t1 - t0) * 1e6, ...(await gcsBetween(t0, t1)), reordered: 0 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Row {
  mode: string;
  copy: 'native' | 'js' | 'none';
  bytes: number;
  /** Median over the repetitions, and each repetition's rate (received packets / receiver's window). */
  mpps: number;
  runs: number[];
  /** GCs over all repetitions: all kinds and young-generation only, per side (tx null: one thread). */
  txGcs: number | null;
  txMinor: number | null;
  rxGcs: number;
  rxMinor: number;
  reordered: number;
}

const mppsOf = (r: SideResult): number => +(r.packets / r.ns * 1e3).toFixed(3);

/** Runs `once` reps times and folds the results into a row. */
async function measure(mode: string, copy: 'native' | 'js' | 'none', bytes: number, reps: number, once: () => Promise<{ tx: SideResult | null; rx: SideResult }>): Promise<Row> {
  const row: Row = { mode, copy, bytes, mpps: 0, runs: [], txGcs: null, txMinor: null, rxGcs: 0, rxMinor: 0, reordered: 0 };
  for (let i = 0; i < reps; i++) {
    const r = await once();
    row.runs.push(mppsOf(r.rx));
    if (r.tx !== null) {
      row.txGcs = (row.txGcs ?? 0) + r.tx.gcs;
      row.txMinor = (row.txMinor ?? 0) + r.tx.minor;
    }
    row.rxGcs += r.rx.gcs;
    row.rxMinor += r.rx.minor;
    row.reordered += r.rx.reordered;
  }
  row.mpps = median(row.runs);
  return row;
}

async function main(): Promise<void> {
  const packets = numArg('--packets', 1e6);
  const warm = numArg('--warmup', 200_000);
  const reps = Math.max(1, numArg('--reps', 3));
  const sizes = (argv.includes('--sizes') ? argv[argv.indexOf('--sizes') + 1] : '64,1500').split(',').map(Number);
  const json = argv.includes('--json');
  const native = loadNative();
  const hasCopy = new BurstCopier().kind === 'native';
  const kinds: ('native' | 'js')[] = hasCopy ? ['native', 'js'] : ['js'];
  const rows: Row[] = [];
  for (const size of sizes) {
    for (const kind of kinds) {
      const nat = kind === 'native';
      rows.push(await measure('shm loopback (1 thread)', kind, size, reps, async () => ({ tx: null, rx: await loopback(nat, warm, packets, size) })));
      rows.push(await measure('shm threads (SAB)', kind, size, reps, () => threads(nat, warm, packets, size)));
      if (native !== undefined) rows.push(await measure('shm processes (region)', kind, size, reps, () => processes(native, nat, warm, packets, size)));
    }
    rows.push(await measure('shm zero-copy loopback', 'none', size, reps, async () => ({ tx: null, rx: await loopback(true, warm, packets, size, true) })));
    rows.push(await measure('shm zero-copy threads (SAB)', 'none', size, reps, () => zcThreads(warm, packets, size)));
    if (native !== undefined) rows.push(await measure('shm zero-copy processes', 'none', size, reps, () => zcProcesses(native, warm, packets, size)));
    rows.push(await measure('pcap rx+tx (out /dev/null)', hasCopy ? 'native' : 'js', size, reps, async () => ({ tx: null, rx: await pcap(warm, packets, size) })));
  }
  if (json) {
    console.log(JSON.stringify({ packets, warmup: warm, reps, burst: BURST, rows }));
    return;
  }
  console.log(`ports: ${packets} packets per run after ${warm} warm-up, bursts of ${BURST}, ring ${RING}, median of ${reps} run(s)` +
    (native === undefined ? ' (native addon missing: no process runs)' : ''));
  console.log('mode                          copy    bytes    Mpps   [min, max]       GCs tx (minor)  GCs rx (minor)  reordered');
  const gc = (all: number | null, minor: number | null): string => (all === null ? '-' : `${all} (${minor})`).padStart(16);
  for (const r of rows) {
    console.log(
      `${r.mode.padEnd(30)}${r.copy.padEnd(8)}${String(r.bytes).padStart(5)}${r.mpps.toFixed(2).padStart(8)}   ` +
        `${`[${Math.min(...r.runs).toFixed(2)}, ${Math.max(...r.runs).toFixed(2)}]`.padEnd(15)}` +
        `${gc(r.txGcs, r.txMinor)}${gc(r.rxGcs, r.rxMinor)}${String(r.reordered).padStart(11)}`,
    );
  }
  console.log(`GCs: collections in that side's isolate while it handled the measured packets, summed over ${reps} run(s);`);
  console.log('minor = young generation (what per-packet allocation would cause). Loopback and pcap run both ends in one thread.');
}

if (!isMainThread && (workerData as { benchSink?: boolean } | null)?.benchSink === true) {
  const d = workerData as { buffer: SharedArrayBuffer; useNative: boolean; warm: number; n: number };
  const port = new ShmPort('t1', d.buffer, 1, undefined, d.useNative);
  parentPort!.postMessage(await sink(port, d.warm, d.n));
} else if (!isMainThread && (workerData as { benchZcSink?: boolean } | null)?.benchZcSink === true) {
  const d = workerData as { buffer: SharedArrayBuffer; warm: number; n: number };
  const port = attachShmZcPeer('zc', d.buffer, 0);
  parentPort!.postMessage(await sink(port, d.warm, d.n, port.pool));
} else if (argv[0] === '--zc-sink') {
  const [, name, warm, n] = argv;
  const native = loadNative();
  if (native === undefined) process.exit(2);
  const region = native.shmOpen(name, 0, 1);
  const port = attachShmZcPeer(name, region.buffer, 0);
  const r = await sink(port, Number(warm), Number(n), port.pool);
  port.sync();
  native.shmClose(region.handle, region.buffer);
  console.log(JSON.stringify(r));
} else if (argv[0] === '--sink') {
  const [, name, warm, n, kind] = argv;
  const native = loadNative();
  if (native === undefined) process.exit(2);
  const region = native.shmOpen(name, 0, 1);
  const port = new ShmPort(name, region.buffer, 1, undefined, kind === 'native');
  const r = await sink(port, Number(warm), Number(n));
  native.shmClose(region.handle, region.buffer);
  console.log(JSON.stringify(r));
} else if (argv[0] === '--gc-check') {
  // In-process loopback only, nothing else in this process: see ports.test.ts.
  const n = numArg('--packets', 300_000);
  const size = numArg('--size', 1500);
  const useNative = !argv.includes('--js');
  const r = await loopback(useNative, 200_000, n, size);
  const p = await pcap(200_000, n, size);
  console.log(JSON.stringify({ copy: new BurstCopier(useNative).kind, loopback: r, pcap: p }));
} else if (isMainThread) {
  await main();
}
