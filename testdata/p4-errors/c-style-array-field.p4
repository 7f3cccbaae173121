// A C-style array declarator is not P4: the size follows the element type (bit<8>[4] bytes).
#include <core.p4>

header data_t {
    bit<8> bytes[4]; //! P4E0106
}
