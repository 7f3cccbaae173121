// An #if whose expression is cut short.
#include <core.p4>

#define LEVEL 2
#if LEVEL + //! P4E0006
const bit<8> X = 1;
#endif
