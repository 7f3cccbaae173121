// An #include of a file that exists nowhere on the include path.
#include <core.p4>
#include "no-such-directory/no-such-file.p4" //! P4E0001

const bit<8> X = 1;
