// The #error directive stops preprocessing with its message.
#include <core.p4>

#define TARGET_BITS 32
#if TARGET_BITS < 64
#error "this program needs a 64-bit target" //! P4E0002
#endif
