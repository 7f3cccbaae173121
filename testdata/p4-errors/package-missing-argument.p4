// V1Switch takes six blocks; the deparser is missing.
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}
struct headers_t { ethernet_t ethernet; }
struct metadata_t { }

parser P(packet_in pkt, out headers_t hdr, inout metadata_t meta,
         inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}
control VC(inout headers_t hdr, inout metadata_t meta) { apply { } }
control IG(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std_meta) { apply { } }
control EG(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std_meta) { apply { } }
control CC(inout headers_t hdr, inout metadata_t meta) { apply { } }

V1Switch(P(), VC(), IG(), EG(), CC()) main; //! P4E0305
