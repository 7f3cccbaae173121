// A header field that the header type does not have.
#include <core.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

control C(inout ethernet_t eth) {
    apply {
        eth.dst_mac = 0; //! P4E0204
    }
}
