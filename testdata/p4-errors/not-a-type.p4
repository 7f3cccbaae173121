// A constant's name used where a type is needed.
#include <core.p4>

const bit<8> WIDTH = 8;

struct s_t {
    WIDTH field; //! P4E0202
}
