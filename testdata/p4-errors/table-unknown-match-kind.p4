// A key whose match kind is not declared by any match_kind declaration.
#include <core.p4>

control C(inout bit<8> x) {
    action set() { x = 1; }
    table t {
        key = { x : fuzzy; } //! P4E0603
        actions = { set; }
    }
    apply {
        t.apply();
    }
}
