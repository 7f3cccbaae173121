// Action data (directionless) parameters must come after all parameters with a direction.
#include <core.p4>

control C(inout bit<8> x) {
    action set(bit<8> value, inout bit<8> target) { //! P4E0607
        target = value;
    }
    apply {
        set(1, x);
    }
}
