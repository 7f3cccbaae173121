// A hexadecimal prefix with no digits after it.
#include <core.p4>

const bit<8> X = 0x; //! P4E0104
