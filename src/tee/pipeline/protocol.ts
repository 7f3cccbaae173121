// The boundary of the secure pipeline, shared by the host (secure-pipeline.ts) and the enclave
// (enclave.ts): the enclave's start configuration, the request codes and the layout of a request
// slot of the ring (src/tee/ring.ts; one slot per batch in flight, served in order). Packets
// themselves live in the shared packet area (the host's PacketPool buffer, the "bounce buffer");
// a request carries only descriptors.
import { S_AUX } from '../ring.js';

/** What the enclave realm needs to start (JSON-safe: workerData or argv of the child). */
export interface PipelineEnclaveConfig {
  readonly p4file: string;
  readonly includeDirs: readonly string[];
  /** -D definitions as [name, value] pairs. */
  readonly defines: readonly (readonly [string, string])[];
  /** Shape of the shared packet area (the host pool): slots x slotSize, headroom in each slot. */
  readonly slots: number;
  readonly slotSize: number;
  readonly headroom: number;
  /** Platform secret file; null = the secret travels in the boot area (ephemeral secret). */
  readonly platformSecretPath: string | null;
  /** Enclave-side spin budget before it sleeps on the ring (ms, 0 = sleep at once). */
  readonly spinMs: number;
}

/** Request codes (slot word S_FN). */
export const PipeOp = {
  /**
   * A batch: S_N input descriptors then S_AUX spare slots; reply: S_OUT_LEN output descriptors and
   * W_MORE packets still waiting inside (a batch of 0 inputs and only spares drains them).
   */
  Batch: 1,
  /** A control line (UTF-8 in the data); reply: JSON CommandResult. */
  Command: 2,
  /** Seal the state as version S_AUX; reply: the sealed blob. */
  Seal: 3,
} as const;

/** Reply status (slot word S_STATUS). */
export const PipeStatus = { Ok: 0, Error: 1, Fault: 3 } as const;

/** Extra slot-header words (after the ring's own S_* words). */
export const W_DROPS = S_AUX + 1;
/** Time the enclave spent on the request, in microseconds x 16 (fits int32 for 2 minutes). */
export const W_BUSY = S_AUX + 2;
/** Packets the enclave refused (descriptor outside the packet area). */
export const W_BAD = S_AUX + 3;

/** Packets the enclave still holds for lack of offered slots (the host offers more in a drain crossing). */
export const W_MORE = S_AUX + 4;

/** Words per descriptor: slot, start, length, port. */
export const DESC_WORDS = 4;

/** Largest number of input packets in one crossing (the host crosses early beyond it). */
export const MAX_BATCH = 1024;

/** Bytes of each request slot: descriptors, control lines, sealed state and (slot 0) the boot area. */
export const SLOT_BYTES = 8 << 20;

/**
 * Batches in flight by default, and the most allowed (the ring has one slot each). Default 1 (one
 * blocking crossing per batch): depth 4 measured worse, later no better, over AF_XDP on the 2-core
 * machine here, where the enclave shares the switch's core (docs/tee.md); `--tee-depth N` turns
 * pipelined crossings on.
 */
export const DEFAULT_DEPTH = 1;

/**
 * Packets a crossing collects under the poll loop at depth 1 (option `coalesce`, `--tee-coalesce`):
 * fewer wait for the next rx burst or the loop's next pass that receives nothing. 128 measured
 * about 9% more throughput at saturation over AF_XDP than one crossing per 32-packet burst, the same
 * as 64, and 256 less (README, TEE modes). The telemetry merges the batches of one crossing into one
 * record, so the per-batch model still applies (n_max = 128).
 */
export const DEFAULT_COALESCE = 128;
export const MAX_DEPTH = 16;
