// A bit<8> value assigned to a serializable enum: only the enum-to-bit direction is implicit.
#include <core.p4>

enum bit<8> Kind { A = 1, B = 2 }

control C(in bit<8> raw, out Kind k) {
    apply {
        k = raw; //! P4E0301
    }
}
