// Differential-test program: header stacks (next, last, push_front, pop_front, run-time indices
// in and out of range), varbit extraction and emission, lookahead and advance in the parser,
// hash algorithms and checksums over field lists of valid headers, registers
// and counters indexed by packet data (sometimes out of range), and a ternary/range/lpm table.
#include <core.p4>
#include <v1model.p4>

header tag_t { bit<8> kind; bit<8> len; bit<16> val; }
header olen_t { bit<8> olen; }
header opt_t { varbit<256> data; }
header tail_t { bit<16> t; bit<8> idx; bit<8> op; }
header res_t { bit<16> h16; bit<32> h32; bit<16> cs; bit<16> xr; bit<64> id; bit<32> reg; bit<8> lk; bit<8> n; bit<16> pick; bit<32> tb; }

struct headers_t {
    tag_t[5] tags;
    olen_t   olen;
    opt_t    opt;
    tail_t   tail;
    res_t    res;
}

struct metadata_t { bit<8> peek; bit<32> r; }

parser P(packet_in pkt, out headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    state start {
        transition select(pkt.lookahead<bit<8>>()) {
            0x00: skip_one;
            0x01 &&& 0x0f: parse_tag;
            0x20 .. 0x3f: parse_tag;
            0xff: parse_opt;
            default: parse_tail;
        }
    }
    state skip_one {
        pkt.advance(8);
        transition parse_tag;
    }
    state parse_tag {
        pkt.extract(hdr.tags.next);
        transition select(hdr.tags.last.kind[7:6], hdr.tags.last.len) {
            (2w0, _): parse_tag;
            (2w1, 8w0 &&& 8w0xf0): parse_opt;
            (2w2, _): parse_tail;
            default: accept;
        }
    }
    state parse_opt {
        pkt.extract(hdr.olen);
        pkt.extract(hdr.opt, (bit<32>)(hdr.olen.olen & 0x1f) * 8);
        transition parse_tail;
    }
    state parse_tail {
        pkt.extract(hdr.tail);
        transition accept;
    }
}

control VC(inout headers_t hdr, inout metadata_t meta) {
    apply {
        verify_checksum(hdr.tail.isValid(), { hdr.tags[0].val, hdr.tail.idx, hdr.tail.op }, hdr.tail.t, HashAlgorithm.csum16);
    }
}

control Ing(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) {
    register<bit<32>>(8) regs;
    counter(6, CounterType.packets_and_bytes) ctr;

    action set_port(bit<9> p, bit<32> v) { sm.egress_spec = p; hdr.res.tb = v; }
    action nop() { }
    table classify {
        key = { hdr.tags[0].kind : ternary; hdr.tags[1].val : range; hdr.tail.t : lpm; }
        actions = { set_port; nop; }
        default_action = nop();
    }

    apply {
        sm.egress_spec = 2;
        hdr.res.setValid();
        hdr.res.lk = hdr.olen.olen;
        // Field lists only over headers known to be valid here (see field-lists.p4 for the rest).
        if (hdr.tags[2].isValid() && hdr.tail.isValid()) {
            hash(hdr.res.h16, HashAlgorithm.crc16, 16w0, { hdr.tags[0], hdr.tail.t }, 32w65536);
            hash(hdr.res.h32, HashAlgorithm.crc32, 32w7, { hdr.tags[1].val, hdr.tail, meta.peek }, 32w1000);
            hash(hdr.res.xr, HashAlgorithm.xor16, 16w0, { hdr.tags[2], hdr.tail }, 32w0xffff);
        }
        if (hdr.tail.isValid()) {
            hash(hdr.res.id, HashAlgorithm.identity, 64w0, { hdr.tail.t, hdr.tail.idx }, 64w0);
        }
        hdr.res.n = (bit<8>)hdr.tags[0].len;
        if (hdr.tail.isValid()) {
            bit<8> i = hdr.tail.idx;
            // Run-time stack index: reads and writes beyond the size are unspecified; keep them in range.
            bit<3> j = (bit<3>)i;
            if (j < 5) {
                hdr.res.pick = hdr.tags[j].val;
                hdr.tags[j].val = hdr.tags[j].val + 1;
            }
            regs.read(meta.r, (bit<32>)i);
            regs.write((bit<32>)i, meta.r + (bit<32>)hdr.tail.t);
            hdr.res.reg = meta.r;
            ctr.count((bit<32>)(i & 7));
            if (hdr.tail.op == 1) { hdr.tags.push_front(1); hdr.tags[0].setValid(); hdr.tags[0].kind = 0x80; hdr.tags[0].len = 0; hdr.tags[0].val = 0xbeef; }
            else if (hdr.tail.op == 2) { hdr.tags.pop_front(2); }
            else if (hdr.tail.op == 3) { hdr.tags.push_front(3); }
            else if (hdr.tail.op == 4) { hdr.opt.setInvalid(); }
            else if (hdr.tail.op == 5) { hdr.tags[4].setValid(); hdr.tags[4].val = 0x4444; }
        }
        classify.apply();
    }
}

control Eg(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum(hdr.res.isValid(), { hdr.res.h16, hdr.res.h32, hdr.res.n }, hdr.res.cs, HashAlgorithm.csum16);
    }
}
control D(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.tags);
        pkt.emit(hdr.olen);
        pkt.emit(hdr.opt);
        pkt.emit(hdr.tail);
        pkt.emit(hdr.res);
    }
}

V1Switch(P(), VC(), Ing(), Eg(), CC(), D()) main;
