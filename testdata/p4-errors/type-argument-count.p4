// A generic struct specialised with too few type arguments.
#include <core.p4>

struct pair_t<A, B> {
    A first;
    B second;
}

struct holder_t {
    pair_t<bit<8>> p; //! P4E0312
}
