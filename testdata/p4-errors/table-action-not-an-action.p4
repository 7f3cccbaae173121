// A name in the actions list that is not an action (here a function).
#include <core.p4>

bit<8> helper(in bit<8> v) {
    return v + 1;
}

control C(inout bit<8> x) {
    action a() { x = 1; }
    table t {
        key = { x : exact; }
        actions = { a; helper; } //! P4E0604
    }
    apply {
        t.apply();
    }
}
