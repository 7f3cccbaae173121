// Regression program for generated-code bugs the reference interpreter found (all fixed):
// lookahead outside a select read past the packet end without PacketTooShort; field lists kept
// fields of invalid headers after constant folding; varbit fields in field lists were serialised
// at their maximum width.
#include <core.p4>
#include <v1model.p4>

header a_t { bit<8> k; bit<8> n; }
header b_t { bit<16> v; }
header v_t { varbit<64> data; }
header res_t { bit<8> peek; bit<16> h1; bit<16> h2; }

struct headers_t { a_t a; b_t b; v_t v; res_t res; }
struct metadata_t { bit<8> peek; }

parser P(packet_in pkt, out headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    state start {
        meta.peek = pkt.lookahead<bit<8>>();
        pkt.extract(hdr.a);
        transition select(hdr.a.k) {
            1: parse_b;
            2: parse_v;
            default: accept;
        }
    }
    state parse_b { pkt.extract(hdr.b); transition accept; }
    state parse_v { pkt.extract(hdr.v, (bit<32>)(hdr.a.n & 7) * 8); transition accept; }
}

control VC(inout headers_t hdr, inout metadata_t meta) { apply { } }
control Ing(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        hdr.res.setValid();
        hdr.res.peek = meta.peek;
        hash(hdr.res.h1, HashAlgorithm.crc16, 16w0, { hdr.a.k, hdr.b.v }, 32w65536);
        hash(hdr.res.h2, HashAlgorithm.crc16, 16w0, { hdr.a.k, hdr.v.data }, 32w65536);
    }
}
control Eg(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout metadata_t meta) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.a); pkt.emit(hdr.b); pkt.emit(hdr.v); pkt.emit(hdr.res); } }

V1Switch(P(), VC(), Ing(), Eg(), CC(), D()) main;
