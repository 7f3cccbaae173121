// A default action must supply the action data (directionless) arguments.
#include <core.p4>

control C(inout bit<8> x) {
    action set(bit<8> value) { x = value; }
    table t {
        key = { x : exact; }
        actions = { set; }
        default_action = set(); //! P4E0606
    }
    apply {
        t.apply();
    }
}
