// A variable that was never declared.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        x = y + 1; //! P4E0201
    }
}
