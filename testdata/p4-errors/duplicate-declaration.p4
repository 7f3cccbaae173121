// Two top-level constants with the same name; the second one is the error.
#include <core.p4>

const bit<8> LIMIT = 10;
const bit<8> OTHER = 20;
const bit<16> LIMIT = 30; //! P4E0107
