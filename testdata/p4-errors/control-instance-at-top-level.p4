// Controls may not be instantiated at the top level of a program.
#include <core.p4>

control Counter(inout bit<8> v) {
    apply { v = v + 1; }
}

Counter() top_counter; //! P4E0501
