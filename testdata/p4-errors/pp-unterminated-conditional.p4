// An #ifdef without its #endif: reported at the directive that opened it.
#include <core.p4>

#ifdef DEBUG_BUILD //! P4E0004
const bit<8> DEBUG_LEVEL = 3;

const bit<8> X = 1;
