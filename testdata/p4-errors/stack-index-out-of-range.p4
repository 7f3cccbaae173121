// A constant header stack index past the end of the stack.
#include <core.p4>

header tag_t { bit<16> value; }

control C(inout tag_t[3] tags) {
    apply {
        tags[3].value = 1; //! P4E0314
    }
}
