// Entry script of the secure pipeline's `process` realm: `node process-entry.js RING AREA CONFIG_JSON`.
// Attaches the ring region and the shared packet area (native shm), runs the pipeline enclave with
// futex waits, exits when stopped or when its parent goes away. Exit codes: 0 stopped, 2 setup
// error, 3 refused to start (message in the ring).
import { RequestRing } from '../ring.js';
import { futexWaiter, processBackendNative } from '../backends/process.js';
import { runPipelineEnclave } from './enclave.js';
import type { PipelineEnclaveConfig } from './protocol.js';

const [ringName, areaName, configText] = process.argv.slice(2);
const found = processBackendNative();
if ('error' in found) {
  process.stderr.write(`p4tee pipeline enclave: ${found.error}\n`);
  process.exit(2);
}
const native = found.addon;
let ring: RequestRing;
let area: Uint8Array;
try {
  ring = new RequestRing(native.shmOpen(ringName, 0, 1).buffer, futexWaiter(native));
  area = new Uint8Array(native.shmOpen(areaName, 0, 1).buffer);
} catch (e) {
  process.stderr.write(`p4tee pipeline enclave: cannot attach the shared regions: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
process.on('exit', () => ring.markDead());
const config = JSON.parse(configText) as PipelineEnclaveConfig;
const parent = process.ppid;
const result = await runPipelineEnclave(ring, area, config, () => process.ppid === parent);
process.exit(result === 'failed' ? 3 : 0);
