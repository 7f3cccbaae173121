// Mirroring (clone) sessions of simple_switch: session id -> one egress port or one multicast
// group. The control plane sets them (mirroring_add, mirroring_add_mc, mirroring_delete,
// mirroring_get); the data plane calls get(id) when a clone is made, which returns an immutable
// session record (or null for an unconfigured session: the clone makes no copies) without allocating.
import type { CommandResult } from '../abi.js';

/** simple_switch has 32768 clone sessions, numbered 0..32767. */
export const MAX_MIRROR_SESSION = 32767;
/** Egress ports are bit<9>. */
export const MAX_MIRROR_PORT = 511;
/** Multicast group ids are bit<16>. */
export const MAX_MIRROR_GROUP = 0xffff;

export interface MirrorSession {
  readonly id: number;
  /** Egress port of the single copy, or -1. */
  readonly port: number;
  /** Multicast group whose copies are made, or -1. */
  readonly group: number;
}

export class MirrorSessions {
  private readonly sessions: (MirrorSession | null)[] = new Array<MirrorSession | null>(MAX_MIRROR_SESSION + 1).fill(null);

  /** The session's configuration, or null when unconfigured or out of range. Allocates nothing. */
  get(id: number): MirrorSession | null {
    if (id >= 0 && id <= MAX_MIRROR_SESSION) return this.sessions[id | 0];
    return null;
  }

  /** mirroring_add <mirror_id> <egress_port>: replaces any previous configuration of the session. */
  addPort(id: number, port: number): CommandResult {
    const bad = checkId(id);
    if (bad !== null) return bad;
    if (!Number.isInteger(port) || port < 0 || port > MAX_MIRROR_PORT) {
      return { ok: false, error: `Invalid mirroring operation: egress port ${port} is outside 0..${MAX_MIRROR_PORT}` };
    }
    this.sessions[id] = { id, port, group: -1 };
    return { ok: true, message: '' };
  }

  /** mirroring_add_mc <mirror_id> <mgrp>: the group need not exist yet (it is looked up per clone). */
  addMulticast(id: number, group: number): CommandResult {
    const bad = checkId(id);
    if (bad !== null) return bad;
    if (!Number.isInteger(group) || group < 0 || group > MAX_MIRROR_GROUP) {
      return { ok: false, error: `Invalid mirroring operation: multicast group ${group} is outside 0..${MAX_MIRROR_GROUP}` };
    }
    this.sessions[id] = { id, port: -1, group };
    return { ok: true, message: '' };
  }

  /** mirroring_delete <mirror_id> */
  delete(id: number): CommandResult {
    const bad = checkId(id);
    if (bad !== null) return bad;
    if (this.sessions[id] === null) return { ok: false, error: 'Invalid mirroring operation (SESSION_NOT_FOUND)' };
    this.sessions[id] = null;
    return { ok: true, message: '' };
  }

  /** mirroring_get <mirror_id>, in BMv2's wording. */
  describe(id: number): CommandResult {
    const bad = checkId(id);
    if (bad !== null) return bad;
    const s = this.sessions[id];
    if (s === null) return { ok: false, error: 'Invalid mirroring operation (SESSION_NOT_FOUND)' };
    const mgid = s.group >= 0 ? String(s.group) : 'None';
    const port = s.port >= 0 ? String(s.port) : 'None';
    return { ok: true, message: `MirroringSessionConfig(mgid=${mgid}, port=${port})` };
  }

  /** Configured sessions in id order. */
  list(): MirrorSession[] {
    return this.sessions.filter((s): s is MirrorSession => s !== null);
  }

  reset(): void {
    this.sessions.fill(null);
  }
}

function checkId(id: number): CommandResult | null {
  if (!Number.isInteger(id) || id < 0 || id > MAX_MIRROR_SESSION) {
    return { ok: false, error: `Invalid mirroring operation (INVALID_MIRROR_ID): session id ${id} is outside 0..${MAX_MIRROR_SESSION}` };
  }
  return null;
}
