// Action parameters cannot have the arbitrary-precision type int.
#include <core.p4>

control C(inout bit<8> x) {
    action set(int amount) { //! P4E0504
        x = 1;
    }
    apply { }
}
