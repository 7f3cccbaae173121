// A generic header or struct type needs its type arguments where it is used.
#include <core.p4>

header Tagged<T> {
    T tag;
}

typedef Tagged Plain; //! P4E0312
