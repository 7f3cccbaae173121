// A stateful firewall with registers. Input: Ethernet / IPv4 (/ TCP or UDP) packets. Table
// `ipv4_lpm` picks the output port; table `port_zone` says whether the ingress port is inside
// (trusted) or outside. A TCP/UDP packet from inside is allowed and marks its flow in a Bloom
// filter of two 4096-bit registers (indices: crc16 and crc32 of the 5-tuple). A TCP/UDP packet
// from outside is allowed only if its reversed 5-tuple is marked (a reply to an inside flow);
// other packets from outside are dropped. Register `stats` counts: [0] packets from inside,
// [1] packets from outside let in, [2] packets from outside dropped.
#include <core.p4>
#include <v1model.p4>

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<8>  IPPROTO_TCP    = 6;
const bit<8>  IPPROTO_UDP    = 17;
const bit<32> BLOOM_SIZE     = 4096;

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

header tcp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<4>  data_offset;
    bit<4>  res;
    bit<8>  flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    tcp_t      tcp;
    udp_t      udp;
}

struct metadata_t {
    bit<16> l4_src;     // TCP or UDP ports, whichever was parsed
    bit<16> l4_dst;
    bit<1>  inside;     // 1: the ingress port is on the trusted side
}

parser FwParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
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
            (4w5, 13w0, IPPROTO_TCP): parse_tcp;
            (4w5, 13w0, IPPROTO_UDP): parse_udp;
            default: accept;
        }
    }
    state parse_tcp {
        pkt.extract(hdr.tcp);
        meta.l4_src = hdr.tcp.src_port;
        meta.l4_dst = hdr.tcp.dst_port;
        transition accept;
    }
    state parse_udp {
        pkt.extract(hdr.udp);
        meta.l4_src = hdr.udp.src_port;
        meta.l4_dst = hdr.udp.dst_port;
        transition accept;
    }
}

control FwVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control FwIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    register<bit<1>>(BLOOM_SIZE) bloom_a;
    register<bit<1>>(BLOOM_SIZE) bloom_b;
    register<bit<32>>(3) stats;

    action drop() {
        mark_to_drop(std_meta);
    }
    action forward(bit<9> port) {
        std_meta.egress_spec = port;
    }
    table ipv4_lpm {
        key = { hdr.ipv4.dst_addr : lpm; }
        actions = { forward; drop; }
        default_action = drop();
        size = 1024;
    }

    action set_zone(bit<1> inside) {
        meta.inside = inside;
    }
    table port_zone {
        key = { std_meta.ingress_port : exact; }
        actions = { set_zone; }
        default_action = set_zone(0);   // unknown ports are outside
        size = 64;
    }

    action bump(bit<32> which) {
        bit<32> n;
        stats.read(n, which);
        stats.write(which, n + 1);
    }

    apply {
        if (!hdr.ipv4.isValid()) {
            drop();
            return;
        }
        ipv4_lpm.apply();
        port_zone.apply();

        bit<32> idx_a;
        bit<32> idx_b;
        if (meta.inside == 1) {
            bump(0);
            if (hdr.tcp.isValid() || hdr.udp.isValid()) {
                hash(idx_a, HashAlgorithm.crc16, 32w0,
                     { hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4.protocol,
                       meta.l4_src, meta.l4_dst }, BLOOM_SIZE);
                hash(idx_b, HashAlgorithm.crc32, 32w0,
                     { hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4.protocol,
                       meta.l4_src, meta.l4_dst }, BLOOM_SIZE);
                bloom_a.write(idx_a, 1);
                bloom_b.write(idx_b, 1);
            }
        } else {
            bit<1> seen_a = 0;
            bit<1> seen_b = 0;
            if (hdr.tcp.isValid() || hdr.udp.isValid()) {
                // The reply direction: swap addresses and ports.
                hash(idx_a, HashAlgorithm.crc16, 32w0,
                     { hdr.ipv4.dst_addr, hdr.ipv4.src_addr, hdr.ipv4.protocol,
                       meta.l4_dst, meta.l4_src }, BLOOM_SIZE);
                hash(idx_b, HashAlgorithm.crc32, 32w0,
                     { hdr.ipv4.dst_addr, hdr.ipv4.src_addr, hdr.ipv4.protocol,
                       meta.l4_dst, meta.l4_src }, BLOOM_SIZE);
                bloom_a.read(seen_a, idx_a);
                bloom_b.read(seen_b, idx_b);
            }
            if (seen_a == 1 && seen_b == 1) {
                bump(1);
            } else {
                bump(2);
                drop();
            }
        }
    }
}

control FwEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control FwComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control FwDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.tcp);
        pkt.emit(hdr.udp);
    }
}

V1Switch(FwParser(), FwVerifyChecksum(), FwIngress(), FwEgress(), FwComputeChecksum(),
         FwDeparser()) main;
