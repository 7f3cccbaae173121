// A parser value set whose element struct nests another struct: its fields, flattened in order,
// are matched against the selected expressions.
#include <core.p4>
#include <v1model.p4>

header data_h { bit<32> da; bit<32> db; }
struct headers_t { data_h data; }
struct meta_t { }

struct inner_t { bit<32> second; }
struct pair_t { bit<32> first; inner_t inner; }

parser P(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    value_set<pair_t>(4) pvs;
    state start {
        pkt.extract(hdr.data);
        transition select(hdr.data.da, hdr.data.db) {
            pvs: accept;
            (32w1, 32w2): accept;
            default: reject;
        }
    }
}
control VC(inout headers_t hdr, inout meta_t meta) { apply { } }
control I(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control E(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t meta) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr); } }
V1Switch(P(), VC(), I(), E(), CC(), D()) main;
