// Table: one P4 match-action table at run time (TableRuntime of abi.ts), with BMv2 simple_switch
// semantics. Exact-only tables use a hash map, one lpm field (plus exact fields) a per-prefix-length
// hash, anything with ternary/range/optional fields a priority-ordered scan. Entries live in slots
// (slot = handle = `entry`, for direct counters); action data in one Uint32Array. In indirect mode
// (action profile / selector) an entry may point at a member or a group instead of an action.
// Input: TableInfo, control-plane operations, key words from generated code; output: lookup results.

import { MatchKind, matchKindNames, wordsFor } from '../abi.js';
import type { ActionInfo, CommandResult, KeyFieldInfo, KeyMatch, TableInfo, TableRuntime } from '../abi.js';
import { ActionProfile, ActionSelector } from './action-profile.js';
import { HashIndex } from './exact.js';
import { LpmIndex } from './lpm.js';
import { TernaryIndex } from './ternary.js';
import { TupleIndex } from './tuple.js';
import { checkArgs, dataWordsOf, fitsWidth, hex, indexActions, onesOf, prefixLengthOf, prefixMask, writeArgs, writeWords } from './values.js';

/** How a table matches: no key, hash on exact words, longest prefix, or priority scan. */
export const TableMode = { Keyless: 0, Exact: 1, Lpm: 2, Ternary: 3 } as const;
export type TableModeValue = (typeof TableMode)[keyof typeof TableMode];

export interface TableEntry {
  readonly handle: number;
  readonly keys: KeyMatch[];
  readonly priority: number;
  /** The entry's action; for an entry pointing at a member, the member's action; -1 for a group. */
  readonly actionId: number;
  readonly args: bigint[];
  /** Set when the entry points at an action profile member / selector group. */
  readonly member?: number;
  readonly group?: number;
}

export interface DefaultEntry {
  readonly actionId: number;
  readonly args: bigint[];
  readonly member?: number;
  readonly group?: number;
}

export type AddResult = { readonly ok: true; readonly handle: number } | { readonly ok: false; readonly error: string };

export interface TableOptions {
  /** The action_profile / action_selector named by `info.implementation`. */
  readonly profile?: ActionProfile | null;
  /**
   * true (default): refuse ternary values with bits outside the mask and lpm values with bits
   * beyond the prefix. false: clear those bits silently, as BMv2 does.
   */
  readonly strictMasks?: boolean;
}

/** True when entries of this table need a priority (it has a ternary, range or optional field). */
export function tableNeedsPriority(info: TableInfo): boolean {
  return info.keys.some((k) => k.match === MatchKind.Ternary || k.match === MatchKind.Range || k.match === MatchKind.Optional);
}

/** Priority check result: none given is -1 (or any negative number). */
const MAX_PRIORITY = 0x7fffffff;

// An entry's `ref`: DIRECT for an action stored in the slot, m >= 0 for member m, GROUP_BASE - g for group g.
const DIRECT = -1;
const GROUP_BASE = -2;

/** A key component reduced to value/mask (or low/high) form. */
interface Reduced {
  range: boolean;
  a: bigint;
  b: bigint;
}

interface Encoded {
  /** Match words: value (masked) or low. */
  a: Uint32Array;
  /** Mask or high words (ternary mode). */
  b: Uint32Array;
  prefixLength: number;
  keys: KeyMatch[];
}

function ok(message: string): CommandResult {
  return { ok: true, message };
}
function fail(error: string): CommandResult {
  return { ok: false, error };
}

export class Table implements TableRuntime {
  readonly info: TableInfo;
  readonly key: Uint32Array;
  hit = false;
  actionId: number;
  entry = -1;
  data: Uint32Array;
  dataOffset = 0;
  /** Hash of the selector fields, set by the data plane before lookup() on a selector table. */
  selectorHash = 0;

  readonly mode: TableModeValue;
  /** Maximum number of entries; handles and `entry` are below it. */
  readonly capacity: number;
  /** Words of action data per slot. */
  readonly stride: number;
  readonly needsPriority: boolean;
  /** The table has an action profile or selector (table_indirect_* commands apply). */
  readonly indirect: boolean;
  readonly profile: ActionProfile | null;
  readonly selector: ActionSelector | null;
  /** Refusal reasons of program entries / default action that could not be installed. */
  readonly constructionErrors: string[] = [];
  /** Called after an entry is installed in a slot (e.g. to reset its direct counter). */
  onEntryAdded: ((handle: number) => void) | null = null;
  strictMasks: boolean;

  private readonly actionsById: Map<number, ActionInfo>;
  private readonly fields: KeyFieldInfo[];
  /** Word offset of each match field in `key`. */
  private readonly fieldKeyOffset: number[];
  private readonly matchWords: number;
  /** Key word index of each match word when they are not the prefix of `key`, else null. */
  private readonly gather: Int32Array | null;
  private readonly matchBuf: Uint32Array;
  private readonly ownData: Uint32Array;
  private readonly defaultOffset: number;
  private readonly exact: HashIndex;
  private readonly lpm: LpmIndex;
  private readonly ternary: TernaryIndex;
  /** Tuple-space search over the same entries when no field is a range (see tuple.ts). */
  private readonly tuples: TupleIndex;
  private readonly tuplesEnabled: boolean;
  /** Whether lookup() uses `tuples` (many entries, few distinct masks) or the linear scan. */
  private useTuples = false;
  /** Ternary mode: (a, b, priority) of every entry, to refuse duplicates. */
  private readonly dup: HashIndex;
  private readonly lpmField: number;

  private readonly used: Uint8Array;
  private readonly entryAction: Int32Array;
  private readonly entryRef: Int32Array;
  private readonly entryKeys: (KeyMatch[] | null)[];
  private readonly entryArgs: (bigint[] | null)[];
  private readonly entryPrio: Float64Array;
  private count = 0;
  /** No free slot below this one (handles are reused lowest first, as BMv2 does). */
  private freeHint = 0;
  private installing = false;

  private defaultActionId: number;
  private defaultArgs: bigint[];
  private defaultRef = DIRECT;

  constructor(info: TableInfo, actions: readonly ActionInfo[], options: TableOptions = {}) {
    this.info = info;
    this.actionsById = indexActions(actions);
    this.strictMasks = options.strictMasks ?? true;
    this.profile = options.profile ?? null;
    this.selector = this.profile instanceof ActionSelector ? this.profile : null;
    this.indirect = info.implementation !== null || this.profile !== null;

    let keyWords = 0;
    for (const k of info.keys) keyWords += wordsFor(k.width);
    this.key = new Uint32Array(Math.max(1, keyWords));

    this.fields = [];
    this.fieldKeyOffset = [];
    const gather: number[] = [];
    let off = 0;
    for (const k of info.keys) {
      const n = wordsFor(k.width);
      if (k.match !== MatchKind.Selector) {
        this.fields.push(k);
        this.fieldKeyOffset.push(off);
        for (let i = 0; i < n; i++) gather.push(off + i);
      }
      off += n;
    }
    this.matchWords = gather.length;
    this.gather = gather.every((w, i) => w === i) ? null : Int32Array.from(gather);
    this.matchBuf = new Uint32Array(Math.max(1, this.matchWords));

    const kinds = this.fields.map((f) => f.match);
    const lpmCount = kinds.filter((k) => k === MatchKind.Lpm).length;
    this.needsPriority = tableNeedsPriority(info);
    if (this.fields.length === 0) this.mode = TableMode.Keyless;
    else if (this.needsPriority || lpmCount > 1) this.mode = TableMode.Ternary;
    else if (lpmCount === 1) this.mode = TableMode.Lpm;
    else this.mode = TableMode.Exact;
    if (lpmCount > 1) this.needsPriority = true;

    const size = info.size > 0 ? info.size : 1024;
    this.capacity = this.mode === TableMode.Keyless ? 0 : Math.max(size, info.entries.length);
    const cap = this.capacity;

    let stride = 0;
    for (const id of info.actionIds) {
      const a = this.actionsById.get(id);
      if (a) stride = Math.max(stride, dataWordsOf(a));
    }
    this.stride = stride;
    this.ownData = new Uint32Array(Math.max(1, (cap + 1) * stride));
    this.defaultOffset = cap * stride;
    this.data = this.ownData;

    const fieldWords = this.fields.map((f) => wordsFor(f.width));
    this.lpmField = kinds.indexOf(MatchKind.Lpm);
    const small = 1;
    this.exact = new HashIndex(this.mode === TableMode.Exact ? cap : small, this.matchWords);
    if (this.mode === TableMode.Lpm) {
      const lf = this.fields[this.lpmField];
      let lpmOff = 0;
      for (let i = 0; i < this.lpmField; i++) lpmOff += fieldWords[i];
      this.lpm = new LpmIndex(cap, this.matchWords, lpmOff, wordsFor(lf.width), lf.width);
    } else {
      this.lpm = new LpmIndex(small, 1, 0, 1, 1);
    }
    const isTernary = this.mode === TableMode.Ternary;
    this.ternary = new TernaryIndex(
      isTernary ? cap : small,
      isTernary ? fieldWords : [1],
      isTernary ? kinds.map((k) => k === MatchKind.Range) : [false],
      info.largestPriorityWins,
    );
    this.tuplesEnabled = isTernary && !this.ternary.hasRange;
    this.tuples = new TupleIndex(this.tuplesEnabled ? cap : small, this.tuplesEnabled ? this.matchWords : 1);
    this.dup = new HashIndex(isTernary ? cap : small, isTernary ? 2 * this.matchWords : 1);

    this.used = new Uint8Array(Math.max(1, cap));
    this.entryAction = new Int32Array(Math.max(1, cap)).fill(-1);
    this.entryRef = new Int32Array(Math.max(1, cap)).fill(DIRECT);
    this.entryKeys = new Array<KeyMatch[] | null>(cap).fill(null);
    this.entryArgs = new Array<bigint[] | null>(cap).fill(null);
    this.entryPrio = new Float64Array(Math.max(1, cap));

    // Program default action and entries.
    this.defaultActionId = info.defaultActionId;
    this.defaultArgs = info.defaultArgs.slice();
    this.actionId = info.defaultActionId;
    const d = this.installDefault(info.defaultActionId, info.defaultArgs, false);
    if (!d.ok) this.constructionErrors.push(`default action: ${d.error}`);
    this.installing = true;
    info.entries.forEach((e, i) => {
      const r = this.add(e.keys, e.priority, e.actionId, e.args);
      if (!r.ok) this.constructionErrors.push(`entry ${i}: ${r.error}`);
    });
    this.installing = false;
  }

  /** Number of installed entries (table_num_entries). */
  get entryCount(): number {
    return this.count;
  }

  // -------------------------------------------------------------------------------------
  // Data plane

  /** Matches `key`; sets hit, actionId, entry, data, dataOffset. No allocation. */
  lookup(): boolean {
    const mode = this.mode;
    let src = this.key;
    const g = this.gather;
    if (g !== null) {
      // Selector fields sit between match fields: gather the match words first.
      const buf = this.matchBuf;
      for (let i = 0; i < g.length; i++) buf[i] = src[g[i]];
      src = buf;
    }
    let slot = -1;
    if (mode === TableMode.Exact) slot = this.exact.find(src, 0, 0);
    else if (mode === TableMode.Lpm) slot = this.lpm.find(src, 0);
    else if (mode === TableMode.Ternary) slot = this.useTuples ? this.tuples.find(src, 0) : this.ternary.find(src, 0);
    if (slot < 0) return this.miss();
    const ref = this.entryRef[slot];
    if (ref === DIRECT) {
      this.hit = true;
      this.entry = slot;
      this.actionId = this.entryAction[slot];
      this.data = this.ownData;
      this.dataOffset = slot * this.stride;
      return true;
    }
    const m = this.resolveRef(ref);
    if (m < 0) return this.miss(); // empty group: treated as a miss
    const p = this.profile!;
    this.hit = true;
    this.entry = slot;
    this.actionId = p.memberAction[m];
    this.data = p.data;
    this.dataOffset = m * p.stride;
    return true;
  }

  private miss(): boolean {
    this.hit = false;
    this.entry = -1;
    const ref = this.defaultRef;
    if (ref !== DIRECT) {
      const m = this.resolveRef(ref);
      if (m >= 0) {
        const p = this.profile!;
        this.actionId = p.memberAction[m];
        this.data = p.data;
        this.dataOffset = m * p.stride;
        return false;
      }
    }
    this.actionId = this.defaultActionId;
    this.data = this.ownData;
    this.dataOffset = this.defaultOffset;
    return false;
  }

  /** Member handle of a member/group reference (group: chosen by selectorHash), -1 if none. */
  private resolveRef(ref: number): number {
    if (ref >= 0) return ref;
    const s = this.selector;
    return s === null ? -1 : s.chooseMember(GROUP_BASE - ref, this.selectorHash);
  }

  // -------------------------------------------------------------------------------------
  // Control plane: direct entries

  // table_add
  add(keys: readonly KeyMatch[], priority: number, actionId: number, args: readonly bigint[]): AddResult {
    const why = this.checkEntryAction(actionId, args);
    if (why !== null) return { ok: false, error: why };
    return this.insertEntry(keys, priority, actionId, args, DIRECT);
  }

  // table_modify
  modify(handle: number, actionId: number, args: readonly bigint[]): CommandResult {
    const h = this.checkHandle(handle, 'modify');
    if (h !== null) return fail(h);
    const why = this.checkEntryAction(actionId, args);
    if (why !== null) return fail(why);
    this.releaseRef(this.entryRef[handle]);
    this.entryRef[handle] = DIRECT;
    this.storeAction(handle, actionId, args);
    return ok(`modified entry ${handle} of ${this.info.name}`);
  }

  // table_delete
  delete(handle: number): CommandResult {
    const h = this.checkHandle(handle, 'delete');
    if (h !== null) return fail(h);
    this.removeSlot(handle);
    return ok(`deleted entry ${handle} of ${this.info.name}`);
  }

  // table_clear
  clear(): CommandResult {
    if (this.info.constEntries) return fail(`table ${this.info.name} has const entries: they cannot be cleared`);
    for (let s = 0; s < this.capacity; s++) if (this.used[s] !== 0) this.removeSlot(s);
    return ok(`cleared table ${this.info.name}`);
  }

  // table_set_default
  setDefault(actionId: number, args: readonly bigint[]): CommandResult {
    if (this.info.defaultConst) return fail(`the default action of table ${this.info.name} is const`);
    return this.installDefault(actionId, args, true);
  }

  // table_reset_default
  resetDefault(): void {
    this.installDefault(this.info.defaultActionId, this.info.defaultArgs, false);
  }

  /** Installed entries by ascending handle (table_dump). */
  list(): TableEntry[] {
    const out: TableEntry[] = [];
    for (let s = 0; s < this.capacity; s++) if (this.used[s] !== 0) out.push(this.entryAt(s));
    return out;
  }

  /** The entry with this handle, or null (table_dump_entry). */
  getEntry(handle: number): TableEntry | null {
    return this.isEntry(handle) ? this.entryAt(handle) : null;
  }

  /** Handle of the entry with exactly this key (and priority where it matters), or -1. */
  findEntry(keys: readonly KeyMatch[], priority: number): number {
    const enc = this.encode(keys);
    if (typeof enc === 'string') return -1;
    return this.findDuplicate(enc, this.needsPriority ? priority : 0);
  }

  /** The current default action (table_dump shows it). */
  getDefault(): DefaultEntry {
    const ref = this.defaultRef;
    if (ref >= 0) return { actionId: this.profile!.memberAction[ref], args: this.profile!.member(ref)!.args, member: ref };
    if (ref !== DIRECT) return { actionId: -1, args: [], group: GROUP_BASE - ref };
    return { actionId: this.defaultActionId, args: this.defaultArgs.slice() };
  }

  // -------------------------------------------------------------------------------------
  // Control plane: indirect entries (action profile members, selector groups)

  // table_indirect_add
  addMember(keys: readonly KeyMatch[], priority: number, member: number): AddResult {
    const why = this.checkMember(member, false);
    if (why !== null) return { ok: false, error: why };
    return this.insertEntry(keys, priority, -1, [], member);
  }

  // table_indirect_add_with_group
  addGroup(keys: readonly KeyMatch[], priority: number, group: number): AddResult {
    const why = this.checkGroup(group);
    if (why !== null) return { ok: false, error: why };
    return this.insertEntry(keys, priority, -1, [], GROUP_BASE - group);
  }

  // table_indirect_modify
  modifyMember(handle: number, member: number): CommandResult {
    const h = this.checkHandle(handle, 'modify');
    if (h !== null) return fail(h);
    const why = this.checkMember(member, false);
    if (why !== null) return fail(why);
    this.retainRef(member);
    this.releaseRef(this.entryRef[handle]);
    this.entryRef[handle] = member;
    this.clearAction(handle);
    return ok(`entry ${handle} of ${this.info.name} now points at member ${member}`);
  }

  modifyGroup(handle: number, group: number): CommandResult {
    const h = this.checkHandle(handle, 'modify');
    if (h !== null) return fail(h);
    const why = this.checkGroup(group);
    if (why !== null) return fail(why);
    this.retainRef(GROUP_BASE - group);
    this.releaseRef(this.entryRef[handle]);
    this.entryRef[handle] = GROUP_BASE - group;
    this.clearAction(handle);
    return ok(`entry ${handle} of ${this.info.name} now points at group ${group}`);
  }

  // table_indirect_set_default
  setDefaultMember(member: number): CommandResult {
    if (this.info.defaultConst) return fail(`the default action of table ${this.info.name} is const`);
    const why = this.checkMember(member, true);
    if (why !== null) return fail(why);
    this.retainRef(member);
    this.releaseRef(this.defaultRef);
    this.defaultRef = member;
    return ok(`default of ${this.info.name} is member ${member}`);
  }

  // table_indirect_set_default_with_group
  setDefaultGroup(group: number): CommandResult {
    if (this.info.defaultConst) return fail(`the default action of table ${this.info.name} is const`);
    const why = this.checkGroup(group);
    if (why !== null) return fail(why);
    this.retainRef(GROUP_BASE - group);
    this.releaseRef(this.defaultRef);
    this.defaultRef = GROUP_BASE - group;
    return ok(`default of ${this.info.name} is group ${group}`);
  }

  // -------------------------------------------------------------------------------------
  // Checks

  private actionName(id: number): string {
    return this.actionsById.get(id)?.name ?? `#${id}`;
  }

  /** Why (actionId, args) cannot be the action of an entry, or null. */
  private checkEntryAction(actionId: number, args: readonly bigint[]): string | null {
    const action = this.actionsById.get(actionId);
    if (!action) return `unknown action id ${actionId}`;
    if (!this.info.actionIds.includes(actionId)) return `action ${action.name} is not an action of table ${this.info.name}`;
    if (action.defaultOnly) return `action ${action.name} is @defaultonly: it cannot be used in an entry of ${this.info.name}`;
    return checkArgs(action, args);
  }

  private checkDefaultAction(actionId: number, args: readonly bigint[]): string | null {
    const action = this.actionsById.get(actionId);
    if (!action) return `unknown action id ${actionId}`;
    if (!this.info.actionIds.includes(actionId)) return `action ${action.name} is not an action of table ${this.info.name}`;
    if (action.tableOnly) return `action ${action.name} is @tableonly: it cannot be the default action of ${this.info.name}`;
    return checkArgs(action, args);
  }

  private checkMember(member: number, asDefault: boolean): string | null {
    const p = this.profile;
    if (p === null) return `table ${this.info.name} has no action profile`;
    if (!p.hasMember(member)) return `action profile ${p.name} has no member ${member}`;
    const id = p.memberAction[member];
    if (!this.info.actionIds.includes(id)) return `member ${member} runs ${this.actionName(id)}, not an action of table ${this.info.name}`;
    const action = this.actionsById.get(id);
    if (asDefault && action?.tableOnly) return `member ${member} runs @tableonly action ${action.name}: it cannot be the default`;
    return null;
  }

  private checkGroup(group: number): string | null {
    const s = this.selector;
    if (s === null) return `table ${this.info.name} has no action selector`;
    if (!s.hasGroup(group)) return `action selector ${s.name} has no group ${group}`;
    for (const m of s.groupMembers[group]!) {
      const id = s.memberAction[m];
      if (!this.info.actionIds.includes(id)) return `member ${m} of group ${group} runs ${this.actionName(id)}, not an action of table ${this.info.name}`;
    }
    return null;
  }

  private isEntry(handle: number): boolean {
    return Number.isInteger(handle) && handle >= 0 && handle < this.capacity && this.used[handle] !== 0;
  }

  private checkHandle(handle: number, verb: string): string | null {
    if (this.info.constEntries) return `table ${this.info.name} has const entries: cannot ${verb} entries`;
    if (!this.isEntry(handle)) return `table ${this.info.name} has no entry with handle ${handle}`;
    return null;
  }

  /** Reduces one key component to value/mask or low/high form, checking widths. */
  private reduce(km: KeyMatch, f: KeyFieldInfo): Reduced | string {
    const w = f.width;
    const ones = onesOf(w);
    const tooWide = (what: string, v: bigint): string =>
      `key ${f.name}: ${what} ${v < 0n ? v.toString() : hex(v)} does not fit in ${w} bit(s)`;
    switch (km.kind) {
      case 'exact':
        if (!fitsWidth(km.value, w)) return tooWide('value', km.value);
        return { range: false, a: km.value, b: ones };
      case 'lpm': {
        if (!fitsWidth(km.value, w)) return tooWide('value', km.value);
        const len = km.prefixLength;
        if (!Number.isInteger(len) || len < 0 || len > w) return `key ${f.name}: prefix length ${len} is not between 0 and ${w}`;
        const mask = prefixMask(w, len);
        if ((km.value & ~mask) !== 0n && this.strictMasks) {
          return `key ${f.name}: value ${hex(km.value)} has bits set beyond the /${len} prefix`;
        }
        return { range: false, a: km.value & mask, b: mask };
      }
      case 'ternary':
        if (!fitsWidth(km.value, w)) return tooWide('value', km.value);
        if (!fitsWidth(km.mask, w)) return tooWide('mask', km.mask);
        if ((km.value & ~km.mask) !== 0n && this.strictMasks) {
          return `key ${f.name}: value ${hex(km.value)} has bits set outside mask ${hex(km.mask)}`;
        }
        return { range: false, a: km.value & km.mask, b: km.mask };
      case 'optional':
        if (km.wildcard) return { range: false, a: 0n, b: 0n };
        if (!fitsWidth(km.value, w)) return tooWide('value', km.value);
        return { range: false, a: km.value, b: ones };
      case 'range':
        if (!fitsWidth(km.low, w)) return tooWide('low end', km.low);
        if (!fitsWidth(km.high, w)) return tooWide('high end', km.high);
        if (km.low > km.high) return `key ${f.name}: range ${hex(km.low)}->${hex(km.high)} is empty (low > high)`;
        return { range: true, a: km.low, b: km.high };
      default:
        return `key ${f.name}: unknown match kind`;
    }
  }

  /**
   * Checks `keys` against the table's match fields and encodes them: words for the index and the
   * canonical KeyMatch of each field (in the field's own match kind). Returns the reason on error.
   */
  private encode(keys: readonly KeyMatch[]): Encoded | string {
    const fields = this.fields;
    if (this.mode === TableMode.Keyless) return `table ${this.info.name} has no key: only its default action can be set`;
    if (keys.length !== fields.length) {
      return `table ${this.info.name} has ${fields.length} key field(s), got ${keys.length}`;
    }
    const a = new Uint32Array(Math.max(1, this.matchWords));
    const b = new Uint32Array(Math.max(1, this.matchWords));
    const out: KeyMatch[] = [];
    let prefixLength = 0;
    let off = 0;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const w = f.width;
      const ones = onesOf(w);
      const r = this.reduce(keys[i], f);
      if (typeof r === 'string') return r;
      const kindName = keys[i].kind;
      // A range that is one value acts as an exact mask; a full range as a wildcard.
      if (r.range && f.match !== MatchKind.Range) {
        if (r.a === r.b) r.b = ones;
        else if (r.a === 0n && r.b === ones) { r.b = 0n; }
        else return `key ${f.name} is ${matchName(f.match)}: a range ${hex(r.a)}->${hex(r.b)} is not allowed`;
        r.range = false;
      }
      let km: KeyMatch;
      switch (f.match) {
        case MatchKind.Exact:
          if (r.b !== ones) return `key ${f.name} is exact: a ${kindName} match of more than one value is not allowed`;
          km = { kind: 'exact', value: r.a };
          break;
        case MatchKind.Lpm: {
          const len = prefixLengthOf(r.b, w);
          if (len < 0) return `key ${f.name} is lpm: mask ${hex(r.b)} is not a prefix mask`;
          km = { kind: 'lpm', value: r.a, prefixLength: len };
          prefixLength = len;
          break;
        }
        case MatchKind.Ternary:
          km = { kind: 'ternary', value: r.a, mask: r.b };
          break;
        case MatchKind.Optional:
          if (r.b !== 0n && r.b !== ones) return `key ${f.name} is optional: mask ${hex(r.b)} must be 0 (wildcard) or all ones`;
          km = r.b === 0n ? { kind: 'optional', value: 0n, wildcard: true } : { kind: 'optional', value: r.a, wildcard: false };
          break;
        case MatchKind.Range:
          if (!r.range) {
            if (r.b === ones) r.b = r.a;
            else if (r.b === 0n) { r.a = 0n; r.b = ones; }
            else return `key ${f.name} is range: a ternary mask ${hex(r.b)} is not allowed`;
            r.range = true;
          }
          km = { kind: 'range', low: r.a, high: r.b };
          break;
        default:
          return `key ${f.name}: unsupported match kind`;
      }
      out.push(km);
      writeWords(r.a, w, a, off);
      writeWords(r.b, w, b, off);
      off += wordsFor(w);
    }
    return { a, b, prefixLength, keys: out };
  }

  private findDuplicate(enc: Encoded, priority: number): number {
    if (this.mode === TableMode.Exact) return this.exact.find(enc.a, 0, 0);
    if (this.mode === TableMode.Lpm) return this.lpm.findExact(enc.a, enc.prefixLength);
    if (this.mode === TableMode.Ternary) return this.dup.find(this.dupKey(enc), 0, priority);
    return -1;
  }

  private dupKey(enc: Encoded): Uint32Array {
    const k = new Uint32Array(2 * this.matchWords);
    k.set(enc.a.subarray(0, this.matchWords), 0);
    k.set(enc.b.subarray(0, this.matchWords), this.matchWords);
    return k;
  }

  // -------------------------------------------------------------------------------------
  // Storage

  /** Validates and installs an entry whose action part is already checked. */
  private insertEntry(keys: readonly KeyMatch[], priority: number, actionId: number, args: readonly bigint[], ref: number): AddResult {
    const name = this.info.name;
    if (this.info.constEntries && !this.installing) {
      return { ok: false, error: `table ${name} has const entries: cannot add entries` };
    }
    const enc = this.encode(keys);
    if (typeof enc === 'string') return { ok: false, error: enc };
    let prio = 0;
    if (this.needsPriority) {
      if (!Number.isInteger(priority) || priority < 0) {
        return { ok: false, error: `table ${name} has ternary, range or optional keys: entries need a priority` };
      }
      if (priority > MAX_PRIORITY) return { ok: false, error: `priority ${priority} is larger than ${MAX_PRIORITY}` };
      prio = priority;
    }
    const dup = this.findDuplicate(enc, prio);
    if (dup >= 0) return { ok: false, error: `table ${name} already has an entry with this key (handle ${dup})` };
    if (this.count >= this.capacity) return { ok: false, error: `table ${name} is full (${this.capacity} entries)` };
    let slot = this.freeHint;
    while (this.used[slot] !== 0) slot++;
    this.freeHint = slot + 1;

    this.used[slot] = 1;
    this.entryKeys[slot] = enc.keys;
    this.entryPrio[slot] = prio;
    this.entryRef[slot] = ref;
    if (ref === DIRECT) this.storeAction(slot, actionId, args);
    else {
      this.retainRef(ref);
      this.clearAction(slot);
    }
    if (this.mode === TableMode.Exact) this.exact.insert(slot, enc.a, 0, 0);
    else if (this.mode === TableMode.Lpm) this.lpm.insert(slot, enc.a, enc.prefixLength);
    else {
      this.ternary.insert(slot, enc.a, enc.b, prio);
      this.dup.insert(slot, this.dupKey(enc), 0, prio);
      if (this.tuplesEnabled) this.tuples.insert(slot, enc.a, enc.b, this.info.largestPriorityWins ? -prio : prio);
    }
    this.count++;
    this.chooseSearch();
    if (this.onEntryAdded !== null) this.onEntryAdded(slot);
    return { ok: true, handle: slot };
  }

  private removeSlot(slot: number): void {
    if (this.mode === TableMode.Exact) this.exact.remove(slot);
    else if (this.mode === TableMode.Lpm) this.lpm.remove(slot);
    else {
      this.ternary.remove(slot);
      this.dup.remove(slot);
      if (this.tuplesEnabled) this.tuples.remove(slot);
    }
    this.releaseRef(this.entryRef[slot]);
    this.entryRef[slot] = DIRECT;
    this.clearAction(slot);
    this.entryKeys[slot] = null;
    this.used[slot] = 0;
    if (slot < this.freeHint) this.freeHint = slot;
    this.count--;
    this.chooseSearch();
  }

  /** A probe per tuple costs about as much as scanning ~16 entries: pick the cheaper search. */
  private chooseSearch(): void {
    this.useTuples = this.tuplesEnabled && this.count >= 32 && this.tuples.tupleCountLive * 16 <= this.count;
  }

  private storeAction(slot: number, actionId: number, args: readonly bigint[]): void {
    const off = slot * this.stride;
    this.ownData.fill(0, off, off + this.stride);
    writeArgs(this.actionsById.get(actionId)!, args, this.ownData, off);
    this.entryAction[slot] = actionId;
    this.entryArgs[slot] = args.slice();
  }

  private clearAction(slot: number): void {
    const off = slot * this.stride;
    this.ownData.fill(0, off, off + this.stride);
    this.entryAction[slot] = -1;
    this.entryArgs[slot] = null;
  }

  private installDefault(actionId: number, args: readonly bigint[], check: boolean): CommandResult {
    const why = this.checkDefaultAction(actionId, args);
    if (why !== null && check) return fail(why);
    this.releaseRef(this.defaultRef);
    this.defaultRef = DIRECT;
    this.defaultActionId = actionId;
    this.defaultArgs = args.slice();
    this.ownData.fill(0, this.defaultOffset, this.defaultOffset + this.stride);
    const action = this.actionsById.get(actionId);
    if (why === null && action) writeArgs(action, args, this.ownData, this.defaultOffset);
    this.miss();
    return why === null ? ok(`default action of ${this.info.name} set to ${this.actionName(actionId)}`) : fail(why);
  }

  private retainRef(ref: number): void {
    if (ref >= 0) this.profile!.memberRefs[ref]++;
    else if (ref !== DIRECT) this.selector!.groupRefs[GROUP_BASE - ref]++;
  }

  private releaseRef(ref: number): void {
    if (ref >= 0) this.profile!.memberRefs[ref]--;
    else if (ref !== DIRECT) this.selector!.groupRefs[GROUP_BASE - ref]--;
  }

  private entryAt(s: number): TableEntry {
    const ref = this.entryRef[s];
    const keys = this.entryKeys[s]!.slice();
    const priority = this.entryPrio[s];
    if (ref >= 0) {
      const m = this.profile!.member(ref);
      return { handle: s, keys, priority, actionId: m ? m.actionId : -1, args: m ? m.args : [], member: ref };
    }
    if (ref !== DIRECT) return { handle: s, keys, priority, actionId: -1, args: [], group: GROUP_BASE - ref };
    return { handle: s, keys, priority, actionId: this.entryAction[s], args: (this.entryArgs[s] ?? []).slice() };
  }
}

function matchName(kind: number): string {
  return matchKindNames[kind] ?? String(kind);
}
