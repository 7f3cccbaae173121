// Adding values of different widths: no implicit cast equalises them.
#include <core.p4>

control C(in bit<8> a, in bit<16> b, out bit<16> r) {
    apply {
        r = a + b; //! P4E0301
    }
}
