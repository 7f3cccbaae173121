// A select expression needs a fixed-width type: an int literal has none.
#include <core.p4>

parser P() {
    state start {
        transition select(1) { //! P4E0704
            1: accept;
            default: reject;
        }
    }
}
