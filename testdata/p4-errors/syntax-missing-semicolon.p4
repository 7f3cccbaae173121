// A statement without its semicolon: the error is at the next token, on the following line.
#include <core.p4>

control C(inout bit<8> x) {
    apply {
        x = 1
        x = x + 1; //! P4E0106
    }
}
