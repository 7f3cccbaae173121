// break with no enclosing loop.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        if (x == 0) {
            break; //! P4E0406
        }
    }
}
