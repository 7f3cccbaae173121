// A switch expression must be a bit<W>, int<W>, enum or error value (or action_run), not a bool.
#include <core.p4>

control C(inout bit<8> x, in bool flag) {
    apply {
        switch (flag) { //! P4E0403
            true: { x = 1; }
            false: { x = 0; }
        }
    }
}
