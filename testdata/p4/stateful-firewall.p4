// A stateful firewall: connections opened from the inside (a TCP SYN leaving through an internal
// port) are remembered in two registers indexed by two hashes of the 5-tuple (a small Bloom
// filter); packets arriving from the outside pass only if both register cells are set. Covers:
// register<T> read/write, hash with two algorithms, counter, generic extern calls with inferred
// type arguments, a tuple as hash data, nested if/else, bit<1> flags, TCP flag tests.
#include <core.p4>
#include <v1model.p4>

#define BLOOM_CELLS 4096

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header ipv4_t {
    bit<4>  version;
    bit<4>  ihl;
    bit<8>  diffserv;
    bit<16> total_len;
    bit<16> identification;
    bit<3>  flags;
    bit<13> frag_offset;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> hdr_checksum;
    bit<32> src_addr;
    bit<32> dst_addr;
}

header tcp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<4>  data_offset;
    bit<4>  res;
    bit<1>  cwr;
    bit<1>  ece;
    bit<1>  urg;
    bit<1>  ack;
    bit<1>  psh;
    bit<1>  rst;
    bit<1>  syn;
    bit<1>  fin;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}

struct headers_t {
    ethernet_t ethernet;
    ipv4_t     ipv4;
    tcp_t      tcp;
}

struct metadata_t {
    bit<32> pos1;
    bit<32> pos2;
    bit<1>  cell1;
    bit<1>  cell2;
    bit<1>  outbound;
}

parser FwParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x0800: parse_ipv4;
            default: accept;
        }
    }
    state parse_ipv4 {
        pkt.extract(hdr.ipv4);
        transition select(hdr.ipv4.protocol) {
            6: parse_tcp;
            default: accept;
        }
    }
    state parse_tcp {
        pkt.extract(hdr.tcp);
        transition accept;
    }
}

control FwVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control FwIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    register<bit<1>>(BLOOM_CELLS) bloom1;
    register<bit<1>>(BLOOM_CELLS) bloom2;
    counter(32w2, CounterType.packets) verdicts;

    action drop() {
        mark_to_drop(std_meta);
    }
    action forward(bit<9> port) {
        std_meta.egress_spec = port;
    }
    table ipv4_forward {
        key = { hdr.ipv4.dst_addr : lpm; }
        actions = { forward; drop; NoAction; }
        default_action = drop();
    }

    action set_direction(bit<1> outbound) {
        meta.outbound = outbound;
    }
    table direction {
        key = {
            std_meta.ingress_port : exact;
            std_meta.egress_spec  : exact;
        }
        actions = { set_direction; NoAction; }
        default_action = NoAction();
    }

    action hash_flow(bit<32> a, bit<32> b, bit<16> pa, bit<16> pb) {
        hash(meta.pos1, HashAlgorithm.crc16, 32w0, { a, b, pa, pb, hdr.ipv4.protocol },
             32w4096);
        hash(meta.pos2, HashAlgorithm.crc32, 32w0, { a, b, pa, pb, hdr.ipv4.protocol },
             32w4096);
    }

    apply {
        if (!hdr.ipv4.isValid()) {
            return;
        }
        ipv4_forward.apply();
        if (!hdr.tcp.isValid()) {
            return;
        }
        meta.outbound = 0;
        direction.apply();
        if (meta.outbound == 1) {
            hash_flow(hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.tcp.src_port, hdr.tcp.dst_port);
            if (hdr.tcp.syn == 1) {
                bloom1.write(meta.pos1, 1);
                bloom2.write(meta.pos2, 1);
            }
        } else {
            // Inbound: the reply of a flow has the addresses and ports swapped.
            hash_flow(hdr.ipv4.dst_addr, hdr.ipv4.src_addr, hdr.tcp.dst_port, hdr.tcp.src_port);
            bloom1.read(meta.cell1, meta.pos1);
            bloom2.read(meta.cell2, meta.pos2);
            if (meta.cell1 != 1 || meta.cell2 != 1) {
                verdicts.count(32w1);
                drop();
                return;
            }
        }
        verdicts.count(32w0);
    }
}

control FwEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control FwComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control FwDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.ipv4);
        pkt.emit(hdr.tcp);
    }
}

V1Switch(FwParser(), FwVerifyChecksum(), FwIngress(), FwEgress(), FwComputeChecksum(),
         FwDeparser()) main;
