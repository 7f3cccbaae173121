// A constant used above its declaration: P4 names must be declared before they are used.
#include <core.p4>

const bit<8> A = B + 1; //! P4E0201
const bit<8> B = 2;
