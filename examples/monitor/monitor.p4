// A privacy-preserving heavy-hitter monitor: every IPv4 packet's source address and length go to
// the enclave module `monitor` (function check) through a TeeFunction; the module counts per
// source in a sketch that never leaves the enclave and answers only a verdict: 0 allow, 1 block.
// Blocked packets are dropped and counted (counter `blocked`); the others leave on the paired
// port (0<->1, 2<->3, ...). Other packets (ARP, ...) are forwarded without asking the enclave.
// The threshold is set inside the module (commands.txt): tee_control monitor set_threshold N
#include <core.p4>
#include <v1model.p4>
#include <tee.p4>

const bit<16> ETHERTYPE_IPV4 = 0x0800;

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

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
}

struct metadata_t { }

// What crosses the boundary: the source and the packet's IPv4 length in, one verdict byte out.
struct check_in_t  { bit<32> src_addr; bit<16> bytes; }
struct check_out_t { bit<8> verdict; }

parser MonitorParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
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
        transition accept;
    }
}

control MonitorVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control MonitorIngress(inout headers_t hdr, inout metadata_t meta,
                       inout standard_metadata_t std_meta) {
    TeeFunction<check_in_t, check_out_t>("monitor", "check") check;
    counter(1, CounterType.packets_and_bytes) blocked;

    apply {
        std_meta.egress_spec = std_meta.ingress_port ^ 9w1;
        if (hdr.ipv4.isValid()) {
            check_out_t v;
            check.call({ hdr.ipv4.src_addr, hdr.ipv4.total_len }, v);
            if (v.verdict == 1) {
                blocked.count(0);
                mark_to_drop(std_meta);
            }
        }
    }
}

control MonitorEgress(inout headers_t hdr, inout metadata_t meta,
                      inout standard_metadata_t std_meta) {
    apply { }
}

control MonitorComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control MonitorDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
    }
}

V1Switch(MonitorParser(), MonitorVerifyChecksum(), MonitorIngress(), MonitorEgress(),
         MonitorComputeChecksum(), MonitorDeparser()) main;
