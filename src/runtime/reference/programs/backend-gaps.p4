// Constructs the back end once refused (issue 3's known gaps), each with a use whose result shows in
// the output packet: slices at a run-time position ([L +: W], read and written, narrow and wide,
// partly and wholly past the top), a constant tuple indexed, for-in over a list expression,
// Checksum16.get, and parser value sets over one key and over two keys (a struct with a struct).
#include <core.p4>
#include <v1model.p4>

header ethernet_t { bit<48> dst; bit<48> src; bit<16> etherType; }
header data_t {
    bit<8>  base;
    bit<8>  v;
    bit<32> word;
    bit<64> wide;
    bit<16> csum;
    bit<8>  sum;
    bit<8>  idx2;
    bit<8>  acc;
    int<8>  sv;
}
struct headers_t { ethernet_t eth; data_t data; }
struct meta_t { bit<8> unused; }

struct type_t { bit<16> etherType; }
struct dst_type_t { bit<48> dst; type_t t; }

const tuple<bit<8>, bit<8>> TUP = { 8w5, 8w7 };

parser GapParser(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    value_set<dst_type_t>(4) pvs_pair;
    value_set<bit<16>>(2) pvs_type;
    state start {
        pkt.extract(hdr.eth);
        transition select(hdr.eth.dst, hdr.eth.etherType) {
            pvs_pair: data;
            default: other;
        }
    }
    state other {
        transition select(hdr.eth.etherType) {
            pvs_type: data;
            default: accept;
        }
    }
    state data {
        pkt.extract(hdr.data);
        transition accept;
    }
}

control GapVerify(inout headers_t hdr, inout meta_t meta) { apply { } }

control GapIngress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    Checksum16() ck;
    apply {
        sm.egress_spec = 1;
        if (!hdr.data.isValid()) {
            sm.egress_spec = 2;
            return;
        }
        hdr.data.word[hdr.data.base +: 8] = hdr.data.v;
        hdr.data.wide[hdr.data.base +: 4] = 4w0xF;
        hdr.data.sv[hdr.data.base[2:0] +: 2] = 2w1;
        hdr.data.sum = hdr.data.word[hdr.data.idx2 +: 8];
        hdr.data.sum = hdr.data.sum + (bit<8>)hdr.data.wide[hdr.data.idx2 +: 4];
        bit<8> acc = 0;
        for (bit<8> e in { hdr.data.base, 8w3, TUP[0] }) {
            acc = acc + e;
            if (e == 3) {
                continue;
            }
            acc = acc + 1;
        }
        hdr.data.acc = acc;
        hdr.data.v = TUP[1] + TUP[0];
        hdr.data.csum = ck.get({ hdr.data.word, hdr.data.v });
    }
}

control GapEgress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control GapCompute(inout headers_t hdr, inout meta_t meta) { apply { } }

control GapDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.eth);
        pkt.emit(hdr.data);
    }
}

V1Switch(GapParser(), GapVerify(), GapIngress(), GapEgress(), GapCompute(), GapDeparser()) main;
