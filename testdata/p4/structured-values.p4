// Structured values: tuple types and tuple expressions (indexing with constants, equality),
// struct-valued expressions with and without a type cast, field order free, `...` for default
// values (alone and as the last element), headers initialised from tuples and key-value lists
// (which makes them valid), a struct nested in a header, {#}, generic structs and headers
// specialised with nested type arguments written both as `>>` and `> >`, a list<T> passed to an
// extern constructor, minSizeInBits and friends, and static_assert at the top level.
#include <core.p4>
#include <v1model.p4>

struct inner_t {
    bit<8> p;
    bit<8> q;
}

header outer_h {
    bit<16> kind;
    inner_t inner;
}

struct Box<T> {
    T      value;
    bool   present;
}

struct Pair<A, B> {
    A first;
    B second;
}

header Tagged<T> {
    bit<8> tag;
    T      payload;
}

struct entry_t {
    bit<16> k;
    bit<32> v;
}

extern Lookup {
    Lookup(list<entry_t> contents);
    bit<32> find(in bit<16> k);
}

const Box<bit<8>> DEFAULT_BOX = { value = 8w7, present = true };
const Pair<bit<4>, Box<bit<4>>> NESTED = { first = 1, second = { value = 2, present = false } };
const Pair<bit<4>, Box<bit<4> > > SPACED = { 3, { 4, true } };
const inner_t ORDERED = { q = 2, p = 1 };
const tuple<bit<8>, bool> TUP = { 8w9, true };

const bool check_size = static_assert(outer_h.minSizeInBits() == 32, "outer_h is 32 bits");
const bool check_bytes = static_assert(outer_h.minSizeInBytes() == 4);
typedef Tagged<bit<24>> tagged24_t;
const int TAGGED_BITS = tagged24_t.maxSizeInBits();

struct headers_t {
    outer_h             outer;
    Tagged<bit<24>>     tagged;
    Tagged<bit<8> >[2]  small;
}

struct metadata_t {
    Box<bit<16>>              box;
    Pair<bit<8>, bit<16>>     pair;
    tuple<bit<8>, bit<16>>    t;
    inner_t                   copy;
    bit<32>                   found;
}

parser SvParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.outer);
        pkt.extract(hdr.tagged);
        transition accept;
    }
}

control SvVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control SvIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    Lookup((list<entry_t>){ { 1, 100 }, { 2, 200 }, { k = 3, v = 300 } }) table_of_three;

    apply {
        meta.box = { value = 16w1, present = true };
        meta.box = (Box<bit<16>>){ present = false, value = 2 };
        meta.box = { value = 5, ... };
        meta.pair = { 8w1, 16w2 };
        Pair<bit<8>, bit<16>> zero_pair = ...;
        meta.pair = zero_pair;
        meta.t = { 8w3, 16w4 };
        meta.t = { hdr.outer.inner.p, hdr.outer.kind };
        meta.copy = ORDERED;

        bit<8> first = TUP[0];
        if (TUP[1] && meta.t == { first, 16w0 }) {
            meta.copy.p = first;
        }
        if (meta.copy == (inner_t){ p = 1, q = 2 } && meta.pair != (Pair<bit<8>, bit<16>>){ 8w0, 16w0 }) {
            meta.copy = { p = DEFAULT_BOX.value, ... };
        }

        outer_h fresh = { kind = 0x1234, inner = { p = 1, q = 2 } };
        outer_h partial = { kind = 7, ... };
        outer_h invalid_one = ...;
        if (fresh.isValid() && partial.isValid() && !invalid_one.isValid()) {
            hdr.outer = fresh;
        }
        hdr.small[0] = { 8w1, 8w2 };
        hdr.small[1] = {#};
        hdr.tagged = (Tagged<bit<24>>){ tag = 1, payload = 24w0xABCDEF };
        if (NESTED.second.present || SPACED.first == 3) {
            hdr.tagged = {#};
        }
        meta.found = table_of_three.find(hdr.outer.kind);
        if (TAGGED_BITS == 32 && check_size && check_bytes) {
            std_meta.egress_spec = 1;
        }
    }
}

control SvEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control SvComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control SvDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.outer);
        pkt.emit(hdr.tagged);
        pkt.emit(hdr.small);
    }
}

V1Switch(SvParser(), SvVerifyChecksum(), SvIngress(), SvEgress(), SvComputeChecksum(),
         SvDeparser()) main;
