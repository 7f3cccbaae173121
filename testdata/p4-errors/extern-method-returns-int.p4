// An extern method call is not compile-time known, so it cannot return int.
#include <core.p4>

extern Source {
    Source();
    int next(); //! P4E0504
}
