// A string literal whose closing quote is missing.
#include <core.p4>

extern void log_text(string text);

control C() {
    apply {
        log_text("no closing quote); //! P4E0103
    }
}
