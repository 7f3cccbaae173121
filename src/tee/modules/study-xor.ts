// Enclave module 'study-xor': the reference study's operation on an encrypted 4-byte field. crypt
// decrypts the field with the sealed XOR key, adds 1 (wrapping at 2^32) and encrypts it again.
// Input record {bit<32> secret}, output record {bit<32> secret}, both big-endian. Control lines:
// `set_key 0x...` (the key never leaves the enclave except sealed), `stats`. State: the key.
import type { EnclaveModuleDef, EnclaveModuleInstance } from '../api.js';

const STATE_MAGIC = 0x53585231; // 'SXR1'
const STATE_BYTES = 16;

class StudyXor implements EnclaveModuleInstance {
  key = 0;
  keySet = false;
  records = 0;

  invoke(fn: number, inBuf: Uint8Array, inOff: number, outBuf: Uint8Array, outOff: number, n: number): void {
    if (fn !== 0) throw new RangeError(`study-xor has no function ${fn}`);
    const key = this.key;
    for (let i = 0; i < n; i++) {
      const p = inOff + 4 * i;
      const x = ((inBuf[p] << 24) | (inBuf[p + 1] << 16) | (inBuf[p + 2] << 8) | inBuf[p + 3]) >>> 0;
      const y = ((((x ^ key) >>> 0) + 1) ^ key) >>> 0;
      const q = outOff + 4 * i;
      outBuf[q] = y >>> 24;
      outBuf[q + 1] = (y >>> 16) & 0xff;
      outBuf[q + 2] = (y >>> 8) & 0xff;
      outBuf[q + 3] = y & 0xff;
    }
    this.records += n;
  }

  control(line: string): string {
    const words = line.trim().split(/\s+/);
    switch (words[0]) {
      case 'set_key': {
        const v = words.length === 2 ? parseU32(words[1]) : null;
        if (v === null) return 'error: usage: set_key 0xHHHHHHHH (a 32-bit value)';
        this.key = v;
        this.keySet = true;
        return 'ok';
      }
      case 'stats':
        return `records ${this.records} key ${this.keySet ? 'set' : 'not set (0)'}`;
      default:
        return `error: unknown command '${words[0] ?? ''}' (study-xor knows set_key, stats)`;
    }
  }

  exportState(): Uint8Array {
    const out = new Uint8Array(STATE_BYTES);
    const v = new DataView(out.buffer);
    v.setUint32(0, STATE_MAGIC);
    v.setUint32(4, this.key);
    v.setUint32(8, this.keySet ? 1 : 0);
    v.setUint32(12, 0);
    return out;
  }
}

/** A 32-bit value written in hex (0x...) or decimal, or null. */
function parseU32(text: string): number | null {
  if (!/^(0[xX][0-9a-fA-F]{1,8}|[0-9]{1,10})$/.test(text)) return null;
  const v = Number(text);
  return v <= 0xffffffff ? v >>> 0 : null;
}

const studyXor: EnclaveModuleDef = {
  name: 'study-xor',
  version: '1',
  functions: [{ name: 'crypt', inputBytes: 4, outputBytes: 4 }],
  create(state: Uint8Array | null): EnclaveModuleInstance {
    const m = new StudyXor();
    if (state !== null) {
      const v = new DataView(state.buffer, state.byteOffset, state.byteLength);
      if (state.byteLength !== STATE_BYTES || v.getUint32(0) !== STATE_MAGIC) throw new Error('study-xor: state is not a study-xor state');
      m.key = v.getUint32(4);
      m.keySet = v.getUint32(8) === 1;
    }
    return m;
  },
};

export default studyXor;
