// Header stacks with MPLS: the parser loops with `next` and selects on `last.bos`, uses
// `lastIndex` and `size`; ingress pops the top label (pop_front), pushes a new one (push_front,
// then sets it valid and fills it), indexes elements with constants and with a bit<32>
// variable, assigns whole stacks, and the deparser emits the whole stack.
#include <core.p4>
#include <v1model.p4>

#define MPLS_DEPTH 4

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header mpls_t {
    bit<20> label;
    bit<3>  tc;
    bit<1>  bos;
    bit<8>  ttl;
}

typedef mpls_t[MPLS_DEPTH] mpls_stack_t;

struct headers_t {
    ethernet_t   ethernet;
    mpls_stack_t mpls;
    mpls_t[2]    spare;
}

struct metadata_t {
    bit<32> depth;
    bit<32> last_index;
}

parser MplsParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    state start {
        meta.depth = 0;
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x8847: parse_mpls;
            default: accept;
        }
    }
    state parse_mpls {
        pkt.extract(hdr.mpls.next);
        meta.depth = meta.depth + 1;
        meta.last_index = hdr.mpls.lastIndex;
        transition select(hdr.mpls.last.bos) {
            0: check_room;
            1: accept;
        }
    }
    state check_room {
        transition select(meta.depth < hdr.mpls.size) {
            true: parse_mpls;
            false: accept;
        }
    }
}

control MplsVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control MplsIngress(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t std_meta) {
    action pop_label(bit<9> port) {
        hdr.mpls.pop_front(1);
        std_meta.egress_spec = port;
    }
    action swap_label(bit<20> label, bit<9> port) {
        hdr.mpls[0].label = label;
        hdr.mpls[0].ttl = hdr.mpls[0].ttl - 1;
        std_meta.egress_spec = port;
    }
    action push_label(bit<20> label, bit<9> port) {
        hdr.mpls.push_front(1);
        hdr.mpls[0].setValid();
        hdr.mpls[0].label = label;
        hdr.mpls[0].tc = 0;
        hdr.mpls[0].bos = 0;
        hdr.mpls[0].ttl = 64;
        std_meta.egress_spec = port;
    }
    table lfib {
        key = { hdr.mpls[0].label : exact; }
        actions = { pop_label; swap_label; push_label; NoAction; }
        default_action = NoAction();
    }
    apply {
        if (hdr.mpls[0].isValid()) {
            lfib.apply();
        }
        // A run-time index must be an unsigned bit<W> value.
        bit<32> i = 1;
        if (hdr.mpls[i].isValid() && hdr.mpls[i].bos == 1) {
            hdr.mpls[i].tc = 7;
        }
        if (hdr.mpls[MPLS_DEPTH - 1].isValid()) {
            hdr.mpls[MPLS_DEPTH - 1].setInvalid();
        }
        hdr.spare[0] = hdr.mpls[1];
        hdr.spare[1].setInvalid();
        mpls_stack_t copy = hdr.mpls;
        copy.pop_front(2);
        if (copy[0].isValid()) {
            hdr.mpls = copy;
        }
    }
}

control MplsEgress(inout headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std_meta) {
    apply { }
}

control MplsComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control MplsDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.mpls);
    }
}

V1Switch(MplsParser(), MplsVerifyChecksum(), MplsIngress(), MplsEgress(),
         MplsComputeChecksum(), MplsDeparser()) main;
