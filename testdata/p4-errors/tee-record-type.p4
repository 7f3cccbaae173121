// TeeFunction records must be structs or headers of bit<N> fields: a bool field, a signed field
// and a plain bit<32> are refused.
#include <core.p4>
#include <v1model.p4>
#include <tee.p4>

struct good_t { bit<32> a; }
struct with_bool_t { bit<32> a; bool b; }
struct with_int_t { int<16> a; }

header h_t { bit<32> a; }
struct headers_t { h_t h; }
struct meta_t { }

parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control C(inout headers_t hdr, inout meta_t meta) { apply { } }
control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    TeeFunction<with_bool_t, good_t>("study-xor", "crypt") f1;   //! P4E0509
    TeeFunction<good_t, with_int_t>("study-xor", "crypt") f2;    //! P4E0509
    TeeFunction<bit<32>, good_t>("study-xor", "crypt") f3;       //! P4E0509
    apply { }
}
control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), C(), I(), E(), C(), D()) main;
