// A control cannot take a parser as a constructor parameter (a parser cannot be instantiated in a control).
#include <core.p4>

parser Sub(packet_in pkt);

control C(packet_in pkt)(Sub s) { //! P4E0504
    apply { }
}
