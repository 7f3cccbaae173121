// Packet re-injection in v1model: ingress clones a copy to a mirror session (clone and
// clone_preserving_field_list), resubmits a packet once, and egress recirculates a packet
// once; metadata fields that must survive carry @field_list annotations with the list index.
// Covers: CloneType.I2E/E2E, instance_type checks, resubmit_preserving_field_list,
// recirculate_preserving_field_list, clone_preserving_field_list, truncate, @field_list on fields.
#include <core.p4>
#include <v1model.p4>

const bit<32> INSTANCE_NORMAL      = 0;
const bit<32> INSTANCE_INGRESS_CLONE = 1;
const bit<32> INSTANCE_EGRESS_CLONE  = 2;
const bit<32> INSTANCE_RECIRC      = 4;
const bit<32> INSTANCE_RESUBMIT    = 6;

const bit<8> FL_RESUBMIT = 1;
const bit<8> FL_RECIRC   = 2;
const bit<8> FL_CLONE    = 3;

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
}

struct metadata_t {
    @field_list(1)
    bit<8> resubmit_count;
    @field_list(2)
    bit<8> recirc_count;
    @field_list(3, 2)
    bit<32> mirror_session;
    bit<16> scratch;
}

parser ReParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control ReVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control ReIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action mirror(bit<32> session) {
        meta.mirror_session = session;
        clone_preserving_field_list(CloneType.I2E, session, FL_CLONE);
    }
    action mirror_plain(bit<32> session) {
        clone(CloneType.I2E, session);
    }
    table mirror_select {
        key = { hdr.ethernet.src_addr : exact; }
        actions = { mirror; mirror_plain; NoAction; }
        default_action = NoAction();
    }
    apply {
        std_meta.egress_spec = 1;
        if (std_meta.instance_type == INSTANCE_NORMAL) {
            meta.resubmit_count = 0;
            meta.recirc_count = 0;
        }
        if (std_meta.instance_type == INSTANCE_RESUBMIT) {
            meta.resubmit_count = meta.resubmit_count + 1;
        } else if (hdr.ethernet.ether_type == 0x88B5) {
            resubmit_preserving_field_list(FL_RESUBMIT);
        }
        mirror_select.apply();
    }
}

control ReEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply {
        if (std_meta.instance_type == INSTANCE_INGRESS_CLONE) {
            truncate(32w64);
            clone_preserving_field_list(CloneType.E2E, meta.mirror_session, FL_CLONE);
        } else if (std_meta.instance_type == INSTANCE_NORMAL && meta.recirc_count == 0) {
            meta.recirc_count = meta.recirc_count + 1;
            recirculate_preserving_field_list(FL_RECIRC);
        } else if (std_meta.instance_type == INSTANCE_RECIRC) {
            hdr.ethernet.ether_type = 0x88B6;
        }
    }
}

control ReComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control ReDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(ReParser(), ReVerifyChecksum(), ReIngress(), ReEgress(), ReComputeChecksum(),
         ReDeparser()) main;
