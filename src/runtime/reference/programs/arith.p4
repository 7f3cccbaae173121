// Differential-test program: arithmetic on many widths and signedness. The packet's first bytes
// are operands (header in_t); ingress computes wrap-around, saturating, bitwise, shift, slice,
// concatenation, cast and comparison results into header out_t, which is emitted after in_t.
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>   a8;   bit<8>   b8;
    bit<16>  a16;  bit<16>  b16;
    bit<32>  a32;  bit<32>  b32;
    bit<64>  a64;  bit<64>  b64;
    bit<5>   a5;   bit<3>   sh3;
    bit<7>   a7;   bit<1>   f;
    bit<48>  a48;  bit<48>  b48;
    bit<128> a128; bit<128> b128;
    bit<8>   sh;
}

header out_t {
    bit<8>   add8;  bit<8>  sub8;  bit<8> mul8;  bit<8> sadd8; bit<8> ssub8;
    bit<8>   neg8;  bit<8>  not8;  bit<8> shl8;  bit<8> shr8;
    int<8>   iadd8; int<8>  isadd8; int<8> issub8; int<8> ishr8; int<8> ineg8; int<8> ishl8;
    bit<16>  add16; bit<16> mul16; bit<16> sadd16; bit<16> ssub16; bit<16> shl16; bit<16> shr16;
    int<16>  isadd16; int<16> ishr16;
    bit<32>  add32; bit<32> sub32; bit<32> mul32; bit<32> sadd32; bit<32> ssub32; bit<32> shl32; bit<32> shr32;
    int<32>  imul32; int<32> isadd32; int<32> issub32; int<32> ishr32;
    bit<64>  add64; bit<64> sub64; bit<64> mul64; bit<64> sadd64; bit<64> ssub64; bit<64> shl64; bit<64> shr64;
    bit<64>  and64; bit<64> xor64; bit<64> not64; bit<64> neg64;
    int<64>  isadd64; int<64> ishr64; int<64> issub64;
    bit<48>  add48; bit<48> mul48; bit<48> shl48; bit<48> shr48; bit<48> sadd48;
    bit<128> add128; bit<128> sub128; bit<128> mul128; bit<128> shl128; bit<128> shr128; bit<128> xor128;
    int<128> ishr128;
    bit<16>  cat8_8; bit<24> cat16_8; bit<40> cat8_32; bit<96> cat64_32; bit<12> cat5_7;
    bit<4>   sl4;   bit<9>  sl9;   bit<33> sl33;   bit<70> sl70;  bit<1> sl1;
    bit<16>  sx8to16; bit<64> sx32to64; bit<128> sx64to128; bit<4> tr16to4; bit<64> zx16to64;
    bit<8>   cmp;   bit<8>  scmp;  bit<8> wcmp; bit<8> wscmp;
    bit<32>  cond32; bit<8> bool8;
    bit<8>   sliced_assign; bit<64> sliced_assign64;
    bit<5>   add5; bit<5> sadd5; int<5> isadd5; bit<7> shr7; int<7> ishr7;
    bit<6>   pad;
}

struct headers_t {
    in_t  i;
    out_t o;
}

struct metadata_t { }

parser P(packet_in pkt, out headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.i);
        transition accept;
    }
}

control VC(inout headers_t hdr, inout metadata_t meta) { apply { } }

control Ing(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        hdr.o.setValid();
        in_t x = hdr.i;
        hdr.o.add8 = x.a8 + x.b8;
        hdr.o.sub8 = x.a8 - x.b8;
        hdr.o.mul8 = x.a8 * x.b8;
        hdr.o.sadd8 = x.a8 |+| x.b8;
        hdr.o.ssub8 = x.a8 |-| x.b8;
        hdr.o.neg8 = -x.a8;
        hdr.o.not8 = ~x.a8;
        hdr.o.shl8 = x.a8 << x.sh3;
        hdr.o.shr8 = x.a8 >> x.sh;
        hdr.o.iadd8 = (int<8>)x.a8 + (int<8>)x.b8;
        hdr.o.isadd8 = (int<8>)x.a8 |+| (int<8>)x.b8;
        hdr.o.issub8 = (int<8>)x.a8 |-| (int<8>)x.b8;
        hdr.o.ishr8 = (int<8>)x.a8 >> x.sh3;
        hdr.o.ineg8 = -(int<8>)x.b8;
        hdr.o.ishl8 = (int<8>)x.b8 << x.sh;
        hdr.o.add16 = x.a16 + x.b16;
        hdr.o.mul16 = x.a16 * x.b16;
        hdr.o.sadd16 = x.a16 |+| x.b16;
        hdr.o.ssub16 = x.a16 |-| x.b16;
        hdr.o.shl16 = x.a16 << x.sh;
        hdr.o.shr16 = x.a16 >> (x.sh & 15);
        hdr.o.isadd16 = (int<16>)x.a16 |+| (int<16>)x.b16;
        hdr.o.ishr16 = (int<16>)x.b16 >> x.sh;
        hdr.o.add32 = x.a32 + x.b32;
        hdr.o.sub32 = x.a32 - x.b32;
        hdr.o.mul32 = x.a32 * x.b32;
        hdr.o.sadd32 = x.a32 |+| x.b32;
        hdr.o.ssub32 = x.a32 |-| x.b32;
        hdr.o.shl32 = x.a32 << x.sh;
        hdr.o.shr32 = x.a32 >> x.sh;
        hdr.o.imul32 = (int<32>)x.a32 * (int<32>)x.b32;
        hdr.o.isadd32 = (int<32>)x.a32 |+| (int<32>)x.b32;
        hdr.o.issub32 = (int<32>)x.a32 |-| (int<32>)x.b32;
        hdr.o.ishr32 = (int<32>)x.a32 >> x.sh;
        hdr.o.add64 = x.a64 + x.b64;
        hdr.o.sub64 = x.a64 - x.b64;
        hdr.o.mul64 = x.a64 * x.b64;
        hdr.o.sadd64 = x.a64 |+| x.b64;
        hdr.o.ssub64 = x.a64 |-| x.b64;
        hdr.o.shl64 = x.a64 << x.sh;
        hdr.o.shr64 = x.a64 >> x.sh;
        hdr.o.and64 = x.a64 & x.b64;
        hdr.o.xor64 = x.a64 ^ x.b64;
        hdr.o.not64 = ~x.a64;
        hdr.o.neg64 = -x.b64;
        hdr.o.isadd64 = (int<64>)x.a64 |+| (int<64>)x.b64;
        hdr.o.ishr64 = (int<64>)x.a64 >> x.sh;
        hdr.o.issub64 = (int<64>)x.a64 |-| (int<64>)x.b64;
        hdr.o.add48 = x.a48 + x.b48;
        hdr.o.mul48 = x.a48 * x.b48;
        hdr.o.shl48 = x.a48 << x.sh;
        hdr.o.shr48 = x.a48 >> x.sh;
        hdr.o.sadd48 = x.a48 |+| x.b48;
        hdr.o.add128 = x.a128 + x.b128;
        hdr.o.sub128 = x.a128 - x.b128;
        hdr.o.mul128 = x.a128 * x.b128;
        hdr.o.shl128 = x.a128 << x.sh;
        hdr.o.shr128 = x.a128 >> x.sh;
        hdr.o.xor128 = x.a128 ^ x.b128;
        hdr.o.ishr128 = (int<128>)x.b128 >> x.sh;
        hdr.o.cat8_8 = x.a8 ++ x.b8;
        hdr.o.cat16_8 = x.a16 ++ x.b8;
        hdr.o.cat8_32 = x.a8 ++ x.b32;
        hdr.o.cat64_32 = x.a64 ++ x.a32;
        hdr.o.cat5_7 = x.a5 ++ x.a7;
        hdr.o.sl4 = x.a16[11:8];
        hdr.o.sl9 = x.a32[20:12];
        hdr.o.sl33 = x.a64[62:30];
        hdr.o.sl70 = x.a128[99:30];
        hdr.o.sl1 = x.a48[47:47];
        hdr.o.sx8to16 = (bit<16>)(int<16>)(int<8>)x.a8;
        hdr.o.sx32to64 = (bit<64>)(int<64>)(int<32>)x.b32;
        hdr.o.sx64to128 = (bit<128>)(int<128>)(int<64>)x.a64;
        hdr.o.tr16to4 = (bit<4>)x.b16;
        hdr.o.zx16to64 = (bit<64>)x.a16;
        hdr.o.cmp = (x.a8 < x.b8 ? 8w1 : 8w0) | (x.a16 >= x.b16 ? 8w2 : 8w0) | (x.a32 <= x.b32 ? 8w4 : 8w0)
                  | (x.a8 == x.b8 ? 8w8 : 8w0) | (x.a32 != x.b32 ? 8w16 : 8w0) | (x.a5 > 5w3 ? 8w32 : 8w0);
        hdr.o.scmp = ((int<8>)x.a8 < (int<8>)x.b8 ? 8w1 : 8w0) | ((int<16>)x.a16 >= (int<16>)x.b16 ? 8w2 : 8w0)
                   | ((int<32>)x.a32 <= (int<32>)x.b32 ? 8w4 : 8w0) | ((int<5>)x.a5 > -5s3 ? 8w8 : 8w0);
        hdr.o.wcmp = (x.a64 < x.b64 ? 8w1 : 8w0) | (x.a128 >= x.b128 ? 8w2 : 8w0) | (x.a48 <= x.b48 ? 8w4 : 8w0)
                   | (x.a64 == x.b64 ? 8w8 : 8w0) | (x.a128 != x.b128 ? 8w16 : 8w0);
        hdr.o.wscmp = ((int<64>)x.a64 < (int<64>)x.b64 ? 8w1 : 8w0) | ((int<128>)x.a128 >= (int<128>)x.b128 ? 8w2 : 8w0)
                    | ((int<48>)x.a48 > (int<48>)x.b48 ? 8w4 : 8w0);
        hdr.o.cond32 = x.f == 1 ? x.a32 : x.b32;
        bool bb = x.a8 > x.b8 && !(x.f == 0) || x.a16 == 0;
        hdr.o.bool8 = bb ? 8w0xAA : 8w0x55;
        hdr.o.sliced_assign = x.a8;
        hdr.o.sliced_assign[5:2] = x.b8[3:0];
        hdr.o.sliced_assign64 = x.a64;
        hdr.o.sliced_assign64[47:20] = x.b32[27:0];
        hdr.o.add5 = x.a5 + (bit<5>)x.sh3;
        hdr.o.sadd5 = x.a5 |+| (bit<5>)x.b8;
        hdr.o.isadd5 = (int<5>)x.a5 |+| (int<5>)(bit<5>)x.b8;
        hdr.o.shr7 = x.a7 >> x.sh3;
        hdr.o.ishr7 = (int<7>)x.a7 >> x.sh3;
    }
}

control Eg(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout metadata_t meta) { apply { } }
control D(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.i);
        pkt.emit(hdr.o);
    }
}

V1Switch(P(), VC(), Ing(), Eg(), CC(), D()) main;
