// A negative bit width.
#include <core.p4>

const int W = 4;

struct s_t {
    bit<(W - 8)> field; //! P4E0303
}
