// The program of the reference study ("TEE Time at P4", section VII), as the benchmarks run it.
// Input: Ethernet / IPv4 / UDP packets; those sent to UDP port 7777 carry a 16-byte study header
// right after UDP. Output: every packet leaves on its ingress port with the lowest bit flipped
// (0<->1, 2<->3, ...); in a study header, the 4-byte `secret` field is decrypted (XOR with the
// key), incremented and encrypted again (XOR), and the UDP checksum is cleared (0 = none, IPv4).
// The key lives in register `key` (index 0), written by the control plane (commands.txt).
// Kept minimal on purpose: no tables, one register read per study packet.
#include <core.p4>
#include <v1model.p4>

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
    bit<32> secret;     // the encrypted field the switch works on
    bit<64> reserved;   // padding, left alone
}

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    udp_t      udp;
    study_t    study;
}

struct metadata_t { }

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
    register<bit<32>>(1) key;

    apply {
        std_meta.egress_spec = std_meta.ingress_port ^ 9w1;
        if (hdr.study.isValid()) {
            bit<32> k;
            key.read(k, 0);
            bit<32> plain = hdr.study.secret ^ k;   // decrypt
            plain = plain + 1;                      // the operation
            hdr.study.secret = plain ^ k;           // encrypt
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
