// Composing parsers and controls: a sub-parser instantiated in a parser and applied from a
// state, a parser with a bool constructor parameter that a select reads, a control with a
// constructor parameter used as a compile-time constant, two instances of one control with
// different arguments, a control receiving an extern instance as a constructor argument, direct
// type invocation of a parser and a control (Type.apply(...)), and named constructor arguments.
#include <core.p4>
#include <v1model.p4>
#include "include/common-headers.p4"

struct headers_t {
    ethernet_h ethernet;
    vlan_h     vlan;
    ipv4_h     ipv4;
    udp_h      udp;
}

struct metadata_t {
    bit<8>  hops;
    bit<16> tag_sum;
}

parser VlanParser(packet_in pkt, out vlan_h vlan, out bit<16> next_type) {
    state start {
        pkt.extract(vlan);
        next_type = vlan.ether_type;
        transition accept;
    }
}

parser L4Parser(packet_in pkt, in ipv4_h ipv4, out udp_h udp)(bool udp_support) {
    state start {
        transition select(udp_support, ipv4.protocol) {
            (true, IPPROTO_UDP): parse_udp;
            default: accept;
        }
    }
    state parse_udp {
        pkt.extract(udp);
        transition accept;
    }
}

parser TopParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    L4Parser(true) l4_parser;
    bit<16> ether_type;

    state start {
        pkt.extract(hdr.ethernet);
        ether_type = hdr.ethernet.ether_type;
        transition select(ether_type) {
            ETHERTYPE_VLAN: parse_vlan;
            default: dispatch;
        }
    }
    state parse_vlan {
        VlanParser.apply(pkt, hdr.vlan, ether_type);
        transition dispatch;
    }
    state dispatch {
        transition select(ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        l4_parser.apply(pkt, hdr.ipv4, hdr.udp);
        transition accept;
    }
}

control TopVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control AddTag(inout bit<16> sum, in vlan_h vlan)(bit<16> weight) {
    apply {
        if (vlan.isValid()) {
            sum = sum + (bit<16>)vlan.vid * weight;
        }
    }
}

control CountHops(inout bit<8> hops)(counter c, bit<32> slot) {
    apply {
        hops = hops + 1;
        c.count(slot);
    }
}

control DecTtl(inout ipv4_h ipv4) {
    apply {
        if (ipv4.isValid() && ipv4.ttl > 0) {
            ipv4.ttl = ipv4.ttl - 1;
        }
    }
}

control TopIngress(inout headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    counter(32w8, CounterType.packets) hop_counter;
    AddTag(16w1) add_once;
    AddTag(weight = 16w3) add_thrice;
    CountHops(hop_counter, 32w2) count_hops;

    apply {
        meta.tag_sum = 0;
        add_once.apply(meta.tag_sum, hdr.vlan);
        add_thrice.apply(meta.tag_sum, hdr.vlan);
        count_hops.apply(meta.hops);
        DecTtl.apply(hdr.ipv4);
        std_meta.egress_spec = (bit<9>)meta.tag_sum;
    }
}

control TopEgress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    apply { }
}

control TopComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control TopDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.vlan);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.udp);
    }
}

V1Switch(TopParser(), TopVerifyChecksum(), TopIngress(), TopEgress(), TopComputeChecksum(),
         TopDeparser()) main;
