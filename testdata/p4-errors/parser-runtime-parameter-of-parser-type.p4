// Parsers, controls and packages cannot be run-time parameters (only constructor parameters).
#include <core.p4>

parser Inner();

parser Outer(Inner i) { //! P4E0504
    state start { transition accept; }
}
