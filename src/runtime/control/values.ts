// Parsing of control-plane values as simple_switch_CLI writes them: decimal, 0x hex (also 0b, 0o),
// IPv4 dotted quads, MAC addresses, IPv6 (RFC 4291 text form), and key match syntax (ternary
// `v&&&m`, lpm `v/len`, range `lo->hi`, optional as ternary). Input: one token and the bit width of
// the key or parameter; output: bigint values and KeyMatch records, or the reason they are refused.
import type { KeyFieldInfo, KeyMatch } from '../abi.js';
import { MatchKind } from '../abi.js';

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function fail(error: string): { ok: false; error: string } {
  return { ok: false, error };
}

const DECIMAL = /^[0-9]+$/;
const HEX = /^0[xX][0-9a-fA-F]+$/;
const BINARY = /^0[bB][01]+$/;
const OCTAL = /^0[oO][0-7]+$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** IPv4 dotted quad `a.b.c.d` as a 32-bit value, or null. */
export function parseIpv4(text: string): bigint | null {
  const m = IPV4.exec(text);
  if (m === null) return null;
  let v = 0n;
  for (let i = 1; i <= 4; i++) {
    const b = Number(m[i]);
    if (b > 255) return null;
    v = (v << 8n) | BigInt(b);
  }
  return v;
}

/** MAC address `aa:bb:cc:dd:ee:ff` as a 48-bit value, or null. */
export function parseMac(text: string): bigint | null {
  if (!MAC.test(text)) return null;
  let v = 0n;
  for (const part of text.split(':')) v = (v << 8n) | BigInt(parseInt(part, 16));
  return v;
}

/** IPv6 address in RFC 4291 text form (`::` compression, trailing dotted quad) as a 128-bit value, or null. */
export function parseIpv6(text: string): bigint | null {
  if (!text.includes(':')) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (s: string): bigint[] | null => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: bigint[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 === null) return null;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else {
        if (!HEX_GROUP.test(p)) return null;
        out.push(BigInt(parseInt(p, 16)));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  if (head === null) return null;
  let groups: bigint[];
  if (halves.length === 2) {
    const tail = groupsOf(halves[1]);
    if (tail === null || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  } else {
    if (head.length !== 8) return null;
    groups = head;
  }
  let v = 0n;
  for (const g of groups) v = (v << 16n) | g;
  return v;
}

/** A non-negative number in any accepted notation, or null. Negative numbers are handled by parseValue. */
export function parseNumber(text: string): bigint | null {
  const t = text.replace(/_/g, '');
  if (t === '' || text.startsWith('_') || text.endsWith('_')) return null;
  if (DECIMAL.test(t) || HEX.test(t) || BINARY.test(t) || OCTAL.test(t)) return BigInt(t);
  return parseIpv4(text) ?? parseMac(text) ?? parseIpv6(text);
}

/**
 * A value for a field of `width` bits. A negative decimal is taken as its two's complement when it
 * fits in `width` signed bits (for int<W> fields); anything wider than `width` is refused.
 */
export function parseValue(text: string, width: number): Parsed<bigint> {
  let negative = false;
  let body = text;
  if (body.startsWith('-')) {
    negative = true;
    body = body.slice(1);
  }
  const v = parseNumber(body);
  if (v === null) return fail(`'${text}' is not a number, IPv4, IPv6 or MAC address`);
  if (negative) {
    if (width === 0 || v > 1n << BigInt(width - 1)) return fail(`value ${text} does not fit in ${width} bits`);
    return { ok: true, value: v === 0n ? 0n : (1n << BigInt(width)) - v };
  }
  if (v >> BigInt(width) !== 0n) return fail(`value ${text} is too wide for ${width} bits`);
  return { ok: true, value: v };
}

/** A small non-negative integer (handles, ids, indices, priorities): decimal or 0x hex. */
export function parseIndex(text: string | undefined, what: string, max = 0x7fffffff): Parsed<number> {
  if (text === undefined) return fail(`missing ${what}`);
  const v = DECIMAL.test(text) || HEX.test(text) ? BigInt(text) : null;
  if (v === null) return fail(`${what} '${text}' is not a non-negative integer`);
  if (v > BigInt(max)) return fail(`${what} ${text} is out of range (0 to ${max})`);
  return { ok: true, value: Number(v) };
}

/** All-ones mask of `width` bits. */
export function maskOf(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Whether a key takes part in table_add match keys (selector keys feed the selector hash instead). */
export function isMatchKey(key: KeyFieldInfo): boolean {
  return key.match !== MatchKind.Selector;
}

/**
 * One match key as written on a table_add line, for a key of the given match kind and width:
 * exact `v`; lpm `v/len` (decimal length 0..width); ternary `v&&&m`; range `lo->hi`;
 * optional `v&&&m` with a mask of all ones or zero, or a bare `v` (exact).
 */
export function parseKeyMatch(text: string, key: KeyFieldInfo): Parsed<KeyMatch> {
  const w = key.width;
  const where = `key '${key.name}'`;
  const sub = (t: string): Parsed<bigint> => {
    const r = parseValue(t, w);
    return r.ok ? r : fail(`${where}: ${r.error}`);
  };
  switch (key.match) {
    case MatchKind.Exact: {
      if (text.includes('&&&') || text.includes('->') || /\/\d+$/.test(text)) {
        return fail(`${where} is an exact key: give a plain value, not '${text}'`);
      }
      const v = sub(text);
      return v.ok ? { ok: true, value: { kind: 'exact', value: v.value } } : v;
    }
    case MatchKind.Lpm: {
      const slash = text.lastIndexOf('/');
      if (slash < 0) return fail(`${where} is an lpm key: write VALUE/PREFIX_LENGTH, not '${text}'`);
      const lenText = text.slice(slash + 1);
      if (!DECIMAL.test(lenText)) return fail(`${where}: prefix length '${lenText}' must be a decimal number`);
      const len = Number(lenText);
      if (len > w) return fail(`${where}: prefix length ${len} is longer than the key width ${w}`);
      const v = sub(text.slice(0, slash));
      return v.ok ? { ok: true, value: { kind: 'lpm', value: v.value, prefixLength: len } } : v;
    }
    case MatchKind.Ternary:
    case MatchKind.Optional: {
      const amp = text.indexOf('&&&');
      if (amp < 0) {
        if (key.match === MatchKind.Optional) {
          const v = sub(text);
          return v.ok ? { ok: true, value: { kind: 'optional', value: v.value, wildcard: false } } : v;
        }
        return fail(`${where} is a ternary key: write VALUE&&&MASK, not '${text}'`);
      }
      const v = sub(text.slice(0, amp));
      if (!v.ok) return v;
      const m = sub(text.slice(amp + 3));
      if (!m.ok) return m;
      if (key.match === MatchKind.Ternary) return { ok: true, value: { kind: 'ternary', value: v.value, mask: m.value } };
      if (m.value === 0n) return { ok: true, value: { kind: 'optional', value: 0n, wildcard: true } };
      if (m.value === maskOf(w)) return { ok: true, value: { kind: 'optional', value: v.value, wildcard: false } };
      return fail(`${where} is an optional key: its mask must be 0 (wildcard) or all ones, not '${text.slice(amp + 3)}'`);
    }
    case MatchKind.Range: {
      const arrow = text.indexOf('->');
      if (arrow < 0) return fail(`${where} is a range key: write LOW->HIGH, not '${text}'`);
      const lo = sub(text.slice(0, arrow));
      if (!lo.ok) return lo;
      const hi = sub(text.slice(arrow + 2));
      if (!hi.ok) return hi;
      return { ok: true, value: { kind: 'range', low: lo.value, high: hi.value } };
    }
    default:
      return fail(`${where} has match kind selector and is not written in table entries`);
  }
}

/** Hex digits of `value` padded to the byte width of `width` bits, as BMv2 dumps print them. */
export function formatHex(value: bigint, width: number): string {
  const digits = Math.max(1, Math.ceil(width / 8)) * 2;
  return value.toString(16).padStart(digits, '0');
}

/** A key match in table_dump form, e.g. `0a000001/24`, `0800&&&ffff`, `0010 -> 0020`. */
export function formatKeyMatch(m: KeyMatch, width: number): string {
  switch (m.kind) {
    case 'exact': return formatHex(m.value, width);
    case 'lpm': return `${formatHex(m.value, width)}/${m.prefixLength}`;
    case 'ternary': return `${formatHex(m.value, width)} &&& ${formatHex(m.mask, width)}`;
    case 'range': return `${formatHex(m.low, width)} -> ${formatHex(m.high, width)}`;
    case 'optional':
      return m.wildcard
        ? `${formatHex(0n, width)} &&& ${formatHex(0n, width)}`
        : `${formatHex(m.value, width)} &&& ${formatHex(maskOf(width), width)}`;
  }
}
