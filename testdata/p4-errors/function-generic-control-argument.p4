// A control instance cannot be a run-time argument, not even through a type parameter.
#include <core.p4>

control Inner() { apply { } }

void use<T>(in T v) { }

control C() {
    Inner() i;
    apply {
        use(i); //! P4E0301
    }
}
