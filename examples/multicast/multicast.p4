// Multicast with the packet replication engine. Input: Ethernet frames. Ingress table
// `mcast_groups` maps the destination MAC to a multicast group (standard_metadata.mcast_grp);
// the control plane fills the groups with nodes (mc_mgrp_create, mc_node_create,
// mc_node_associate), each node a replication id (rid) and a set of ports. Every copy runs
// egress with its own egress_port and egress_rid: table `tag_by_rid` pushes an 802.1Q tag whose
// VLAN id the control plane chose for that rid (rid without an entry: untagged), the copy that
// would go back out of the ingress port is dropped, and counter `copies` counts the copies
// sent per port. Frames to an unknown destination MAC are dropped.
#include <core.p4>
#include <v1model.p4>

const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<32> PKT_INSTANCE_TYPE_REPLICATION = 5;

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header vlan_t {
    bit<3>  pcp;
    bit<1>  dei;
    bit<12> vid;
    bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
    vlan_t     vlan;       // only ever added by egress
}

struct metadata_t { }

parser McParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control McVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control McIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action drop() {
        mark_to_drop(std_meta);
    }
    action set_group(bit<16> group) {
        std_meta.mcast_grp = group;
    }
    table mcast_groups {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { set_group; drop; }
        default_action = drop();
        size = 256;
    }
    apply {
        if (!hdr.ethernet.isValid()) {
            drop();
            return;
        }
        mcast_groups.apply();
    }
}

control McEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    counter(512, CounterType.packets) copies;

    action push_vlan(bit<12> vid) {
        hdr.vlan.setValid();
        hdr.vlan.pcp = 0;
        hdr.vlan.dei = 0;
        hdr.vlan.vid = vid;
        hdr.vlan.ether_type = hdr.ethernet.ether_type;
        hdr.ethernet.ether_type = ETHERTYPE_VLAN;
    }
    table tag_by_rid {
        key = { std_meta.egress_rid : exact; }
        actions = { push_vlan; NoAction; }
        default_action = NoAction();
        size = 256;
    }
    apply {
        if (std_meta.egress_port == std_meta.ingress_port) {
            mark_to_drop(std_meta);
            return;
        }
        if (std_meta.instance_type == PKT_INSTANCE_TYPE_REPLICATION) {
            tag_by_rid.apply();
            copies.count((bit<32>)std_meta.egress_port);
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
