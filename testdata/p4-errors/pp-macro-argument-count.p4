// A function-like macro called with fewer arguments than it declares.
#include <core.p4>

#define ADD(a, b) ((a) + (b))

const bit<8> X = ADD(1); //! P4E0005
