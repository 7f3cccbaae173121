// Calling a variable as if it were a function.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        bit<8> y = 3;
        x = y(1); //! P4E0313
    }
}
