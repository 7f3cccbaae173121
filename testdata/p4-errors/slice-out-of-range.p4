// A slice whose high bit lies beyond the width of the value.
#include <core.p4>

control C(in bit<8> x, out bit<4> r) {
    apply {
        r = x[8:5]; //! P4E0309
    }
}
