// The enclave side of the `isolate` and `process` backends, run inside the backend's realm (worker
// thread or child process): loads the modules (measuring their files), unseals the boot blobs the
// host left in slot 0, creates the instances, says ready, then serves the request ring until told to
// stop. Each function call copies its inputs from the shared slot into the enclave's own memory,
// runs the module there and copies the outputs back. A module that throws is answered with Fault
// and the realm then exits (a crash the host restarts from sealed state).
import type { EnclaveModuleInstance } from '../api.js';
import { loadModule, type LoadedModule } from '../registry.js';
import { sealBlob, unsealBlob, MEASUREMENT_BYTES } from '../seal.js';
import { loadPlatformSecret } from '../platform.js';
import { AdaptiveSpin, C_WRITE, copyBytes, EnclaveState, H_MSG_LEN, H_PID, H_STATE, Op, RequestRing, S_AUX, S_FN, S_IN_LEN, S_N, S_OUT_LEN, S_STATUS, type Waiter } from '../ring.js';
import { TeeStatus } from '../api.js';

export interface EnclaveConfig {
  /** Module files, in gate order. */
  readonly modulePaths: readonly string[];
  /** Platform secret file; null = the secret travels in the boot area (ephemeral secret). */
  readonly platformSecretPath: string | null;
  /** Largest n of one call. */
  readonly maxRecords: number;
  /** Maximum adaptive spin budget of the enclave-side worker in ms (0 = block at once: sync/batch). */
  readonly spinMs: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes a boot failure (or boot reply) message into slot 0 and sets the state. */
function report(ring: RequestRing, state: number, message: string): void {
  const bytes = encoder.encode(message).subarray(0, ring.slotBytes);
  ring.bytes.set(bytes, ring.slotData(0));
  ring.ctrl[H_MSG_LEN] = bytes.length;
  ring.ctrl[H_PID] = process.pid;
  Atomics.store(ring.ctrl, H_STATE, state);
}

/**
 * Boot area (slot 0 data, written by the host): u32 secretInline, 32 secret bytes, u32 module count,
 * then per module u32 rollback counter, u32 blob length (0 = none), blob.
 */
export function writeBootArea(ring: RequestRing, secret: Uint8Array | null, boots: readonly { counter: number; blob: Uint8Array | null }[]): string | null {
  const base = ring.slotData(0);
  const v = new DataView(ring.bytes.buffer, ring.bytes.byteOffset + base, ring.slotBytes);
  let need = 40;
  for (const b of boots) need += 8 + (b.blob?.length ?? 0);
  if (need > ring.slotBytes) return `sealed state (${need} bytes) does not fit the boot area (${ring.slotBytes} bytes)`;
  v.setUint32(0, secret === null ? 0 : 1, true);
  if (secret !== null) ring.bytes.set(secret, base + 4);
  v.setUint32(36, boots.length, true);
  let p = 40;
  for (const b of boots) {
    v.setUint32(p, b.counter, true);
    v.setUint32(p + 4, b.blob?.length ?? 0, true);
    if (b.blob !== null) ring.bytes.set(b.blob, base + p + 8);
    p += 8 + (b.blob?.length ?? 0);
  }
  return null;
}

interface Booted {
  modules: LoadedModule[];
  instances: EnclaveModuleInstance[];
  secret: Uint8Array;
  restored: number[];
}

async function boot(ring: RequestRing, config: EnclaveConfig): Promise<Booted | { error: string }> {
  const modules: LoadedModule[] = [];
  for (const p of config.modulePaths) {
    const m = await loadModule(p);
    if ('error' in m) return m;
    modules.push(m);
  }
  const base = ring.slotData(0);
  const v = new DataView(ring.bytes.buffer, ring.bytes.byteOffset + base, ring.slotBytes);
  let secret: Uint8Array;
  if (config.platformSecretPath === null) {
    if (v.getUint32(0, true) !== 1) return { error: 'no platform secret given to the enclave' };
    secret = ring.bytes.slice(base + 4, base + 36);
  } else {
    const s = loadPlatformSecret(config.platformSecretPath, false);
    if ('error' in s) return s;
    secret = s.secret;
  }
  const count = v.getUint32(36, true);
  if (count !== modules.length) return { error: `boot area names ${count} modules, the enclave loaded ${modules.length}` };
  const instances: EnclaveModuleInstance[] = [];
  const restored: number[] = [];
  let p = 40;
  for (let i = 0; i < count; i++) {
    const counter = v.getUint32(p, true);
    const len = v.getUint32(p + 4, true);
    const blob = len > 0 ? ring.bytes.slice(base + p + 8, base + p + 8 + len) : null;
    p += 8 + len;
    const m = modules[i];
    let state: Uint8Array | null = null;
    if (blob !== null) {
      if (m.measurement.length !== MEASUREMENT_BYTES) return { error: 'bad module measurement' };
      const u = unsealBlob(blob, secret, m.measurement, counter);
      if ('error' in u) return { error: `module '${m.def.name}': ${u.error}` };
      state = u.state;
      restored.push(u.version);
    } else {
      restored.push(0);
    }
    try {
      instances.push(m.def.create(state));
    } catch (e) {
      return { error: `module '${m.def.name}' refused its state: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return { modules, instances, secret, restored };
}

/** Boots and serves until stopped; `alive` is polled while idle (the process backend checks its parent). */
export async function runEnclave(ring: RequestRing, config: EnclaveConfig, alive: () => boolean): Promise<'stopped' | 'failed'> {
  const b = await boot(ring, config);
  if ('error' in b) {
    report(ring, EnclaveState.Failed, b.error);
    return 'failed';
  }
  // Function table: global index -> module instance and local index, record sizes.
  const fnInst: EnclaveModuleInstance[] = [];
  const fnLocal: number[] = [];
  const fnIn: number[] = [];
  const fnOut: number[] = [];
  let maxIn = 1;
  let maxOut = 1;
  for (let i = 0; i < b.modules.length; i++) {
    const fs = b.modules[i].def.functions;
    for (let j = 0; j < fs.length; j++) {
      fnInst.push(b.instances[i]);
      fnLocal.push(j);
      fnIn.push(fs[j].inputBytes);
      fnOut.push(fs[j].outputBytes);
      if (fs[j].inputBytes > maxIn) maxIn = fs[j].inputBytes;
      if (fs[j].outputBytes > maxOut) maxOut = fs[j].outputBytes;
    }
  }
  // The enclave's own memory: inputs are copied in here, outputs produced here.
  const privIn = new Uint8Array(config.maxRecords * maxIn);
  const privOut = new Uint8Array(config.maxRecords * maxOut);
  report(ring, EnclaveState.Ready, b.restored.join(','));

  const words = ring.words;
  const bytes = ring.bytes;
  let taken = Atomics.load(ring.ctrl, C_WRITE) | 0;
  const spin = config.spinMs > 0 ? new AdaptiveSpin(config.spinMs) : null;
  for (;;) {
    if (!ring.awaitRequest(taken, spin, 100, alive)) break;
    const slot = taken & ring.mask;
    taken = (taken + 1) | 0;
    const w = ring.slotWord(slot);
    const data = ring.slotData(slot);
    const fn = words[w + S_FN];
    const n = words[w + S_N];
    let crashed: unknown = null;
    if (fn >= 0) {
      if (fn >= fnInst.length || n < 0 || n > config.maxRecords) {
        words[w + S_STATUS] = TeeStatus.BadCall;
      } else {
        const inLen = n * fnIn[fn];
        const outLen = n * fnOut[fn];
        copyBytes(bytes, data, privIn, 0, inLen);
        try {
          fnInst[fn].invoke(fnLocal[fn], privIn, 0, privOut, 0, n);
          copyBytes(privOut, 0, bytes, data, outLen);
          words[w + S_OUT_LEN] = outLen;
          words[w + S_STATUS] = TeeStatus.Ok;
        } catch (e) {
          crashed = e;
          const msg = encoder.encode(`module threw: ${e instanceof Error ? e.message : String(e)}`).subarray(0, ring.slotBytes);
          bytes.set(msg, data);
          words[w + S_OUT_LEN] = msg.length;
          words[w + S_STATUS] = TeeStatus.Fault;
        }
      }
    } else if (fn === Op.Control) {
      const mi = words[w + S_AUX];
      const line = decoder.decode(bytes.subarray(data, data + words[w + S_IN_LEN]));
      let reply: string;
      if (mi < 0 || mi >= b.instances.length) reply = 'error: no such module';
      else {
        try {
          reply = b.instances[mi].control(line);
        } catch (e) {
          reply = `error: module control threw: ${e instanceof Error ? e.message : String(e)}`;
        }
      }
      const out = encoder.encode(reply).subarray(0, ring.slotBytes);
      bytes.set(out, data);
      words[w + S_OUT_LEN] = out.length;
      words[w + S_STATUS] = TeeStatus.Ok;
    } else if (fn === Op.Seal) {
      // Output: per module u32 blob length + blob, sealed with version = aux.
      const version = words[w + S_AUX];
      const v = new DataView(bytes.buffer, bytes.byteOffset + data, ring.slotBytes);
      let p = 0;
      let status: number = TeeStatus.Ok;
      for (let i = 0; i < b.instances.length; i++) {
        let blob: Uint8Array;
        try {
          blob = sealBlob(b.instances[i].exportState(), b.secret, b.modules[i].measurement, version);
        } catch (e) {
          status = TeeStatus.Fault;
          crashed = e;
          break;
        }
        if (p + 4 + blob.length > ring.slotBytes) {
          status = TeeStatus.BadCall;
          break;
        }
        v.setUint32(p, blob.length, true);
        bytes.set(blob, data + p + 4);
        p += 4 + blob.length;
      }
      words[w + S_OUT_LEN] = p;
      words[w + S_STATUS] = status;
    } else {
      words[w + S_STATUS] = TeeStatus.BadCall;
    }
    ring.complete(taken);
    if (crashed !== null) throw crashed;
  }
  Atomics.store(ring.ctrl, H_STATE, EnclaveState.Stopped);
  return 'stopped';
}
