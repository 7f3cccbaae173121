// A transition whose target names a parser-local variable instead of a state.
#include <core.p4>

parser P(packet_in pkt, out bit<8> v) {
    bit<8> later = 0;
    state start {
        v = later;
        transition later; //! P4E0703
    }
}
