// Regression fixture (docs/conformance.md): == and != on varbits, headers, header stacks and
// structs. Varbits compare length and value; two invalid headers are equal whatever their fields.
// Output: the input headers, then one byte of flags saying which comparisons held.
#include <core.p4>
#include <v1model.p4>

header H {
    bit<8>     s;
    varbit<32> v;
}

header Flags {
    bit<8> f;
}

header Pad {
    bit<8> x;
}

struct metadata {}

struct headers {
    H     h;
    H[2]  a;
    Pad   p1;
    Pad   p2;
    Flags flags;
}

parser p(packet_in b, out headers hdr, inout metadata meta, inout standard_metadata_t sm) {
    state start {
        b.extract(hdr.h, 32);
        b.extract(hdr.a.next, 32);
        b.extract(hdr.a.next, 32);
        transition accept;
    }
}

control ingress(inout headers hdr, inout metadata meta, inout standard_metadata_t sm) {
    apply {
        hdr.flags.setValid();
        hdr.flags.f = 0;
        sm.egress_spec = 0;
        if (hdr.h.v == hdr.a[0].v) { hdr.flags.f = hdr.flags.f | 1; }
        if (hdr.h == hdr.a[0]) { hdr.flags.f = hdr.flags.f | 2; }
        H[2] tmp;
        tmp[0] = hdr.h;
        tmp[1] = hdr.a[0];
        if (tmp == hdr.a) { hdr.flags.f = hdr.flags.f | 4; }
        // Both invalid, different field values: equal.
        hdr.p1.x = 1;
        hdr.p2.x = 2;
        if (hdr.p1 == hdr.p2) { hdr.flags.f = hdr.flags.f | 8; }
        if (hdr.h.v != hdr.a[1].v) { hdr.flags.f = hdr.flags.f | 16; }
    }
}

control egress(inout headers hdr, inout metadata meta, inout standard_metadata_t sm) { apply {} }
control vc(inout headers hdr, inout metadata meta) { apply {} }
control uc(inout headers hdr, inout metadata meta) { apply {} }
control deparser(packet_out packet, in headers hdr) { apply { packet.emit(hdr); } }

V1Switch(p(), vc(), ingress(), egress(), uc(), deparser()) main;
