// Every kind of select label: single values, masks (&&&), ranges (..), tuple keysets mixing
// them, `default` and `_` (alone and inside tuples), serializable-enum members, booleans,
// parser value sets of a bit type and of a struct with @match fields, selecting on a
// lookahead value and on a slice, and a select with labels written as constants.
#include <core.p4>
#include <v1model.p4>

enum bit<16> EtherType {
    IPV4 = 0x0800,
    ARP  = 0x0806,
    VLAN = 0x8100,
    IPV6 = 0x86DD
}

const bit<8> PROTO_ICMP = 1;

header ethernet_t {
    bit<48>   dst_addr;
    bit<48>   src_addr;
    EtherType ether_type;
}

header ipv4_t {
    bit<4>  version;
    bit<4>  ihl;
    bit<8>  diffserv;
    bit<16> total_len;
    bit<16> identification;
    bit<3>  flags;
    bit<13> frag_offset;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> hdr_checksum;
    bit<32> src_addr;
    bit<32> dst_addr;
}

header ports_t {
    bit<16> src_port;
    bit<16> dst_port;
}

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    ports_t    ports;
}

struct metadata_t {
    bit<8> path;
}

struct port_key_t {
    @match(ternary)
    bit<16> port;
}

parser SelParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    value_set<bit<16>>(8) tunnel_types;
    value_set<port_key_t>(4) special_ports;

    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            EtherType.IPV4: parse_ipv4;
            EtherType.VLAN: accept;
            default: check_tunnel;
        }
    }
    state check_tunnel {
        transition select((bit<16>)hdr.ethernet.ether_type) {
            tunnel_types: mark_tunnel;
            0x0600 .. 0xFFFF: accept;
            _: reject;
        }
    }
    state mark_tunnel {
        meta.path = 9;
        transition accept;
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.protocol) {
            (4, 5, PROTO_ICMP): icmp;
            (4, 5, 6): parse_ports;
            (4, 5 .. 15, 17): parse_ports;
            (4, 4w0x8 &&& 4w0x8, _): options_present;
            (_, _, default): other;
        }
    }
    state icmp {
        meta.path = 1;
        transition accept;
    }
    state options_present {
        meta.path = 2;
        transition accept;
    }
    state other {
        meta.path = 3;
        transition accept;
    }
    state parse_ports {
        transition select(pkt.lookahead<bit<32>>()[31:16]) {
            0 .. 1023: well_known;
            default: parse_ports_body;
        }
    }
    state well_known {
        meta.path = 4;
        transition parse_ports_body;
    }
    state parse_ports_body {
        pkt.extract(hdr.ports);
        transition select(hdr.ports.dst_port) {
            special_ports: special;
            default: accept;
        }
    }
    state special {
        meta.path = 5;
        transition select(hdr.ports.dst_port) {
            16w0 &&& 16w0xFC00: well_known_dst;
            default: accept;
        }
    }
    state well_known_dst {
        transition select(hdr.ports.dst_port[15:10] == 0, hdr.ports.src_port[0:0]) {
            (true, 1w1): accept;
            (true, _): accept;
            (false, 0): reject;
            default: accept;
        }
    }
}

control SelVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control SelIngress(inout headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    apply {
        std_meta.egress_spec = (bit<9>)meta.path;
    }
}

control SelEgress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    apply { }
}

control SelComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control SelDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.ports);
    }
}

V1Switch(SelParser(), SelVerifyChecksum(), SelIngress(), SelEgress(), SelComputeChecksum(),
         SelDeparser()) main;
