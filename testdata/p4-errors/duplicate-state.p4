// A parser with two states of the same name.
#include <core.p4>

parser P(packet_in pkt) {
    state start {
        transition next;
    }
    state next {
        transition accept;
    }
    state next { //! P4E0107
        transition accept;
    }
}
