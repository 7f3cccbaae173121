// An if condition that is a bit<8>, not a bool (P4 has no implicit conversion to bool).
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        if (x) { //! P4E0301
            x = 0;
        }
    }
}
