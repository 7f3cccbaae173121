// npm "install" script: builds the optional native addon (build/Release/p4tee_native.node) with the
// node-gyp bundled with npm. It never fails the install: on any problem it prints why the native
// drivers (afxdp, afpacket, shm) are unavailable and exits 0; everything else works without them.
// P4TEE_SKIP_NATIVE=1 skips the build; CC/CXX are passed through to node-gyp (CC=false breaks it).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function warn(reason) {
  console.warn(`p4tee: native addon not built (${reason}).`);
  console.warn('p4tee: the afxdp, afpacket and shm drivers are unavailable; everything else works.');
  process.exit(0);
}

/** node-gyp's entry script: the copy bundled with the running npm, else one on the module path. */
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_execpath) {
    // npm_execpath is .../npm/bin/npm-cli.js; node-gyp sits in .../npm/node_modules/node-gyp.
    candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  const nodeDir = dirname(process.execPath);
  candidates.push(join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(nodeDir, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((p) => existsSync(p));
}

/** Node's own headers when installed next to the binary (avoids a download on offline machines). */
function findNodeDir() {
  const prefix = join(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) && existsSync(join(prefix, 'include', 'node', 'common.gypi'))
    ? prefix
    : undefined;
}

function main() {
  if (process.env.P4TEE_SKIP_NATIVE === '1') warn('P4TEE_SKIP_NATIVE=1');
  if (process.platform !== 'linux') warn(`platform ${process.platform}: the drivers need Linux`);
  if (!existsSync(join(root, 'binding.gyp'))) warn('binding.gyp missing');
  const gyp = findNodeGyp();
  if (gyp === undefined) warn('node-gyp not found (it ships with npm; install npm or node-gyp)');
  const args = [gyp, 'rebuild'];
  const nodedir = findNodeDir();
  if (nodedir !== undefined) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 300_000 });
  if (r.error) warn(`node-gyp could not run: ${r.error.message}`);
  if (r.status !== 0) {
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n');
    console.warn(out.slice(-15).join('\n'));
    warn(`node-gyp rebuild failed with status ${r.status}; a C compiler, make, python3 and Linux kernel headers are needed`);
  }
  if (!existsSync(join(root, 'build', 'Release', 'p4tee_native.node'))) warn('node-gyp finished but build/Release/p4tee_native.node is missing');
  console.log('p4tee: native addon built (build/Release/p4tee_native.node)');
}

main();
