// A generic extern function whose type parameter appears only in its result, called as a
// statement: nothing tells the compiler what T is.
#include <core.p4>

extern T fresh<T>();

control C() {
    apply {
        fresh(); //! P4E0311
    }
}
