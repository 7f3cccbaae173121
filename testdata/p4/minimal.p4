// The smallest complete v1model program: empty headers and metadata structs, a parser that
// accepts at once, empty controls, and the V1Switch package instantiated as `main`.
#include <core.p4>
#include <v1model.p4>

struct headers_t { }
struct metadata_t { }

parser EmptyParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    state start {
        transition accept;
    }
}

control EmptyVerify(inout headers_t hdr, inout metadata_t meta) { apply { } }
control EmptyIngress(inout headers_t hdr, inout metadata_t meta,
                     inout standard_metadata_t std_meta) { apply { } }
control EmptyEgress(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t std_meta) { apply { } }
control EmptyCompute(inout headers_t hdr, inout metadata_t meta) { apply { } }
control EmptyDeparser(packet_out pkt, in headers_t hdr) { apply { } }

V1Switch(EmptyParser(), EmptyVerify(), EmptyIngress(), EmptyEgress(), EmptyCompute(),
         EmptyDeparser()) main;
