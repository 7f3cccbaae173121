// An action has no return value, so `return` may not carry one.
#include <core.p4>

control C(inout bit<8> x) {
    action set() {
        x = 1;
        return x; //! P4E0401
    }
    apply {
        set();
    }
}
