// An L2 learning switch: an exact table on the source MAC detects unknown senders and sends a
// digest (source MAC, ingress port) to the control plane; a second exact table on the destination
// MAC forwards, and a miss floods through a multicast group. Covers: digest with a struct,
// include of a local header file with "...", typedef'd field types, table.apply().hit/.miss,
// NoAction, default_action that the control plane may change (not const).
#include <core.p4>
#include <v1model.p4>
#include "include/common-headers.p4"

const bit<16> FLOOD_GROUP = 1;

struct learn_digest_t {
    mac_addr_t src_addr;
    bit<9>     ingress_port;
}

struct headers_t {
    ethernet_h ethernet;
}

struct metadata_t {
    learn_digest_t learn;
}

parser L2Parser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control L2VerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control L2Ingress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action learn() {
        meta.learn.src_addr = hdr.ethernet.src_addr;
        meta.learn.ingress_port = std_meta.ingress_port;
        digest(32w1, meta.learn);
    }
    table smac {
        key = { hdr.ethernet.src_addr : exact; }
        actions = { learn; NoAction; }
        default_action = learn();
        size = 4096;
    }

    action forward(bit<9> port) {
        std_meta.egress_spec = port;
    }
    action flood() {
        std_meta.mcast_grp = FLOOD_GROUP;
    }
    table dmac {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { forward; flood; }
        default_action = flood();
        size = 4096;
    }

    apply {
        if (!hdr.ethernet.isValid()) {
            mark_to_drop(std_meta);
            return;
        }
        smac.apply();
        if (dmac.apply().miss) {
            // A flooded copy must not go back out of the port it came in on; egress filters it.
            meta.learn.ingress_port = std_meta.ingress_port;
        }
    }
}

control L2Egress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply {
        if (std_meta.egress_port == std_meta.ingress_port && std_meta.mcast_grp != 0) {
            mark_to_drop(std_meta);
        }
    }
}

control L2ComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control L2Deparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(L2Parser(), L2VerifyChecksum(), L2Ingress(), L2Egress(), L2ComputeChecksum(),
         L2Deparser()) main;
