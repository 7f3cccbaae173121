// A header with two fields of the same name.
#include <core.p4>

header h_t {
    bit<8>  kind;
    bit<16> length;
    bit<8>  kind; //! P4E0107
}
