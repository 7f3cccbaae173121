// exit is allowed in actions and controls, not in functions.
#include <core.p4>

void stop(inout bit<8> v) {
    v = 0;
    exit; //! P4E0402
}
