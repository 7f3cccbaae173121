// The size property must be an integer.
#include <core.p4>

control C(inout bit<8> x) {
    action a() { x = 1; }
    table t {
        key = { x : exact; }
        actions = { a; }
        size = true; //! P4E0601
    }
    apply {
        t.apply();
    }
}
