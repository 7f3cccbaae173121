// Constructor arguments are evaluated at compile time; a control parameter is a run-time value.
#include <core.p4>

extern Counter {
    Counter(bit<32> size);
    void count(in bit<32> index);
}

control C(in bit<32> n) {
    Counter(n) hits; //! P4E0502
    apply {
        hits.count(0);
    }
}
