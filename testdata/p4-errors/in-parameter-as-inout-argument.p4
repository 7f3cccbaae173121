// An `in` parameter passed on as an inout argument, which would write to it.
#include <core.p4>

extern void bump(inout bit<8> v);

control C(in bit<8> x) {
    apply {
        bump(x); //! P4E0306
    }
}
