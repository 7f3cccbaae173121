// IP-in-UDP tunnelling: ingress either adds an outer Ethernet/IPv4/UDP header set in front of
// the packet (setValid and whole-header assignment from key-value expressions, lengths from
// packet_length and minSizeInBytes) or strips it (setInvalid), and the checksum is recomputed
// for the outer header only when it is valid. Covers: header construction, copying a header
// into another field, sizes of headers as compile-time values, conditional update_checksum.
#include <core.p4>
#include <v1model.p4>
#include "include/common-headers.p4"

const bit<16> TUNNEL_PORT = 4789;

struct headers_t {
    ethernet_h outer_ethernet;
    ipv4_h     outer_ipv4;
    udp_h      outer_udp;
    ethernet_h ethernet;
    ipv4_h     ipv4;
}

struct metadata_t {
    bit<16> inner_len;
}

parser TnParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
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
        transition select(hdr.ipv4.protocol, pkt.lookahead<udp_h>().dst_port) {
            (IPPROTO_UDP, TUNNEL_PORT): parse_tunnel;
            default: accept;
        }
    }
    state parse_tunnel {
        // What was parsed so far is the outer header set; the inner one follows.
        hdr.outer_ethernet = hdr.ethernet;
        hdr.outer_ipv4 = hdr.ipv4;
        pkt.extract(hdr.outer_udp);
        pkt.extract(hdr.ethernet);
        pkt.extract(hdr.ipv4);
        transition accept;
    }
}

control TnVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control TnIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action encap(mac_addr_t dmac, mac_addr_t smac, ipv4_addr_t src, ipv4_addr_t dst, bit<9> port) {
        meta.inner_len = (bit<16>)std_meta.packet_length;
        hdr.outer_ethernet.setValid();
        hdr.outer_ethernet = { dst_addr = dmac, src_addr = smac, ether_type = ETHERTYPE_IPV4 };
        hdr.outer_ipv4 = {
            version = 4, ihl = 5, diffserv = 0,
            total_len = meta.inner_len + (bit<16>)(hdr.outer_ipv4.minSizeInBytes()
                                                  + hdr.outer_udp.minSizeInBytes()),
            identification = 0, flags = 0b010, frag_offset = 0, ttl = 64,
            protocol = IPPROTO_UDP, hdr_checksum = 0, src_addr = src, dst_addr = dst
        };
        hdr.outer_udp = {
            src_port = 49152, dst_port = TUNNEL_PORT,
            length = meta.inner_len + 8, checksum = 0
        };
        std_meta.egress_spec = port;
    }
    action decap(bit<9> port) {
        hdr.outer_ethernet.setInvalid();
        hdr.outer_ipv4.setInvalid();
        hdr.outer_udp.setInvalid();
        std_meta.egress_spec = port;
    }
    table tunnel {
        key = {
            hdr.ipv4.dst_addr      : lpm;
            hdr.outer_ipv4.isValid() : exact @name("is_tunnelled");
        }
        actions = { encap; decap; NoAction; }
        default_action = NoAction();
    }
    apply {
        if (hdr.ipv4.isValid()) {
            tunnel.apply();
        }
    }
}

control TnEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control TnComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum(hdr.outer_ipv4.isValid(),
            { hdr.outer_ipv4.version, hdr.outer_ipv4.ihl, hdr.outer_ipv4.diffserv,
              hdr.outer_ipv4.total_len, hdr.outer_ipv4.identification, hdr.outer_ipv4.flags,
              hdr.outer_ipv4.frag_offset, hdr.outer_ipv4.ttl, hdr.outer_ipv4.protocol,
              hdr.outer_ipv4.src_addr, hdr.outer_ipv4.dst_addr },
            hdr.outer_ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control TnDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.outer_ethernet);
        pkt.emit(hdr.outer_ipv4);
        pkt.emit(hdr.outer_udp);
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
    }
}

V1Switch(TnParser(), TnVerifyChecksum(), TnIngress(), TnEgress(), TnComputeChecksum(),
         TnDeparser()) main;
