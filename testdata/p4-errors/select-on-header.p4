// A select on a whole header: select needs bit<W>, int<W>, bool, enum values or tuples of them.
#include <core.p4>

header h_t { bit<8> a; }

parser P(packet_in pkt, out h_t h) {
    state start {
        pkt.extract(h);
        transition select(h) { //! P4E0704
            default: accept;
        }
    }
}
