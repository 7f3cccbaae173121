// Actions cannot be overloaded, not even with a different number of parameters.
#include <core.p4>

control C(inout bit<8> x) {
    action set(in bit<8> v) { x = v; }
    action set(in bit<8> v, in bit<8> w) { x = v + w; } //! P4E0107
    apply { set(8w1); }
}
