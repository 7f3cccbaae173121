// A transition to a state that does not exist.
#include <core.p4>

header h_t { bit<8> kind; }

parser P(packet_in pkt, out h_t h) {
    state start {
        pkt.extract(h);
        transition parse_next; //! P4E0701
    }
}
