// Arguments for directional parameters of the default action must be the ones of the actions list.
#include <core.p4>

control C(inout bit<8> x) {
    bit<8> y = 0;
    action copy(inout bit<8> dst, bit<8> v) { dst = v; }
    table t {
        actions = { copy(x); }
        default_action = copy(y, 8w1); //! P4E0604
    }
    apply { t.apply(); }
}
