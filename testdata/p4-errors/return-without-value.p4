// A function with a result type must return a value.
#include <core.p4>

bit<8> twice(in bit<8> v) {
    if (v == 0) {
        return; //! P4E0401
    }
    return v + v;
}
