// Expressions on bit<W>, int<W>, int and bool: every assignment operator (=, +=, -=, *=, /=, %=,
// |+|=, |-|=, <<=, >>=, &=, |=, ^=), slices [H:L] read and written, [L +: W] slices with a
// constant and a run-time base, concatenation ++ (unsigned and signed left operand), the legal
// casts, saturating |+| and |-|, shifts by int and by bit<W> amounts (logical and arithmetic),
// unary - ~ + !, comparisons, && || with short-circuit, the conditional operator, implicit casts
// of int literals, compile-time constant folding with / and % on int, and width expressions.
// Note: / and % are applied to unsigned bit<W> values as p4c accepts them.
#include <core.p4>
#include <v1model.p4>

const int SCALE = 10;
const int FOLDED = (SCALE * 7 + 3) / 4 % 5 - (1 << 4) + (256 >> 2);
const bit<8> MASK = 0xF0;
const bit<(SCALE + 6)> WIDE = 16w0xBEEF;
const int<8> NEG = -8s5;
const bool ON = !false && (1 < 2) || false;
const bit<4> NIBBLE = (bit<4>)0xABC;
const bit<8> FROM_SLICE = 32w0x1234_5678[15:8];
const int BIG = 1_000_000_000_000;
const bit<1> TRUE_BIT = (bit<1>)true;
const bool FROM_INT = (bool)1;

header data_t {
    bit<8>  a;
    bit<16> b;
    bit<32> c;
    int<8>  s;
    int<16> t;
    bit<1>  flag;
    bit<7>  pad;
}

struct headers_t {
    data_t d;
}

struct metadata_t {
    bit<8>  x;
    bit<8>  y;
    bit<16> w;
    bit<32> z;
    bit<3>  idx;
    int<8>  si;
    bool    cond;
}

parser ExParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.d);
        transition accept;
    }
}

control ExVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control ExIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    apply {
        // Assignment operators.
        meta.x = hdr.d.a;
        meta.x += 3;
        meta.x -= 1;
        meta.x *= 2;
        meta.x /= 2;
        meta.x %= 7;
        meta.x |+|= 250;
        meta.x |-|= 8w10;
        meta.x <<= 1;
        meta.x >>= 2;
        meta.x &= MASK;
        meta.x |= 0x0F;
        meta.x ^= hdr.d.a;

        // Slices: read, write, and [base +: width].
        meta.y = hdr.d.c[7:0];
        hdr.d.c[31:24] = meta.y;
        meta.w = hdr.d.c[8 +: 16];
        hdr.d.b[4 +: 4] = 4w0x9;
        meta.idx = 2;
        meta.y[meta.idx +: 2] = 2w3;
        meta.w = hdr.d.c[31:16] ^ (bit<16>)hdr.d.s[7:0];

        // Concatenation.
        meta.z = hdr.d.a ++ meta.y ++ meta.w;
        int<16> signed_cat = hdr.d.s ++ meta.x;
        meta.w = meta.x ++ 8w0;

        // Casts.
        meta.w = (bit<16>)meta.x;
        meta.x = (bit<8>)hdr.d.b;
        meta.si = (int<8>)meta.x;
        hdr.d.t = (int<16>)hdr.d.s;
        meta.x = (bit<8>)(int<8>)-1;
        meta.cond = (bool)hdr.d.flag;
        hdr.d.flag = (bit<1>)meta.cond;
        hdr.d.t = (int<16>)(bit<16>)hdr.d.b;
        hdr.d.b = (bit<16>)(int<16>)signed_cat;

        // Saturating arithmetic.
        meta.x = hdr.d.a |+| 8w200;
        meta.y = hdr.d.a |-| meta.x;
        meta.si = hdr.d.s |+| 8s100;
        meta.si = hdr.d.s |-| 100;

        // Shifts.
        meta.w = meta.w << 3;
        meta.w = meta.w >> meta.idx;
        meta.z = 32w1 << hdr.d.a;
        meta.si = hdr.d.s >> 2;
        meta.si = hdr.d.s << 8w1;
        meta.z = meta.z >> 40;

        // Unary operators.
        meta.x = -hdr.d.a;
        meta.x = ~hdr.d.a;
        meta.x = +hdr.d.a;
        meta.si = -hdr.d.s;
        meta.cond = !meta.cond;

        // Arithmetic and bitwise operators with precedence.
        meta.x = hdr.d.a + meta.y * 2 - (meta.x & 0x3) | meta.y ^ 0x55;
        meta.si = hdr.d.s * 2 + NEG - 1;

        // Comparisons, logical operators and the conditional operator.
        meta.cond = hdr.d.a == meta.x || hdr.d.b != meta.w && hdr.d.c >= meta.z;
        meta.cond = hdr.d.a < meta.y && hdr.d.a <= meta.y || hdr.d.a > meta.y;
        meta.cond = hdr.d.s < 0 && hdr.d.t >= -16s100;
        meta.x = meta.cond ? hdr.d.a : meta.y;
        meta.w = (hdr.d.a > 8w128) ? WIDE : (bit<16>)FROM_SLICE;
        if (ON && FOLDED == 51 && NIBBLE == 0xC && BIG > SCALE && TRUE_BIT == 1 && FROM_INT) {
            std_meta.egress_spec = (bit<9>)meta.x;
        }
        hdr.d.a = meta.x;
        hdr.d.b = meta.w;
        hdr.d.c = meta.z;
        hdr.d.s = meta.si;
    }
}

control ExEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control ExComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control ExDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.d);
    }
}

V1Switch(ExParser(), ExVerifyChecksum(), ExIngress(), ExEgress(), ExComputeChecksum(),
         ExDeparser()) main;
