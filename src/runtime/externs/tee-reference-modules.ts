// Reference implementations of the two enclave modules of the session contract, run in-process:
// study-xor.crypt (decrypt a u32 with the module's XOR key, add 1, encrypt) and monitor.check
// (packets and bytes per source address in count-min sketches; verdict 1 = block once a source
// passed the threshold). Used by the inline gate when no module registry is given (plain `p4tee run/stf`,
// tests). No isolation: this is the `none` baseline's semantics, not a TEE.
import type { TeeModuleDef, TeeModuleInstance, TeeModuleResolver } from './tee-call.js';

function parseNumber(text: string | undefined): number | null {
  if (text === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(text)) return null;
  const v = Number(text);
  return Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/** study-xor: key in module state; `set_key V` sets it (never readable from outside), `stats`. */
export const studyXorModule: TeeModuleDef = {
  name: 'study-xor',
  version: '1',
  functions: [{ name: 'crypt', inputBytes: 4, outputBytes: 4 }],
  create(state: Uint8Array | null): TeeModuleInstance {
    let key = state !== null && state.length >= 4 ? new DataView(state.buffer, state.byteOffset, 4).getUint32(0) : 0;
    let calls = 0;
    return {
      invoke(_fn, inBuf, inOff, outBuf, outOff, n) {
        for (let i = 0; i < n; i++) {
          const a = inOff + i * 4;
          const v = ((inBuf[a] << 24) | (inBuf[a + 1] << 16) | (inBuf[a + 2] << 8) | inBuf[a + 3]) >>> 0;
          const r = ((((v ^ key) + 1) >>> 0) ^ key) >>> 0;
          const o = outOff + i * 4;
          outBuf[o] = r >>> 24; outBuf[o + 1] = (r >>> 16) & 255; outBuf[o + 2] = (r >>> 8) & 255; outBuf[o + 3] = r & 255;
        }
        calls += n;
      },
      control(line) {
        const w = line.trim().split(/\s+/);
        if (w[0] === 'set_key') {
          const v = parseNumber(w[1]);
          if (v === null || v > 0xffffffff) return 'error: set_key needs a 32-bit value';
          key = v >>> 0;
          return 'ok';
        }
        if (w[0] === 'stats') return `calls ${calls}`;
        return `error: unknown command '${w[0] ?? ''}' (set_key VALUE, stats)`;
      },
      exportState() {
        const b = new Uint8Array(4);
        new DataView(b.buffer).setUint32(0, key);
        return b;
      },
    };
  },
};

const DEPTH = 4;
const WIDTH = 1024;
/** Row seeds and column hash as in src/tee/modules/monitor.ts, so verdicts agree with the enclave's. */
const SEEDS = [0x9e3779b9, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f];

function column(addr: number, seed: number): number {
  let x = (addr ^ seed) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return x & (WIDTH - 1);
}

/**
 * monitor: check(src_addr u32, bytes u16) -> verdict u8. Counts packets and bytes per source in
 * count-min sketches; verdict 1 (block) once the source's packet estimate exceeds the threshold
 * (default 1000; `set_threshold N`) or its byte estimate exceeds a byte threshold
 * (`set_byte_threshold N`, 0 = off). `reset`, `stats` (aggregates only).
 */
export const monitorModule: TeeModuleDef = {
  name: 'monitor',
  version: '1',
  functions: [{ name: 'check', inputBytes: 6, outputBytes: 1 }],
  create(): TeeModuleInstance {
    const pkts = new Float64Array(DEPTH * WIDTH);
    const bytes = new Float64Array(DEPTH * WIDTH);
    let threshold = 1000;
    let byteThreshold = 0;
    let checks = 0;
    let blocked = 0;
    return {
      invoke(_fn, inBuf, inOff, outBuf, outOff, n) {
        for (let i = 0; i < n; i++) {
          const a = inOff + i * 6;
          const src = (inBuf[a] << 24) | (inBuf[a + 1] << 16) | (inBuf[a + 2] << 8) | inBuf[a + 3];
          const len = (inBuf[a + 4] << 8) | inBuf[a + 5];
          let estP = Infinity;
          let estB = Infinity;
          for (let r = 0; r < DEPTH; r++) {
            const c = r * WIDTH + column(src, SEEDS[r]);
            pkts[c] += 1;
            bytes[c] += len;
            if (pkts[c] < estP) estP = pkts[c];
            if (bytes[c] < estB) estB = bytes[c];
          }
          const block = estP > threshold || (byteThreshold > 0 && estB > byteThreshold) ? 1 : 0;
          blocked += block;
          outBuf[outOff + i] = block;
        }
        checks += n;
      },
      control(line) {
        const w = line.trim().split(/\s+/);
        if (w[0] === 'set_threshold' || w[0] === 'set_byte_threshold') {
          const v = parseNumber(w[1]);
          if (v === null || v > 0xffffffff || (w[0] === 'set_threshold' && v < 1)) return `error: usage: ${w[0]} N`;
          if (w[0] === 'set_threshold') threshold = v;
          else byteThreshold = v;
          return 'ok';
        }
        if (w[0] === 'reset') { pkts.fill(0); bytes.fill(0); checks = 0; blocked = 0; return 'ok'; }
        if (w[0] === 'stats') return `packets ${checks} blocked ${blocked} threshold ${threshold} byte_threshold ${byteThreshold}`;
        return `error: unknown command '${w[0] ?? ''}' (set_threshold N, set_byte_threshold N, reset, stats)`;
      },
      exportState() { return new Uint8Array(0); },
    };
  },
};

/** The reference modules by name. */
export const referenceTeeModules: TeeModuleResolver = {
  module(name: string): TeeModuleDef | null {
    return name === 'study-xor' ? studyXorModule : name === 'monitor' ? monitorModule : null;
  },
};
