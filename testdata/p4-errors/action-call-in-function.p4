// Actions can be called from controls and other actions, not from functions.
#include <core.p4>

action mark(inout bit<8> v) {
    v = 1;
}

void helper(inout bit<8> v) {
    mark(v); //! P4E0405
}
