// If present, default_action must come after the actions property.
#include <core.p4>

control C(inout bit<8> x) {
    action nop() { }
    table t { //! P4E0606
        default_action = nop;
        actions = { nop; }
    }
    apply { t.apply(); }
}
