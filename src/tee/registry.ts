// Enclave modules by name. A module is a JavaScript file whose default export is an EnclaveModuleDef;
// built-in names map to files under modules/, anything else naming an existing .js/.mjs file (path
// or file: URL) is loaded from there. The measurement of a module is the SHA-384 of that file's
// bytes: exactly the code the enclave realm loads. Used by the gate (host side) and by the enclave
// entry scripts (inside the backend's realm), and by attestation through moduleMeasurement().
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EnclaveModuleDef } from './api.js';

const BUILTIN: Readonly<Record<string, string>> = {
  'study-xor': './modules/study-xor.js',
  monitor: './modules/monitor.js',
};

/** Names of the modules that ship with p4tee. */
export function builtinModuleNames(): string[] {
  return Object.keys(BUILTIN);
}

/** The file a module spec names (built-in name, path or file: URL), or an error. */
export function resolveModulePath(spec: string): { path: string } | { error: string } {
  const builtin = BUILTIN[spec];
  if (builtin !== undefined) return { path: fileURLToPath(new URL(builtin, import.meta.url)) };
  let path: string;
  if (spec.startsWith('file:')) path = fileURLToPath(spec);
  else if (spec.endsWith('.js') || spec.endsWith('.mjs')) path = isAbsolute(spec) ? spec : resolve(spec);
  else return { error: `unknown enclave module '${spec}' (built-in: ${builtinModuleNames().join(', ')}; or give a path to a .js file)` };
  if (!existsSync(path)) return { error: `enclave module file ${path} does not exist` };
  return { path };
}

/** SHA-384 of the module file: the module measurement. */
export function moduleMeasurement(spec: string): { path: string; measurement: Uint8Array } | { error: string } {
  const where = resolveModulePath(spec);
  if ('error' in where) return where;
  try {
    return { path: where.path, measurement: new Uint8Array(createHash('sha384').update(readFileSync(where.path)).digest()) };
  } catch (e) {
    return { error: `cannot read enclave module ${where.path}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export interface LoadedModule {
  readonly spec: string;
  readonly path: string;
  readonly measurement: Uint8Array;
  readonly def: EnclaveModuleDef;
}

/** Checks the shape of a module definition; null when it is fine. */
function checkDef(def: unknown, path: string): string | null {
  const d = def as Partial<EnclaveModuleDef> | null;
  if (d === null || typeof d !== 'object') return `${path} has no default export of an enclave module`;
  if (typeof d.name !== 'string' || d.name === '') return `${path}: module has no name`;
  if (typeof d.create !== 'function') return `${path}: module '${d.name}' has no create()`;
  if (!Array.isArray(d.functions) || d.functions.length === 0) return `${path}: module '${d.name}' declares no functions`;
  for (const f of d.functions) {
    if (typeof f?.name !== 'string' || !Number.isInteger(f.inputBytes) || !Number.isInteger(f.outputBytes) || f.inputBytes < 0 || f.outputBytes < 0) {
      return `${path}: module '${d.name}' has a malformed function entry`;
    }
  }
  return null;
}

/** Loads a module by spec: its definition, file and measurement. */
export async function loadModule(spec: string): Promise<LoadedModule | { error: string }> {
  const m = moduleMeasurement(spec);
  if ('error' in m) return m;
  let ns: { default?: unknown };
  try {
    ns = (await import(pathToFileURL(m.path).href)) as { default?: unknown };
  } catch (e) {
    return { error: `cannot load enclave module ${m.path}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const problem = checkDef(ns.default, m.path);
  if (problem !== null) return { error: problem };
  return { spec, path: m.path, measurement: m.measurement, def: ns.default as EnclaveModuleDef };
}

/** Loads several modules; the first error wins. Module names must be distinct. */
export async function loadModules(specs: readonly string[]): Promise<LoadedModule[] | { error: string }> {
  const out: LoadedModule[] = [];
  for (const spec of specs) {
    const m = await loadModule(spec);
    if ('error' in m) return m;
    if (out.some((o) => o.def.name === m.def.name)) return { error: `enclave module '${m.def.name}' loaded twice` };
    out.push(m);
  }
  return out;
}
