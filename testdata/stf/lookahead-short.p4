// Regression fixture (docs/conformance.md): a lookahead whose result is not used still fails
// with PacketTooShort when the packet is shorter than the looked-at type; ingress drops on error.
#include <core.p4>
#include <v1model.p4>

struct B4 { bit<32> bits; }
struct H {}
struct M {}

parser P(packet_in b, out H h, inout M m, inout standard_metadata_t sm) {
    state start { b.lookahead<B4>(); transition accept; }
}
control VC(inout H h, inout M m) { apply {} }
control CC(inout H h, inout M m) { apply {} }
control I(inout H h, inout M m, inout standard_metadata_t sm) {
    apply {
        if (sm.parser_error == error.PacketTooShort) { mark_to_drop(sm); }
    }
}
control E(inout H h, inout M m, inout standard_metadata_t sm) { apply {} }
control D(packet_out b, in H h) { apply {} }

V1Switch(P(), VC(), I(), E(), CC(), D()) main;
