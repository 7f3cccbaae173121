// The far side of the shm part of `npm run bench:io`: one process (pinned to the generator's CPU)
// that feeds region FEED (into P4 port 0 of `p4tee switch --driver shm`) as fast as the ring lets it
// and drains region SINK (out of port 1). Like xdp-send, it prefills every ring buffer with the same
// study frame once and per packet only writes a length; the sink only moves the read index. So the
// switch, which copies every packet in and out, is the bottleneck: its processing-bound rate.
// Usage: node dist/bench/io-shm-peer.js FEED SINK SIZE WARMUP_S SECONDS_S
// Output (stdout): {"event":"window"} when the window opens, then one JSON line of counts.
import { performance } from 'node:perf_hooks';
import { loadNative, nativeStatus } from '../runtime/io/native.js';
import { readShmHeader } from '../runtime/io/shm.js';

// Region layout, as documented in src/runtime/io/shm.ts: a 64-byte header, then two rings (ring 0
// carries side 0 -> side 1, ring 1 side 1 -> side 0); each ring: write index (int32 word 0), read
// index (word 16), lengths (+128), data (64-byte aligned). The switch created the regions (side 0);
// this process is side 1 of both.
const HEADER = 64;
const CTRL = 128;
const W = 0;
const R = 16;
const BURST = 32;

function align64(n: number): number {
  return (n + 63) & ~63;
}

interface RawRing {
  readonly ctrl: Int32Array;
  readonly lens: Int32Array;
  readonly dataOffset: number;
}

function ringAt(buffer: ArrayBuffer, index: number, ringSize: number, slotSize: number): RawRing {
  const ringBytes = CTRL + align64(4 * ringSize) + ringSize * slotSize;
  const base = HEADER + index * ringBytes;
  return { ctrl: new Int32Array(buffer, base, CTRL / 4), lens: new Int32Array(buffer, base + CTRL, ringSize), dataOffset: base + CTRL + align64(4 * ringSize) };
}

/** The study frame: Ethernet / IPv4 10.111.0.1 -> 10.111.1.1 / UDP 12345 -> 7777 / study header. */
function studyFrame(size: number, seq: number): Uint8Array {
  const f = new Uint8Array(size);
  const dv = new DataView(f.buffer);
  f.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1], 0);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  dv.setUint16(16, size - 14);
  f[22] = 64;
  f[23] = 17;
  dv.setUint32(26, 0x0a6f0001);
  dv.setUint32(30, 0x0a6f0101);
  let sum = 0;
  for (let j = 14; j < 34; j += 2) sum += dv.getUint16(j);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  dv.setUint16(24, ~sum & 0xffff);
  dv.setUint16(34, 12345);
  dv.setUint16(36, 7777);
  dv.setUint16(38, size - 34);
  dv.setUint32(42, seq >>> 0);
  dv.setUint32(46, (0x5a5aa5a5 ^ 41) >>> 0);
  return f;
}

function main(): number {
  const [feedName, sinkName, sizeArg, warmupArg, secondsArg] = process.argv.slice(2);
  const size = Number(sizeArg);
  const warmupMs = Number(warmupArg) * 1000;
  const windowMs = Number(secondsArg) * 1000;
  if (feedName === undefined || sinkName === undefined || !(size >= 60) || !(warmupMs >= 0) || !(windowMs > 0)) {
    process.stderr.write('usage: io-shm-peer FEED SINK SIZE WARMUP_S SECONDS_S\n');
    return 2;
  }
  const nat = loadNative();
  if (nat === undefined) {
    const st = nativeStatus();
    process.stderr.write(`io-shm-peer: ${st.ok ? 'native addon missing' : st.reason}\n`);
    return 1;
  }
  const feedRegion = nat.shmOpen(feedName, 0, 1);
  const sinkRegion = nat.shmOpen(sinkName, 0, 1);
  const fh = readShmHeader(feedRegion.buffer);
  const sh = readShmHeader(sinkRegion.buffer);
  if ('error' in fh || 'error' in sh) {
    process.stderr.write(`io-shm-peer: ${'error' in fh ? fh.error : ''} ${'error' in sh ? sh.error : ''}\n`);
    return 1;
  }
  if (size > fh.slotSize) {
    process.stderr.write(`io-shm-peer: ${size}-byte frames do not fit ${fh.slotSize}-byte slots\n`);
    return 1;
  }
  // Side 1 writes ring 1 of FEED and reads ring 0 of SINK (and of FEED: nothing comes back there).
  const feed = ringAt(feedRegion.buffer, 1, fh.ringSize, fh.slotSize);
  const feedBack = ringAt(feedRegion.buffer, 0, fh.ringSize, fh.slotSize);
  const sink = ringAt(sinkRegion.buffer, 0, sh.ringSize, sh.slotSize);
  const bytes = new Uint8Array(feedRegion.buffer);
  for (let i = 0; i < fh.ringSize; i++) bytes.set(studyFrame(size, i), feed.dataOffset + i * fh.slotSize);
  const feedMask = fh.ringSize - 1;
  const ringSize = fh.ringSize;

  let write = Atomics.load(feed.ctrl, W);
  let fed = 0;
  let drained = 0;
  let fedAtOpen = 0;
  let drainedAtOpen = 0;
  let tOpen = 0;
  const t0 = performance.now();
  const tWindow = t0 + warmupMs;
  const tEnd = tWindow + windowMs;
  let open = false;
  for (;;) {
    const t = performance.now();
    if (!open && t >= tWindow) {
      open = true;
      tOpen = t;
      fedAtOpen = fed;
      drainedAtOpen = drained;
      process.stdout.write('{"event":"window"}\n');
    }
    if (t >= tEnd) break;
    // Feed: up to a burst of lengths, then publish the write index once.
    const free = ringSize - ((write - Atomics.load(feed.ctrl, R)) >>> 0);
    const n = free < BURST ? free : BURST;
    for (let k = 0; k < n; k++) feed.lens[(write + k) & feedMask] = size;
    if (n > 0) {
      write = (write + n) | 0;
      Atomics.store(feed.ctrl, W, write);
      fed += n;
    }
    // Sink: everything written so far is consumed at once.
    const sw = Atomics.load(sink.ctrl, W);
    const got = (sw - Atomics.load(sink.ctrl, R)) >>> 0;
    if (got > 0) {
      Atomics.store(sink.ctrl, R, sw);
      drained += got;
    }
    const bw = Atomics.load(feedBack.ctrl, W);
    if (bw !== Atomics.load(feedBack.ctrl, R)) Atomics.store(feedBack.ctrl, R, bw);
  }
  const seconds = (performance.now() - tOpen) / 1000;
  process.stdout.write(
    JSON.stringify({ seconds, fed: fed - fedAtOpen, drained: drained - drainedAtOpen, fedPps: (fed - fedAtOpen) / seconds, pps: (drained - drainedAtOpen) / seconds, ringSize, slotSize: fh.slotSize }) + '\n',
  );
  nat.shmClose(feedRegion.handle, feedRegion.buffer);
  nat.shmClose(sinkRegion.handle, sinkRegion.buffer);
  return 0;
}

process.exitCode = main();
