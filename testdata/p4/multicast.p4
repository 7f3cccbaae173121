// Multicast: ingress maps the destination MAC to a multicast group (mcast_grp), the replication
// engine makes the copies, and egress tells the copies apart by egress_rid and egress_port to
// rewrite each one, dropping the copy that would go back out of its ingress port. Covers:
// mcast_grp, egress_rid, instance_type, an egress table, ternary key with const entries,
// a VLAN header with a select on its own ether_type.
#include <core.p4>
#include <v1model.p4>
#include "include/common-headers.p4"

struct headers_t {
    ethernet_h ethernet;
    vlan_h     vlan;
}

struct metadata_t {
    bit<9> in_port;
}

parser McParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        meta.in_port = std_meta.ingress_port;
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_VLAN: parse_vlan;
            default: accept;
        }
    }
    state parse_vlan {
        pkt.extract(hdr.vlan);
        transition accept;
    }
}

control McVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control McIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action set_group(bit<16> group) {
        std_meta.mcast_grp = group;
    }
    action unicast(bit<9> port) {
        std_meta.egress_spec = port;
    }
    action drop() {
        mark_to_drop(std_meta);
    }
    table groups {
        key = { hdr.ethernet.dst_addr : ternary; }
        actions = { set_group; unicast; drop; }
        const entries = {
            48w0xFFFF_FFFF_FFFF : set_group(1);
            48w0x0100_5E00_0000 &&& 48w0xFFFF_FF80_0000 : set_group(2);
            48w0x3333_0000_0000 &&& 48w0xFFFF_0000_0000 : set_group(3);
        }
        default_action = drop();
    }
    apply {
        groups.apply();
    }
}

control McEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    action retag(bit<12> vid) {
        hdr.vlan.vid = vid;
    }
    table per_copy {
        key = {
            std_meta.egress_rid  : exact;
            std_meta.egress_port : exact;
        }
        actions = { retag; NoAction; }
        default_action = NoAction();
    }
    apply {
        if (std_meta.egress_port == meta.in_port) {
            mark_to_drop(std_meta);
            return;
        }
        if (std_meta.instance_type != 0 && hdr.vlan.isValid()) {
            per_copy.apply();
        }
    }
}

control McComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control McDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.vlan);
    }
}

V1Switch(McParser(), McVerifyChecksum(), McIngress(), McEgress(), McComputeChecksum(),
         McDeparser()) main;
