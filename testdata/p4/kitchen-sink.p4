// The kitchen sink: one larger v1model program that uses most of the language together, the way
// a real edge switch would: VLAN stacks, an IPv4/IPv6 header union, TCP/UDP, a telemetry stack
// pushed in egress, parser value sets and sub-parsers, functions (generic and not), every table
// match kind, action selectors and profiles, direct and indexed counters and meters, registers,
// hashes, digests, clones, recirculation, switch statements of both kinds, loops, serializable
// enums, new types, typedefs, errors, annotations, and preprocessor conditionals.
#include <core.p4>
#include <v1model.p4>
#include "include/common-headers.p4"

#define MAX_VLANS 2
#define TELEMETRY_DEPTH 3
#define ACL_SIZE 256
#define WITH_TELEMETRY 1

#if WITH_TELEMETRY
const bool TELEMETRY_ON = true;
#else
const bool TELEMETRY_ON = false;
#endif

// ----------------------------------------------------------------------------------------------
// Types

typedef bit<9>   port_t;
typedef bit<128> ipv6_addr_t;
type bit<16>     tenant_t;

enum bit<8> IpProto { ICMP = 1, TCP = 6, UDP = 17, ICMPV6 = 58 }
enum Verdict { Allow, Deny, Inspect }

error { VlanStackFull, Ipv6Unsupported }

header ipv6_h {
    bit<4>      version;
    bit<8>      traffic_class;
    bit<20>     flow_label;
    bit<16>     payload_len;
    IpProto     next_hdr;
    bit<8>      hop_limit;
    ipv6_addr_t src_addr;
    ipv6_addr_t dst_addr;
}

header_union ip_h {
    ipv4_h v4;
    ipv6_h v6;
}

header tcp_h {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<4>  data_offset;
    bit<4>  reserved;
    bit<8>  flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}

header telemetry_h {
    bit<8>  switch_id;
    port_t  ingress_port;
    port_t  egress_port;
    bit<6>  pad;
    bit<32> queue_delay;
}

struct headers_t {
    ethernet_h                  ethernet;
    vlan_h[MAX_VLANS]           vlans;
    ip_h                        ip;
    tcp_h                       tcp;
    udp_h                       udp;
    telemetry_h[TELEMETRY_DEPTH] telemetry;
}

struct flow_key_t {
    bit<32> src;
    bit<32> dst;
    bit<16> sport;
    bit<16> dport;
    bit<8>  proto;
}

struct learn_t {
    mac_addr_t mac;
    port_t     port;
    bit<12>    vid;
}

struct metadata_t {
    flow_key_t flow;
    learn_t    learn;
    tenant_t   tenant;
    bit<12>    vid;
    bit<2>     color;
    bit<32>    flow_hash;
    bit<32>    flow_packets;
    Verdict    verdict;
    @field_list(1)
    bit<8>     recirculations;
    @field_list(2)
    bit<32>    mirror_session;
    bool       is_ipv6;
}

// ----------------------------------------------------------------------------------------------
// Functions

bit<16> fold32(in bit<32> x) {
    return x[31:16] ^ x[15:0];
}

T pick<T>(in bool which, in T a, in T b) {
    if (which) {
        return a;
    } else {
        return b;
    }
}

bool is_tcp_syn(in tcp_h tcp) {
    return tcp.isValid() && (tcp.flags & 0x12) == 0x02;
}

// ----------------------------------------------------------------------------------------------
// Parser

parser VlanLoop(packet_in pkt, inout vlan_h[MAX_VLANS] vlans, out bit<16> next_type) {
    state start {
        pkt.extract(vlans.next);
        next_type = vlans.last.ether_type;
        transition select(next_type) {
            ETHERTYPE_VLAN: start;
            default: accept;
        }
    }
}

parser KsParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    value_set<bit<16>>(4) extra_ipv4_types;
    bit<16> ether_type;

    state start {
        pkt.extract(hdr.ethernet);
        ether_type = hdr.ethernet.ether_type;
        transition select(ether_type) {
            ETHERTYPE_VLAN: parse_vlans;
            default: parse_l3;
        }
    }
    state parse_vlans {
        VlanLoop.apply(pkt, hdr.vlans, ether_type);
        meta.vid = hdr.vlans[0].vid;
        transition parse_l3;
    }
    state parse_l3 {
        transition select(ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            extra_ipv4_types: parse_ipv4;
            0x86DD: parse_ipv6;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ip.v4);
        verify(hdr.ip.v4.ihl == 5, error.ParserInvalidArgument);
        meta.flow.src = hdr.ip.v4.src_addr;
        meta.flow.dst = hdr.ip.v4.dst_addr;
        meta.flow.proto = hdr.ip.v4.protocol;
        transition select(hdr.ip.v4.frag_offset, hdr.ip.v4.protocol) {
            (0, IPPROTO_TCP): parse_tcp;
            (0, IPPROTO_UDP): parse_udp;
            (1 .. 0x1FFF, _): accept;
            default: accept;
        }
    }
    state parse_ipv6 {
        pkt.extract(hdr.ip.v6);
        meta.is_ipv6 = true;
        transition select(hdr.ip.v6.next_hdr) {
            IpProto.TCP: parse_tcp;
            IpProto.UDP: parse_udp;
            default: accept;
        }
    }
    state parse_tcp {
        pkt.extract(hdr.tcp);
        meta.flow.sport = hdr.tcp.src_port;
        meta.flow.dport = hdr.tcp.dst_port;
        transition accept;
    }
    state parse_udp {
        pkt.extract(hdr.udp);
        meta.flow.sport = hdr.udp.src_port;
        meta.flow.dport = hdr.udp.dst_port;
        transition select(hdr.udp.dst_port) {
            16w0x12B5 &&& 16w0xFFFF: accept;
            default: accept;
        }
    }
}

control KsVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        verify_checksum(hdr.ip.v4.isValid(),
            { hdr.ip.v4.version, hdr.ip.v4.ihl, hdr.ip.v4.diffserv, hdr.ip.v4.total_len,
              hdr.ip.v4.identification, hdr.ip.v4.flags, hdr.ip.v4.frag_offset,
              hdr.ip.v4.ttl, hdr.ip.v4.protocol, hdr.ip.v4.src_addr, hdr.ip.v4.dst_addr },
            hdr.ip.v4.hdr_checksum, HashAlgorithm.csum16);
    }
}

// ----------------------------------------------------------------------------------------------
// Ingress

control KsIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    direct_counter(CounterType.packets_and_bytes) acl_counter;
    direct_meter<bit<2>>(MeterType.bytes) tenant_meter;
    counter(32w1024, CounterType.packets) port_counter;
    meter(32w64, MeterType.packets) port_meter;
    register<bit<32>>(32w65536) flow_packets;
    action_selector(HashAlgorithm.crc32, 32w256, 32w16) ecmp;

    action drop() {
        mark_to_drop(std_meta);
    }
    action set_tenant(tenant_t tenant) {
        meta.tenant = tenant;
        tenant_meter.read(meta.color);
    }
    action no_tenant() {
        meta.tenant = (tenant_t)16w0;
        tenant_meter.read(meta.color);
    }
    @name("tenant_map")
    table tenants {
        key = {
            std_meta.ingress_port : exact;
            meta.vid              : optional;
        }
        actions = { set_tenant; no_tenant; }
        default_action = no_tenant();
        meters = tenant_meter;
        size = 512;
    }

    action learn_mac() {
        meta.learn = { mac = hdr.ethernet.src_addr, port = std_meta.ingress_port, vid = meta.vid };
        digest(32w1, meta.learn);
    }
    table mac_learning {
        key = {
            hdr.ethernet.src_addr : exact;
            meta.vid              : exact;
        }
        actions = { learn_mac; NoAction; }
        default_action = learn_mac();
    }

    action acl_verdict(Verdict v) {
        meta.verdict = v;
        acl_counter.count();
    }
    table acl {
        key = {
            meta.flow.src   : ternary;
            meta.flow.dst   : ternary;
            meta.flow.sport : range;
            meta.flow.dport : range;
            meta.flow.proto : ternary;
        }
        actions = { acl_verdict; }
        default_action = acl_verdict(Verdict.Allow);
        counters = acl_counter;
        size = ACL_SIZE;
        largest_priority_wins = true;
        entries = {
            priority=100: (_, _, _, 22 .. 22, 6)              : acl_verdict(Verdict.Inspect);
            priority=90:  (0x0A00_0000 &&& 0xFF00_0000, _, _, _, _) : acl_verdict(Verdict.Allow);
            priority=10:  (_, _, 0 .. 1023, _, 17)          : acl_verdict(Verdict.Deny);
        }
    }

    action set_next_hop(mac_addr_t dmac, port_t port) {
        hdr.ethernet.dst_addr = dmac;
        std_meta.egress_spec = port;
    }
    table routes_v4 {
        key = {
            meta.tenant        : exact;
            hdr.ip.v4.dst_addr : lpm;
            meta.flow.src      : selector;
            meta.flow.sport    : selector;
        }
        actions = { set_next_hop; drop; }
        implementation = ecmp;
        default_action = drop();
    }
    table routes_v6 {
        key = { hdr.ip.v6.dst_addr : lpm; }
        actions = { set_next_hop; drop; }
        implementation = action_profile(32w64);
        default_action = drop();
    }

    action mirror(bit<32> session) {
        meta.mirror_session = session;
        clone_preserving_field_list(CloneType.I2E, session, 2);
    }
    table mirrors {
        key = { meta.verdict : exact; }
        actions = { mirror; NoAction; }
        const entries = {
            Verdict.Inspect : mirror(32w7);
        }
        default_action = NoAction();
    }

    apply {
        if (std_meta.parser_error == error.NoMatch || std_meta.parser_error == error.VlanStackFull) {
            drop();
            exit;
        }
        port_counter.count((bit<32>)std_meta.ingress_port);
        port_meter.execute_meter((bit<32>)std_meta.ingress_port, meta.color);
        if (meta.color == 2) {
            drop();
            exit;
        }

        tenants.apply();
        mac_learning.apply();

        if (meta.is_ipv6) {
            routes_v6.apply();
        } else if (hdr.ip.v4.isValid()) {
            switch (acl.apply().action_run) {
                acl_verdict: {
                    if (meta.verdict == Verdict.Deny) {
                        drop();
                        return;
                    }
                }
            }
            routes_v4.apply();
            hdr.ip.v4.ttl = hdr.ip.v4.ttl |-| 1;
        }

        hash(meta.flow_hash, HashAlgorithm.crc32, 32w0, meta.flow, 32w65536);
        flow_packets.read(meta.flow_packets, meta.flow_hash);
        meta.flow_packets = meta.flow_packets |+| 1;
        flow_packets.write(meta.flow_hash, meta.flow_packets);

        if (is_tcp_syn(hdr.tcp)) {
            mirrors.apply();
        }

        switch (meta.verdict) {
            Verdict.Allow: { }
            Verdict.Inspect:
            Verdict.Deny: {
                hdr.ethernet.src_addr[7:0] = (bit<8>)fold32(meta.flow_hash);
            }
        }

        // Keep the VLAN ids in range, looking at every tag.
        for (bit<8> i = 0; i < MAX_VLANS; i = i + 1) {
            if (!hdr.vlans[i].isValid()) {
                continue;
            }
            hdr.vlans[i].vid = pick(hdr.vlans[i].vid == 0, 12w1, hdr.vlans[i].vid);
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Egress

control KsEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    action add_telemetry(bit<8> switch_id) {
        hdr.telemetry.push_front(1);
        hdr.telemetry[0].setValid();
        hdr.telemetry[0] = {
            switch_id = switch_id,
            ingress_port = std_meta.ingress_port,
            egress_port = std_meta.egress_port,
            pad = 0,
            queue_delay = std_meta.deq_timedelta
        };
    }
    table telemetry {
        key = { std_meta.egress_port : exact; }
        actions = { add_telemetry; NoAction; }
        default_action = add_telemetry(8w1);
    }
    apply {
        if (TELEMETRY_ON && !hdr.telemetry[TELEMETRY_DEPTH - 1].isValid()) {
            telemetry.apply();
        }
        if (std_meta.instance_type == 0 && meta.recirculations == 0 && meta.verdict == Verdict.Inspect) {
            meta.recirculations = meta.recirculations + 1;
            recirculate_preserving_field_list(1);
        }
        if (std_meta.egress_rid != 0) {
            hdr.vlans[0].vid = (bit<12>)std_meta.egress_rid;
        }
    }
}

control KsComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum(hdr.ip.v4.isValid(),
            { hdr.ip.v4.version, hdr.ip.v4.ihl, hdr.ip.v4.diffserv, hdr.ip.v4.total_len,
              hdr.ip.v4.identification, hdr.ip.v4.flags, hdr.ip.v4.frag_offset,
              hdr.ip.v4.ttl, hdr.ip.v4.protocol, hdr.ip.v4.src_addr, hdr.ip.v4.dst_addr },
            hdr.ip.v4.hdr_checksum, HashAlgorithm.csum16);
    }
}

control KsDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.vlans);
        pkt.emit(hdr.telemetry);
        pkt.emit(hdr.ip);
        pkt.emit(hdr.tcp);
        pkt.emit(hdr.udp);
    }
}

V1Switch(KsParser(), KsVerifyChecksum(), KsIngress(), KsEgress(), KsComputeChecksum(),
         KsDeparser()) main;
