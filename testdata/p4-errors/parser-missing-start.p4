// Every parser needs a state named start.
#include <core.p4>

parser P(packet_in pkt, out bit<8> v) { //! P4E0702
    state begin {
        v = 1;
        transition accept;
    }
}
