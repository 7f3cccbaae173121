// Programs the checker must reject: each snippet marks the expected diagnostics with `//! CODE`
// at the offending line, and the first error reported must be the first marker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rejects, run, v1program, V1 } from './testing.js';

const cases: [string, string][] = [
  // Names and scopes
  ['undeclared value', v1program({ ingress: `
    meta.a = nothing; //! P4E0201` })],
  ['duplicate local', v1program({ ingress: `
    bit<8> x = 1;
    bit<8> x = 2; //! P4E0107` })],
  ['duplicate action', v1program({ ingressLocals: `
    action a() {}
    action a() {} //! P4E0107` })],
  ['type used as value', v1program({ ingress: `
    meta.a = headers_t; //! P4E0203` })],
  ['value used as type', v1program({ ingress: `
    bit<8> v = 1;
    v w; //! P4E0202` })],
  ['unknown field', v1program({ ingress: `
    hdr.ipv4.nope = 1; //! P4E0204` })],
  ['recursive struct', `${V1}
struct s_t {
  s_t inner; //! P4E0207
}`],
  // Types and expressions
  ['width mismatch', v1program({ ingress: `
    meta.a = meta.b; //! P4E0301` })],
  ['mixed widths in arithmetic', v1program({ ingress: `
    meta.a = meta.a + meta.b; //! P4E0301` })],
  ['bool to bit', v1program({ ingress: `
    meta.c = true; //! P4E0301` })],
  ['bit to bool', v1program({ ingress: `
    if (meta.c) { //! P4E0301
      meta.c = 0;
    }` })],
  ['signed and width cast at once', v1program({ ingress: `
    int<8> s = (int<8>)meta.b; //! P4E0302` })],
  ['bool cast from wide bits', v1program({ ingress: `
    bool b = (bool)meta.c; //! P4E0302` })],
  ['zero width int', `${V1}
const int<0> X = 0; //! P4E0303`],
  ['assignment to a stack size', v1program({ headers: 'ethernet_t[2] st;', ingress: `
    hdr.st.size = 3; //! P4E0304` })],
  ['assignment to an in parameter', `${V1}
control C(in bit<8> x) {
  apply { x = 1; } //! P4E0318
}`],
  ['assignment to a constant', `${V1}
const bit<8> K = 1;
control C() {
  apply { K = 2; } //! P4E0318
}`],
  ['wrong argument count', `${V1}
bit<8> f(in bit<8> a, in bit<8> b) { return a + b; }
control C(inout bit<8> x) {
  apply { x = f(x); } //! P4E0305
}`],
  ['out argument not an l-value', `${V1}
void f(out bit<8> a) { a = 1; }
control C() {
  apply { f(8w1); } //! P4E0306
}`],
  ['non-constant const initializer', `${V1}
control C(in bit<8> y) {
  const bit<8> K = y; //! P4E0307
  apply { }
}`],
  ['division by zero', `${V1}
const bit<8> K = 8 / 0; //! P4E0308`],
  ['slice out of range', v1program({ ingress: `
    meta.c = hdr.ipv4.ttl[8:1]; //! P4E0309` })],
  ['logical operator on bits', v1program({ ingress: `
    meta.flag = meta.c && true; //! P4E0310` })],
  ['bitwise not of an int', `${V1}
const bit<8> K = ~1; //! P4E0310`],
  ['shift by a signed amount', v1program({ ingress: `
    int<8> s = -1;
    meta.a = meta.a << s; //! P4E0310` })],
  ['shift of a literal by a run-time amount', v1program({ ingress: `
    meta.a = 1 << meta.c; //! P4E0310` })],
  ['concatenation of an int literal', v1program({ ingress: `
    meta.b = meta.c ++ 1; //! P4E0310` })],
  ['lookahead without type argument', v1program({ parser: `
    state start {
      pkt.lookahead(); //! P4E0311
      transition accept;
    }` })],
  ['too many type arguments', v1program({ ingressLocals: `
    register<bit<8>, bit<32>>(8) r; //! P4E0312` })],
  ['calling a variable', v1program({ ingress: `
    bit<8> y = 1;
    meta.c = y(1); //! P4E0313` })],
  ['stack index out of range', v1program({ headers: 'ethernet_t[2] st;', ingress: `
    hdr.st[2].dst = 1; //! P4E0314` })],
  ['header field of type int', `${V1}
header h_t {
  int x; //! P4E0316
}`],
  ['union of a non-header', `${V1}
header_union u_t {
  bit<8> x; //! P4E0316
}`],
  ['mixed named and positional arguments', `${V1}
bit<8> f(in bit<8> a, in bit<8> b) { return a; }
control C(inout bit<8> x) {
  apply { x = f(a = x, x); } //! P4E0317
}`],
  ['unknown argument name', `${V1}
bit<8> f(in bit<8> a) { return a; }
control C(inout bit<8> x) {
  apply { x = f(b = x); } //! P4E0317
}`],
  // Statements
  ['return with value in action', v1program({ ingressLocals: `
    action a() {
      return 1; //! P4E0401
    }` })],
  ['missing return value', `${V1}
bit<8> f(in bit<8> a) {
  return; //! P4E0401
}`],
  ['exit in a parser', v1program({ parser: `
    state start {
      exit; //! P4E0402
    }` })],
  ['switch on a bool', v1program({ ingress: `
    switch (meta.flag) { //! P4E0403
      default: { }
    }` })],
  ['switch label not an action of the table', v1program({ ingressLocals: `
    action a() {}
    action b() {}
    table t { key = { meta.a: exact; } actions = { a; } }`, ingress: `
    switch (t.apply().action_run) {
      b: { } //! P4E0403
    }` })],
  ['duplicate switch label', v1program({ ingress: `
    switch (meta.c) {
      1: { }
      1: { } //! P4E0404
    }` })],
  ['table applied in an action', v1program({ ingressLocals: `
    table t { key = { meta.a: exact; } actions = { NoAction; } }
    action a() {
      t.apply(); //! P4E0405
    }` })],
  ['instantiation in an action', v1program({ ingressLocals: `
    action a() {
      counter(32w4, CounterType.packets) c; //! P4E0405
    }` })],
  ['switch in a parser', v1program({ parser: `
    state start {
      switch (meta.c) { //! P4E0405
        default: { }
      }
      transition accept;
    }` })],
  ['break outside a loop', v1program({ ingress: `
    break; //! P4E0406` })],
  ['missing return', `${V1}
bit<8> f(in bit<8> a) { //! P4E0407
  if (a == 0) { return 1; }
}`],
  // Declarations and instantiation
  ['instantiating a control type', `${V1}
control Ct(inout bit<8> x);
Ct() c; //! P4E0501`],
  ['non-constant constructor argument', v1program({ ingressLocals: `
    bit<32> n = 4;
    counter(n, CounterType.packets) c; //! P4E0502` })],
  ['missing abstract method', `${V1}
extern Ext {
  Ext();
  abstract bit<8> f(in bit<8> x);
}
control C() {
  Ext() e; //! P4E0503
  apply { }
}`],
  ['enum value does not fit', `${V1}
enum bit<4> E {
  A = 16 //! P4E0506
}`],
  // Tables and actions
  ['size not an integer', v1program({ ingressLocals: `
    table t {
      actions = { NoAction; }
      size = true; //! P4E0601
    }` })],
  ['missing actions', v1program({ ingressLocals: `
    table t { //! P4E0602
      key = { meta.a: exact; }
    }` })],
  ['unknown match kind', v1program({ ingressLocals: `
    table t {
      key = { meta.a: fuzzy; } //! P4E0603
      actions = { NoAction; }
    }` })],
  ['listed name is not an action', v1program({ ingressLocals: `
    bit<8> v = 0;
    table t {
      actions = { v; } //! P4E0604
    }` })],
  ['entry with wrong key count', v1program({ ingressLocals: `
    action a(bit<8> x) {}
    table t {
      key = { meta.a: exact; meta.b: exact; }
      actions = { a; }
      const entries = {
        (1, 2): a(1);
        3: a(2); //! P4E0605
      }
    }` })],
  ['default action not in the list', v1program({ ingressLocals: `
    action a() {}
    action b() {}
    table t {
      actions = { a; }
      default_action = b(); //! P4E0606
    }` })],
  ['default action without its data', v1program({ ingressLocals: `
    action a(bit<8> x) {}
    table t {
      actions = { a; }
      default_action = a(); //! P4E0606
    }` })],
  ['directional parameter after action data', v1program({ ingressLocals: `
    action a(bit<8> x,
             inout bit<8> y) {} //! P4E0607` })],
  ['duplicate table property', v1program({ ingressLocals: `
    table t {
      actions = { NoAction; }
      size = 16;
      size = 32; //! P4E0608
    }` })],
  // Parsers
  ['unknown state', v1program({ parser: `
    state start {
      transition nowhere; //! P4E0701
    }` })],
  ['missing start state', `${V1}
parser Q(packet_in b) { //! P4E0702
  state begin { transition accept; }
}`],
  ['wrong number of keyset elements', v1program({ parser: `
    state start {
      transition select(hdr.ethernet.etherType, meta.c) {
        (1, 2, 3): accept; //! P4E0704
        default: reject;
      }
    }` })],
  ['declaring accept', v1program({ parser: `
    state start { transition accept; }
    state accept { //! P4E0705
      transition reject;
    }` })],
];

for (const [name, src] of cases) {
  test(`rejects: ${name}`, () => {
    rejects(src);
  });
}

test('warnings: truncated literal and unreachable state', () => {
  rejects(v1program({
    parser: `state start { transition accept; }
    state orphan { //! P4W0003
      transition accept;
    }`,
    ingress: `
    meta.c = 300; //! P4W0002`,
  }));
});

test('errors after an error declaration do not cascade', () => {
  const { found } = run(v1program({ ingress: `
    undefined_t x;
    x.a = 1;
    x.b = x.a + 2;
    meta.c = x.c;` }));
  const errors = found.filter((f) => f.severity === 'error');
  assert.equal(errors.length, 1, errors.map((e) => e.text).join('\n'));
});
