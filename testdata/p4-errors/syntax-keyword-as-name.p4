// A reserved keyword used as the name of a constant.
#include <core.p4>

const bit<8> switch = 1; //! P4E0108
