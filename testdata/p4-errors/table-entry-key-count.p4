// A table entry with one key value for a table with two key fields.
#include <core.p4>

control C(inout bit<8> x, inout bit<8> y) {
    action set(bit<8> v) { x = v; }
    table t {
        key = {
            x : exact;
            y : exact;
        }
        actions = { set; }
        const entries = {
            (1, 2) : set(3);
            4 : set(5); //! P4E0605
        }
    }
    apply {
        t.apply();
    }
}
