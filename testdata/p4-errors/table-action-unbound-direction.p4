// An action whose `in` parameter is not bound in the actions list.
#include <core.p4>

control C(inout bit<8> x) {
    action add(in bit<8> amount) { x = x + amount; }
    table t {
        key = { x : exact; }
        actions = { add; } //! P4E0604
    }
    apply {
        t.apply();
    }
}
