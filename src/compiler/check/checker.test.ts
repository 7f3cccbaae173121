// Programs the checker must accept (common v1model idioms) and the side tables it records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accepts, v1program, V1 } from './testing.js';
import { typeToString } from './types.js';
import type * as ast from '../syntax/ast.js';

test('a minimal v1model program is accepted and main is recorded', () => {
  const r = accepts(v1program({}));
  assert.ok(r.checked?.main !== null);
  assert.equal(r.checked?.main?.package.name, 'V1Switch');
});

test('tables, actions, defaults, sizes, counters, action profiles', () => {
  accepts(v1program({
    ingressLocals: `
      direct_counter(CounterType.packets) dc;
      counter(32w1024, CounterType.packets_and_bytes) c;
      meter(32w16, MeterType.packets) m;
      register<bit<32>>(32w1024) r;
      action_profile(32w128) ap;
      action drop() { mark_to_drop(sm); }
      action fwd(bit<9> port, bit<48> mac) { sm.egress_spec = port; hdr.ethernet.dst = mac; dc.count(); }
      action set_a(inout bit<32> x, bit<32> v) { x = v; }
      table t {
        key = { hdr.ipv4.dstAddr: lpm; hdr.ethernet.etherType: exact @name("etype"); meta.flag: exact; }
        actions = { fwd; drop; @defaultonly NoAction; set_a(meta.a); }
        size = 1024;
        default_action = drop();
        counters = dc;
      }
      table t2 {
        key = { meta.b: ternary; }
        actions = { fwd; NoAction; }
        implementation = ap;
        const default_action = NoAction;
      }`,
    ingress: `
      if (hdr.ipv4.isValid()) { t.apply(); }
      switch (t.apply().action_run) {
        fwd: { meta.c = 1; }
        drop: {}
        default: { t2.apply(); }
      }
      if (t2.apply().hit) { meta.a = 32w5; } else if (!t2.apply().miss) { exit; }
      c.count((bit<32>)sm.ingress_port);
      bit<8> color;
      m.execute_meter((bit<32>)1, color);
      bit<32> v;
      r.read(v, 32w3);
      r.write(3, v + 1);
      fwd(1, 0xFFFFFFFFFFFF);`,
  }));
});

test('parser idioms: select, masks, ranges, tuples, lookahead, verify, stacks', () => {
  accepts(v1program({
    headers: 'vlan_t[2] vlans; ipv4_t inner;',
    decls: `header vlan_t { bit<3> pcp; bit<1> cfi; bit<12> vid; bit<16> etherType; }
            const bit<16> TYPE_IPV4 = 0x0800;
            const bit<16> TYPE_VLAN = 16w0x8100;
            error { BadVersion }`,
    parser: `
      value_set<bit<16>>(4) pvs;
      bit<8> n = 0;
      state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.etherType) {
          TYPE_VLAN: parse_vlan;
          TYPE_IPV4: parse_ipv4;
          0x86dd &&& 0xffff: accept;
          0x0000 .. 0x05ff: accept;
          pvs: accept;
          default: reject;
        }
      }
      state parse_vlan {
        pkt.extract(hdr.vlans.next);
        n = n + 1;
        transition select(hdr.vlans.last.etherType, n) {
          (0x8100, _): parse_vlan;
          (TYPE_IPV4, 1): parse_ipv4;
          (_, _): accept;
        }
      }
      state parse_ipv4 {
        bit<4> v = pkt.lookahead<bit<4>>();
        verify(v == 4, error.BadVersion);
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.proto) { 4: parse_inner; default: accept; }
      }
      state parse_inner { pkt.extract(hdr.inner); transition accept; }`,
    ingress: `
      hdr.vlans[0].vid = 12w1;
      hdr.vlans.push_front(1);
      hdr.vlans.pop_front(1);
      meta.a = hdr.vlans.size;`,
  }));
});

test('expressions: implicit int casts, slices, concatenation, shifts, casts, ternaries', () => {
  accepts(v1program({
    decls: `
      const bit<32> W = 8;
      const int<8> NEG = -1;
      const bit<8> MASK = ~8w0;
      const bool DBG = false;
      typedef bit<9> port_t;
      type bit<32> myint_t;
      enum bit<16> EthT { IPv4 = 0x0800, ARP = 0x0806 }
      enum Color { Red, Green }
      bit<16> twice(in bit<16> x) { return x + x; }
      T pick<T>(in bool c, in T a, in T b) { if (c) { return a; } return b; }`,
    ingress: `
      bit<(W * 2)> wide = 16w1;
      port_t p = 5;
      sm.egress_spec = p;
      meta.a = hdr.ipv4.srcAddr & 0xFFFF0000 | 1;
      meta.b = hdr.ipv4.len |+| 1;
      meta.b = (bit<16>)(hdr.ipv4.ttl ++ hdr.ipv4.proto);
      meta.c = hdr.ipv4.srcAddr[7:0];
      meta.c = hdr.ipv4.srcAddr[8 +: 8];
      hdr.ipv4.srcAddr[31:24] = 10;
      meta.a = meta.a << 2;
      meta.a = 32w1 << hdr.ipv4.ttl;
      meta.b = hdr.ethernet.etherType == EthT.IPv4 ? 16w1 : 16w0;
      meta.c = meta.flag ? 8w1 : 2;
      meta.c = (8 > 4) ? 1 : 2;
      hdr.ethernet.etherType = EthT.ARP;
      EthT e = (EthT)hdr.ethernet.etherType;
      Color col = Color.Red;
      if (col == Color.Green || e == EthT.IPv4) { meta.flag = true; }
      bool b = (bool)1w1;
      bit<1> bb = (bit<1>)meta.flag;
      int<8> s = (int<8>)hdr.ipv4.ttl;
      myint_t mi = (myint_t)meta.a;
      meta.a = (bit<32>)mi;
      meta.b = twice(meta.b);
      meta.b = pick(meta.flag, meta.b, 16w3);
      meta.c = -1;
      meta.a = (bit<32>)(bit<8>)(-8s1);
      if (DBG) { meta.c = 8w255; }
      meta.c = MASK;
      bit<16> x = hdr.ethernet.etherType - 1;
      x = x * 3 + x / 2 + x % 7;
      if (x > 10 && x <= 0xFF) { x = x >> 1; }`,
  }));
});

test('struct and list expressions, {#}, tuples, structure equality, hash/digest/clone externs', () => {
  accepts(v1program({
    decls: `struct pair_t { bit<8> x; bit<8> y; }
            struct learn_t { bit<48> mac; bit<9> port; }`,
    ingress: `
      pair_t p = { 1, 2 };
      pair_t q = { x = 3, y = 4 };
      p = { y = 1, x = 2 };
      if (p == q) { meta.c = p.x; }
      tuple<bit<8>, bool> t = { 8w1, true };
      hdr.ipv4 = {#};
      hdr.ipv4.setValid();
      hdr.ipv4 = { 4, 5, 0, 20, 0, 0, 0, 64, 6, 0, 1, 2 };
      hash(meta.b, HashAlgorithm.crc16, 16w0, { hdr.ipv4.srcAddr, hdr.ipv4.dstAddr, hdr.ipv4.proto }, 16w1024);
      digest<learn_t>(1, { hdr.ethernet.src, sm.ingress_port });
      digest(1, { hdr.ethernet.src });
      clone(CloneType.I2E, 32w100);
      random(meta.c, 0, 255);
      bit<8> rnd;
      random<bit<8>>(rnd, 8w0, 8w7);
      log_msg("hello");
      log_msg("x = {}", { meta.a });
      resubmit_preserving_field_list(1);
      truncate(32w64);`,
  }));
});

test('checksum controls and deparser emit of a struct', () => {
  accepts(`${V1}
header h_t { bit<16> a; bit<16> csum; }
struct H { h_t h; }
struct M { }
parser P(packet_in b, out H hdr, inout M m, inout standard_metadata_t s) {
  state start { b.extract(hdr.h); transition accept; }
}
control VC(inout H hdr, inout M m) {
  apply { verify_checksum(hdr.h.isValid(), { hdr.h.a }, hdr.h.csum, HashAlgorithm.csum16); }
}
control I(inout H hdr, inout M m, inout standard_metadata_t s) { apply { } }
control E(inout H hdr, inout M m, inout standard_metadata_t s) { apply { } }
control CC(inout H hdr, inout M m) {
  apply { update_checksum(true, { hdr.h.a, 16w0 }, hdr.h.csum, HashAlgorithm.csum16); }
}
control D(packet_out b, in H hdr) { apply { b.emit(hdr.h); } }
V1Switch<H, M>(P(), VC(), I(), E(), CC(), D()) main;
`);
});

test('sub-parsers, sub-controls, direct application and constructor parameters', () => {
  accepts(`${V1}
header h_t { bit<8> a; }
struct H { h_t h; }
struct M { bit<8> x; }
parser Sub(packet_in b, out h_t h) { state start { b.extract(h); transition accept; } }
parser P(packet_in b, out H hdr, inout M m, inout standard_metadata_t s) {
  Sub() sub;
  state start { sub.apply(b, hdr.h); transition accept; }
}
control Inner(inout M m)(bit<8> k) { apply { m.x = m.x + k; } }
control Plain(inout M m) { apply { m.x = 0; } }
control VC(inout H hdr, inout M m) { apply { } }
control I(inout H hdr, inout M m, inout standard_metadata_t s) {
  Inner(8w3) inner;
  apply { inner.apply(m); Plain.apply(m); }
}
control E(inout H hdr, inout M m, inout standard_metadata_t s) { apply { } }
control CC(inout H hdr, inout M m) { apply { } }
control D(packet_out b, in H hdr) { apply { b.emit(hdr); } }
V1Switch(P(), VC(), I(), E(), CC(), D()) main;
`);
});

test('functions, header unions, for loops, generic structs, annotations', () => {
  accepts(`${V1}
header a_t { bit<8> x; }
header b_t { bit<16> y; }
header_union u_t { a_t a; b_t b; }
struct Box<T> { T value; bool present; }
struct H { u_t u; a_t[4] s; }
struct M { Box<bit<8>> box; }
@pure
bit<8> inc(in bit<8> v) { return v + 1; }
void set(inout bit<8> v, in bit<8> w) { v = w; }
parser P(packet_in b, out H hdr, inout M m, inout standard_metadata_t s) {
  state start { b.extract(hdr.u.a); transition accept; }
}
control VC(inout H hdr, inout M m) { apply { } }
@name("ingress")
control I(inout H hdr, inout M m, inout standard_metadata_t s) {
  @hidden action a() { m.box.value = inc(m.box.value); }
  apply {
    if (hdr.u.isValid() && hdr.u.a.isValid()) { a(); }
    set(m.box.value, 8w7);
    for (bit<8> i = 0; i < 4; i = i + 1) { m.box.value = m.box.value + i; if (i == 2) { break; } }
    for (a_t e in hdr.s) { m.box.value = e.x; }
    for (bit<8> j in 1 .. 3) { continue; }
    m.box = { value = 1, present = true };
    @atomic { m.box.present = false; }
  }
}
control E(inout H hdr, inout M m, inout standard_metadata_t s) { apply { } }
control CC(inout H hdr, inout M m) { apply { } }
control D(packet_out b, in H hdr) { apply { b.emit(hdr); } }
V1Switch(P(), VC(), I(), E(), CC(), D()) main;
`);
});

test('side tables: expression types, implicit casts, constants, name resolution', () => {
  const src = `${V1}
const bit<8> K = 3 + 4;
control C(inout bit<8> x) { apply { x = x + 1; } }
`;
  const r = accepts(src);
  const ck = r.checked;
  assert.ok(ck !== null && r.program !== null);
  const konst = r.program.declarations.find((d) => d.kind === 'ConstantDeclaration' && d.name.name === 'K') as ast.ConstantDeclaration;
  assert.equal(ck.constants.get(konst.value), 7n);
  assert.equal(typeToString(ck.types.get(konst.value)!), 'bit<8>');
  const c = r.program.declarations.find((d) => d.kind === 'ControlDeclaration') as ast.ControlDeclaration;
  const assign = c.body.statements[0] as ast.AssignmentStatement;
  const sum = assign.value as ast.BinaryExpression;
  assert.equal(typeToString(ck.types.get(sum)!), 'bit<8>');
  assert.equal(typeToString(ck.types.get(sum.right)!), 'bit<8>');
  const ref = ck.refs.get(sum.left as ast.PathExpression);
  assert.ok(ref !== undefined && 'kind' in ref && ref.kind === 'parameter');
});

test('inferred type arguments are recorded at generic calls', () => {
  const r = accepts(v1program({ ingress: 'hash(meta.b, HashAlgorithm.crc16, 16w0, { meta.a }, 16w100);' }));
  const args = [...r.checked!.typeArgs.values()].map((ts) => ts.map(typeToString).join(','));
  assert.ok(args.includes('bit<16>,bit<16>,tuple<bit<32>>,bit<16>'), args.join(' | '));
});

// Scale, not speed: speed is measured by `npm run bench:frontend`, never asserted in a test.
test('a program with 1,200 actions and tables checks clean', () => {
  let body = '';
  for (let i = 0; i < 1200; i++) {
    body += `  action a${i}(bit<32> v) { meta.a = meta.a + v; meta.b = (bit<16>)v; }\n`;
    body += `  table t${i} { key = { meta.a: exact; } actions = { a${i}; NoAction; } default_action = NoAction(); }\n`;
  }
  const src = v1program({ ingressLocals: body, ingress: 't0.apply();' });
  assert.ok(src.split('\n').length > 2400);
  accepts(src);
});
