// Entry script of the `process` backend's child: `node process-entry.js REGION CONFIG_JSON`. Attaches
// the shm region the host created, runs the enclave loop with futex waits, and exits when the host
// stops it or goes away (its parent pid changes). Exit codes: 0 stopped, 2 setup error, 3 refused
// to start (message in the region), 1 crash (a module threw).
import { RequestRing } from '../ring.js';
import { runEnclave, type EnclaveConfig } from './enclave-loop.js';
import { futexWaiter, processBackendNative } from './process.js';

const [name, configText] = process.argv.slice(2);
const found = processBackendNative();
if ('error' in found) {
  process.stderr.write(`p4tee enclave: ${found.error}\n`);
  process.exit(2);
}
const native = found.addon;
let ring: RequestRing;
try {
  const region = native.shmOpen(name, 0, 1);
  ring = new RequestRing(region.buffer, futexWaiter(native));
} catch (e) {
  process.stderr.write(`p4tee enclave: cannot attach region ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
// Any orderly exit (process.exit, uncaught error) tells a caller blocked on a reply at once; a
// SIGKILL cannot, the caller's timeout and the exit event catch that.
process.on('exit', () => ring.markDead());
const config = JSON.parse(configText) as EnclaveConfig;
const parent = process.ppid;
const result = await runEnclave(ring, config, () => process.ppid === parent);
process.exit(result === 'failed' ? 3 : 0);
