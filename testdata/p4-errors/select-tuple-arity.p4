// A select label with three values for a select on two expressions.
#include <core.p4>

header h_t {
    bit<8> a;
    bit<8> b;
}

parser P(packet_in pkt, out h_t h) {
    state start {
        pkt.extract(h);
        transition select(h.a, h.b) {
            (1, 2): accept;
            (1, 2, 3): reject; //! P4E0704
            default: accept;
        }
    }
}
