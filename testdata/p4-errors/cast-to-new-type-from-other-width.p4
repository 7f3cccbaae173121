// A type introduced by `type` can only be cast from its original type.
#include <core.p4>

type bit<4> Nibble_t;

Nibble_t make(in bit<8> v) {
    return (Nibble_t)v; //! P4E0302
}
