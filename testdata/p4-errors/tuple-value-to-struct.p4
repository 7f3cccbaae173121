// Only a list expression converts to a struct; a value of tuple type does not.
#include <core.p4>

struct S { bit<8> a; bit<8> b; }

control C(out S s) {
    apply {
        tuple<bit<8>, bit<8>> t = { 8w1, 8w2 };
        s = t; //! P4E0301
    }
}
