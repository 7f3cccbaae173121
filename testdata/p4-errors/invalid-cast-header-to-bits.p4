// A header cannot be cast to a bit string.
#include <core.p4>

header h_t {
    bit<8> a;
    bit<8> b;
}

control C(in h_t h, out bit<16> r) {
    apply {
        r = (bit<16>)h; //! P4E0302
    }
}
