// An extern with an abstract method instantiated without implementing it.
#include <core.p4>

extern Balancer {
    Balancer();
    abstract bit<4> on_new_flow(in bit<32> address);
}

control C() {
    Balancer() lb; //! P4E0503
    apply { }
}
