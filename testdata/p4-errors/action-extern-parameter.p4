// Action parameters cannot have extern types.
#include <core.p4>

extern Bump {
    Bump();
    void go();
}

control C() {
    action a(Bump b) { b.go(); } //! P4E0504
    apply { }
}
