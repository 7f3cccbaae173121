// An enum member that the enum does not have.
#include <core.p4>

enum Color { Red, Green, Blue }

control C(out Color c) {
    apply {
        c = Color.Purple; //! P4E0204
    }
}
