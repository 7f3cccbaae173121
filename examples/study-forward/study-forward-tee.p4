// The study program with its secret operation in the TEE: the same behaviour as study-forward.p4
// (every packet leaves on its ingress port with the lowest bit flipped; in a study header the
// 4-byte `secret` is decrypted, incremented and encrypted again, and the UDP checksum cleared),
// but the crypt runs in the enclave module study-xor through a TeeFunction: only `secret` crosses
// the boundary, and the key never exists in the pipeline. It is set inside the module:
//     tee_control study-xor set_key 0x5A5AA5A5
#include <core.p4>
#include <v1model.p4>
#include <tee.p4>

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<8>  IPPROTO_UDP    = 17;
const bit<16> STUDY_PORT     = 7777;   // UDP destination port that announces a study header

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

// The study header: 16 bytes.
header study_t {
    bit<32> seq;        // sequence number, left alone
    bit<32> secret;     // the encrypted field the enclave works on
    bit<64> reserved;   // padding, left alone
}

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    udp_t      udp;
    study_t    study;
}

struct metadata_t { }

// The records of study-xor.crypt: exactly what crosses the boundary, each way.
struct crypt_in_t  { bit<32> secret; }
struct crypt_out_t { bit<32> secret; }

parser StudyParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
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
        // UDP follows only without IPv4 options and in the first fragment.
        transition select(hdr.ipv4.ihl, hdr.ipv4.frag_offset, hdr.ipv4.protocol) {
            (4w5, 13w0, IPPROTO_UDP): parse_udp;
            default: accept;
        }
    }
    state parse_udp {
        pkt.extract(hdr.udp);
        transition select(hdr.udp.dst_port) {
            STUDY_PORT: parse_study;
            default: accept;
        }
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
    // Decrypt with the sealed key, +1, encrypt: inside the enclave.
    TeeFunction<crypt_in_t, crypt_out_t>("study-xor", "crypt") crypt;

    apply {
        std_meta.egress_spec = std_meta.ingress_port ^ 9w1;
        if (hdr.study.isValid()) {
            crypt_out_t result;
            crypt.call({ hdr.study.secret }, result);
            hdr.study.secret = result.secret;
            hdr.udp.checksum = 0;
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
