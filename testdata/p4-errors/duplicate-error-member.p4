// The same error name declared twice (error declarations merge into one namespace).
#include <core.p4>

error { BadChecksum, BadLength }
error { BadChecksum } //! P4E0107
