// Type declarations: typedef of base, derived, specialised and header-stack types, typedef of a
// typedef, a typedef that declares its struct inline, `type` introducing new bit and bool types
// (casts to and from the base type, equality, use as a table key and as action data), plain
// enums, serializable enums over bit<W>, int<W> and a typedef (with a trailing comma and two
// members sharing a value), enum values as header fields, implicit enum-to-underlying casts in
// arithmetic, shifts, slices and concatenation, several error declarations, and the top-level
// dot prefix reaching a shadowed name.
#include <core.p4>
#include <v1model.p4>

typedef bit<48> mac_t;
typedef mac_t   station_t;
typedef bit<8>  byte_t;
type bit<32>    flow_id_t;
type flow_id_t  tenant_flow_t;
type bool       verdict_t;
typedef struct point_s { bit<8> x; bit<8> y; } point_t;

enum Color { Red, Green, Blue }
enum bit<16> EtherType { IPV4 = 0x0800, ARP = 0x0806, ALSO_IPV4 = 0x0800, }
enum int<8> Delta { Down = -1, Zero = 0, Up = 1 }
enum byte_t Priority { Low = 1, High = 7 }

error { TypeMismatchSeen }
error { AnotherError, YetAnother }

const byte_t SHADOWED = 1;

header ethernet_t {
    station_t dst_addr;
    mac_t     src_addr;
    EtherType ether_type;
}

header prio_t {
    Priority level;
    Delta    delta;
}

typedef ethernet_t[2] eth_pair_t;

struct headers_t {
    ethernet_t ethernet;
    prio_t     prio;
}

struct metadata_t {
    flow_id_t     flow;
    tenant_flow_t tenant_flow;
    verdict_t     verdict;
    point_t       point;
    Color         color;
    error         last_error;
    bit<16>       shifted;
}

parser TyParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            EtherType.IPV4: accept;
            EtherType.ARP: parse_prio;
            default: accept;
        }
    }
    state parse_prio {
        pkt.extract(hdr.prio);
        transition accept;
    }
}

control TyVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control TyIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    const byte_t SHADOWED = 2;

    action set_flow(flow_id_t id, verdict_t v) {
        meta.flow = id;
        meta.verdict = v;
    }
    table flows {
        key = { meta.flow : exact; }
        actions = { set_flow; NoAction; }
        default_action = set_flow((flow_id_t)32w7, (verdict_t)false);
    }

    apply {
        meta.flow = (flow_id_t)(bit<32>)hdr.ethernet.src_addr;
        meta.tenant_flow = (tenant_flow_t)meta.flow;
        flows.apply();
        if (meta.flow == (flow_id_t)0 || (bit<32>)meta.flow > 100) {
            meta.flow = (flow_id_t)((bit<32>)meta.flow + 1);
        }
        if ((bool)meta.verdict) {
            meta.color = Color.Green;
        } else {
            meta.color = Color.Red;
        }
        if (meta.color != Color.Blue && hdr.prio.isValid()) {
            bit<8> level = hdr.prio.level;
            Priority p = (Priority)(level + 1);
            meta.shifted = 16w1 << hdr.prio.level;
            meta.shifted = hdr.prio.level ++ 8w0;
            meta.shifted = meta.shifted + (bit<16>)(bit<8>)p;
            int<8> d = hdr.prio.delta;
            if (hdr.prio.delta == Delta.Down || d < 0) {
                hdr.prio.delta = Delta.Up;
            }
            bit<4> low_bits = hdr.ethernet.src_addr[Priority.High:4];
            meta.point = { x = (bit<8>)low_bits, y = level };
        }
        eth_pair_t pair;
        pair[0] = hdr.ethernet;
        pair[1].setInvalid();
        hdr.ethernet = pair[0];
        meta.point.x = SHADOWED + .SHADOWED;
        meta.last_error = error.TypeMismatchSeen;
        if (meta.last_error == error.YetAnother || std_meta.parser_error == error.AnotherError) {
            mark_to_drop(std_meta);
        }
    }
}

control TyEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control TyComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control TyDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.prio);
    }
}

V1Switch(TyParser(), TyVerifyChecksum(), TyIngress(), TyEgress(), TyComputeChecksum(),
         TyDeparser()) main;
