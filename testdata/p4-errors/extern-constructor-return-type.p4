// A method named after its extern is a constructor and cannot have a return type.
#include <core.p4>

extern Meter8 {
    bit<8> Meter8(); //! P4E0504
    void read(out bit<8> v);
}
