// A serializable enum's underlying type must be bit<W> or int<W>.
#include <core.p4>

enum bool Answer { //! P4E0506
    Yes = true,
    No = false
}
