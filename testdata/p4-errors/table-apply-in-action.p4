// Tables can be applied from a control's apply block only, not from inside an action.
#include <core.p4>

control C(inout bit<8> x) {
    action nothing() { }
    table t {
        key = { x : exact; }
        actions = { nothing; }
        default_action = nothing();
    }
    action run_table() {
        t.apply(); //! P4E0405
    }
    apply {
        run_table();
    }
}
