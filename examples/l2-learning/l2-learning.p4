// An Ethernet learning switch. Input: Ethernet frames on any port. A frame whose source MAC is
// not in table `smac` sends a digest (source MAC, ingress port) to the control plane, which is
// expected to add the MAC to `smac` (NoAction) and to `dmac` (forward to that port). Table `dmac`
// forwards by destination MAC; a miss floods through multicast group 1 (FLOOD_GROUP), and egress
// drops the copy that would leave on the port the frame came in on.
#include <core.p4>
#include <v1model.p4>

const bit<16> FLOOD_GROUP = 1;

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

// What the control plane learns from: one digest per frame from an unknown source MAC.
struct learn_digest_t {
    bit<48> src_addr;
    bit<9>  ingress_port;
}

struct headers_t {
    ethernet_t ethernet;
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
        digest<learn_digest_t>(1, meta.learn);
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
        // Runts (shorter than an Ethernet header) fail to parse: drop them.
        if (!hdr.ethernet.isValid()) {
            mark_to_drop(std_meta);
            return;
        }
        smac.apply();
        dmac.apply();
    }
}

control L2Egress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply {
        // Never send a frame back out of the port it arrived on (flooded copies, or a
        // destination learnt on the ingress port).
        if (std_meta.egress_port == std_meta.ingress_port) {
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
