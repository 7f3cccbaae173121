// ECMP with an action selector. Input: Ethernet / IPv4 (/ TCP or UDP) packets. Table
// `ecmp_group` matches the destination by longest prefix; its entries point at an action
// profile member (one next hop) or at a group of members (several equal-cost next hops). For a
// group, the selector hashes the 5-tuple (source, destination, protocol, source port,
// destination port; crc16) and the hash picks the member, so one flow always takes one path.
// The chosen next hop sets the destination MAC and the output port; the TTL is decremented
// and the IPv4 checksum recomputed. Packets with TTL <= 1 or no route are dropped.
#include <core.p4>
#include <v1model.p4>

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<8>  IPPROTO_TCP    = 6;
const bit<8>  IPPROTO_UDP    = 17;

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

// The first four bytes of TCP and UDP: all the selector needs.
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
    bit<16> l4_src;   // 0 unless TCP or UDP
    bit<16> l4_dst;
}

parser EcmpParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.ihl, hdr.ipv4.frag_offset, hdr.ipv4.protocol) {
            (4w5, 13w0, IPPROTO_TCP): parse_ports;
            (4w5, 13w0, IPPROTO_UDP): parse_ports;
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
    // crc16 over the selector fields; up to 128 members; 14-bit hash output.
    action_selector(HashAlgorithm.crc16, 32w128, 32w14) ecmp_selector;

    action drop() {
        mark_to_drop(std_meta);
    }
    action set_nhop(bit<48> nhop_mac, bit<9> port) {
        hdr.ethernet.dst_addr = nhop_mac;
        std_meta.egress_spec = port;
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
    }
    table ecmp_group {
        key = {
            hdr.ipv4.dst_addr  : lpm;
            hdr.ipv4.src_addr  : selector;
            hdr.ipv4.dst_addr  : selector;
            hdr.ipv4.protocol  : selector;
            meta.l4_src        : selector;
            meta.l4_dst        : selector;
        }
        actions = { set_nhop; NoAction; }
        implementation = ecmp_selector;
        size = 1024;
    }

    apply {
        if (!hdr.ipv4.isValid() || hdr.ipv4.ttl <= 1) {
            drop();
            return;
        }
        if (!ecmp_group.apply().hit) {
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
