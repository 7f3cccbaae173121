// Arithmetic on a bool: bool is not a number in P4.
#include <core.p4>

control C(in bool flag, out bit<8> r) {
    apply {
        r = flag + 1; //! P4E0310
    }
}
