// Arithmetic on a type introduced with `type`: it must be cast back to its base type first.
#include <core.p4>

type bit<32> flow_id_t;

control C(in flow_id_t a, in flow_id_t b, out flow_id_t r) {
    apply {
        r = a + b; //! P4E0310
    }
}
