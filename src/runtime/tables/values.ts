// Value helpers for the match-action tables: bigint <-> uint32 words (least significant word
// first, as in abi.ts), width checks and masks. Control-plane only: nothing here runs per packet.
// Input: bigint values and widths; output: words written into typed arrays, or checks.

import { wordsFor } from '../abi.js';
import type { ActionInfo } from '../abi.js';

/** All ones in `width` bits. */
export function onesOf(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** True when `v` is a legal unsigned value of `width` bits. */
export function fitsWidth(v: bigint, width: number): boolean {
  return v >= 0n && v <= onesOf(width);
}

/** Mask of the `prefixLength` most significant bits of a `width`-bit field. */
export function prefixMask(width: number, prefixLength: number): bigint {
  return onesOf(prefixLength) << BigInt(width - prefixLength);
}

/** Prefix length of `mask` when it is a prefix mask of `width` bits, else -1. */
export function prefixLengthOf(mask: bigint, width: number): number {
  let len = 0;
  let bit = BigInt(width - 1);
  while (bit >= 0n && ((mask >> bit) & 1n) === 1n) {
    len++;
    bit--;
  }
  return mask === prefixMask(width, len) ? len : -1;
}

/** Writes `v` as wordsFor(width) uint32 words, least significant first, into out[off..]. */
export function writeWords(v: bigint, width: number, out: Uint32Array | Int32Array, off: number): void {
  const n = wordsFor(width);
  for (let i = 0; i < n; i++) {
    out[off + i] = Number(v & 0xffffffffn);
    v >>= 32n;
  }
}

/** Reads `words` uint32 words (least significant first) from src[off..] as a bigint. */
export function readWords(src: Uint32Array, off: number, words: number): bigint {
  let v = 0n;
  for (let i = words - 1; i >= 0; i--) v = (v << 32n) | BigInt(src[off + i]);
  return v;
}

/** `0x…` text of a value, for error messages. */
export function hex(v: bigint): string {
  return '0x' + v.toString(16);
}

/** Words of action data an action needs: each parameter takes wordsFor(width) words. */
export function dataWordsOf(action: ActionInfo): number {
  let n = 0;
  for (const p of action.params) n += wordsFor(p.width);
  return n;
}

/** Why `args` are not valid arguments of `action`, or null when they are. */
export function checkArgs(action: ActionInfo, args: readonly bigint[]): string | null {
  if (args.length !== action.params.length) {
    return `action ${action.name} takes ${action.params.length} argument(s), got ${args.length}`;
  }
  for (let i = 0; i < args.length; i++) {
    const p = action.params[i];
    if (!fitsWidth(args[i], p.width)) {
      return `argument ${p.name} of action ${action.name}: ${args[i] < 0n ? args[i].toString() : hex(args[i])} does not fit in ${p.width} bit(s)`;
    }
  }
  return null;
}

/** Writes checked `args` of `action` into data[off..], each parameter on wordsFor(width) words. */
export function writeArgs(action: ActionInfo, args: readonly bigint[], data: Uint32Array, off: number): void {
  for (let i = 0; i < args.length; i++) {
    const w = action.params[i].width;
    writeWords(args[i], w, data, off);
    off += wordsFor(w);
  }
}

/** Index of actions by id (ProgramInfo.actions is normally already indexed by id). */
export function indexActions(actions: readonly ActionInfo[]): Map<number, ActionInfo> {
  const m = new Map<number, ActionInfo>();
  for (const a of actions) m.set(a.id, a);
  return m;
}
