// Only instances of externs with abstract methods can have an initializer block.
#include <core.p4>

extern Plain {
    Plain();
    bit<8> get();
}

control C() {
    Plain() p = { //! P4E0503
        bit<8> get() { return 1; }
    };
    apply { }
}
