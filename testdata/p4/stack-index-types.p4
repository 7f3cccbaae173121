// Header-stack indexes may have any numeric type (spec: operations on header stacks): unsigned,
// signed (int<W>), an int constant, or a `type` / typedef based on them. A negative constant would
// be out of range; a run-time signed index is allowed.
#include <core.p4>
#include <v1model.p4>

header h_t { bit<8> v; }
typedef int<8> SIdx_t;
type bit<3> Idx_t;

struct headers_t { h_t[4] hs; }
struct meta_t { int<8> sidx; bit<3> uidx; }

parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.hs.next); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t meta) { apply { } }
control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        SIdx_t s = meta.sidx;
        Idx_t u = (Idx_t)meta.uidx;
        hdr.hs[s].v = 1;
        hdr.hs[meta.sidx].v = hdr.hs[2].v;
        hdr.hs[(bit<3>)u].v = 3;
        hdr.hs[8s1].v = 4;
    }
}
control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t meta) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr); } }
V1Switch(P(), VC(), I(), E(), CC(), D()) main;
