// Tests of the afxdp Port on a veth pair inside a private network namespace (root only; skipped
// otherwise, or when the native addon is missing). The parent builds the namespace and runs this
// same file as a child inside it (`ip netns exec`, env P4TEE_AFXDP_CHILD=1): the child opens an AF_XDP
// socket in copy mode on one veth end, sends UDP datagrams from the kernel stack out of the other end,
// receives them on the AF_XDP socket, turns each into a reply and sends it back out, and counts the
// replies its UDP socket gets; then it sends frames in place (txReserve/txSubmit) and receives many
// datagrams in place (rxPeek/rxRelease). The parent then checks no XDP program is left on the interface.

import { execFileSync, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import test from 'node:test';
import { PacketPool } from '../core/packet-pool.js';
import { isPortError } from './port.js';
import { AfxdpPort, afxdpNative, openAfxdpPort } from './afxdp.js';
import { vethNetns } from './veth-test-helpers.js';

const XDP_ADDR = '10.201.0.1'; // answered by the AF_XDP side (vA, which has no address)
const STACK_ADDR = '10.201.0.2'; // the kernel stack's address on vB
const STACK_PORT = 40000;
const XDP_PORT = 40001;
const WANT_REPLIES = 5;
/** Phase 2: datagrams sent back to back (sizes up to 1400 bytes) so bursts hold several packets. */
const BURST = 64;

interface ChildResult {
  error?: string;
  zerocopy?: boolean;
  xdpMode?: string;
  xdpAttach?: string;
  linkWhileOpen?: string;
  sent?: number;
  received?: number;
  echoed?: number;
  replies?: number;
  maxBurst?: number;
  progWhileOpen?: number;
  progAfterClose?: number;
  /** Errors of three open/close rounds on the same queue right after the close. */
  reopenErrors?: string[];
  stats?: Record<string, unknown>;
  txRefused?: number;
  /** In-place TX (txReserve/txSubmit): frames posted, replies they caused, frames whose bytes did not persist. */
  inPlaceSent?: number;
  inPlaceReplies?: number;
  /** Phase 5: replies to one tx() of 128 frames with no tx() after it (-N: tx took only N). */
  bigBurst?: number;
  inPlaceChanged?: number;
  inPlaceTxPackets?: number;
  /** In-place RX (rxPeek/rxRelease), see peekReceive. */
  peek?: PeekResult;
}

/** What phase 4 saw. */
interface PeekResult {
  /** Frames of the first burst: peeked twice, then taken by rx(). */
  firstBurst: number;
  /** The second peek without release gave other offsets, lengths or bytes than the first (frames). */
  repeekDiffers: number;
  /** rx() after the peeks gave other lengths or bytes than the peeked frames (frames). */
  rxDiffers: number;
  /** rxPackets grew while only peeking (must be 0: counted at release). */
  countedByPeek: number;
  /** Datagrams sent in phase 4, distinct ones received in place, duplicates, frames not as sent. */
  sent: number;
  received: number;
  duplicates: number;
  badBytes: number;
  /** RX frames of the socket (the fill ring's size). */
  rxFrames: number;
  /** rxPackets growth over the in-place part against frames peeked and released. */
  statsPackets: number;
  released: number;
}

const IN_PLACE = 40;
/** Phase 4: datagrams received in place, sent in chunks a 256-entry RX ring always holds. */
const PEEK_TOTAL = 4096;
const PEEK_CHUNK = 64;

if (process.env.P4TEE_AFXDP_CHILD === '1') {
  await childMain();
} else {
  parentTests();
}

// ---- child: runs inside the namespace ----

async function childMain(): Promise<void> {
  const iface = process.env.P4TEE_AFXDP_IFACE ?? '';
  const xdpMode = (process.env.P4TEE_AFXDP_XDPMODE ?? 'skb') as 'skb' | 'drv';
  const done = (r: ChildResult): void => {
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
  };
  const opened = openAfxdpPort({ driver: 'afxdp', iface, mode: 'copy', xdpMode, ringSize: 256, queue: 0 });
  if (isPortError(opened)) {
    done({ error: opened.error });
    return;
  }
  const port = opened as AfxdpPort;
  const linkWhileOpen = execFileSync('ip', ['link', 'show', iface], { encoding: 'utf8' });
  const pool = new PacketPool(256);
  const rxOut = new Int32Array(32);
  const txSlots = new Int32Array(32);
  const sock = createSocket({ type: 'udp4', recvBufferSize: 1 << 20 });
  let replies = 0;
  let sent = 0;
  let received = 0;
  let echoed = 0;
  sock.on('message', (msg, rinfo) => {
    if (rinfo.address === XDP_ADDR && rinfo.port === XDP_PORT && msg.toString().startsWith('p4tee-afxdp-')) replies++;
  });
  await new Promise<void>((resolve) => sock.bind(STACK_PORT, STACK_ADDR, resolve));
  const deadline = Date.now() + 30_000;
  let maxBurst = 0;
  let burstSent = false;
  /** The first reply frame of phase 1 (a valid frame to the stack): the in-place TX template. */
  let template: Uint8Array | null = null;
  await new Promise<void>((resolve) => {
    let lastSend = 0;
    const step = (): void => {
      const now = Date.now();
      if (replies >= WANT_REPLIES + BURST || now > deadline) {
        resolve();
        return;
      }
      if (replies < WANT_REPLIES) {
        // Phase 1: a datagram every 20 ms until replies come back (the link may still be settling).
        if (now - lastSend >= 20) {
          lastSend = now;
          sock.send(`p4tee-afxdp-${sent++}`, XDP_PORT, XDP_ADDR);
        }
      } else if (!burstSent) {
        // Phase 2: a burst of datagrams of growing size, all queued at once.
        burstSent = true;
        for (let i = 0; i < BURST; i++) {
          const body = Buffer.alloc(16 + Math.floor((i * 1384) / (BURST - 1)), 0x61);
          body.write(`p4tee-afxdp-${sent++}-`);
          sock.send(body, XDP_PORT, XDP_ADDR);
        }
      }
      const n = port.rx(pool, rxOut, rxOut.length);
      if (n > maxBurst) maxBurst = n;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const slot = rxOut[i];
        if (isOurDatagram(pool.view(slot))) {
          received++;
          turnAround(pool.view(slot));
          if (template === null) template = pool.view(slot).slice();
          txSlots[m++] = slot;
        } else {
          pool.free(slot); // IPv6 noise and the like
        }
      }
      if (m > 0) {
        const k = port.tx(pool, txSlots, m);
        echoed += k;
        for (let i = k; i < m; i++) pool.free(txSlots[i]);
      } else {
        port.tx(pool, txSlots, 0); // reap completions, flush
      }
      setTimeout(step, 1);
    };
    step();
  });
  port.poll();
  const stats = port.stats.toJSON();
  const txRefused = port.xdp.txRefused;
  const tx0 = port.stats.txPackets;
  const r0 = replies;
  const ip3 = template === null ? { sent: 0, changed: -1 } : await inPlaceSend(port, template);
  const until = Date.now() + 5000;
  while (replies < r0 + ip3.sent && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  const inPlaceReplies = replies - r0;
  const inPlaceTxPackets = port.stats.txPackets - tx0;
  const peek = await peekReceive(port, sock);
  // Phase 5: one tx() of 128 frames (more than the kernel sends per wakeup in copy mode, 32): all of
  // them must leave now, without a later tx() call to kick the ring again.
  let bigBurst = -1;
  if (template !== null) {
    const big = new Int32Array(128);
    let k = 0;
    for (; k < big.length; k++) {
      const slot = pool.alloc();
      if (slot < 0 || !pool.write(slot, template)) break;
      big[k] = slot;
    }
    const r5 = replies;
    const took = port.tx(pool, big, k);
    for (let i = took; i < k; i++) pool.free(big[i]);
    const until5 = Date.now() + 5000;
    while (replies < r5 + took && Date.now() < until5) await new Promise((r) => setTimeout(r, 5));
    bigBurst = took === 128 ? replies - r5 : -took;
  }
  sock.close();
  const nat = afxdpNative();
  const progWhileOpen = 'error' in nat ? -1 : nat.xdpQuery(port.ifindex).progId;
  port.close();
  port.close(); // twice is harmless
  const progAfterClose = 'error' in nat ? -1 : nat.xdpQuery(port.ifindex).progId;
  // Closing and opening the same queue again at once: the kernel frees the old socket's claim late
  // (bind() says EBUSY for a while); the open waits for it.
  const reopenErrors: string[] = [];
  for (let i = 0; i < 3; i++) {
    const again = openAfxdpPort({ driver: 'afxdp', iface, mode: 'copy', xdpMode, ringSize: 256, queue: 0 });
    if ('error' in again) reopenErrors.push(again.error);
    else again.close();
  }
  done({
    reopenErrors,
    progWhileOpen, progAfterClose, zerocopy: port.zerocopy, xdpMode: port.xdpMode, xdpAttach: port.xdpAttach, linkWhileOpen, sent, received, echoed, replies, maxBurst, stats, txRefused,
    inPlaceSent: ip3.sent, inPlaceReplies, inPlaceChanged: ip3.changed, inPlaceTxPackets, peek, bigBurst,
  });
}

/** The payload of phase 4's datagram i: a tag, the number, padding to 100 + (i % 7) * 150 bytes. */
function peekPayload(i: number): Buffer {
  const body = Buffer.alloc(100 + (i % 7) * 150, 0x30 + (i % 10));
  body.write(`p4tee-peek-${i}-`);
  return body;
}

/** The datagram number of a phase-4 frame whose bytes are exactly peekPayload(i) behind the headers, else -1. */
function peekNumber(f: Uint8Array): number {
  if (!isOurDatagram(f)) return -1;
  const u = 14 + (f[14] & 0x0f) * 4;
  const body = Buffer.from(f.buffer, f.byteOffset + u + 8, f.length - u - 8);
  const m = /^p4tee-peek-(\d+)-/.exec(body.subarray(0, 32).toString('latin1'));
  if (m === null) return -1;
  const i = Number(m[1]);
  return body.equals(peekPayload(i)) ? i : -1;
}

/**
 * Phase 4, in-place RX. First: a burst peeked twice without release (same frames, same bytes, not
 * counted), then taken by rx(), which must return those very frames byte for byte. Then PEEK_TOTAL
 * datagrams (8 times the RX frames of the socket) in chunks, each received with rxPeek/rxRelease
 * and checked byte for byte: they only get through if released frames return to the fill ring.
 */
async function peekReceive(port: AfxdpPort, sock: ReturnType<typeof createSocket>): Promise<PeekResult> {
  const umem = port.rxData;
  const offs = new Int32Array(64);
  const lens = new Int32Array(64);
  const offs2 = new Int32Array(64);
  const lens2 = new Int32Array(64);
  const pool = new PacketPool(256);
  const slots = new Int32Array(64);
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  const r: PeekResult = {
    firstBurst: 0, repeekDiffers: 0, rxDiffers: 0, countedByPeek: 0, sent: 0, received: 0, duplicates: 0, badBytes: 0,
    rxFrames: 0, statsPackets: 0, released: 0,
  };
  // Drain what earlier phases left.
  for (let i = 0; i < 20; i++) {
    const n = port.rx(pool, slots, slots.length);
    for (let k = 0; k < n; k++) pool.free(slots[k]);
    await sleep(2);
  }
  // The first burst: 16 datagrams, then wait until they are all in the RX ring.
  let next = 0;
  for (let i = 0; i < 16; i++) sock.send(peekPayload(next++), XDP_PORT, XDP_ADDR);
  let n1 = 0;
  for (let i = 0; i < 500 && n1 < 16; i++) {
    await sleep(2);
    n1 = port.rxPeek(64, offs, lens);
  }
  const pk0 = port.stats.rxPackets;
  const n2 = port.rxPeek(64, offs2, lens2);
  const copies: Uint8Array[] = [];
  for (let k = 0; k < n1; k++) {
    copies.push(umem.slice(offs[k], offs[k] + lens[k]));
    const same = k < n2 && offs2[k] === offs[k] && lens2[k] === lens[k] && Buffer.from(umem.subarray(offs2[k], offs2[k] + lens2[k])).equals(copies[k]);
    if (!same) r.repeekDiffers++;
  }
  r.countedByPeek = port.stats.rxPackets - pk0;
  r.firstBurst = n1;
  const got = port.rx(pool, slots, n1);
  for (let k = 0; k < n1; k++) {
    if (k >= got || !Buffer.from(pool.view(slots[k])).equals(copies[k])) r.rxDiffers++;
  }
  for (let k = 0; k < got; k++) pool.free(slots[k]);

  // Many more datagrams than RX frames, all received in place.
  r.rxFrames = 2 * 256; // ringSize 256: a fill ring (and RX frames) of twice that
  const seen = new Uint8Array(PEEK_TOTAL);
  const pkBefore = port.stats.rxPackets;
  const first = next;
  const deadline = Date.now() + 60_000;
  while (next < first + PEEK_TOTAL && Date.now() < deadline) {
    const chunkEnd = next + PEEK_CHUNK;
    for (; next < chunkEnd; next++) sock.send(peekPayload(next), XDP_PORT, XDP_ADDR);
    const until = Date.now() + 5000;
    while (r.received < next - first && Date.now() < until) {
      const n = port.rxPeek(64, offs, lens);
      for (let k = 0; k < n; k++) {
        const i = peekNumber(umem.subarray(offs[k], offs[k] + lens[k])) - first;
        if (i < 0 || i >= PEEK_TOTAL) {
          r.badBytes++;
        } else if (seen[i] === 1) {
          r.duplicates++;
        } else {
          seen[i] = 1;
          r.received++;
        }
      }
      port.rxRelease();
      r.released += n;
      if (n === 0) await sleep(1);
    }
    if (r.received < next - first) break;
  }
  r.sent = next - first;
  r.statsPackets = port.stats.rxPackets - pkBefore;
  return r;
}

/**
 * Phase 3: IN_PLACE copies of `template` written straight into UMEM TX frames (txReserve /
 * txSubmit, bursts of 8); a frame gets the template only the first time it is handed out. Then
 * every frame handed out again must still hold it (the bytes a sender leaves in a TX frame stay).
 */
async function inPlaceSend(port: AfxdpPort, template: Uint8Array): Promise<{ sent: number; changed: number }> {
  const umem = port.umemBytes;
  const addrs = new Int32Array(8);
  const lens = new Int32Array(8).fill(template.length);
  const written = new Set<number>();
  let sent = 0;
  const until = Date.now() + 5000;
  while (sent < IN_PLACE && Date.now() < until) {
    const n = port.txReserve(addrs, Math.min(8, IN_PLACE - sent));
    for (let k = 0; k < n; k++) {
      if (!written.has(addrs[k])) {
        umem.set(template, addrs[k]);
        written.add(addrs[k]);
      }
    }
    port.txSubmit(addrs, lens, n > 0 ? n : 0);
    sent += n > 0 ? n : 0;
    await new Promise((r) => setTimeout(r, 1));
  }
  for (let i = 0; i < 20; i++) {
    port.txSubmit(addrs, lens, 0); // flush, reap completions
    await new Promise((r) => setTimeout(r, 2));
  }
  // Hand out every free frame once (nothing posted): the written ones still hold the template.
  let changed = 0;
  const all = new Int32Array(4096);
  const n = port.txReserve(all, all.length);
  for (let k = 0; k < n; k++) {
    if (!written.has(all[k])) continue;
    for (let b = 0; b < template.length; b++) {
      if (umem[all[k] + b] !== template[b]) {
        changed++;
        break;
      }
    }
  }
  port.txSubmit(all, lens, 0);
  return { sent, changed: written.size > 0 && n > 0 ? changed : -1 };
}

/** An IPv4/UDP frame from STACK_ADDR:STACK_PORT to XDP_ADDR:XDP_PORT. */
function isOurDatagram(f: Uint8Array): boolean {
  if (f.length < 42 || f[12] !== 0x08 || f[13] !== 0x00 || (f[14] & 0xf0) !== 0x40 || f[23] !== 17) return false;
  const ihl = (f[14] & 0x0f) * 4;
  const ip = (o: number): string => `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;
  const u = 14 + ihl;
  return ip(26) === STACK_ADDR && ip(30) === XDP_ADDR && ((f[u] << 8) | f[u + 1]) === STACK_PORT && ((f[u + 2] << 8) | f[u + 3]) === XDP_PORT;
}

/** Swaps MACs, IPs and ports in place; zero UDP checksum (veth may hand us a partial one). */
function turnAround(f: Uint8Array): void {
  const swap = (a: number, b: number, len: number): void => {
    for (let i = 0; i < len; i++) {
      const t = f[a + i];
      f[a + i] = f[b + i];
      f[b + i] = t;
    }
  };
  swap(0, 6, 6);
  swap(26, 30, 4); // the IPv4 header checksum does not change
  const u = 14 + (f[14] & 0x0f) * 4;
  swap(u, u + 2, 2);
  f[u + 6] = 0;
  f[u + 7] = 0;
}

// ---- parent: builds and removes the namespace ----

function parentTests(): void {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const nat = afxdpNative();
  const hasIp = spawnSync('ip', ['-V'], { encoding: 'utf8' }).status === 0;
  const skip = !isRoot
    ? 'needs root (network namespaces, AF_XDP, bpf())'
    : 'error' in nat
      ? `native addon unavailable: ${nat.error}`
      : !hasIp
        ? 'iproute2 (ip) not installed'
        : false;

  test('afxdp: opening a missing interface gives an error, not a throw', { skip: 'error' in nat ? `native addon unavailable: ${'error' in nat ? nat.error : ''}` : false }, () => {
    const r = openAfxdpPort({ driver: 'afxdp', iface: 'p4t-no-such-if' });
    assert.ok(isPortError(r));
    assert.match(r.error, /no interface named 'p4t-no-such-if'/);
  });

  const modes: Array<'skb' | 'drv'> = ['skb', 'drv'];
  for (const xdpMode of modes) {
    test(`afxdp copy mode over veth, XDP program in ${xdpMode} mode: receive, send back, detach on close`, { skip, timeout: 120_000 }, (t) => {
      const tag = `${process.pid}${xdpMode === 'skb' ? 's' : 'd'}`;
      const { ns, a: vA, b: vB, ip, remove } = vethNetns(`p4te-${tag}-ns`, `p4te${tag}a`, `p4te${tag}b`);
      try {
        ip('-n', ns, 'addr', 'add', `${STACK_ADDR}/24`, 'dev', vB);
        const info = JSON.parse(ip('-j', '-n', ns, 'link', 'show', vA)) as Array<{ address: string }>;
        ip('-n', ns, 'neigh', 'replace', XDP_ADDR, 'lladdr', info[0].address, 'dev', vB, 'nud', 'permanent');

        const child = spawnSync('ip', ['netns', 'exec', ns, process.execPath, fileURLToPath(import.meta.url)], {
          encoding: 'utf8',
          timeout: 90_000,
          env: { ...process.env, P4TEE_AFXDP_CHILD: '1', P4TEE_AFXDP_IFACE: vA, P4TEE_AFXDP_XDPMODE: xdpMode },
        });
        const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
        assert.ok(line !== undefined, `child printed no result (status ${child.status}, signal ${child.signal}):\n${child.stdout}\n${child.stderr}`);
        const r = JSON.parse(line.slice('RESULT '.length)) as ChildResult;
        assert.equal(r.error, undefined, `child could not open the port: ${r.error}`);
        assert.equal(r.zerocopy, false, 'veth binds in copy mode');
        assert.equal(r.xdpMode, xdpMode);
        // Kernels >= 5.9 attach through a BPF link: gone with the process even if it is killed.
        const [maj, min] = (spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout ?? '0.0').split('.').map(Number);
        if (maj! > 5 || (maj === 5 && min! >= 9)) assert.equal(r.xdpAttach, 'link');
        // While open, the interface carries our program (generic: "xdpgeneric", native: "xdp").
        assert.match(r.linkWhileOpen ?? '', xdpMode === 'skb' ? /xdpgeneric/ : /\bxdp\b/, r.linkWhileOpen);
        assert.ok((r.progWhileOpen ?? 0) > 0, 'RTM_GETLINK shows a program id while open');
        assert.equal(r.progAfterClose, 0, 'RTM_GETLINK shows no program after close');
        assert.deepEqual(r.reopenErrors, [], 'the same queue opens again right after a close');
        const want = WANT_REPLIES + BURST;
        assert.ok((r.received ?? 0) >= want, `AF_XDP received ${r.received} of ${r.sent} datagrams`);
        assert.ok((r.echoed ?? 0) >= want, `AF_XDP sent back only ${r.echoed}`);
        assert.ok((r.replies ?? 0) >= want, `the stack got ${r.replies} replies (sent ${r.sent}, received ${r.received}, echoed ${r.echoed})`);
        const stats = r.stats as { rxPackets: number; txPackets: number };
        assert.ok(stats.rxPackets >= (r.received ?? 0));
        assert.equal(stats.txPackets, r.echoed);
        assert.equal(r.inPlaceSent, IN_PLACE, 'in-place TX posted every frame');
        assert.equal(r.inPlaceTxPackets, IN_PLACE, 'in-place frames counted as sent');
        assert.ok((r.inPlaceReplies ?? 0) >= IN_PLACE, `the stack got ${r.inPlaceReplies} of ${IN_PLACE} in-place frames`);
        assert.equal(r.inPlaceChanged, 0, 'TX frames keep the bytes the sender left in them');
        assert.equal(r.bigBurst, 128, 'one tx() of 128 frames: every one reaches the stack with no later tx() (copy mode sends 32 per wakeup)');
        const pk = r.peek!;
        assert.equal(pk.firstBurst, 16, 'the first in-place burst holds all 16 datagrams');
        assert.equal(pk.repeekDiffers, 0, 'a second rxPeek without rxRelease gives the same frames');
        assert.equal(pk.countedByPeek, 0, 'peeking alone counts nothing');
        assert.equal(pk.rxDiffers, 0, 'rx() after the peeks returns the peeked frames byte for byte');
        assert.ok(PEEK_TOTAL >= 8 * pk.rxFrames, 'many more datagrams than RX frames');
        assert.equal(pk.received, PEEK_TOTAL, `in place: ${pk.received} of ${PEEK_TOTAL} datagrams got through (released frames must return to the fill ring)`);
        assert.equal(pk.sent, PEEK_TOTAL);
        assert.equal(pk.duplicates, 0, 'a released frame is not seen again');
        assert.equal(pk.badBytes, 0, 'every frame read in place holds the datagram sent');
        assert.equal(pk.statsPackets, pk.released, 'rxPackets counts each released frame once');
        t.diagnostic(`${xdpMode}: sent ${r.sent}, AF_XDP rx ${r.received}, tx ${r.echoed}, replies ${r.replies}, largest burst ${r.maxBurst}; stats ${JSON.stringify(r.stats)}; in place ${JSON.stringify(pk)}`);

        // After close (and the child's exit) no XDP program is left on the interface.
        const after = ip('-n', ns, 'link', 'show', vA);
        assert.doesNotMatch(after, /xdp/, after);
      } finally {
        remove();
      }
      assert.equal(spawnSync('ip', ['netns', 'pids', ns], { stdio: 'ignore' }).status === 0, false, `namespace ${ns} left behind`);
    });
  }
}
