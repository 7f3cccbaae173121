// A character that starts no P4 token.
#include <core.p4>

const bit<8> PRICE = 8w5 $; //! P4E0101
