// Functions: top-level functions with in/out/inout parameters, a parameter with a default
// value, generic functions whose type arguments are inferred from the arguments or written
// out, functions calling functions, calls with named arguments in any order, `_` passed for an
// out argument whose value is not wanted, a void function with an early `return;`, a function
// returning a struct, and calls from a parser state, a control body, an action and a key.
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
}

struct pair_t {
    bit<16> low;
    bit<16> high;
}

struct metadata_t {
    bit<16> a;
    bit<16> b;
    bit<16> c;
    pair_t  p;
    bool    flag;
}

bit<16> max16(in bit<16> left, in bit<16> right) {
    return left > right ? left : right;
}

bit<16> clamp(in bit<16> v, in bit<16> lo, in bit<16> hi) {
    return max16(lo, v < hi ? v : hi);
}

T choose<T>(in bool first, in T x, in T y) {
    if (first) {
        return x;
    }
    return y;
}

void swap<T>(inout T x, inout T y) {
    T tmp = x;
    x = y;
    y = tmp;
}

void split(in bit<32> word, out bit<16> high, out bit<16> low) {
    high = word[31:16];
    low = word[15:0];
}

void bump(inout bit<16> v, in bit<16> step = 1) {
    if (v == 0xFFFF) {
        return;
    }
    v = v + step;
}

pair_t make_pair(in bit<16> l, in bit<16> h) {
    pair_t r = { low = l, high = h };
    return r;
}

bool is_broadcast(in bit<48> addr) {
    return addr == 48w0xFFFF_FFFF_FFFF;
}

parser FnParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        meta.flag = is_broadcast(hdr.ethernet.dst_addr);
        meta.a = max16(hdr.ethernet.ether_type, 16w0x0600);
        transition accept;
    }
}

control FnVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control FnIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action use_functions(bit<16> limit) {
        meta.b = clamp(meta.a, 16w0, limit);
        bump(meta.b);
        bump(meta.b, 16w10);
    }
    table by_type {
        key = { max16(hdr.ethernet.ether_type, 16w0x0600) : exact @name("etype"); }
        actions = { use_functions; NoAction; }
        default_action = use_functions(16w1500);
    }
    apply {
        by_type.apply();
        meta.c = choose(meta.flag, meta.a, meta.b);
        meta.c = choose<bit<16>>(first = true, y = meta.b, x = meta.a);
        swap(meta.a, meta.b);
        swap<bit<48>>(hdr.ethernet.src_addr, hdr.ethernet.dst_addr);
        split(32w0xDEAD_BEEF, meta.a, _);
        split(word = 32w0x0102_0304, low = meta.b, high = _);
        bump(v = meta.c, step = 16w2);
        bump(step = 16w3, v = meta.c);
        meta.p = make_pair(meta.a, meta.b);
        if (make_pair(1, 2).low == 1) {
            std_meta.egress_spec = (bit<9>)meta.p.high;
        }
    }
}

control FnEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control FnComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control FnDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(FnParser(), FnVerifyChecksum(), FnIngress(), FnEgress(), FnComputeChecksum(),
         FnDeparser()) main;
