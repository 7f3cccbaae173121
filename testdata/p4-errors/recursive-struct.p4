// A struct that contains itself.
#include <core.p4>

struct node_t {
    bit<8> value;
    node_t next; //! P4E0207
}
