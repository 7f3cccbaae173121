// ECMP: an LPM table picks a group of equal-cost next hops through an action_selector keyed by
// the 5-tuple (the `selector` match kind); a second variant computes the member index itself
// with hash() and indexes an exact table. Covers: action_selector as a table implementation,
// selector keys, hash with a base and a modulus, @name on keys, actions with several data
// parameters, named arguments in a direct action call.
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
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
    bit<14> ecmp_group;
    bit<14> ecmp_member;
    bit<16> l4_src;
    bit<16> l4_dst;
}

parser EcmpParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x0800: parse_ipv4;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.protocol) {
            6: parse_ports;
            17: parse_ports;
            default: accept;
        }
    }
    state parse_ports {
        pkt.extract(hdr.ports);
        meta.l4_src = hdr.ports.src_port;
        meta.l4_dst = hdr.ports.dst_port;
        transition accept;
    }
}

control EcmpVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control EcmpIngress(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t std_meta) {
    action_selector(HashAlgorithm.crc16, 32w1024, 32w14) ecmp_selector;

    action drop() {
        mark_to_drop(std_meta);
    }
    action set_next_hop(bit<48> dmac, bit<48> smac, bit<9> port) {
        hdr.ethernet.dst_addr = dmac;
        hdr.ethernet.src_addr = smac;
        std_meta.egress_spec = port;
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
    }

    // Variant 1: the selector hashes the selector keys and picks a member of the group.
    table ecmp_routes {
        key = {
            hdr.ipv4.dst_addr  : lpm @name("dst");
            hdr.ipv4.src_addr  : selector;
            hdr.ipv4.protocol  : selector;
            meta.l4_src        : selector;
            meta.l4_dst        : selector;
        }
        actions = { set_next_hop; drop; }
        implementation = ecmp_selector;
        default_action = drop();
        size = 1024;
    }

    // Variant 2: the program hashes the flow itself into a member index.
    action set_group(bit<14> group, bit<14> members) {
        meta.ecmp_group = group;
        hash(meta.ecmp_member, HashAlgorithm.crc32, 14w0,
             { hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4.protocol, meta.l4_src, meta.l4_dst },
             members);
    }
    table ecmp_groups {
        key = { hdr.ipv4.dst_addr : lpm; }
        actions = { set_group; drop; }
        default_action = drop();
    }
    table ecmp_members {
        key = {
            meta.ecmp_group  : exact;
            meta.ecmp_member : exact;
        }
        actions = { set_next_hop; drop; }
        default_action = drop();
    }

    apply {
        if (!hdr.ipv4.isValid()) {
            drop();
            return;
        }
        if (hdr.ipv4.diffserv == 0) {
            ecmp_routes.apply();
        } else {
            ecmp_groups.apply();
            ecmp_members.apply();
        }
        if (hdr.ipv4.ttl == 0) {
            set_next_hop(dmac = 48w0, smac = 48w0, port = 9w0);
            drop();
        }
    }
}

control EcmpEgress(inout headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    apply { }
}

control EcmpComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum(hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.diffserv, hdr.ipv4.total_len,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.frag_offset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.src_addr, hdr.ipv4.dst_addr },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control EcmpDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.ports);
    }
}

V1Switch(EcmpParser(), EcmpVerifyChecksum(), EcmpIngress(), EcmpEgress(),
         EcmpComputeChecksum(), EcmpDeparser()) main;
