// Calling a method that the extern object does not declare.
#include <core.p4>

extern Counter {
    Counter(bit<32> size);
    void count(in bit<32> index);
}

control C() {
    Counter(32w16) hits;
    apply {
        hits.increment(32w0); //! P4E0204
    }
}
