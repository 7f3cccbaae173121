// A program that describes its own architecture instead of including v1model: a match_kind
// declaration, generic parser / control / package type declarations, a package with a type
// argument written as `_`, an @optional package parameter and one with a default value, extern
// objects with generic methods, overloaded methods and constructors, an extern object with an
// abstract method implemented in an instantiation initializer that calls `this`, extern functions
// (generic and not), a top-level extern instance shared by two blocks as a constructor argument,
// constructor overloads chosen by argument count and names, and `main` built from nested
// package constructor calls whose type arguments are inferred, leaving out the optional one.
#include <core.p4>

match_kind {
    fuzzy,
    hashed,
}

extern Checksum16 {
    Checksum16();
    void clear();
    void update<T>(in T data);
    void remove<T>(in T data);
    bit<16> get();
}

extern Counter<W> {
    Counter(bit<32> size);
    Counter(bit<32> size, bool saturate);
    void increment(in bit<32> index);
    void increment(in bit<32> index, in W amount);
    W read(in bit<32> index);
}

extern Balancer {
    Balancer(bit<8> ways);
    bit<32> flow_count();
    abstract bit<4> on_new_flow(in bit<32> address);
}

extern void log_value<T>(in T value);
extern bit<32> now();
@pure extern bit<16> fold16(in bit<32> x);

header eth_t {
    bit<48> dst;
    bit<48> src;
    bit<16> kind;
}

struct parsed_t {
    eth_t eth;
}

struct control_t {
    bit<4>  lane;
    bit<16> digest;
    bool    drop;
}

parser Prs<H>(packet_in b, out H headers);
control Pipe<H, C>(inout H headers, out C ctrl);
control Dep<H>(in H headers, packet_out b);
control Monitor<C>(in C ctrl);
package Switch<H, C>(Prs<H> p, Pipe<H, C> pipe, Dep<H> d, @optional Monitor<C> mon);
package Wrapper<H>(Switch<H, _> inner, bool trace = false);

Checksum16() shared_checksum;

parser MyPrs(packet_in b, out parsed_t hdr)(Checksum16 ck) {
    state start {
        b.extract(hdr.eth);
        ck.clear();
        ck.update(hdr.eth);
        transition accept;
    }
}

control MyPipe(inout parsed_t hdr, out control_t ctrl) {
    Counter<bit<64>>(1024) packets;
    Counter<bit<64>>(size = 1024, saturate = true) bytes;

    Balancer(8w4) lb = {
        bit<4> on_new_flow(in bit<32> address) {
            bit<32> n = this.flow_count();
            return (address + n)[3:0];
        }
    };

    action fuzzy_hit(bit<4> lane) {
        ctrl.lane = lane;
    }
    table classify {
        key = {
            hdr.eth.src : fuzzy;
            hdr.eth.dst : hashed;
            hdr.eth.kind : exact;
        }
        actions = { fuzzy_hit; NoAction; }
        default_action = NoAction();
    }

    apply {
        ctrl.drop = false;
        ctrl.lane = lb.on_new_flow(hdr.eth.src[31:0]);
        ctrl.digest = fold16(now());
        classify.apply();
        packets.increment(0);
        bytes.increment(index = 1, amount = 64w60);
        if (packets.read(0) > 64w1_000_000) {
            ctrl.drop = true;
        }
        log_value(ctrl.lane);
        log_value<bit<16>>(ctrl.digest);
    }
}

control MyDep(in parsed_t hdr, packet_out b)(Checksum16 ck) {
    apply {
        b.emit(hdr.eth);
        log_value(ck.get());
    }
}

control MyMonitor(in control_t ctrl) {
    apply {
        if (ctrl.drop) {
            log_value(ctrl.digest);
        }
    }
}

// The optional monitor is left out; named arguments for the outer package.
Wrapper(inner = Switch(MyPrs(shared_checksum), MyPipe(), MyDep(shared_checksum)),
        trace = true) main;
