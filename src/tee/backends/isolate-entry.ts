// Entry script of the `isolate` backend's worker thread: joins the SharedArrayBuffer ring passed in
// workerData and runs the enclave loop until the host stops it. A module that throws ends the
// worker with that error (the host sees a crash and restarts the enclave).
import { workerData } from 'node:worker_threads';
import { RequestRing } from '../ring.js';
import { workerWaiter } from './process.js';
import { runEnclave, type EnclaveConfig } from './enclave-loop.js';

const data = workerData as { region: SharedArrayBuffer; config: EnclaveConfig; futex: boolean };
const ring = new RequestRing(data.region, workerWaiter(data.futex));
// process.exit() in a worker ends the worker: tell a caller blocked on a reply at once.
process.on('exit', () => ring.markDead());
await runEnclave(ring, data.config, () => true);
