// A table property given twice.
#include <core.p4>

control C(inout bit<8> x) {
    action a() { x = 1; }
    table t {
        key = { x : exact; }
        actions = { a; }
        size = 16;
        size = 32; //! P4E0608
    }
    apply {
        t.apply();
    }
}
