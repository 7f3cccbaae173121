// Assigning a bit<16> value to a bit<8> variable needs an explicit cast.
#include <core.p4>

control C(inout bit<8> small, in bit<16> big) {
    apply {
        small = big; //! P4E0301
    }
}
