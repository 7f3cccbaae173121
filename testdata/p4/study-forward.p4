// The study program: Ethernet / IPv4 / UDP followed by a 16-byte custom header. Ingress sends
// every packet to the port that a table gives for its ingress port, and works on the 4-byte
// `secret` field of the custom header: XOR with a key (decrypt), add one (the operation), XOR
// with the key again (encrypt). Covers: a complete V1Switch program, exact table with a const
// default action, constants, XOR/addition on bit<32>, header validity tests.
#include <core.p4>
#include <v1model.p4>

const bit<16> TYPE_IPV4 = 0x0800;
const bit<8>  PROTO_UDP = 17;
const bit<32> XOR_KEY   = 32w0x5A5A_A5A5;

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

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

// 16 bytes = 128 bits: a sequence number, the encrypted 4-byte field and padding.
header study_t {
    bit<32> seq;
    bit<32> secret;
    bit<64> reserved;
}

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    udp_t      udp;
    study_t    study;
}

struct metadata_t {
    bit<32> plain;
}

parser StudyParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            TYPE_IPV4: parse_ipv4;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.protocol) {
            PROTO_UDP: parse_udp;
            default: accept;
        }
    }
    state parse_udp {
        pkt.extract(hdr.udp);
        transition parse_study;
    }
    state parse_study {
        pkt.extract(hdr.study);
        transition accept;
    }
}

control StudyVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control StudyIngress(inout headers_t hdr, inout metadata_t meta,
                     inout standard_metadata_t std_meta) {
    action set_egress(bit<9> port) {
        std_meta.egress_spec = port;
    }
    action drop() {
        mark_to_drop(std_meta);
    }
    table forward {
        key = { std_meta.ingress_port : exact; }
        actions = { set_egress; drop; }
        size = 64;
        const default_action = drop();
    }
    apply {
        forward.apply();
        if (hdr.study.isValid()) {
            meta.plain = hdr.study.secret ^ XOR_KEY;   // decrypt
            meta.plain = meta.plain + 1;               // operate
            hdr.study.secret = meta.plain ^ XOR_KEY;   // encrypt
            hdr.udp.checksum = 0;                      // optional for UDP over IPv4
        }
    }
}

control StudyEgress(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t std_meta) {
    apply { }
}

control StudyComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control StudyDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.udp);
        pkt.emit(hdr.study);
    }
}

V1Switch(StudyParser(), StudyVerifyChecksum(), StudyIngress(), StudyEgress(),
         StudyComputeChecksum(), StudyDeparser()) main;
