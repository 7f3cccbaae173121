// A struct field whose type name was never declared.
#include <core.p4>

struct s_t {
    bit<8>     a;
    missing_t  b; //! P4E0201
}
