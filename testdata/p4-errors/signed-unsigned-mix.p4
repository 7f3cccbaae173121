// Combining a signed and an unsigned value in one arithmetic operation.
#include <core.p4>

control C(in bit<8> a, in int<8> b, out bit<8> r) {
    apply {
        r = a + b; //! P4E0301
    }
}
