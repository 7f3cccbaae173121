// An abstract method implemented with a parameter direction that differs from its declaration.
#include <core.p4>

extern Balancer {
    Balancer();
    abstract bit<4> on_new_flow(in bit<32> address);
}

control C() {
    Balancer() lb = {
        bit<4> on_new_flow(inout bit<32> address) { //! P4E0306
            return address[3:0];
        }
    };
    apply { }
}
