// Annotations everywhere the grammar allows them: bare (@hidden), unstructured with arbitrary
// balanced token bodies (@name("..."), @pragma-like bodies with keywords, operators and nested
// parentheses), structured with an expression list, with a key-value list, empty, with a
// trailing comma, and with string concatenation; on declarations, fields, parameters, table
// keys, action list entries, entries, table properties, blocks, statements, states, variables,
// constants, instantiations and extern methods. The same unstructured name may repeat.
#include <core.p4>
#include <v1model.p4>

#define TEXT_CONST "hello"
#define NUM_CONST 6

@brief("Ethernet II") @description[short = "eth", long = "an Ethernet II header"]
header ethernet_t {
    @name("destination") bit<48> dst_addr;
    bit<48> src_addr;
    @format(hex) @format(wide) bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
}

@Empty[]
struct metadata_t {
    @MixedExprList[1, TEXT_CONST, true, 1 == 2, 5 + NUM_CONST]
    bit<8> tag;
    @MixedKV[label = "text", my_bool = true, int_val = 2 * 3,]
    bit<8> other;
}

@deprecated("Please use the" ++ " newer one.")
extern Legacy {
    Legacy();
    @noSideEffects bit<8> peek();
    @pure bit<8> twice(in bit<8> x);
}

@noWarn("unused")
const bit<8> UNUSED_ON_PURPOSE = 0;

@weird_body(action apply table ( nested ( deeper ) ) x && y || z :: ; , . [ ] < > "s" 12)
parser AnParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    @name("the_start") state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control AnVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

@name("ingress") @Labels[short = "Ingress", hover = "the ingress pipeline"]
control AnIngress(inout headers_t hdr, @optional_note("m") inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    @hidden Legacy() legacy;
    @name("counter_of_hits") counter(32w16, CounterType.packets) hits;

    @name("set_port") action fwd(@name("port") bit<9> port) {
        std_meta.egress_spec = port;
    }
    @hidden action quiet() { }
    @name(".global_drop") action drop() {
        mark_to_drop(std_meta);
    }

    @name("mac_table") @Sizes[512, 1024]
    table dmac {
        key = {
            hdr.ethernet.dst_addr : exact @name("dst") @format(mac);
            meta.tag              : ternary @hidden;
        }
        actions = {
            @tableonly fwd;
            @defaultonly drop;
            @hidden quiet;
        }
        @name("default") const default_action = drop();
        @my_size_note size = 128;
        @noWarn("duplicate_priorities") const entries = {
            (0x0000_0000_0001, 0x00 &&& 0x00) : fwd(1) @id(1);
            (0x0000_0000_0002, 0x01 &&& 0xFF) : fwd(2);
        }
    }

    apply {
        @atomic {
            meta.tag = legacy.peek();
            meta.other = legacy.twice(meta.tag);
        }
        @name("hit_check") bit<8> scratch = meta.tag;
        @tmp const bit<8> limit = 4;
        if (dmac.apply().hit) @likely {
            hits.count(32w0);
        } else @unlikely {
            hits.count(32w1);
        }
        if (scratch > limit) {
            quiet();
        }
    }
}

control AnEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control AnComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control AnDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

@name("the_switch")
V1Switch(AnParser(), AnVerifyChecksum(), AnIngress(), AnEgress(), AnComputeChecksum(),
         AnDeparser()) main;
