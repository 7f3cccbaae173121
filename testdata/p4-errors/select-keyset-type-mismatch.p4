// A select label whose type differs from the type of the selected expression.
#include <core.p4>

header h_t { bit<16> kind; }

parser P(packet_in pkt, out h_t h) {
    state start {
        pkt.extract(h);
        transition select(h.kind) {
            16w0x0800: accept;
            8w6: reject; //! P4E0301
            default: accept;
        }
    }
}
