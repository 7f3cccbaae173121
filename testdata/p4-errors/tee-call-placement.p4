// TeeFunction calls where the batch transition cannot split the control: in an action (a table
// may run it), in a loop, in a parser state.
#include <core.p4>
#include <v1model.p4>
#include <tee.p4>

struct rec_t { bit<32> a; }
header h_t { bit<32> a; }
struct headers_t { h_t h; }
struct meta_t { rec_t r; }

parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    TeeFunction<rec_t, rec_t>("study-xor", "crypt") pf;
    state start {
        pkt.extract(hdr.h);
        pf.call({hdr.h.a}, meta.r);   //! P4E0408
        transition accept;
    }
}
control C(inout headers_t hdr, inout meta_t meta) { apply { } }
control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    TeeFunction<rec_t, rec_t>("study-xor", "crypt") f;
    action crypt() {
        f.call({hdr.h.a}, meta.r);   //! P4E0408
    }
    table t { actions = { crypt; } default_action = crypt; }
    apply {
        t.apply();
        for (bit<8> i = 0; i < 2; i = i + 1) {
            f.call({hdr.h.a}, meta.r);   //! P4E0408
        }
    }
}
control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), C(), I(), E(), C(), D()) main;
