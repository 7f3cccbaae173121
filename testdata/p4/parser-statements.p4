// What a parser state may hold: parser-local constants and variables (initialised and not),
// constants and variables inside states, block statements, if / else inside a state, verify,
// assignments to out and inout parameters, an extern instantiated in the parser, a state with
// no transition (an implicit `transition reject`), an explicit transition to reject, a loop
// between states, selecting on a parser-local variable, and states defined before use or after.
#include <core.p4>
#include <v1model.p4>

error { TooManyTags, BadVersion }

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header tag_t {
    bit<16> value;
    bit<16> next_type;
}

header version_t {
    bit<4> major;
    bit<4> minor;
}

struct headers_t {
    ethernet_t ethernet;
    tag_t[3]   tags;
    version_t  version;
}

struct metadata_t {
    bit<8>  tag_count;
    bit<16> tag_xor;
    bool    old_version;
}

parser PsParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    const bit<8> MAX_TAGS = 3;
    bit<16> current_type;
    bit<8> seen = 0;
    counter(32w4, CounterType.packets) parser_counter;

    state start {
        meta.tag_xor = 0;
        pkt.extract(hdr.ethernet);
        current_type = hdr.ethernet.ether_type;
        transition dispatch;
    }
    state dispatch {
        transition select(current_type) {
            0x9100: parse_tag;
            0x88B7: parse_version;
            0x0000: broken;
            0xFFFF: reject;
            default: accept;
        }
    }
    state parse_tag {
        {
            const bit<16> SALT = 0x5555;
            pkt.extract(hdr.tags.next);
            meta.tag_xor = meta.tag_xor ^ hdr.tags.last.value ^ SALT;
        }
        seen = seen + 1;
        meta.tag_count = seen;
        verify(seen <= MAX_TAGS, error.TooManyTags);
        current_type = hdr.tags.last.next_type;
        parser_counter.count(32w1);
        transition dispatch;
    }
    state parse_version {
        pkt.extract(hdr.version);
        bit<4> major = hdr.version.major;
        if (major == 1) {
            meta.old_version = true;
        } else if (major == 2) {
            meta.old_version = false;
        } else {
            verify(false, error.BadVersion);
        }
        transition accept;
    }
    state broken {
        parser_counter.count(32w3);
    }
}

control PsVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control PsIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    apply {
        if (std_meta.parser_error == error.TooManyTags) {
            mark_to_drop(std_meta);
        } else {
            std_meta.egress_spec = (bit<9>)meta.tag_count;
        }
    }
}

control PsEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control PsComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control PsDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.tags);
        pkt.emit(hdr.version);
    }
}

V1Switch(PsParser(), PsVerifyChecksum(), PsIngress(), PsEgress(), PsComputeChecksum(),
         PsDeparser()) main;
