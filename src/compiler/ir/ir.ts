// The back end's intermediate representation: what lowering produces from the checked AST and
// what code generation (and a reference interpreter) consume. Concrete and flat: every value is
// a fixed-width bit string (or bool), every storage location is a word slot in the per-packet
// state (see runtime/abi.ts) or action data, calls are already inlined, and tables, actions and
// extern instances are ProgramInfo entries referred to by id.
import type { ProgramInfo } from '../../runtime/abi.js';

/** A scalar type: bit<W> / int<W>, or bool (width 1). Errors, enums are bit<32>. */
export interface Ty {
  readonly width: number;
  readonly signed: boolean;
  readonly bool: boolean;
}

const tyCache = new Map<string, Ty>();
export function ty(width: number, signed = false, isBool = false): Ty {
  const k = `${width}${signed ? 's' : 'u'}${isBool ? 'b' : ''}`;
  let t = tyCache.get(k);
  if (t === undefined) {
    t = { width, signed, bool: isBool };
    tyCache.set(k, t);
  }
  return t;
}
export const boolTy = ty(1, false, true);
export const u32 = ty(32);

/** A run-time index into a header stack: element i lives at offset + i * stride. */
export interface Dyn {
  readonly index: Expr;
  readonly stride: number;
  readonly count: number;
}

/**
 * A storage location. `phv`: words of the per-packet state at `offset` (plus a dynamic stack
 * index when `dyn` is set); `data`: the chosen action's data words at `offset` from dataOffset.
 */
export interface Loc {
  readonly space: 'phv' | 'data';
  readonly offset: number;
  readonly ty: Ty;
  readonly dyn: Dyn | null;
  /** The P4 path, for printing and tracing. */
  readonly name: string;
}

export type BinOp =
  | '+' | '-' | '*' | '/' | '%' | '|+|' | '|-|' | '<<' | '>>' | '&' | '|' | '^'
  | '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||';

export type Expr =
  | { readonly k: 'const'; readonly ty: Ty; readonly value: bigint }
  | { readonly k: 'read'; readonly ty: Ty; readonly loc: Loc }
  | { readonly k: 'un'; readonly ty: Ty; readonly op: '!' | '~' | 'neg'; readonly a: Expr }
  | { readonly k: 'bin'; readonly ty: Ty; readonly op: BinOp; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'cast'; readonly ty: Ty; readonly a: Expr }
  | { readonly k: 'slice'; readonly ty: Ty; readonly a: Expr; readonly hi: number; readonly lo: number }
  | { readonly k: 'concat'; readonly ty: Ty; readonly a: Expr; readonly b: Expr }
  | { readonly k: 'cond'; readonly ty: Ty; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  /** Parser only: the next `ty.width` bits of the packet after `skip` bits, without consuming them. */
  | { readonly k: 'lookahead'; readonly ty: Ty; readonly skip: number }
  /** Value-returning built-ins: `packetLength` (packet_in.length()), `checksum16` (Checksum16.get), `valueSet`. */
  | { readonly k: 'call'; readonly ty: Ty; readonly name: string; readonly args: readonly Expr[]; readonly extern: number };

/** A header as laid out in the state: validity word and fields (absolute offsets of element 0 for stacks). */
export interface HeaderLayout {
  readonly name: string;
  readonly type: string;
  readonly validOffset: number;
  readonly fields: readonly FieldLayout[];
  /** Sum of field widths (varbit fields counted at their maximum). */
  readonly width: number;
  /** The first word and the number of words of the header (validity word included). */
  readonly start: number;
  readonly words: number;
}
export interface FieldLayout {
  readonly name: string;
  readonly offset: number;
  readonly ty: Ty;
  /** For a varbit field: the word holding its current length in bits. */
  readonly varbitLength: number | null;
}

/** A header reference: a layout plus an optional run-time stack index. */
export interface HeaderRef {
  readonly h: HeaderLayout;
  readonly dyn: Dyn | null;
  /** When the header lives in a stack: the stack's nextIndex word (for .next / .last). */
  readonly stack: { readonly nextOffset: number; readonly count: number; readonly stride: number } | null;
  /** Index mode for stacks: `next` (extract into stack.next and advance), else `fixed`. */
  readonly mode: 'fixed' | 'next';
}

/** One element of a field list given to hash / checksum / digest (in order). */
/**
 * One entry of a field list (hash, checksum, digest, log_msg). `valid`: the header validity word when the
 * item is a field of a header (left out when invalid); `varbitLength`: for a varbit field, the word with its
 * current length in bits (it is serialised at that length, not at its maximum).
 */
export type ListItem =
  | { readonly e: Expr; readonly valid?: Loc | null; readonly varbitLength?: Loc | null }
  | { readonly header: HeaderRef };

export type Stmt =
  | { readonly k: 'assign'; readonly dst: Loc; readonly src: Expr; readonly line: number }
  | { readonly k: 'if'; readonly c: Expr; readonly then: Stmt[]; readonly else: Stmt[]; readonly line: number }
  /** A labelled block: `break` with its label leaves it (return from inlined bodies). */
  | { readonly k: 'block'; readonly label: string; readonly body: Stmt[] }
  | { readonly k: 'break'; readonly label: string }
  /** `for` loops: test `c`, run `body`, then `update`; `continue` with the label jumps to the update. */
  | { readonly k: 'loop'; readonly label: string; readonly c: Expr; readonly body: Stmt[]; readonly update: Stmt[]; readonly line: number }
  | { readonly k: 'continue'; readonly label: string }
  /** Leave the current v1model block (exit; return at the top level of a block). */
  | { readonly k: 'exit' }
  | { readonly k: 'switch'; readonly e: Expr; readonly cases: readonly SwitchCase[]; readonly line: number }
  | { readonly k: 'table'; readonly table: number; readonly keys: readonly Expr[]; readonly actions: readonly TableAction[];
      readonly hit: Loc | null; readonly run: Loc | null; readonly line: number }
  | { readonly k: 'validity'; readonly header: HeaderRef; readonly valid: boolean; readonly siblings: readonly HeaderRef[]; readonly line: number }
  | { readonly k: 'extract'; readonly header: HeaderRef; readonly varbitBits: Expr | null; readonly line: number }
  | { readonly k: 'advance'; readonly bits: Expr; readonly line: number }
  | { readonly k: 'verify'; readonly c: Expr; readonly error: number; readonly line: number }
  | { readonly k: 'emit'; readonly header: HeaderRef; readonly line: number }
  | { readonly k: 'stackShift'; readonly op: 'push_front' | 'pop_front'; readonly first: HeaderLayout; readonly nextOffset: number;
      readonly count: number; readonly stride: number; readonly by: number; readonly line: number }
  /** An extern call with side effects (counters, meters, registers, hash, checksum, clone, ...). */
  | { readonly k: 'extern'; readonly name: string; readonly extern: number; readonly args: readonly Expr[];
      readonly out: Loc | null; readonly list: readonly ListItem[] | null; readonly line: number }
  | { readonly k: 'error'; readonly line: number; readonly message: string };

export interface SwitchCase {
  /** Empty for `default`. */
  readonly values: readonly bigint[];
  readonly body: Stmt[];
}

export interface TableAction {
  readonly actionId: number;
  readonly body: Stmt[];
}

export type Keyset =
  | { readonly k: 'value'; readonly value: bigint }
  | { readonly k: 'mask'; readonly value: bigint; readonly mask: bigint }
  | { readonly k: 'range'; readonly lo: bigint; readonly hi: bigint }
  | { readonly k: 'default' }
  /**
   * A parser value set. `keys` (default 1): how many consecutive select keys it matches together,
   * from this one on (a value set of a struct: the keys concatenated, the first most significant);
   * the keysets of the other keys it covers are `default`.
   */
  | { readonly k: 'valueSet'; readonly extern: number; readonly keys?: number };

export type Transition =
  | { readonly k: 'goto'; readonly state: string }
  | { readonly k: 'select'; readonly keys: readonly Expr[]; readonly cases: readonly SelectCase[]; readonly line: number };

export interface SelectCase {
  readonly keysets: readonly Keyset[];
  readonly state: string;
}

export interface ParserState {
  readonly name: string;
  readonly body: Stmt[];
  readonly transition: Transition;
  readonly line: number;
}

export interface ParserBlock {
  readonly name: string;
  /** `start` first; `accept` and `reject` are implicit. */
  readonly states: ParserState[];
}

export interface ControlBlock {
  readonly name: string;
  readonly body: Stmt[];
}

/** Field list preserved by resubmit/recirculate/clone_preserving_field_list(index). */
export interface FieldList {
  readonly index: number;
  readonly fields: readonly { readonly offset: number; readonly words: number }[];
}

/** A digest's data layout: the fields captured, in order. */
export interface DigestInfo {
  readonly id: number;
  readonly name: string;
  readonly fields: readonly { readonly name: string; readonly width: number }[];
}

export interface IrProgram {
  readonly file: string;
  readonly info: ProgramInfo;
  readonly parser: ParserBlock;
  readonly verifyChecksum: ControlBlock;
  readonly ingress: ControlBlock;
  readonly egress: ControlBlock;
  readonly computeChecksum: ControlBlock;
  readonly deparser: ControlBlock;
  /** Headers in the order of the `hdr` struct (for tracing and the interpreter). */
  readonly headers: readonly HeaderLayout[];
  readonly fieldLists: readonly FieldList[];
  readonly digests: readonly DigestInfo[];
  /** Offsets of v1model's standard metadata and the intrinsic words the architecture reads. */
  readonly sm: StandardSlots;
  /** Number of state words used by lowering (code generation may add scratch words after them). */
  readonly stateWords: number;
  /** `file:line` of each statement's `line` index. */
  readonly sources: readonly string[];
  /** log_msg format strings by id. */
  readonly strings: readonly string[];
  /** direct_meter extern id -> the table it is attached to. */
  readonly directMeterTable: ReadonlyMap<number, number>;
}

/** Word offsets of standard_metadata fields and of the architecture's intrinsic words. */
export interface StandardSlots {
  readonly ingress_port: number;
  readonly egress_spec: number;
  readonly egress_port: number;
  readonly instance_type: number;
  readonly packet_length: number;
  readonly enq_timestamp: number;
  readonly enq_qdepth: number;
  readonly deq_timedelta: number;
  readonly deq_qdepth: number;
  readonly ingress_global_timestamp: number;
  readonly egress_global_timestamp: number;
  readonly mcast_grp: number;
  readonly egress_rid: number;
  readonly checksum_error: number;
  readonly parser_error: number;
  readonly priority: number;
  /** Intrinsic: clone session + 1 (0 = none), clone field list + 1, resubmit / recirculate field list + 1, truncate length, parser error flag. */
  readonly clone_session: number;
  readonly clone_list: number;
  readonly resubmit: number;
  readonly recirculate: number;
  readonly truncate: number;
  /** Bytes of the packet consumed by the parser. */
  readonly parsed_bytes: number;
}

export function readOf(loc: Loc): Expr {
  return { k: 'read', ty: loc.ty, loc };
}
export function constOf(t: Ty, value: bigint): Expr {
  return { k: 'const', ty: t, value };
}
