// Regression fixture (docs/conformance.md): an extern instance declared at the top level is one
// object shared by every block that uses it. Ingress writes 0x2a into r[idx]; egress reads the
// same cell, adds `add` and writes the sum into the packet.
#include <core.p4>
#include <v1model.p4>

header h_t { bit<8> idx; bit<8> add; bit<8> res; }
struct H { h_t h; }
struct M {}

register<bit<8>>(16) r;

parser P(packet_in b, out H h, inout M m, inout standard_metadata_t sm) {
    state start { b.extract(h.h); transition accept; }
}
control VC(inout H h, inout M m) { apply {} }
control CC(inout H h, inout M m) { apply {} }
control I(inout H h, inout M m, inout standard_metadata_t sm) {
    apply { r.write((bit<32>) h.h.idx, 0x2a); }
}
control E(inout H h, inout M m, inout standard_metadata_t sm) {
    apply {
        bit<8> v;
        r.read(v, (bit<32>) h.h.idx);
        h.h.res = v + h.h.add;
    }
}
control D(packet_out b, in H h) { apply { b.emit(h.h); } }

V1Switch(P(), VC(), I(), E(), CC(), D()) main;
