// Regression fixture (docs/conformance.md): priorities of `entries`. Legacy `@priority(N)` entry
// annotations follow p4c's BMv2 back end (N, else the 1-based position; the smallest wins);
// `priority =` follows the spec (unspecified entries step by priority_delta from the one before);
// largest_priority_wins = false makes the first of equal-looking entries win.
#include <core.p4>
#include <v1model.p4>

header h_t { bit<8> tag; bit<16> t; }
struct H { h_t h; }
struct M {}

parser P(packet_in b, out H h, inout M m, inout standard_metadata_t sm) {
    state start { b.extract(h.h); transition accept; }
}
control VC(inout H h, inout M m) { apply {} }
control CC(inout H h, inout M m) { apply {} }
control E(inout H h, inout M m, inout standard_metadata_t sm) { apply {} }
control D(packet_out b, in H h) { apply { b.emit(h.h); } }

control I(inout H h, inout M m, inout standard_metadata_t sm) {
    action fwd(bit<9> p) { sm.egress_spec = p; }
    table legacy {
        key = { h.h.t : ternary; }
        actions = { fwd; }
        default_action = fwd(0);
        const entries = {
            0x1111 &&& 0xF    : fwd(1) @priority(3);
            0x1181            : fwd(2);
            0x1181 &&& 0xF00F : fwd(3) @priority(1);
        }
    }
    table spec {
        key = { h.h.t : ternary; }
        actions = { fwd; }
        default_action = fwd(0);
        entries = {
            priority = 5: 0x0002 &&& 0x000F : fwd(4);
            0x0011 &&& 0x00FF : fwd(5);
            priority = 3: 0x0111 &&& 0x0FFF : fwd(6);
        }
    }
    table smallest {
        key = { h.h.t : ternary; }
        actions = { fwd; }
        default_action = fwd(0);
        largest_priority_wins = false;
        const entries = {
            0x0001 &&& 0x000F : fwd(7);
            0x0011 &&& 0x00FF : fwd(8);
        }
    }
    apply {
        if (h.h.tag == 1) { legacy.apply(); }
        else if (h.h.tag == 2) { spec.apply(); }
        else { smallest.apply(); }
    }
}

V1Switch(P(), VC(), I(), E(), CC(), D()) main;
