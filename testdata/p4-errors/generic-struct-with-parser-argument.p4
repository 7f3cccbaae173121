// Specializing a generic struct must give fields of allowed types: a parser is not one.
#include <core.p4>

parser Q();

struct Pair<T> {
    T first;
}

control C(out Pair<Q> p) { //! P4E0316
    apply { }
}
