// p4tee: the v1model architecture (the BMv2 simple_switch model), written from the BMv2
// simple_switch documentation. It declares standard_metadata_t, the v1model externs and
// extern functions, and the six programmable blocks of the V1Switch package.
// Define V1MODEL_VERSION (e.g. -D V1MODEL_VERSION=20200408) before including this file to pick
// the newer signatures, in which counter, meter and register take their index type as a parameter.

#ifndef _V1_MODEL_P4_
#define _V1_MODEL_P4_

#ifndef V1MODEL_VERSION
#define V1MODEL_VERSION 20180101
#endif

#include "core.p4"

// Match kinds v1model adds to exact, ternary and lpm.
match_kind {
    range,     // the key lies between a low and a high bound
    optional,  // exact match, or match anything
    selector   // key fields that feed an action_selector's hash
}

// The version this file was read with, visible to programs.
const bit<32> __v1model_version = V1MODEL_VERSION;

#if V1MODEL_VERSION >= 20200408
typedef bit<9> PortId_t;
#endif

// Per-packet data the switch provides and reads back.
struct standard_metadata_t {
#if V1MODEL_VERSION >= 20200408
    PortId_t ingress_port;           // port the packet arrived on (read only)
    PortId_t egress_spec;            // set in ingress: output port; 511 drops
    PortId_t egress_port;            // in egress: the port the packet leaves on
#else
    bit<9>   ingress_port;
    bit<9>   egress_spec;
    bit<9>   egress_port;
#endif
    bit<32>  instance_type;          // NORMAL, CLONE, RESUBMIT, RECIRC, REPLICATION...
    bit<32>  packet_length;          // in bytes
    bit<32>  enq_timestamp;          // queueing: when the packet was enqueued (microseconds)
    bit<19>  enq_qdepth;             // queueing: queue depth at enqueue (packets)
    bit<32>  deq_timedelta;          // queueing: time spent in the queue (microseconds)
    bit<19>  deq_qdepth;             // queueing: queue depth at dequeue (packets)
    bit<48>  ingress_global_timestamp;
    bit<48>  egress_global_timestamp;
    bit<16>  mcast_grp;              // set in ingress to multicast; 0 means none
    bit<16>  egress_rid;             // in egress: replication id of a multicast copy
    bit<1>   checksum_error;         // 1 if verify_checksum found a wrong checksum
    error    parser_error;           // error the parser ended with
    bit<3>   priority;               // queue priority
}

enum CounterType {
    packets,
    bytes,
    packets_and_bytes
}

enum MeterType {
    packets,
    bytes
}

// An array of counters, indexed from 0 to size-1.
#if V1MODEL_VERSION >= 20200408
extern counter<I> {
    counter(bit<32> size, CounterType type);
    // Adds the packet (and/or its bytes) to counter `index`; an index out of range does nothing.
    void count(in I index);
}
#else
extern counter {
    counter(bit<32> size, CounterType type);
    void count(in bit<32> index);
}
#endif

// A counter attached to one table (table property `counters`): one counter per entry.
extern direct_counter {
    direct_counter(CounterType type);
    // Counting happens whenever an entry matches; calling count() is optional.
    void count();
}

// Colors a meter reports.
#define V1MODEL_METER_COLOR_GREEN  0
#define V1MODEL_METER_COLOR_YELLOW 1
#define V1MODEL_METER_COLOR_RED    2

// An array of two-rate three-color meters (RFC 2698).
#if V1MODEL_VERSION >= 20200408
extern meter<I> {
    meter(bit<32> size, MeterType type);
    // Runs meter `index` and writes the color (0 green, 1 yellow, 2 red); T is bit<W>, W >= 2.
    void execute_meter<T>(in I index, out T result);
}
#else
extern meter {
    meter(bit<32> size, MeterType type);
    void execute_meter<T>(in bit<32> index, out T result);
}
#endif

// A meter attached to one table (table property `meters`): one meter per entry.
extern direct_meter<T> {
    direct_meter(MeterType type);
    // In an action of the table: the color of the matched entry's meter.
    void read(out T result);
}

// An array of state cells that packets can read and write.
#if V1MODEL_VERSION >= 20200408
extern register<T, I> {
    register(bit<32> size);
    // Reads cell `index` (an unspecified value when out of range).
    @noSideEffects
    void read(out T result, in I index);
    // Writes cell `index` (ignored when out of range).
    void write(in I index, in T value);
}
#else
extern register<T> {
    register(bit<32> size);
    @noSideEffects
    void read(out T result, in bit<32> index);
    void write(in bit<32> index, in T value);
}
#endif

// A table implementation (table property `implementation`) whose entries share action data.
extern action_profile {
    action_profile(bit<32> size);
}

// Writes a random value between lo and hi, both included.
extern void random<T>(out T result, in T lo, in T hi);

// Sends data to the control plane; `receiver` is ignored by BMv2.
extern void digest<T>(in bit<32> receiver, in T data);

enum HashAlgorithm {
    crc32,
    crc32_custom,
    crc16,
    crc16_custom,
    random,
    identity,
    csum16,
    xor16
}

// Old form, kept for older programs.
@deprecated("Please use mark_to_drop(standard_metadata) instead.")
extern void mark_to_drop();

// Sets egress_spec to the drop port and mcast_grp to 0.
@pure
extern void mark_to_drop(inout standard_metadata_t standard_metadata);

// result = base + (hash of data) % max, or base when max is 0.
@pure
extern void hash<O, T, D, M>(out O result, in HashAlgorithm algo, in T base, in D data, in M max);

// An action profile whose member is chosen by a hash of the `selector` key fields.
extern action_selector {
    action_selector(HashAlgorithm algorithm, bit<32> size, bit<32> outputWidth);
}

enum CloneType {
    I2E,  // ingress to egress
    E2E   // egress to egress
}

@deprecated("Please use verify_checksum/update_checksum instead.")
extern Checksum16 {
    Checksum16();
    bit<16> get<D>(in D data);
}

// In VerifyChecksum: if condition holds and the checksum of data differs from `checksum`,
// sets standard_metadata.checksum_error. T is a tuple or struct of bit<W>/int<W>/varbit fields.
extern void verify_checksum<T, O>(in bool condition, in T data, in O checksum, HashAlgorithm algo);

// In ComputeChecksum: if condition holds, writes the checksum of data into `checksum`.
@pure
extern void update_checksum<T, O>(in bool condition, in T data, inout O checksum, HashAlgorithm algo);

// As above, with the unparsed rest of the packet (the payload) appended to data.
extern void verify_checksum_with_payload<T, O>(in bool condition, in T data, in O checksum, HashAlgorithm algo);

@noSideEffects
extern void update_checksum_with_payload<T, O>(in bool condition, in T data, inout O checksum, HashAlgorithm algo);

// Sends a copy of the packet to egress (I2E) or egress again (E2E) through a clone session.
extern void clone(in CloneType type, in bit<32> session);

// Restarts ingress with the original packet; the metadata fields tagged
// @field_list(index) keep their values.
@deprecated("Please use 'resubmit_preserving_field_list' instead")
extern void resubmit<T>(in T data);
extern void resubmit_preserving_field_list(bit<8> index);

// Sends the deparsed packet back to the start of ingress.
@deprecated("Please use 'recirculate_preserving_field_list' instead")
extern void recirculate<T>(in T data);
extern void recirculate_preserving_field_list(bit<8> index);

// Clone that also keeps the metadata fields tagged @field_list(index).
@deprecated("Please use 'clone_preserving_field_list' instead")
extern void clone3<T>(in CloneType type, in bit<32> session, in T data);
extern void clone_preserving_field_list(in CloneType type, in bit<32> session, bit<8> index);

// Cuts the outgoing packet to at most `length` bytes.
extern void truncate(in bit<32> length);

// Stops the switch with an error when check is false (debug builds of the target).
extern void assert(in bool check);
// Like assert for the target; tools may take it as an assumption.
extern void assume(in bool check);

// Writes a message to the switch log; `{}` in msg is replaced by the fields of data.
extern void log_msg(string msg);
extern void log_msg<T>(string msg, in T data);

// The programmable blocks. H: a struct of headers, header stacks and header unions;
// M: a struct of user metadata.
parser Parser<H, M>(packet_in b,
                    out H parsedHdr,
                    inout M meta,
                    inout standard_metadata_t standard_metadata);

// May only call verify_checksum and verify_checksum_with_payload.
control VerifyChecksum<H, M>(inout H hdr,
                             inout M meta);

@pipeline
control Ingress<H, M>(inout H hdr,
                      inout M meta,
                      inout standard_metadata_t standard_metadata);

@pipeline
control Egress<H, M>(inout H hdr,
                     inout M meta,
                     inout standard_metadata_t standard_metadata);

// May only call update_checksum and update_checksum_with_payload.
control ComputeChecksum<H, M>(inout H hdr,
                              inout M meta);

// May only emit headers.
@deparser
control Deparser<H>(packet_out b, in H hdr);

package V1Switch<H, M>(Parser<H, M> p,
                       VerifyChecksum<H, M> vr,
                       Ingress<H, M> ig,
                       Egress<H, M> eg,
                       ComputeChecksum<H, M> ck,
                       Deparser<H> dep);

#endif // _V1_MODEL_P4_
