// A switch on action_run whose label is an action that the table does not list.
#include <core.p4>

control C(inout bit<8> x) {
    action a() { x = 1; }
    action b() { x = 2; }
    action other() { x = 3; }
    table t {
        key = { x : exact; }
        actions = { a; b; }
        default_action = a();
    }
    apply {
        switch (t.apply().action_run) {
            a: { }
            other: { } //! P4E0403
        }
    }
}
