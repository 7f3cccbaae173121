// Variable-size data in the parser: IPv4 options go into a varbit field with the two-argument
// extract (size computed from ihl), lookahead<T>() peeks at a bit<8> and at a whole header
// type, advance() skips bytes, extract<T>(_) skips a header's worth of bits, and packet length()
// is read. Also: varbit assignment and equality, verify() with a user error, error declarations.
#include <core.p4>
#include <v1model.p4>

error { BadIhl, UnknownOption }

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header ipv4_base_t {
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

header ipv4_options_t {
    varbit<320> options;
}

header shim_peek_t {
    bit<8> kind;
    bit<8> length;
}

header shim_t {
    bit<8>      kind;
    bit<8>      length;
    varbit<256> body;
}

header skip_t {
    bit<32> ignored;
}

struct headers_t {
    ethernet_t     ethernet;
    ipv4_base_t    ipv4;
    ipv4_options_t ipv4_options;
    shim_t         shim;
}

struct metadata_t {
    bit<32> packet_bytes;
    bit<8>  first_option;
}

parser VbParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        meta.packet_bytes = pkt.length();
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x0800: parse_ipv4;
            0x88B5: parse_shim;
            0x88B6: skip_then_shim;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        verify(hdr.ipv4.ihl >= 5, error.BadIhl);
        transition select(hdr.ipv4.ihl) {
            5: accept;
            default: parse_ipv4_options;
        }
    }
    state parse_ipv4_options {
        meta.first_option = pkt.lookahead<bit<8>>();
        pkt.extract(hdr.ipv4_options, (bit<32>)(((bit<16>)hdr.ipv4.ihl - 5) * 32));
        transition accept;
    }
    state skip_then_shim {
        pkt.advance(32);
        pkt.extract<skip_t>(_);
        transition parse_shim;
    }
    state parse_shim {
        shim_peek_t peek = pkt.lookahead<shim_peek_t>();
        verify(peek.length >= 2, error.UnknownOption);
        pkt.extract(hdr.shim, (bit<32>)(8 * (peek.length - 2)));
        transition accept;
    }
}

control VbVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control VbIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    apply {
        std_meta.egress_spec = 1;
        ipv4_options_t saved = hdr.ipv4_options;
        if (saved.isValid() && saved.options == hdr.ipv4_options.options) {
            hdr.ipv4_options.options = saved.options;
        }
        if (std_meta.parser_error == error.BadIhl || std_meta.parser_error == error.HeaderTooShort) {
            mark_to_drop(std_meta);
        }
    }
}

control VbEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control VbComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control VbDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.ipv4_options);
        pkt.emit(hdr.shim);
    }
}

V1Switch(VbParser(), VbVerifyChecksum(), VbIngress(), VbEgress(), VbComputeChecksum(),
         VbDeparser()) main;
