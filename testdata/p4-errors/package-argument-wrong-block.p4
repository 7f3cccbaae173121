// A control passed where the package expects a parser.
#include <core.p4>

parser Prs(packet_in b, out bit<8> v);
control Pipe(inout bit<8> v);
package Switch(Prs p, Pipe c);

parser MyPrs(packet_in b, out bit<8> v) {
    state start {
        v = 0;
        transition accept;
    }
}
control MyPipe(inout bit<8> v) {
    apply { v = v + 1; }
}

Switch(MyPipe(), MyPipe()) main; //! P4E0301
