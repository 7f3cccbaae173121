// A width that is a run-time value, not a compile-time constant.
#include <core.p4>

control C(in bit<8> n) {
    apply {
        bit<(n)> v; //! P4E0307
    }
}
