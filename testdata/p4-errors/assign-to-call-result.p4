// The result of a method call is a value, not a storage location.
#include <core.p4>

header h_t { bit<8> f; }

control C(inout h_t h) {
    apply {
        h.isValid() = true; //! P4E0304
    }
}
