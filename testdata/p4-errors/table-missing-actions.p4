// A table without an actions property.
#include <core.p4>

control C(inout bit<8> x) {
    table t { //! P4E0602
        key = { x : exact; }
        size = 16;
    }
    apply {
        t.apply();
    }
}
