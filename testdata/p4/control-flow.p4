// Statements: switch on table.apply().action_run with fall-through labels and default, switch
// on bit<W>, enum, serializable enum and error values (with fall-through), if / else-if chains,
// nested blocks with their own declarations, empty statements, return in a control and in an
// action, exit in an action and in a control, three-clause for loops with several init and update
// statements, for-in loops over a range and over a header stack, break and continue, and
// @likely / @unlikely block annotations.
#include <core.p4>
#include <v1model.p4>

enum Mode { Bridge, Route, Drop }
enum bit<8> Proto { Icmp = 1, Tcp = 6, Udp = 17 }

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header item_t {
    bit<8> value;
}

struct headers_t {
    ethernet_t ethernet;
    item_t[4]  items;
}

struct metadata_t {
    bit<8>  proto;
    bit<16> sum;
    bit<8>  count;
    bit<8>  last_seen;
}

parser CfParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x9000: parse_items;
            default: accept;
        }
    }
    state parse_items {
        pkt.extract(hdr.items.next);
        transition select(hdr.items.last.value) {
            0: accept;
            default: parse_items;
        }
    }
}

control CfVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control CfIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    Mode mode = Mode.Bridge;

    action bridge() {
        std_meta.egress_spec = 1;
    }
    action route(bit<9> port) {
        if (port == 0) {
            return;
        }
        std_meta.egress_spec = port;
    }
    action flood() {
        std_meta.mcast_grp = 1;
    }
    action punt() {
        std_meta.egress_spec = 64;
        exit;
    }
    action drop() {
        mark_to_drop(std_meta);
    }
    table forwarding {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { bridge; route; flood; punt; drop; }
        default_action = flood();
    }

    apply {
        switch (forwarding.apply().action_run) {
            bridge:
            route: {
                mode = Mode.Route;
            }
            punt: @unlikely {
                mode = Mode.Drop;
            }
            default: {
                mode = Mode.Bridge;
            }
        }

        switch (mode) {
            Mode.Bridge: { meta.count = 1; }
            Mode.Route:
            Mode.Drop: { meta.count = 2; }
        }

        Proto p = (Proto)meta.proto;
        switch (p) {
            Proto.Icmp: { meta.count = meta.count + 1; }
            Proto.Tcp:
            Proto.Udp: { meta.count = meta.count + 2; }
            default: { }
        }

        switch (hdr.ethernet.ether_type) {
            0x0800: { meta.proto = 4; }
            0x86DD: @likely { meta.proto = 6; }
            0x0806:
            0x8035: { meta.proto = 0; }
            default: { ; }
        }

        switch (std_meta.parser_error) {
            error.NoError: { }
            error.PacketTooShort:
            error.StackOutOfBounds: { drop(); }
            default: { exit; }
        }

        // Three-clause loops.
        meta.sum = 0;
        for (bit<8> i = 0, bit<8> j = 3; i < 4; i = i + 1, j = j - 1) {
            if (!hdr.items[j].isValid()) {
                continue;
            }
            meta.sum = meta.sum + (bit<16>)hdr.items[j].value;
        }
        bit<8> k = 0;
        for ( ; k < 10; ) {
            k = k + 1;
            if (k == 5) {
                break;
            }
        }

        // for-in over a range and over a header stack.
        for (bit<8> n in 1 .. 3) {
            meta.count = meta.count + n;
        }
        for (item_t it in hdr.items) {
            if (!it.isValid()) {
                break;
            }
            meta.last_seen = it.value;
        }

        {
            bit<8> local = meta.count;
            {
                bit<8> deeper = local + 1;
                meta.count = deeper;
            }
            ;
        }

        if (meta.count == 0) {
            return;
        } else if (meta.count == 1) {
            std_meta.egress_spec = 1;
        } else if (meta.count < 10) {
            std_meta.egress_spec = 2;
        } else {
            exit;
        }
    }
}

control CfEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control CfComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control CfDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.items);
    }
}

V1Switch(CfParser(), CfVerifyChecksum(), CfIngress(), CfEgress(), CfComputeChecksum(),
         CfDeparser()) main;
