// Both branches of '?:' may have type int only when the condition is compile-time known.
#include <core.p4>

control C(inout bit<8> x, in bool flag) {
    apply {
        x = flag ? 1 : 2; //! P4E0307
    }
}
