// An int literal cannot give its type to a type parameter of an `in` parameter: it has no width.
#include <core.p4>

extern void show<T>(in T v);

control C() {
    apply {
        show(2); //! P4E0311
    }
}
