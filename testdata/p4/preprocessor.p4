// The preprocessor: object-like and function-like #define, #undef, #if / #elif / #else with
// arithmetic, comparisons, defined() and logical operators, #ifdef / #ifndef, nested
// conditionals, backslash-newline continuation, macros expanding to other macros, an include
// guard (the local header is included twice), and directives with spaces after the '#'.
#include <core.p4>
#include <v1model.p4>
#include "include/common-headers.p4"
#  include "include/common-headers.p4"

#define TABLE_SIZE 1024
#define DOUBLE_SIZE (TABLE_SIZE * 2)
#define PORT_WIDTH 9
#define CPU_PORT 9w64
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define SET_PORT(meta_std, p) meta_std.egress_spec = (p)
#define LONG_CONSTANT 32w0x1234_\
5678

#define FEATURE_LEVEL 2
#define WITH_COUNTERS

#if FEATURE_LEVEL >= 3
#error "level 3 is never selected in this program"
#elif FEATURE_LEVEL == 2 && defined(WITH_COUNTERS)
#define USE_COUNTERS 1
#elif FEATURE_LEVEL == 1
#define USE_COUNTERS 0
#else
#error "unreachable"
#endif

#ifndef SOMETHING_UNDEFINED
const bit<32> GUARD_OK = 1;
#else
this text is skipped and never lexed @ $ `
#endif

#ifdef WITH_COUNTERS
#  if USE_COUNTERS
const bool counters_enabled = true;
#  else
const bool counters_enabled = false;
#  endif
#endif

#undef WITH_COUNTERS
#ifdef WITH_COUNTERS
#error "WITH_COUNTERS was undefined above"
#endif

#if !defined(TABLE_SIZE) || (TABLE_SIZE % 2) != 0
#error "TABLE_SIZE must be even"
#endif

#if 0
a disabled region is not parsed: ( [ { unbalanced and not P4
#endif

struct headers_t {
    ethernet_h ethernet;
}

struct metadata_t {
    bit<PORT_WIDTH> chosen;
    bit<32>         magic;
}

parser PpParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control PpVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control PpIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    counter(MAX(TABLE_SIZE, 512), CounterType.packets) hits;

    action to_port(bit<PORT_WIDTH> port) {
        SET_PORT(std_meta, port);
        meta.chosen = port;
    }
    action to_cpu() {
        SET_PORT(std_meta, CPU_PORT);
    }
    table l2 {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { to_port; to_cpu; }
        default_action = to_cpu();
        size = DOUBLE_SIZE;
    }
    apply {
        meta.magic = LONG_CONSTANT + GUARD_OK;
        l2.apply();
        if (counters_enabled) {
            hits.count((bit<32>) std_meta.ingress_port);
        }
    }
}

control PpEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control PpComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control PpDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(PpParser(), PpVerifyChecksum(), PpIngress(), PpEgress(), PpComputeChecksum(),
         PpDeparser()) main;
