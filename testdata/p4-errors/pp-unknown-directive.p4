// A directive name that the preprocessor does not know.
#include <core.p4>

#frobnicate everything //! P4E0003
const bit<8> X = 1;
