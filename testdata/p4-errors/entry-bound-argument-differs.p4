// An entry cannot change an argument bound in the actions list.
#include <core.p4>

control C(inout bit<8> x) {
    action setv(in bit<8> v) { x = v; }
    table t {
        key = { x: exact; }
        actions = { setv(8w1); }
        const entries = {
            8w5 : setv(8w2); //! P4E0604
        }
    }
    apply { t.apply(); }
}
