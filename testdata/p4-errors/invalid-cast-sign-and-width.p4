// One cast cannot change both the signedness and the width.
#include <core.p4>

control C(in bit<16> y, out int<8> r) {
    apply {
        r = (int<8>)y; //! P4E0302
    }
}
