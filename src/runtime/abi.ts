// The ABI between the compiler and the runtime: everything generated code may touch, and the
// program description (ProgramInfo) the compiler emits beside the code. The compiler imports this
// file with `import type` only; the runtime implements it. Keep it small and stable: the code
// generator, the reference interpreter, the v1model architecture, the control plane and the STF
// runner all meet here.
//
// Value representation (fixed once, for speed):
//  - a P4 value of at most 32 bits is a JS number holding its unsigned bit pattern (int<W> too:
//    the W-bit two's complement pattern, zero-extended); bool is 0/1;
//  - a wider value occupies ceil(W/32) uint32 words, least significant word first;
//  - per-packet state (headers, metadata, standard_metadata, locals that live across blocks) is a
//    slice of `phvWords` words in one Uint32Array shared by all packets: packet p's state starts at
//    p * phvWords. A header's validity is one word (0/1) in the same slice.
//  - control-plane values (keys, action arguments, register contents shown to users) are bigint.

/** Match kinds of table keys, as numbers for the hot path. */
export const MatchKind = { Exact: 0, Lpm: 1, Ternary: 2, Range: 3, Optional: 4, Selector: 5 } as const;
export type MatchKindValue = (typeof MatchKind)[keyof typeof MatchKind];
export const matchKindNames = ['exact', 'lpm', 'ternary', 'range', 'optional', 'selector'] as const;

/** Number of uint32 words a value of `width` bits occupies (at least one). */
export function wordsFor(width: number): number {
  return width <= 32 ? 1 : (width + 31) >>> 5;
}

// ---------------------------------------------------------------------------------------
// Program description

export interface FieldInfo {
  /** Full P4 path, e.g. `hdr.ipv4.ttl`, `meta.nexthop`, `standard_metadata.egress_spec`, `hdr.ipv4.$valid`. */
  readonly name: string;
  /** Word offset inside a packet's state slice. */
  readonly offset: number;
  readonly width: number;
  readonly signed: boolean;
}

export interface KeyFieldInfo {
  /** The key expression as written (its @name if given), e.g. `hdr.ipv4.dstAddr`. */
  readonly name: string;
  readonly match: MatchKindValue;
  readonly width: number;
}

export interface ActionParamInfo {
  readonly name: string;
  readonly width: number;
}

export interface ActionInfo {
  /** Index into ProgramInfo.actions. */
  readonly id: number;
  /** Fully qualified name, e.g. `MyIngress.set_nhop` (NoAction stays `NoAction`). */
  readonly name: string;
  /** Directionless parameters only: the action data the control plane supplies. */
  readonly params: readonly ActionParamInfo[];
  readonly defaultOnly: boolean;
  readonly tableOnly: boolean;
}

/** One key component of a table entry, in control-plane form. */
export type KeyMatch =
  | { readonly kind: 'exact'; readonly value: bigint }
  | { readonly kind: 'lpm'; readonly value: bigint; readonly prefixLength: number }
  | { readonly kind: 'ternary'; readonly value: bigint; readonly mask: bigint }
  | { readonly kind: 'range'; readonly low: bigint; readonly high: bigint }
  | { readonly kind: 'optional'; readonly value: bigint; readonly wildcard: boolean };

export interface EntryInfo {
  readonly keys: readonly KeyMatch[];
  /** Larger wins unless the table says otherwise; ignored for exact/lpm-only tables. */
  readonly priority: number;
  readonly actionId: number;
  readonly args: readonly bigint[];
}

export interface TableInfo {
  /** Index into ProgramInfo.tables. */
  readonly id: number;
  /** Fully qualified name, e.g. `MyIngress.ipv4_lpm`. */
  readonly name: string;
  readonly keys: readonly KeyFieldInfo[];
  /** Ids of the actions in the table's `actions` list. */
  readonly actionIds: readonly number[];
  readonly defaultActionId: number;
  readonly defaultArgs: readonly bigint[];
  /** `const default_action`: the control plane may not change it. */
  readonly defaultConst: boolean;
  readonly size: number;
  /** `const entries`: the control plane may not add, modify or delete entries. */
  readonly constEntries: boolean;
  /** Entries from `entries` / `const entries`, in program order, priorities resolved. */
  readonly entries: readonly EntryInfo[];
  /** Name of the action_profile / action_selector instance (`implementation`), or null. */
  readonly implementation: string | null;
  /** Names of the direct_counter / direct_meter instances attached, or null. */
  readonly directCounter: string | null;
  readonly directMeter: string | null;
  readonly largestPriorityWins: boolean;
}

export type ExternKind =
  | 'counter' | 'direct_counter' | 'meter' | 'direct_meter' | 'register'
  | 'action_profile' | 'action_selector' | 'hash' | 'checksum' | 'digest' | 'value_set' | 'tee';

/**
 * A TeeFunction<I, O> instance (include tee.p4): the enclave function it names and its records.
 * Records are the fields of I / O packed big-endian in P4 field order, padded to whole bytes.
 */
export interface TeeFunctionInfo {
  readonly module: string;
  readonly function: string;
  /** Field widths in bits of I and of O, in order. */
  readonly inputWidths: readonly number[];
  readonly outputWidths: readonly number[];
  readonly inputBytes: number;
  readonly outputBytes: number;
}

export interface ExternInfo {
  /** Index into ProgramInfo.externs. */
  readonly id: number;
  /** Fully qualified instance name, e.g. `MyIngress.port_counter`. */
  readonly name: string;
  readonly kind: ExternKind;
  /** Instance size (counters, meters, registers, profiles), 0 when not applicable. */
  readonly size: number;
  /** counter/meter: 'packets' | 'bytes' | 'packets_and_bytes'; register: element width as text. */
  readonly type: string;
  /** Register element width in bits; hash/selector output width; 0 otherwise. */
  readonly width: number;
  /** action_selector / hash algorithm name (crc16, crc32, crc16_custom, crc32_custom, csum16, xor16, identity, random). */
  readonly algorithm: string | null;
  /** Table names an action profile/selector or direct extern belongs to. */
  readonly tables: readonly string[];
  /** kind 'tee': the enclave function and its record layout. */
  readonly tee?: TeeFunctionInfo;
}

export interface ProgramInfo {
  readonly program: string;
  readonly arch: 'v1model';
  /** Words of per-packet state (see the file header). */
  readonly phvWords: number;
  readonly fields: readonly FieldInfo[];
  readonly tables: readonly TableInfo[];
  readonly actions: readonly ActionInfo[];
  readonly externs: readonly ExternInfo[];
  /** Names of the `error` members; a parser error code is an index into this list. */
  readonly errors: readonly string[];
}

// ---------------------------------------------------------------------------------------
// What generated code calls at run time

/**
 * A table as the data plane sees it. Generated code writes the key into `key` (each key field
 * occupies wordsFor(width) words, in key order, least significant word first), calls lookup(),
 * then reads the result fields. No allocation per lookup.
 */
export interface TableRuntime {
  readonly info: TableInfo;
  readonly key: Uint32Array;
  /** Sets hit, actionId, entry and data; returns hit. */
  lookup(): boolean;
  hit: boolean;
  /** The action to run (the default action on a miss). */
  actionId: number;
  /** Index of the matched entry (for direct counters/meters), -1 on a miss. */
  entry: number;
  /** Action data of the chosen action: each parameter occupies wordsFor(width) words, in order. */
  data: Uint32Array;
  /** Offset of the chosen action's first parameter word in `data`. */
  dataOffset: number;
}

/** Result codes of a control-plane operation: ok, or a reason the command was refused. */
export type CommandResult = { readonly ok: true; readonly message: string } | { readonly ok: false; readonly error: string };
