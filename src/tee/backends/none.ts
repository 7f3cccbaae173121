// The `none` backend: the modules run inline in the pipeline's thread, on the pipeline's own staging
// buffers, with no copies and no crossing: the baseline every other backend is compared with. It
// still seals and restores state like the others (so a module that throws is recreated from its
// sealed state), but offers no isolation at all, and a module that hangs hangs the pipeline.
import type { EnclaveModuleInstance } from '../api.js';
import type { LoadedModule } from '../registry.js';
import { sealBlob, unsealBlob } from '../seal.js';

/** Creates the instances from the stored blobs (unsealed here, in the pipeline's realm). */
export function createInline(
  modules: readonly LoadedModule[],
  boots: readonly { counter: number; blob: Uint8Array | null }[],
  secret: Uint8Array,
): { instances: EnclaveModuleInstance[]; restored: number[] } | { error: string } {
  const instances: EnclaveModuleInstance[] = [];
  const restored: number[] = [];
  for (let i = 0; i < modules.length; i++) {
    const m = modules[i];
    const b = boots[i];
    let state: Uint8Array | null = null;
    if (b.blob !== null) {
      const u = unsealBlob(b.blob, secret, m.measurement, b.counter);
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
  return { instances, restored };
}

/** Seals every instance's state as `version`. */
export function sealInline(
  modules: readonly LoadedModule[],
  instances: readonly EnclaveModuleInstance[],
  secret: Uint8Array,
  version: number,
): Uint8Array[] | { error: string } {
  const out: Uint8Array[] = [];
  for (let i = 0; i < modules.length; i++) {
    try {
      out.push(sealBlob(instances[i].exportState(), secret, modules[i].measurement, version));
    } catch (e) {
      return { error: `module '${modules[i].def.name}' could not be sealed: ${e instanceof Error ? e.message : String(e)}` };
    }
  }
  return out;
}
