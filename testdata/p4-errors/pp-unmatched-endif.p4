// An #endif with no #if before it.
#include <core.p4>

const bit<8> X = 1;
#endif //! P4E0008
