// Bitwise operators are not defined on arbitrary-precision int values.
#include <core.p4>

const int A = 5;
const int B = A & 3; //! P4E0310
