// A parser cannot be instantiated inside a control.
#include <core.p4>

parser Sub(packet_in b, out bit<8> v) {
    state start {
        v = 0;
        transition accept;
    }
}

control C(inout bit<8> x) {
    Sub() sub_parser; //! P4E0501
    apply { }
}
