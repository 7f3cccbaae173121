// A constant initialised from a run-time value.
#include <core.p4>

control C(in bit<8> x) {
    const bit<8> K = x; //! P4E0307
    apply { }
}
