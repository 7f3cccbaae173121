// A slice base [L+:W] that is not compile-time known must be a bit<W> value, so it cannot be negative.
#include <core.p4>

control C(inout bit<8> x, in int<8> s) {
    apply {
        x[3:0] = x[s+:4]; //! P4E0301
    }
}
