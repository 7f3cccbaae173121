// The packet replication engine (PRE) of simple_switch: multicast groups made of L1 nodes, each
// node one egress_rid and a set of egress ports. The control plane edits groups and nodes
// (mc_mgrp_create, mc_node_create, mc_node_associate, ...); the data plane calls replicate(), which
// copies a group's (port, rid) list into caller-owned typed arrays without allocating.
// Copies come out node by node in association order, ports ascending inside a node (as BMv2).
import type { CommandResult } from '../abi.js';

/** Multicast group ids are 0..MAX_GROUP (mcast_grp is bit<16>; 0 itself means "no multicast"). */
export const MAX_GROUP = 0xffff;
/** Egress ports are bit<9>. */
export const MAX_PORT = 511;
/** egress_rid is bit<16>. */
export const MAX_RID = 0xffff;
/** Upper bound on live nodes, a guard against runaway scripts. */
export const MAX_NODES = 1 << 16;

/** The destination of replicate(): parallel arrays of ports and rids, sized by the caller. */
export interface ReplicationList {
  readonly ports: Int32Array;
  readonly rids: Int32Array;
}

export interface McNode {
  readonly handle: number;
  readonly rid: number;
  /** Ascending, no duplicates. */
  readonly ports: readonly number[];
  /** Group the node is associated with, or -1. */
  readonly group: number;
}

interface NodeState {
  handle: number;
  rid: number;
  ports: number[];
  group: number;
}

interface GroupState {
  id: number;
  /** Node handles in association order. */
  nodes: number[];
}

function ok(message: string): CommandResult {
  return { ok: true, message };
}

function err(error: string): CommandResult {
  return { ok: false, error };
}

/** The PRE: groups, nodes, and a flattened replication list per group for the data plane. */
export class MulticastEngine {
  private readonly groupState = new Map<number, GroupState>();
  private readonly nodeState = new Map<number, NodeState>();
  /** Per group id: the flattened copy list, rebuilt whenever the group or one of its nodes changes. */
  private readonly flatPorts: (Int32Array | null)[] = new Array<Int32Array | null>(MAX_GROUP + 1).fill(null);
  private readonly flatRids: (Int32Array | null)[] = new Array<Int32Array | null>(MAX_GROUP + 1).fill(null);

  // --- data plane -------------------------------------------------------------------------

  /**
   * Writes the copies of `group` into `out` (as many as fit) and returns how many copies the group
   * makes; 0 for an unknown or empty group. Allocates nothing.
   */
  replicate(group: number, out: ReplicationList): number {
    if (group < 0 || group > MAX_GROUP) return 0;
    const ports = this.flatPorts[group];
    if (ports === null) return 0;
    const rids = this.flatRids[group] as Int32Array;
    const n = ports.length;
    const room = n < out.ports.length ? n : out.ports.length;
    const fit = room < out.rids.length ? room : out.rids.length;
    for (let i = 0; i < fit; i++) {
      out.ports[i] = ports[i];
      out.rids[i] = rids[i];
    }
    return n;
  }

  /** Number of copies `group` makes (0 for an unknown group). */
  copies(group: number): number {
    if (group < 0 || group > MAX_GROUP) return 0;
    const ports = this.flatPorts[group];
    return ports === null ? 0 : ports.length;
  }

  /** Largest number of copies any group makes: the size callers should give their ReplicationList. */
  maxCopies(): number {
    let max = 0;
    for (const g of this.groupState.keys()) max = Math.max(max, this.copies(g));
    return max;
  }

  // --- control plane ----------------------------------------------------------------------

  hasGroup(id: number): boolean {
    return this.groupState.has(id);
  }

  /** mc_mgrp_create <group id> */
  createGroup(id: number): CommandResult {
    if (!Number.isInteger(id) || id < 0 || id > MAX_GROUP) return err(`Invalid PRE operation (INVALID_MGID): group id ${id} is outside 0..${MAX_GROUP}`);
    if (this.groupState.has(id)) return err(`Invalid PRE operation (DUPLICATE_ENTRY): multicast group ${id} already exists`);
    this.groupState.set(id, { id, nodes: [] });
    this.rebuild(id);
    return ok(`Creating multicast group ${id}`);
  }

  /** mc_mgrp_destroy <group id>: associated nodes become free (not destroyed). */
  destroyGroup(id: number): CommandResult {
    const g = this.groupState.get(id);
    if (g === undefined) return err(`Invalid PRE operation (INVALID_MGID): multicast group ${id} does not exist`);
    for (const h of g.nodes) (this.nodeState.get(h) as NodeState).group = -1;
    this.groupState.delete(id);
    this.flatPorts[id] = null;
    this.flatRids[id] = null;
    return ok(`Destroying multicast group ${id}`);
  }

  /** mc_node_create <rid> <ports...> [| <lags...>]; the new node's handle is the lowest free one. */
  createNode(rid: number, ports: readonly number[], lags: readonly number[] = []): { ok: true; handle: number; message: string } | { ok: false; error: string } {
    const bad = this.checkNode(rid, ports, lags);
    if (bad !== null) return { ok: false, error: bad };
    if (this.nodeState.size >= MAX_NODES) return { ok: false, error: `Invalid PRE operation (TABLE_FULL): at most ${MAX_NODES} nodes` };
    let handle = 0;
    while (this.nodeState.has(handle)) handle++;
    const sorted = normalisePorts(ports);
    this.nodeState.set(handle, { handle, rid, ports: sorted, group: -1 });
    return {
      ok: true,
      handle,
      message: `Creating node with rid ${rid} , port map ${portMap(sorted)} and lag map \nnode was created with handle ${handle}`,
    };
  }

  /** mc_node_update <node handle> <ports...> [| <lags...>]: replaces the node's port list. */
  updateNode(handle: number, ports: readonly number[], lags: readonly number[] = []): CommandResult {
    const n = this.nodeState.get(handle);
    if (n === undefined) return err(`Invalid PRE operation (INVALID_L1_HANDLE): no node with handle ${handle}`);
    const bad = this.checkNode(n.rid, ports, lags);
    if (bad !== null) return err(bad);
    n.ports = normalisePorts(ports);
    if (n.group >= 0) this.rebuild(n.group);
    return ok(`Updating node ${handle} with port map ${portMap(n.ports)} and lag map `);
  }

  /** mc_node_destroy <node handle>: dissociates it first if needed. */
  destroyNode(handle: number): CommandResult {
    const n = this.nodeState.get(handle);
    if (n === undefined) return err(`Invalid PRE operation (INVALID_L1_HANDLE): no node with handle ${handle}`);
    if (n.group >= 0) {
      const g = this.groupState.get(n.group) as GroupState;
      g.nodes.splice(g.nodes.indexOf(handle), 1);
      this.rebuild(g.id);
    }
    this.nodeState.delete(handle);
    return ok(`Destroying node ${handle}`);
  }

  /** mc_node_associate <group id> <node handle>: a node belongs to at most one group. */
  associate(group: number, handle: number): CommandResult {
    const g = this.groupState.get(group);
    if (g === undefined) return err(`Invalid PRE operation (INVALID_MGID): multicast group ${group} does not exist`);
    const n = this.nodeState.get(handle);
    if (n === undefined) return err(`Invalid PRE operation (INVALID_L1_HANDLE): no node with handle ${handle}`);
    if (n.group >= 0) return err(`Invalid PRE operation (INVALID_L1_HANDLE): node ${handle} is already associated with group ${n.group}`);
    n.group = group;
    g.nodes.push(handle);
    this.rebuild(group);
    return ok(`Associating node ${handle} to multicast group ${group}`);
  }

  /** mc_node_dissociate <group id> <node handle> */
  dissociate(group: number, handle: number): CommandResult {
    const g = this.groupState.get(group);
    if (g === undefined) return err(`Invalid PRE operation (INVALID_MGID): multicast group ${group} does not exist`);
    const n = this.nodeState.get(handle);
    if (n === undefined) return err(`Invalid PRE operation (INVALID_L1_HANDLE): no node with handle ${handle}`);
    if (n.group !== group) return err(`Invalid PRE operation (INVALID_L1_HANDLE): node ${handle} is not associated with group ${group}`);
    n.group = -1;
    g.nodes.splice(g.nodes.indexOf(handle), 1);
    this.rebuild(group);
    return ok(`Dissociating node ${handle} from multicast group ${group}`);
  }

  /** A snapshot of one node, or null. */
  node(handle: number): McNode | null {
    const n = this.nodeState.get(handle);
    return n === undefined ? null : { handle: n.handle, rid: n.rid, ports: [...n.ports], group: n.group };
  }

  /** Groups in ascending id order with their associated nodes, in association order. */
  groups(): { id: number; nodes: McNode[] }[] {
    return [...this.groupState.values()]
      .sort((a, b) => a.id - b.id)
      .map((g) => ({ id: g.id, nodes: g.nodes.map((h) => this.node(h) as McNode) }));
  }

  /** mc_dump output, in BMv2's layout. */
  dump(): string {
    const lines = ['==========', 'MC ENTRIES'];
    for (const g of this.groups()) {
      lines.push('**********', `mgrp(${g.id})`);
      for (const n of g.nodes) lines.push(`  -> (L1h=${n.handle}, rid=${n.rid}) -> (ports=[${n.ports.join(', ')}], lags=[])`);
    }
    lines.push('==========', 'LAGS', '==========');
    return lines.join('\n');
  }

  /** Removes every group and node. */
  reset(): void {
    for (const id of this.groupState.keys()) {
      this.flatPorts[id] = null;
      this.flatRids[id] = null;
    }
    this.groupState.clear();
    this.nodeState.clear();
  }

  private checkNode(rid: number, ports: readonly number[], lags: readonly number[]): string | null {
    if (!Number.isInteger(rid) || rid < 0 || rid > MAX_RID) return `rid ${rid} is outside 0..${MAX_RID}`;
    for (const p of ports) {
      if (!Number.isInteger(p) || p < 0 || p > MAX_PORT) return `port ${p} is outside 0..${MAX_PORT}`;
    }
    if (lags.length > 0) return 'LAG lists are not supported; give ports only';
    return null;
  }

  private rebuild(group: number): void {
    const g = this.groupState.get(group) as GroupState;
    let n = 0;
    for (const h of g.nodes) n += (this.nodeState.get(h) as NodeState).ports.length;
    const ports = new Int32Array(n);
    const rids = new Int32Array(n);
    let i = 0;
    for (const h of g.nodes) {
      const node = this.nodeState.get(h) as NodeState;
      for (const p of node.ports) {
        ports[i] = p;
        rids[i] = node.rid;
        i++;
      }
    }
    this.flatPorts[group] = ports;
    this.flatRids[group] = rids;
  }
}

function normalisePorts(ports: readonly number[]): number[] {
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** BMv2 prints a node's port set as a bit string, highest port first (ports 0 and 3: `1001`). */
function portMap(ports: readonly number[]): string {
  if (ports.length === 0) return '';
  const max = ports[ports.length - 1];
  const bits = new Array<string>(max + 1).fill('0');
  for (const p of ports) bits[max - p] = '1';
  return bits.join('');
}
