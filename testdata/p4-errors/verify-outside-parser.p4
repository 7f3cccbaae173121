// verify() can only be called inside a parser.
#include <core.p4>

control C(in bit<8> x) {
    apply {
        verify(x == 0, error.NoMatch); //! P4E0405
    }
}
