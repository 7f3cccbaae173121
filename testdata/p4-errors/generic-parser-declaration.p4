// Parser declarations (unlike parser type declarations) cannot have type parameters.
#include <core.p4>

parser P<H>(packet_in b, out H h) { //! P4E0504
    state start {
        transition accept;
    }
}
