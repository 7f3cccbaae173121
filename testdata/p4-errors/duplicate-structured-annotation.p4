// The same structured annotation twice on one element.
#include <core.p4>

control C(inout bit<8> x) {
    @Labels[short = "a"]
    @Labels[short = "b"] //! P4E0507
    action set() {
        x = 1;
    }
    apply { set(); }
}
