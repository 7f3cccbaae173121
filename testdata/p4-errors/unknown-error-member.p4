// An error name that no error declaration introduces.
#include <core.p4>

parser P(packet_in pkt) {
    state start {
        verify(false, error.NoSuchError); //! P4E0204
        transition accept;
    }
}
