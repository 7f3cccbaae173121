// Variables cannot have the arbitrary-precision type int, even with an initializer.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        int n = 3; //! P4E0504
        x = (bit<8>)n;
    }
}
