// The same value used as two switch labels.
#include <core.p4>

control C(inout bit<16> kind, out bit<8> r) {
    apply {
        switch (kind) {
            0x0800: { r = 4; }
            0x86DD: { r = 6; }
            0x0800: { r = 0; } //! P4E0404
        }
    }
}
