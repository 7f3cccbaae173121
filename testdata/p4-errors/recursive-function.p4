// P4 functions cannot call themselves.
#include <core.p4>

bit<8> countdown(in bit<8> n) {
    if (n == 0) {
        return 0;
    }
    return countdown(n - 1); //! P4E0508
}
