// Entries of a `const entries` table take their priority from program order; explicit
// priorities are not allowed there.
#include <core.p4>

control C(inout bit<8> x) {
    action set(bit<8> v) { x = v; }
    table t {
        key = { x : ternary; }
        actions = { set; }
        const entries = {
            priority=10: 1 &&& 0xFF : set(1); //! P4E0605
        }
    }
    apply {
        t.apply();
    }
}
