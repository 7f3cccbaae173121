// A constant cannot be assigned to.
#include <core.p4>

const bit<8> LIMIT = 10;

control C(inout bit<8> x) {
    apply {
        LIMIT = x; //! P4E0318
    }
}
