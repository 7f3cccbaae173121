// A file that includes itself without a guard: the include depth limit stops it.
#include "pp-include-recursion.p4" //! P4E0007
