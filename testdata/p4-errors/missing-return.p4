// A function whose result type is not void but which can reach its end without returning.
#include <core.p4>

bit<8> pick(in bool c, in bit<8> a) { //! P4E0407
    if (c) {
        return a;
    }
}
