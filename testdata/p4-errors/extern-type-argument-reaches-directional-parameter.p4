// An extern object given as a type argument would become an `in` parameter of a method.
#include <core.p4>

extern Box<T> {
    Box();
    void put(in T value);
}

extern Token {
    Token();
}

Box<Token>() b; //! P4E0504
