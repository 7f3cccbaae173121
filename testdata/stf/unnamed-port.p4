// Regression fixture (docs/conformance.md): every packet goes out on port 2, which the STF test
// does not name. Under p4c's BMv2 STF runner simple_switch has no such interface, so nothing is
// observed and the test passes.
#include <core.p4>
#include <v1model.p4>

struct headers {}
struct metadata {}

parser p(packet_in b, out headers hdr, inout metadata meta, inout standard_metadata_t sm) {
    state start { transition accept; }
}
control ingress(inout headers hdr, inout metadata meta, inout standard_metadata_t sm) {
    apply { sm.egress_spec = 2; }
}
control egress(inout headers hdr, inout metadata meta, inout standard_metadata_t sm) { apply {} }
control vc(inout headers hdr, inout metadata meta) { apply {} }
control uc(inout headers hdr, inout metadata meta) { apply {} }
control deparser(packet_out packet, in headers hdr) { apply {} }

V1Switch(p(), vc(), ingress(), egress(), uc(), deparser()) main;
