// Stateful externs of v1model: indexed counter and meter, a direct_counter and a direct_meter
// attached to tables with the `counters` and `meters` properties, an action_profile shared
// through a constructor call in the `implementation` property, register arrays of a struct-free
// wide type, random(), and the meter colour driving a switch on its value.
#include <core.p4>
#include <v1model.p4>

const bit<2> GREEN  = 0;
const bit<2> YELLOW = 1;
const bit<2> RED    = 2;

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
}

struct metadata_t {
    bit<2>  color;
    bit<2>  direct_color;
    bit<32> flow_id;
    bit<64> bytes_seen;
    bit<16> sample;
}

parser CmParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control CmVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control CmIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    counter(32w512, CounterType.packets_and_bytes) port_stats;
    meter(32w512, MeterType.bytes) port_meter;
    direct_counter(CounterType.packets) acl_hits;
    direct_meter<bit<2>>(MeterType.packets) flow_meter;
    register<bit<64>>(32w512) byte_totals;

    action permit() {
        acl_hits.count();
    }
    action deny() {
        acl_hits.count();
        mark_to_drop(std_meta);
    }
    table acl {
        key = {
            hdr.ethernet.src_addr   : ternary;
            hdr.ethernet.ether_type : exact;
        }
        actions = { permit; deny; }
        default_action = permit();
        counters = acl_hits;
    }

    action police(bit<32> flow) {
        meta.flow_id = flow;
        flow_meter.read(meta.direct_color);
    }
    action unpoliced() {
        flow_meter.read(meta.direct_color);
    }
    table flows {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { police; unpoliced; }
        default_action = unpoliced();
        meters = flow_meter;
    }

    action send(bit<9> port) {
        std_meta.egress_spec = port;
    }
    table next_hop {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { send; NoAction; }
        implementation = action_profile(32w128);
        default_action = NoAction();
    }

    apply {
        bit<32> index = (bit<32>)std_meta.ingress_port;
        port_stats.count(index);
        port_meter.execute_meter(index, meta.color);
        byte_totals.read(meta.bytes_seen, index);
        byte_totals.write(index, meta.bytes_seen + (bit<64>)std_meta.packet_length);
        random(meta.sample, 16w0, 16w1023);

        acl.apply();
        flows.apply();
        next_hop.apply();

        switch (meta.color) {
            GREEN: { }
            YELLOW: {
                hdr.ethernet.ether_type = 0x88B5;
            }
            RED: {
                mark_to_drop(std_meta);
            }
            default: { }
        }
        if (meta.direct_color == RED || meta.sample == 0) {
            mark_to_drop(std_meta);
        }
    }
}

control CmEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control CmComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control CmDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(CmParser(), CmVerifyChecksum(), CmIngress(), CmEgress(), CmComputeChecksum(),
         CmDeparser()) main;
