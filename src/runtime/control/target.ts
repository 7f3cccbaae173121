// What the control-plane commands act on: the program description plus the live state objects of
// one switch (tables, action profiles/selectors, counters, meters, registers, the PRE, mirroring
// sessions, settable CRC calculations, parser value sets, the enclave modules' control line). The
// switch builds one ControlTarget; commands.ts reads and edits it through the control-plane methods
// of those classes only.
import type { ProgramInfo } from '../abi.js';
import type { MulticastEngine } from '../arch/pre.js';
import type { MirrorSessions } from '../arch/mirroring.js';
import type { CounterArray } from '../externs/counters.js';
import type { MeterArray } from '../externs/meters.js';
import type { RegisterArray } from '../externs/registers.js';
import type { Hasher } from '../externs/hash.js';
import type { ValueSet } from '../externs/value-set.js';
import type { ActionProfile, ActionSelector } from '../tables/action-profile.js';
import type { Table } from '../tables/table.js';

export interface ControlTarget {
  readonly info: ProgramInfo;
  /** Indexed by TableInfo.id. */
  readonly tables: readonly Table[];
  /** By fully qualified instance name (action_profile and action_selector instances). */
  readonly profiles: ReadonlyMap<string, ActionProfile | ActionSelector>;
  /** By fully qualified name; a direct counter is indexed by entry handle (= Table.entry). */
  readonly counters: ReadonlyMap<string, CounterArray>;
  /** By fully qualified name; a direct meter is indexed by entry handle. */
  readonly meters: ReadonlyMap<string, MeterArray>;
  readonly registers: ReadonlyMap<string, RegisterArray>;
  readonly pre: MulticastEngine;
  readonly mirroring: MirrorSessions;
  /**
   * Hash calculations whose CRC parameters set_crc16_parameters / set_crc32_parameters may change,
   * by name (the switch chooses the names, e.g. the hash instance or call site). Only hashers whose
   * `crc` is non-null (crc16_custom / crc32_custom) accept the commands.
   */
  readonly hashes?: ReadonlyMap<string, Hasher>;
  /** Parser value sets by fully qualified name (pvs_add, pvs_remove, pvs_get, pvs_clear). */
  readonly valueSets?: ReadonlyMap<string, ValueSet>;
  /**
   * `tee_control MODULE LINE`: sends a control line to an enclave module (through the TEE gate, or
   * to the inline modules); the module's answer (refusals start with 'error: '), or null when there
   * is no such module. Absent when the program makes no TeeFunction call.
   */
  readonly teeControl?: (moduleName: string, line: string) => string | null;
}
