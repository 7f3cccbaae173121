// Generates a large, valid v1model program of about a given number of lines, for the front-end
// benchmark and for scale tests: many headers, a long parser, and controls with many tables,
// actions and statements. Deterministic: the same size gives the same text.

export function generateProgram(targetLines: number): string {
  // Each unit adds a fixed number of lines: measure it on small programs, then size the real one.
  const one = programWithUnits(1).split('\n').length;
  const perUnit = programWithUnits(2).split('\n').length - one;
  return programWithUnits(Math.max(1, Math.round((targetLines - one) / perUnit) + 1));
}

function programWithUnits(units: number): string {
  const out: string[] = [];
  out.push('#include <core.p4>', '#include <v1model.p4>', '');
  out.push('header ethernet_t { bit<48> dst; bit<48> src; bit<16> etherType; }');
  for (let u = 0; u < units; u++) {
    out.push(`header h${u}_t {`, '    bit<8> kind;', '    bit<8> len;', '    bit<16> a;', '    bit<32> b;', '    bit<32> c;', '}');
  }
  out.push('struct headers_t {', '    ethernet_t eth;');
  for (let u = 0; u < units; u++) out.push(`    h${u}_t h${u};`);
  out.push('}');
  out.push('struct meta_t {');
  for (let u = 0; u < units; u++) out.push(`    bit<32> m${u};`);
  out.push('}', '');
  out.push('parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {');
  out.push('    state start {', '        pkt.extract(hdr.eth);', '        transition select(hdr.eth.etherType) {');
  for (let u = 0; u < units; u++) out.push(`            16w0x${(0x8800 + u).toString(16)}: parse_h${u};`);
  out.push('            default: accept;', '        }', '    }');
  for (let u = 0; u < units; u++) {
    out.push(`    state parse_h${u} {`, `        pkt.extract(hdr.h${u});`, `        transition select(hdr.h${u}.kind, hdr.h${u}.len) {`);
    out.push(`            (8w1, 8w0 &&& 8w0xf0): ${u + 1 < units ? `parse_h${u + 1}` : 'accept'};`);
    out.push('            (8w2 .. 8w9, _): accept;', '            default: reject;', '        }', '    }');
  }
  out.push('}', '');
  out.push('control VC(inout headers_t hdr, inout meta_t meta) { apply { } }');
  out.push('control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {');
  out.push('    counter(1024, CounterType.packets) hits;');
  for (let u = 0; u < units; u++) {
    out.push(
      `    action set_${u}(bit<9> port, bit<32> v) {`,
      '        sm.egress_spec = port;',
      `        meta.m${u} = v ^ hdr.h${u}.b;`,
      `        hdr.h${u}.c = (hdr.h${u}.c ^ 32w0xdeadbeef) + 1;`,
      `        hdr.h${u}.a = hdr.h${u}.a |+| 16w1;`,
      '    }',
      `    action drop_${u}() { mark_to_drop(sm); }`,
      `    table t${u} {`,
      '        key = {',
      `            hdr.h${u}.b: exact;`,
      `            hdr.h${u}.c: ternary;`,
      `            hdr.h${u}.a: lpm;`,
      '        }',
      `        actions = { set_${u}; drop_${u}; NoAction; }`,
      `        default_action = drop_${u}();`,
      '        size = 1024;',
      '    }',
    );
  }
  out.push('    apply {');
  for (let u = 0; u < units; u++) {
    out.push(
      `        if (hdr.h${u}.isValid()) {`,
      `            switch (t${u}.apply().action_run) {`,
      `                set_${u}: { hits.count((bit<32>) ${u}); }`,
      `                default: { meta.m${u} = meta.m${u} + 32w${u}; }`,
      '            }',
      `            if (hdr.h${u}.len > 8w10 && meta.m${u}[7:0] == 8w3) {`,
      `                hdr.h${u}.b = hdr.h${u}.b[15:0] ++ hdr.h${u}.a;`,
      '            } else {',
      `                hdr.h${u}.kind = (bit<8>) (meta.m${u} >> 24);`,
      '            }',
      '        }',
    );
  }
  out.push('    }', '}', '');
  out.push('control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }');
  out.push('control CC(inout headers_t hdr, inout meta_t meta) { apply { } }');
  out.push('control D(packet_out pkt, in headers_t hdr) {', '    apply {', '        pkt.emit(hdr.eth);');
  for (let u = 0; u < units; u++) out.push(`        pkt.emit(hdr.h${u});`);
  out.push('    }', '}', '');
  out.push('V1Switch(P(), VC(), I(), E(), CC(), D()) main;', '');
  return out.join('\n');
}
