// bool converts only to and from bit<1>, not to wider bit strings.
#include <core.p4>

control C(in bool flag, out bit<8> r) {
    apply {
        r = (bit<8>)flag; //! P4E0302
    }
}
