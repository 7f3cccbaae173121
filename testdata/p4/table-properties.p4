// Tables and their properties: keys of every v1model match kind (exact, lpm, ternary, range,
// optional), const entries (priority from program order), mutable entries with explicit
// `priority=` values, `const` on single entries, largest_priority_wins and priority_delta,
// @noWarn on an entries property, const and non-const default_action with arguments, size,
// a keyless table, support_timeout, @tableonly/@defaultonly, actions bound with a direction
// argument in the actions list, and an annotation after an entry.
#include <core.p4>
#include <v1model.p4>

header h1_t {
    bit<8>  e;
    bit<16> t;
    bit<8>  l;
    bit<8>  r;
    bit<1>  v;
    bit<7>  pad;
}

struct headers_t {
    h1_t h;
}

struct metadata_t {
    bit<8> counter_value;
    bit<8> tag;
}

parser TpParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control TpVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control TpIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action a() {
        std_meta.egress_spec = 0;
    }
    action a_params(bit<9> x) {
        std_meta.egress_spec = x;
    }
    action add_to(inout bit<8> target, bit<8> amount) {
        target = target + amount;
    }
    action tag_only(bit<8> value) {
        meta.tag = value;
    }

    table t_exact_ternary {
        key = {
            hdr.h.e : exact;
            hdr.h.t : ternary;
        }
        actions = { a; a_params; }
        default_action = a;
        const entries = {
            (0x01, 0x1111 &&& 0xF   ) : a_params(1);
            (0x02, 0x1181           ) : a_params(2);
            (0x03, 0x1111 &&& 0xF000) : a_params(3);
            (0x04, _                ) : a_params(4);
        }
    }

    table t_priorities {
        key = {
            hdr.h.e : exact;
            hdr.h.t : ternary;
        }
        actions = { a; a_params; }
        default_action = a();
        largest_priority_wins = false;
        priority_delta = 10;
        @noWarn("duplicate_priorities")
        entries = {
            const priority=10: (0x01, 0x1111 &&& 0xF   ) : a_params(1);
                               (0x02, 0x1181           ) : a_params(2);
                               (0x03, 0x1000 &&& 0xF000) : a_params(3);
            const              (0x04, 0x0210 &&& 0x02F0) : a_params(4);
                  priority=40: (0x04, 0x0010 &&& 0x02F0) : a_params(5);
                  priority=(25 + 25): (0x06, _)         : a_params(6);
        }
        size = 64;
    }

    table t_range_lpm {
        key = {
            hdr.h.l : range;
            hdr.h.r : lpm;
        }
        actions = { a_params; @defaultonly a; }
        const default_action = a();
        entries = {
            (1 .. 8, 0x40 &&& 0xF0)   : a_params(1) @name("low_range");
            (6 .. 12, 0x00 &&& 0x00)  : a_params(2);
            (15 .. 15, 0x7F)          : a_params(3);
        }
        size = 32;
    }

    table t_optional {
        key = {
            hdr.h.e : optional;
            hdr.h.v : optional;
        }
        actions = { @tableonly a_params; a; }
        default_action = a;
        const entries = {
            (47, 1) : a_params(1);
            ( _, 1) : a_params(2);
            (49, _) : a_params(4);
        }
        support_timeout = true;
    }

    table t_keyless {
        actions = { add_to(meta.counter_value); tag_only; }
        default_action = add_to(meta.counter_value, 8w3);
    }

    table t_empty_key {
        key = { }
        actions = { tag_only; NoAction; }
        const default_action = tag_only(8w0xAB);
    }

    apply {
        t_exact_ternary.apply();
        t_priorities.apply();
        t_range_lpm.apply();
        t_optional.apply();
        t_keyless.apply();
        t_empty_key.apply();
    }
}

control TpEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control TpComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control TpDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.h);
    }
}

V1Switch(TpParser(), TpVerifyChecksum(), TpIngress(), TpEgress(), TpComputeChecksum(),
         TpDeparser()) main;
