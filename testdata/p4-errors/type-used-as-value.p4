// A type name used where a value is expected.
#include <core.p4>

typedef bit<8> byte_t;

control C(inout bit<8> x) {
    apply {
        x = byte_t; //! P4E0203
    }
}
