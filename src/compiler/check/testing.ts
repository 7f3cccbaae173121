// Test helpers for the checker's unit tests: run the front end on a P4 snippet and compare its
// diagnostics with `//! CODE` markers written in the snippet (the same convention as
// testdata/p4-errors/). Used only by check/*.test.ts.
import assert from 'node:assert/strict';
import { checkSource } from '../frontend.js';
import type { FrontendResult } from '../frontend.js';
import { formatDiagnostic, locate } from '../source/diagnostics.js';

export const V1 = '#include <core.p4>\n#include <v1model.p4>\n';

export interface Found {
  readonly code: string;
  readonly line: number;
  readonly severity: 'error' | 'warning';
  readonly text: string;
}

export function run(src: string): { result: FrontendResult; found: Found[] } {
  const result = checkSource('test.p4', src, { includeDirs: [], defines: new Map() });
  const found = result.diagnostics.items.map((d) => {
    const loc = locate(d, result.map, 'test.p4');
    return { code: d.code, line: loc.file === 'test.p4' ? loc.line : -1, severity: d.severity, text: formatDiagnostic(d, result.map, 'test.p4') };
  });
  return { result, found };
}

/** Asserts that the snippet checks without errors; returns the front-end result. */
export function accepts(src: string): FrontendResult {
  const { result, found } = run(src);
  const errors = found.filter((f) => f.severity === 'error');
  assert.equal(errors.length, 0, `unexpected errors:\n${errors.map((e) => e.text).join('\n')}`);
  assert.ok(result.checked !== null, 'the checker did not run');
  return result;
}

/**
 * Asserts that the first error is the first `//! CODE` marker (code and line) and that every
 * marker is matched by a diagnostic of that code at that line.
 */
export function rejects(src: string): Found[] {
  const { found } = run(src);
  const markers: { line: number; code: string }[] = [];
  src.split('\n').forEach((l, i) => {
    const m = /\/\/!\s*(P4[EW]\d{4})/.exec(l);
    if (m) markers.push({ line: i + 1, code: m[1] });
  });
  assert.ok(markers.length > 0, 'test snippet without //! markers');
  const all = found.map((f) => f.text).join('\n');
  const errors = found.filter((f) => f.severity === 'error');
  const firstMarker = markers.find((m) => m.code.startsWith('P4E'));
  if (firstMarker !== undefined) {
    assert.ok(errors.length > 0, `expected ${firstMarker.code} at line ${firstMarker.line}, got no errors`);
    assert.equal(`${errors[0].code}@${errors[0].line}`, `${firstMarker.code}@${firstMarker.line}`, `first error differs:\n${all}`);
  }
  for (const m of markers) {
    assert.ok(found.some((f) => f.code === m.code && f.line === m.line), `expected ${m.code} at line ${m.line}; got:\n${all}`);
  }
  return found;
}

/** A complete v1model program around the given declarations and ingress body. */
export function v1program(opts: { decls?: string; headers?: string; meta?: string; parser?: string; ingressLocals?: string; ingress?: string }): string {
  return `${V1}
header ethernet_t { bit<48> dst; bit<48> src; bit<16> etherType; }
header ipv4_t { bit<4> version; bit<4> ihl; bit<8> tos; bit<16> len; bit<16> id; bit<3> flags; bit<13> frag;
  bit<8> ttl; bit<8> proto; bit<16> csum; bit<32> srcAddr; bit<32> dstAddr; }
${opts.decls ?? ''}
struct headers_t { ethernet_t ethernet; ipv4_t ipv4; ${opts.headers ?? ''} }
struct meta_t { bit<32> a; bit<16> b; bit<8> c; bool flag; ${opts.meta ?? ''} }
parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
  ${opts.parser ?? 'state start { pkt.extract(hdr.ethernet); transition accept; }'}
}
control VC(inout headers_t hdr, inout meta_t meta) { apply { } }
control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
  ${opts.ingressLocals ?? ''}
  apply {
    ${opts.ingress ?? ''}
  }
}
control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t meta) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr); } }
V1Switch(P(), VC(), I(), E(), CC(), D()) main;
`;
}
