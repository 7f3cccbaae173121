// An `in` parameter is read-only.
#include <core.p4>

control C(inout bit<8> x) {
    action set(in bit<8> v) {
        v = 3; //! P4E0318
        x = v;
    }
    apply {
        set(x);
    }
}
