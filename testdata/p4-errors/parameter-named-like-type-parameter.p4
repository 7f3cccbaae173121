// A parameter cannot reuse the name of a type parameter of the same function.
#include <core.p4>

void f<T>(in bit<8> T) { //! P4E0107
}
