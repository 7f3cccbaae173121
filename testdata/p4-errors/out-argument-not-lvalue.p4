// An expression passed where an out parameter needs a storage location.
#include <core.p4>

extern void fill(out bit<8> result);

control C(inout bit<8> x) {
    apply {
        fill(x + 1); //! P4E0306
    }
}
