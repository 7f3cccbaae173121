// Wide and signed values: bit<128> IPv6 addresses and a bit<256> field with arithmetic,
// masks, slices across 64-bit boundaries and concatenation; int<W> fields with negative
// literals, sign extension, arithmetic shift right, signed comparisons and saturating signed
// arithmetic; bit<1> and int<1>; a bit<0> field; and an lpm key on a 128-bit address.
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header wide_t {
    bit<128> addr;
    bit<256> blob;
    int<32>  offset;
    int<16>  small;
    int<1>   sign;
    bit<1>   flag;
    bit<6>   pad;
    bit<0>   nothing;
}

struct headers_t {
    ethernet_t ethernet;
    wide_t     wide;
}

struct metadata_t {
    bit<64>  low;
    bit<64>  high;
    int<64>  acc;
    bit<128> masked;
}

parser WsParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x88B5: parse_wide;
            default: accept;
        }
    }
    state parse_wide {
        pkt.extract(hdr.wide);
        transition accept;
    }
}

control WsVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control WsIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action set_port(bit<9> port) {
        std_meta.egress_spec = port;
    }
    table v6_routes {
        key = { hdr.wide.addr : lpm; }
        actions = { set_port; NoAction; }
        default_action = NoAction();
        const entries = {
            128w0x2001_0DB8_0000_0000_0000_0000_0000_0000 &&& 128w0xFFFF_FFFF_0000_0000_0000_0000_0000_0000 : set_port(1);
        }
    }
    apply {
        if (!hdr.wide.isValid()) {
            return;
        }
        v6_routes.apply();

        meta.low = hdr.wide.addr[63:0];
        meta.high = hdr.wide.addr[127:64];
        bit<64> straddle = hdr.wide.addr[95:32];
        meta.masked = hdr.wide.addr & 128w0xFFFF_FFFF_FFFF_FFFF_0000_0000_0000_0000;
        hdr.wide.addr = meta.high ++ (meta.low + 1);
        hdr.wide.blob = hdr.wide.blob + (bit<256>)straddle;
        hdr.wide.blob = hdr.wide.blob ^ (hdr.wide.blob >> 128) ^ (hdr.wide.blob << 200);
        hdr.wide.blob[255:192] = ~hdr.wide.blob[63:0];

        meta.acc = (int<64>)hdr.wide.offset;
        meta.acc = meta.acc * -3 + -64s9_000_000_000;
        hdr.wide.offset = hdr.wide.offset >> 4;
        if (hdr.wide.offset < 0 && hdr.wide.small >= -16s1) {
            hdr.wide.small = hdr.wide.small |-| 16s32767;
            hdr.wide.small = hdr.wide.small |+| -100;
        }
        hdr.wide.offset = (int<32>)hdr.wide.small;
        hdr.wide.sign = -1;
        if (hdr.wide.sign == -1 && hdr.wide.flag == 1) {
            hdr.wide.small = (int<16>)(bit<16>)hdr.wide.offset[15:0];
        }
        hdr.wide.nothing = 0;
    }
}

control WsEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control WsComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control WsDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.wide);
    }
}

V1Switch(WsParser(), WsVerifyChecksum(), WsIngress(), WsEgress(), WsComputeChecksum(),
         WsDeparser()) main;
