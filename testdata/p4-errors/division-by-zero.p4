// Division by zero in a constant expression.
#include <core.p4>

const int TOTAL = 100;
const int PARTS = 0;
const int EACH = TOTAL / PARTS; //! P4E0308
