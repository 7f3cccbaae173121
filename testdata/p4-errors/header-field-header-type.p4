// Headers cannot be nested: a header field of a header type.
#include <core.p4>

header inner_t { bit<8> a; }

header outer_t {
    bit<8>  kind;
    inner_t inner; //! P4E0316
}
