// `next` of a header stack may only be used in a parser.
#include <core.p4>

header tag_t { bit<16> value; }

control C(inout tag_t[3] tags) {
    apply {
        tags.next.value = 1; //! P4E0405
    }
}
