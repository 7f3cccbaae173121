// Action profiles and selectors (v1model action_profile / action_selector), as BMv2 keeps them:
// members are (action, arguments) with handles; a selector also has groups of members, and the
// data plane picks a group's member from a hash value (n-th member by ascending handle, n = hash
// mod group size). Tables in indirect mode point their entries at members or groups (table.ts).
// Input: control-plane operations; output: member action ids and action data in flat arrays.

import type { ActionInfo, CommandResult, ExternInfo, ProgramInfo } from '../abi.js';
import { checkArgs, dataWordsOf, indexActions, writeArgs } from './values.js';

export interface MemberInfo {
  readonly handle: number;
  readonly actionId: number;
  readonly args: bigint[];
}

export interface GroupInfo {
  readonly handle: number;
  /** Member handles, ascending. */
  readonly members: number[];
}

export type HandleResult = { readonly ok: true; readonly handle: number } | { readonly ok: false; readonly error: string };

function ok(message: string): CommandResult {
  return { ok: true, message };
}
function fail(error: string): CommandResult {
  return { ok: false, error };
}

export class ActionProfile {
  readonly name: string;
  readonly kind: 'action_profile' | 'action_selector' = 'action_profile';
  /** Maximum number of members. */
  readonly size: number;
  /** Actions a member may use (the union of the action lists of the tables using the profile). */
  readonly actionIds: readonly number[];
  /** Words of action data per member. */
  readonly stride: number;
  /** Action data: member m's parameters start at m * stride. */
  readonly data: Uint32Array;
  /** Action id per member handle, -1 for a free handle. */
  readonly memberAction: Int32Array;
  /** How many table entries, table defaults and groups refer to each member. */
  readonly memberRefs: Int32Array;
  protected readonly actionsById: Map<number, ActionInfo>;
  private readonly memberArgs: (bigint[] | null)[];
  private members = 0;

  constructor(name: string, size: number, actions: readonly ActionInfo[], actionIds: readonly number[]) {
    this.name = name;
    this.size = size > 0 ? size : 1024;
    this.actionIds = actionIds.slice();
    this.actionsById = indexActions(actions);
    let stride = 0;
    for (const id of actionIds) {
      const a = this.actionsById.get(id);
      if (a) stride = Math.max(stride, dataWordsOf(a));
    }
    this.stride = stride;
    this.data = new Uint32Array(Math.max(1, this.size * stride));
    this.memberAction = new Int32Array(this.size).fill(-1);
    this.memberRefs = new Int32Array(this.size);
    this.memberArgs = new Array<bigint[] | null>(this.size).fill(null);
  }

  get memberCount(): number {
    return this.members;
  }

  hasMember(handle: number): boolean {
    return Number.isInteger(handle) && handle >= 0 && handle < this.size && this.memberAction[handle] >= 0;
  }

  /** Why (actionId, args) cannot be a member, or null. */
  checkMemberAction(actionId: number, args: readonly bigint[]): string | null {
    const action = this.actionsById.get(actionId);
    if (!action) return `unknown action id ${actionId}`;
    if (!this.actionIds.includes(actionId)) return `action ${action.name} is not an action of the tables using ${this.name}`;
    if (action.defaultOnly) return `action ${action.name} is @defaultonly and cannot be a member of ${this.name}`;
    return checkArgs(action, args);
  }

  // act_prof_create_member
  createMember(actionId: number, args: readonly bigint[]): HandleResult {
    const why = this.checkMemberAction(actionId, args);
    if (why !== null) return { ok: false, error: why };
    let h = 0;
    while (h < this.size && this.memberAction[h] >= 0) h++;
    if (h === this.size) return { ok: false, error: `action profile ${this.name} is full (${this.size} members)` };
    this.store(h, actionId, args);
    this.members++;
    return { ok: true, handle: h };
  }

  // act_prof_modify_member
  modifyMember(handle: number, actionId: number, args: readonly bigint[]): CommandResult {
    if (!this.hasMember(handle)) return fail(`action profile ${this.name} has no member ${handle}`);
    const why = this.checkMemberAction(actionId, args);
    if (why !== null) return fail(why);
    this.store(handle, actionId, args);
    return ok(`modified member ${handle} of ${this.name}`);
  }

  // act_prof_delete_member
  deleteMember(handle: number): CommandResult {
    if (!this.hasMember(handle)) return fail(`action profile ${this.name} has no member ${handle}`);
    if (this.memberRefs[handle] > 0) {
      return fail(`member ${handle} of ${this.name} is still used by ${this.memberRefs[handle]} table entr(ies) or group(s)`);
    }
    this.memberAction[handle] = -1;
    this.memberArgs[handle] = null;
    this.data.fill(0, handle * this.stride, (handle + 1) * this.stride);
    this.members--;
    return ok(`deleted member ${handle} of ${this.name}`);
  }

  member(handle: number): MemberInfo | null {
    if (!this.hasMember(handle)) return null;
    return { handle, actionId: this.memberAction[handle], args: (this.memberArgs[handle] ?? []).slice() };
  }

  listMembers(): MemberInfo[] {
    const out: MemberInfo[] = [];
    for (let h = 0; h < this.size; h++) {
      const m = this.member(h);
      if (m) out.push(m);
    }
    return out;
  }

  private store(h: number, actionId: number, args: readonly bigint[]): void {
    const action = this.actionsById.get(actionId)!;
    this.data.fill(0, h * this.stride, (h + 1) * this.stride);
    writeArgs(action, args, this.data, h * this.stride);
    this.memberAction[h] = actionId;
    this.memberArgs[h] = args.slice();
  }
}

export class ActionSelector extends ActionProfile {
  override readonly kind = 'action_selector' as const;
  /** Maximum number of groups (the profile size). */
  readonly maxGroups: number;
  /** Members of each group, ascending by handle; null for a free group handle. */
  readonly groupMembers: (number[] | null)[];
  /** How many table entries and table defaults refer to each group. */
  readonly groupRefs: Int32Array;
  private groups = 0;

  constructor(name: string, size: number, actions: readonly ActionInfo[], actionIds: readonly number[]) {
    super(name, size, actions, actionIds);
    this.maxGroups = this.size;
    this.groupMembers = new Array<number[] | null>(this.maxGroups).fill(null);
    this.groupRefs = new Int32Array(this.maxGroups);
  }

  get groupCount(): number {
    return this.groups;
  }

  hasGroup(handle: number): boolean {
    return Number.isInteger(handle) && handle >= 0 && handle < this.maxGroups && this.groupMembers[handle] !== null;
  }

  /**
   * Member picked from `group` by `hash` (hot path): the (hash mod size)-th member by ascending
   * handle, or -1 when the group is empty or unknown.
   */
  chooseMember(group: number, hash: number): number {
    const members = this.groupMembers[group];
    if (members === null || members === undefined || members.length === 0) return -1;
    const h = hash < 0 ? hash >>> 0 : hash;
    return members[h % members.length];
  }

  // act_prof_create_group
  createGroup(): HandleResult {
    let g = 0;
    while (g < this.maxGroups && this.groupMembers[g] !== null) g++;
    if (g === this.maxGroups) return { ok: false, error: `action selector ${this.name} is full (${this.maxGroups} groups)` };
    this.groupMembers[g] = [];
    this.groups++;
    return { ok: true, handle: g };
  }

  // act_prof_delete_group
  deleteGroup(group: number): CommandResult {
    if (!this.hasGroup(group)) return fail(`action selector ${this.name} has no group ${group}`);
    if (this.groupRefs[group] > 0) {
      return fail(`group ${group} of ${this.name} is still used by ${this.groupRefs[group]} table entr(ies)`);
    }
    for (const m of this.groupMembers[group]!) this.memberRefs[m]--;
    this.groupMembers[group] = null;
    this.groups--;
    return ok(`deleted group ${group} of ${this.name}`);
  }

  // act_prof_add_member_to_group
  addMemberToGroup(group: number, member: number): CommandResult {
    if (!this.hasGroup(group)) return fail(`action selector ${this.name} has no group ${group}`);
    if (!this.hasMember(member)) return fail(`action selector ${this.name} has no member ${member}`);
    const members = this.groupMembers[group]!;
    if (members.includes(member)) return fail(`member ${member} is already in group ${group} of ${this.name}`);
    let i = 0;
    while (i < members.length && members[i] < member) i++;
    // A fresh array: a lookup in progress never sees a half-updated group.
    this.groupMembers[group] = [...members.slice(0, i), member, ...members.slice(i)];
    this.memberRefs[member]++;
    return ok(`added member ${member} to group ${group} of ${this.name}`);
  }

  // act_prof_remove_member_from_group
  removeMemberFromGroup(group: number, member: number): CommandResult {
    if (!this.hasGroup(group)) return fail(`action selector ${this.name} has no group ${group}`);
    const members = this.groupMembers[group]!;
    if (!members.includes(member)) return fail(`member ${member} is not in group ${group} of ${this.name}`);
    this.groupMembers[group] = members.filter((m) => m !== member);
    this.memberRefs[member]--;
    return ok(`removed member ${member} from group ${group} of ${this.name}`);
  }

  group(handle: number): GroupInfo | null {
    if (!this.hasGroup(handle)) return null;
    return { handle, members: this.groupMembers[handle]!.slice() };
  }

  listGroups(): GroupInfo[] {
    const out: GroupInfo[] = [];
    for (let g = 0; g < this.maxGroups; g++) {
      const info = this.group(g);
      if (info) out.push(info);
    }
    return out;
  }
}

/**
 * Builds the profile or selector of an action_profile / action_selector extern: members may use
 * the actions of every table whose `implementation` names it.
 */
export function createProfile(ext: ExternInfo, program: ProgramInfo): ActionProfile | ActionSelector {
  const ids = new Set<number>();
  for (const t of program.tables) {
    if (t.implementation === ext.name || ext.tables.includes(t.name)) for (const id of t.actionIds) ids.add(id);
  }
  const actionIds = [...ids].sort((x, y) => x - y);
  return ext.kind === 'action_selector'
    ? new ActionSelector(ext.name, ext.size, program.actions, actionIds)
    : new ActionProfile(ext.name, ext.size, program.actions, actionIds);
}
