// Enclave module 'monitor': a privacy-preserving heavy-hitter monitor. check counts packets and
// bytes per IPv4 source address in two count-min sketches kept inside the enclave and answers only
// a verdict: 1 (block) once the source's estimated packet count (or byte count, when a byte
// threshold is set) exceeds the threshold, else 0 (allow). Input {bit<32> src_addr; bit<16> bytes},
// output {bit<8> verdict}. Per-source counts never leave the enclave: control lines (`set_threshold
// N`, `set_byte_threshold N`, `stats`, `reset`) answer with aggregates only; state is sealed.
import type { EnclaveModuleDef, EnclaveModuleInstance } from '../api.js';

const DEPTH = 4;
const WIDTH = 1024; // power of two
const MASK = WIDTH - 1;
/** Fixed row seeds: verdicts are a function of the inputs alone, the same in every backend. */
const SEEDS = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f];
const STATE_MAGIC = 0x4d4f4e31; // 'MON1'
const STATE_HEAD = 56;
const DEFAULT_THRESHOLD = 1000;

/** Row r's column of a source address (a murmur3-style finaliser over address ^ seed). */
function column(addr: number, seed: number): number {
  let x = (addr ^ seed) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return x & MASK;
}

class Monitor implements EnclaveModuleInstance {
  readonly pkts = new Uint32Array(DEPTH * WIDTH);
  readonly bytes = new Uint32Array(DEPTH * WIDTH);
  threshold = DEFAULT_THRESHOLD;
  byteThreshold = 0;
  totalPackets = 0;
  totalBytes = 0;
  blocked = 0;
  heavyHitters = 0;

  invoke(fn: number, inBuf: Uint8Array, inOff: number, outBuf: Uint8Array, outOff: number, n: number): void {
    if (fn !== 0) throw new RangeError(`monitor has no function ${fn}`);
    const pkts = this.pkts;
    const bytes = this.bytes;
    const thr = this.threshold;
    const bthr = this.byteThreshold;
    for (let i = 0; i < n; i++) {
      const p = inOff + 6 * i;
      const addr = (inBuf[p] << 24) | (inBuf[p + 1] << 16) | (inBuf[p + 2] << 8) | inBuf[p + 3];
      const len = (inBuf[p + 4] << 8) | inBuf[p + 5];
      // Count-min: add to one counter per row, estimate = the smallest counter after the update.
      let estP = 0xffffffff;
      let estB = 0xffffffff;
      for (let r = 0; r < DEPTH; r++) {
        const c = r * WIDTH + column(addr, SEEDS[r]);
        const vp = pkts[c] < 0xffffffff ? pkts[c] + 1 : 0xffffffff;
        const vb = bytes[c] + len < 0xffffffff ? bytes[c] + len : 0xffffffff;
        pkts[c] = vp;
        bytes[c] = vb;
        if (vp < estP) estP = vp;
        if (vb < estB) estB = vb;
      }
      const heavy = estP > thr || (bthr > 0 && estB > bthr);
      // A source becomes a heavy hitter when its estimate first crosses a threshold.
      if (heavy && !(estP - 1 > thr || (bthr > 0 && estB - len > bthr))) this.heavyHitters++;
      if (heavy) this.blocked++;
      outBuf[outOff + i] = heavy ? 1 : 0;
      this.totalPackets++;
      this.totalBytes += len;
    }
  }

  control(line: string): string {
    const words = line.trim().split(/\s+/);
    switch (words[0]) {
      case 'set_threshold':
      case 'set_byte_threshold': {
        const v = words.length === 2 && /^[0-9]{1,10}$/.test(words[1]) ? Number(words[1]) : -1;
        const min = words[0] === 'set_threshold' ? 1 : 0;
        if (v < min || v > 0xffffffff) return `error: usage: ${words[0]} N (${min} <= N < 2^32)`;
        if (words[0] === 'set_threshold') this.threshold = v;
        else this.byteThreshold = v;
        return 'ok';
      }
      case 'stats':
        return (
          `packets ${this.totalPackets} bytes ${this.totalBytes} blocked ${this.blocked} heavy_hitters ${this.heavyHitters} ` +
          `threshold ${this.threshold} byte_threshold ${this.byteThreshold} sketch ${DEPTH}x${WIDTH}`
        );
      case 'reset':
        this.pkts.fill(0);
        this.bytes.fill(0);
        this.totalPackets = 0;
        this.totalBytes = 0;
        this.blocked = 0;
        this.heavyHitters = 0;
        return 'ok';
      default:
        return `error: unknown command '${words[0] ?? ''}' (monitor knows set_threshold, set_byte_threshold, stats, reset)`;
    }
  }

  exportState(): Uint8Array {
    const cells = DEPTH * WIDTH;
    const out = new Uint8Array(STATE_HEAD + 8 * cells);
    const v = new DataView(out.buffer);
    v.setUint32(0, STATE_MAGIC);
    v.setUint32(4, DEPTH);
    v.setUint32(8, WIDTH);
    v.setUint32(12, this.threshold);
    v.setUint32(16, this.byteThreshold);
    v.setFloat64(24, this.totalPackets);
    v.setFloat64(32, this.totalBytes);
    v.setFloat64(40, this.blocked);
    v.setFloat64(48, this.heavyHitters);
    for (let i = 0; i < cells; i++) {
      v.setUint32(STATE_HEAD + 4 * i, this.pkts[i]);
      v.setUint32(STATE_HEAD + 4 * (cells + i), this.bytes[i]);
    }
    return out;
  }

  importState(state: Uint8Array): void {
    const cells = DEPTH * WIDTH;
    const v = new DataView(state.buffer, state.byteOffset, state.byteLength);
    if (state.byteLength !== STATE_HEAD + 8 * cells || v.getUint32(0) !== STATE_MAGIC || v.getUint32(4) !== DEPTH || v.getUint32(8) !== WIDTH) {
      throw new Error('monitor: state is not a monitor state of this sketch shape');
    }
    this.threshold = v.getUint32(12);
    this.byteThreshold = v.getUint32(16);
    this.totalPackets = v.getFloat64(24);
    this.totalBytes = v.getFloat64(32);
    this.blocked = v.getFloat64(40);
    this.heavyHitters = v.getFloat64(48);
    for (let i = 0; i < cells; i++) {
      this.pkts[i] = v.getUint32(STATE_HEAD + 4 * i);
      this.bytes[i] = v.getUint32(STATE_HEAD + 4 * (cells + i));
    }
  }
}

const monitor: EnclaveModuleDef = {
  name: 'monitor',
  version: '1',
  functions: [{ name: 'check', inputBytes: 6, outputBytes: 1 }],
  create(state: Uint8Array | null): EnclaveModuleInstance {
    const m = new Monitor();
    if (state !== null) m.importState(state);
    return m;
  },
};

export default monitor;
