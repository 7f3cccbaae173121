// A token that cannot start a declaration.
#include <core.p4>

const bit<8> X = 1;
= 5; //! P4E0105
