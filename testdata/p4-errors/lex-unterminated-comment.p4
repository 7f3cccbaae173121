// A block comment that is never closed.
#include <core.p4>

const bit<8> X = 1;
/* this comment runs to the end of the file //! P4E0102
const bit<8> Y = 2;
