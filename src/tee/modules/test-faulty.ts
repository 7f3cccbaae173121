// A module for tests only (not in the registry; loaded by path): 'echo' copies its 4-byte records,
// adding the sealed value `v`. Control lines arm faults for the next invoke: `hang` (spins forever),
// `crash` (exits the realm: the worker thread or the child process), `throw`; `set N` / `get` set
// and read `v`, the state that is sealed (armed faults are not, so a restarted enclave is healthy).
import type { EnclaveModuleDef, EnclaveModuleInstance } from '../api.js';

class Faulty implements EnclaveModuleInstance {
  value = 0;
  fault = '';

  invoke(fn: number, inBuf: Uint8Array, inOff: number, outBuf: Uint8Array, outOff: number, n: number): void {
    if (this.fault === 'hang') for (;;) this.value = (this.value + 0) | 0;
    if (this.fault === 'crash') process.exit(70);
    if (this.fault === 'throw') throw new Error('test-faulty: armed throw');
    for (let i = 0; i < n; i++) {
      const p = inOff + 4 * i;
      const x = ((inBuf[p] << 24) | (inBuf[p + 1] << 16) | (inBuf[p + 2] << 8) | inBuf[p + 3]) + this.value;
      const q = outOff + 4 * i;
      outBuf[q] = x >>> 24;
      outBuf[q + 1] = (x >>> 16) & 0xff;
      outBuf[q + 2] = (x >>> 8) & 0xff;
      outBuf[q + 3] = x & 0xff;
    }
  }

  control(line: string): string {
    const w = line.trim().split(/\s+/);
    if (w[0] === 'hang' || w[0] === 'crash' || w[0] === 'throw') {
      this.fault = w[0];
      return 'armed';
    }
    if (w[0] === 'set' && w.length === 2 && /^[0-9]+$/.test(w[1])) {
      this.value = Number(w[1]) | 0;
      return 'ok';
    }
    if (w[0] === 'get') return String(this.value);
    if (w[0] === 'pid') return String(process.pid);
    return `error: unknown command '${w[0] ?? ''}'`;
  }

  exportState(): Uint8Array {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setInt32(0, this.value);
    return out;
  }
}

const faulty: EnclaveModuleDef = {
  name: 'test-faulty',
  version: '1',
  functions: [{ name: 'echo', inputBytes: 4, outputBytes: 4 }],
  create(state: Uint8Array | null): EnclaveModuleInstance {
    const m = new Faulty();
    if (state !== null) m.value = new DataView(state.buffer, state.byteOffset, state.byteLength).getInt32(0);
    return m;
  },
};

export default faulty;
