// Header unions: an IPv4-or-IPv6 union filled by the parser, tested with isValid() on the union
// and on its members, assigned member-wise (which makes the other member invalid), compared,
// emitted as a whole, set invalid with {#} and compared against {#} (a header member, and a
// union with an explicit cast); a stack of unions parses
// TCP-like options selected with lookahead.
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header ipv4_t {
    bit<8>  version_ihl;
    bit<8>  tos;
    bit<16> total_len;
    bit<32> id_flags_frag;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> checksum;
    bit<32> src_addr;
    bit<32> dst_addr;
}

header ipv6_t {
    bit<4>   version;
    bit<8>   traffic_class;
    bit<20>  flow_label;
    bit<16>  payload_len;
    bit<8>   next_hdr;
    bit<8>   hop_limit;
    bit<128> src_addr;
    bit<128> dst_addr;
}

header_union ip_t {
    ipv4_t v4;
    ipv6_t v6;
}

header opt_end_t { bit<8> kind; }
header opt_nop_t { bit<8> kind; }
header opt_mss_t { bit<8> kind; bit<8> length; bit<16> mss; }

header_union option_t {
    opt_end_t end;
    opt_nop_t nop;
    opt_mss_t mss;
}

struct headers_t {
    ethernet_t  ethernet;
    ip_t        ip;
    option_t[3] options;
}

struct metadata_t {
    bool is_v6;
}

parser UnionParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x0800: parse_v4;
            0x86DD: parse_v6;
            default: accept;
        }
    }
    state parse_v4 {
        pkt.extract(hdr.ip.v4);
        transition parse_options;
    }
    state parse_v6 {
        pkt.extract(hdr.ip.v6);
        meta.is_v6 = true;
        transition parse_options;
    }
    state parse_options {
        transition select(pkt.lookahead<bit<8>>()) {
            0: parse_end;
            1: parse_nop;
            2: parse_mss;
            default: accept;
        }
    }
    state parse_end {
        pkt.extract(hdr.options.next.end);
        transition accept;
    }
    state parse_nop {
        pkt.extract(hdr.options.next.nop);
        transition parse_options;
    }
    state parse_mss {
        pkt.extract(hdr.options.next.mss);
        transition parse_options;
    }
}

control UnionVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control UnionIngress(inout headers_t hdr, inout metadata_t meta,
                     inout standard_metadata_t std_meta) {
    apply {
        std_meta.egress_spec = 2;
        if (!hdr.ip.isValid()) {
            return;
        }
        if (hdr.ip.v4.isValid()) {
            hdr.ip.v4.ttl = hdr.ip.v4.ttl - 1;
        } else if (hdr.ip.v6.isValid()) {
            hdr.ip.v6.hop_limit = hdr.ip.v6.hop_limit - 1;
        }
        ip_t copy = hdr.ip;
        if (copy == hdr.ip && hdr.options[0] != hdr.options[1]) {
            hdr.options[2] = hdr.options[1];
        }
        opt_nop_t nop = { 8w1 };
        hdr.options[2].nop = nop;
        if (hdr.options[1].mss.isValid()) {
            hdr.options[1].mss.setInvalid();
        }
        hdr.options[0] = {#};
        if (hdr.options[0].nop == {#} && hdr.options[1] != (option_t){#}) {
            hdr.ip.v6 = {#};
        }
        ip_t nothing = (ip_t){#};
        if (meta.is_v6 && nothing.isValid()) {
            hdr.ip = nothing;
        }
    }
}

control UnionEgress(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t std_meta) {
    apply { }
}

control UnionComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control UnionDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ip);
        pkt.emit(hdr.options);
    }
}

V1Switch(UnionParser(), UnionVerifyChecksum(), UnionIngress(), UnionEgress(),
         UnionComputeChecksum(), UnionDeparser()) main;
