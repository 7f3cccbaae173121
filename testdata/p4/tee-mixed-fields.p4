// TeeFunction records with mixed field widths: the input is a header of 4/12/48/8/7/1/64/16-bit
// fields (20 bytes, not all byte-aligned), the output a struct of the same widths. The test
// module `echo.invert` returns every record byte inverted, so each output field is the input
// field inverted; the program writes them back into the header.
#include <core.p4>
#include <v1model.p4>
#include <tee.p4>

header mixed_t {
    bit<4>  a;
    bit<12> b;
    bit<48> c;
    bit<8>  d;
    bit<7>  e;
    bit<1>  f;
    bit<64> g;
    bit<16> h;
}

struct mixed_rec_t {
    bit<4>  a;
    bit<12> b;
    bit<48> c;
    bit<8>  d;
    bit<7>  e;
    bit<1>  f;
    bit<64> g;
    bit<16> h;
}

struct headers_t { mixed_t m; }
struct metadata_t { }

parser P(packet_in pkt, out headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.m); transition accept; }
}

control VC(inout headers_t hdr, inout metadata_t meta) { apply { } }

control I(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    TeeFunction<mixed_t, mixed_rec_t>("echo", "invert") invert;
    apply {
        sm.egress_spec = 1;
        if (hdr.m.isValid()) {
            mixed_rec_t r;
            invert.call(hdr.m, r);
            hdr.m.a = r.a; hdr.m.b = r.b; hdr.m.c = r.c; hdr.m.d = r.d;
            hdr.m.e = r.e; hdr.m.f = r.f; hdr.m.g = r.g; hdr.m.h = r.h;
        }
    }
}

control E(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout metadata_t meta) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.m); } }

V1Switch(P(), VC(), I(), E(), CC(), D()) main;
