// `last` of a header stack is never an l-value (unlike `next`).
#include <core.p4>

header tag_t { bit<8> f; }

parser P(packet_in pkt, out tag_t[2] tags) {
    state start {
        pkt.extract(tags.next);
        tags.last.f = 3; //! P4E0304
        transition accept;
    }
}
