// An extern object type that declares no constructor cannot be instantiated.
#include <core.p4>

extern Port {
    void send();
}

control C() {
    Port() p; //! P4E0501
    apply { }
}
