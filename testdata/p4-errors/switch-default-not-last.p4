// The default label of a switch must come last.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        switch (x) {
            default: { x = 0; } //! P4E0403
            1: { x = 2; }
        }
    }
}
