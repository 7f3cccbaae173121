// Parameter directions and calls: actions with in, out and inout parameters followed by action
// data, bound in a table's action list (`a(5)`, `b(meta.z)`) and in default_action with the same
// expressions plus the data; actions calling actions; explicit action calls supplying data;
// extern functions with out and inout arguments, including an argument that is written by a
// later argument's call; a control with an out parameter; `in` arguments given by implicit
// casts of int literals; and directionless (compile-time) arguments to extern functions.
#include <core.p4>
#include <v1model.p4>

extern void scramble(inout bit<32> value, in bit<32> key);
extern bit<32> next_value(inout bit<32> state);
extern void fill(out bit<16> result, bit<16> constant);

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
}

struct metadata_t {
    bit<32> x;
    bit<32> z;
    bit<16> filled;
    bit<8>  data_seen;
}

parser CcParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control CcVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control Summarise(in bit<32> a, in bit<32> b, out bit<32> total, out bool equal) {
    apply {
        total = a + b;
        equal = a == b;
    }
}

control CcIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    Summarise() summarise;

    action a(in bit<32> x) {
        meta.x = x;
    }
    action b(inout bit<32> x, bit<8> data) {
        x = x + (bit<32>)data;
        meta.data_seen = data;
    }
    action c(out bit<32> result, bit<32> seed) {
        result = seed;
        a(seed);
    }
    action set_port(bit<9> port) {
        std_meta.egress_spec = port;
    }

    table t_in {
        key = { hdr.ethernet.ether_type : exact; }
        actions = { a(5); set_port; }
        default_action = a(5);
    }
    table t_inout {
        key = { hdr.ethernet.src_addr : exact; }
        actions = { b(meta.z); set_port; }
        default_action = b(meta.z, 8w8);
    }
    table t_out {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { c(meta.x); NoAction; }
        default_action = c(meta.x, 32w42);
    }

    apply {
        meta.z = 1;
        t_in.apply();
        t_inout.apply();
        t_out.apply();

        b(meta.z, 8w1);
        c(meta.x, meta.z);
        set_port(9w3);

        scramble(meta.x, 0xFFFF_0000);
        scramble(meta.z, next_value(meta.z));
        fill(meta.filled, 16w0xCAFE);

        bit<32> total;
        bool equal;
        summarise.apply(meta.x, meta.z, total, equal);
        if (equal) {
            meta.x = total;
        }
    }
}

control CcEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control CcComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control CcDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(CcParser(), CcVerifyChecksum(), CcIngress(), CcEgress(), CcComputeChecksum(),
         CcDeparser()) main;
