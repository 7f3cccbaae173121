// Compile-time-only values (int, string, match_kind) can only be passed directionless.
#include <core.p4>

extern void note(in string msg); //! P4E0504
