// A control cannot contain an instance of itself.
#include <core.p4>

control C() {
    C() inner; //! P4E0501
    apply { inner.apply(); }
}
