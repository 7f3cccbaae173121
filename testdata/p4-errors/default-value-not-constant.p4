// The default value of a parameter must be compile-time known: a function call is not.
#include <core.p4>

bit<8> twice(in bit<8> a) { return a + a; }

bit<8> add(in bit<8> b, in bit<8> a = twice(8w1)) { //! P4E0307
    return a + b;
}
