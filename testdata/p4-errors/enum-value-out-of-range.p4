// A serializable enum member whose value does not fit the underlying type.
#include <core.p4>

enum bit<8> Code {
    Small = 1,
    Large = 300 //! P4E0506
}
