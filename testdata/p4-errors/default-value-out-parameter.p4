// Default values are only allowed for `in` and directionless parameters.
#include <core.p4>

extern void fill(out bit<8> v = 8w1); //! P4E0504
