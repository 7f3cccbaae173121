// TeeFunction calls in the places the batch transition must split: a call at the top of a branch,
// a verdict that exits, a second call nested two ifs deep inside a function, two calls in the
// cases of a switch in egress; locals live across the calls. Study header after UDP port 7777
// as in examples/study-forward.
#include <core.p4>
#include <v1model.p4>
#include <tee.p4>

header ethernet_t { bit<48> dst; bit<48> src; bit<16> ether_type; }
header ipv4_t {
    bit<4> version; bit<4> ihl; bit<8> diffserv; bit<16> total_len; bit<16> identification;
    bit<3> flags; bit<13> frag_offset; bit<8> ttl; bit<8> protocol; bit<16> hdr_checksum;
    bit<32> src_addr; bit<32> dst_addr;
}
header udp_t { bit<16> src_port; bit<16> dst_port; bit<16> length; bit<16> checksum; }
header study_t { bit<32> seq; bit<32> secret; bit<64> reserved; }

struct headers_t { ethernet_t ethernet; ipv4_t ipv4; udp_t udp; study_t study; }
struct metadata_t { bit<8> verdict; bit<32> before; }

struct crypt_in_t { bit<32> secret; }
struct crypt_out_t { bit<32> secret; }
struct check_in_t { bit<32> src_addr; bit<16> bytes; }
struct check_out_t { bit<8> verdict; }

parser P(packet_in pkt, out headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) { 0x0800: ipv4; default: accept; }
    }
    state ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.protocol) { 17: udp; default: accept; }
    }
    state udp {
        pkt.extract(hdr.udp);
        transition select(hdr.udp.dst_port) { 7777: study; default: accept; }
    }
    state study { pkt.extract(hdr.study); transition accept; }
}

control VC(inout headers_t hdr, inout metadata_t meta) { apply { } }

control I(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    TeeFunction<check_in_t, check_out_t>("monitor", "check") monitor;
    TeeFunction<crypt_in_t, crypt_out_t>("study-xor", "crypt") crypt;
    counter(4, CounterType.packets) seen;

    // The second call sits in a function, two ifs deep.
    bit<32> bump(in bit<32> x, in bit<8> ttl) {
        bit<32> y = x;
        if (ttl > 1) {
            if (hdr.study.isValid()) {
                crypt_out_t c;
                crypt.call({x}, c);
                y = c.secret;
            }
        }
        return y;
    }

    apply {
        sm.egress_spec = sm.ingress_port ^ 9w1;
        bit<8> ttl = 0;
        if (hdr.ipv4.isValid()) {
            ttl = hdr.ipv4.ttl;
            check_out_t v;
            monitor.call({hdr.ipv4.src_addr, hdr.ipv4.total_len}, v);
            meta.verdict = v.verdict;
            if (v.verdict == 1) {
                seen.count(1);
                mark_to_drop(sm);
                exit;
            }
            meta.before = hdr.study.secret;
            hdr.study.secret = bump(hdr.study.secret, ttl);
            if (meta.before != hdr.study.secret) { hdr.udp.checksum = 0; }
            hdr.ipv4.ttl = ttl - 1;
        } else {
            seen.count(2);
        }
        seen.count(0);
    }
}

control E(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    TeeFunction<crypt_in_t, crypt_out_t>("study-xor", "crypt") crypt2;
    apply {
        if (hdr.study.isValid()) {
            crypt_out_t c;
            switch (hdr.ipv4.ttl) {
                8w1: { crypt2.call({hdr.study.seq}, c); hdr.study.reserved[31:0] = c.secret; }
                default: { crypt2.call({hdr.study.seq ^ 32w1}, c); hdr.study.reserved[63:32] = c.secret; }
            }
        }
        hdr.ethernet.src = hdr.ethernet.src + 1;
    }
}

control CC(inout headers_t hdr, inout metadata_t meta) { apply { } }

control D(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.ethernet); pkt.emit(hdr.ipv4); pkt.emit(hdr.udp); pkt.emit(hdr.study); }
}

V1Switch(P(), VC(), I(), E(), CC(), D()) main;
