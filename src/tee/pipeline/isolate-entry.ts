// Entry script of the secure pipeline's `isolate` realm (a worker thread with its own V8 heap): joins
// the SharedArrayBuffer ring and the shared packet area passed in workerData and runs the pipeline
// enclave until the host stops it. An uncaught error ends the worker (the host sees a crash).
import { workerData } from 'node:worker_threads';
import { RequestRing } from '../ring.js';
import { workerWaiter } from '../backends/process.js';
import { runPipelineEnclave } from './enclave.js';
import type { PipelineEnclaveConfig } from './protocol.js';

const data = workerData as { region: SharedArrayBuffer; packets: SharedArrayBuffer; config: PipelineEnclaveConfig; futex: boolean };
const ring = new RequestRing(data.region, workerWaiter(data.futex));
process.on('exit', () => ring.markDead());
await runPipelineEnclave(ring, new Uint8Array(data.packets), data.config, () => true);
