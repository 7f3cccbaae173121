// p4tee: the P4_16 core library, written from the "P4 core library" appendix of the
// P4_16 language specification. Every P4 program includes it with `#include <core.p4>`.
// It declares the standard error codes, the packet_in/packet_out externs used by parsers
// and deparsers, verify(), NoAction, the standard match kinds and static_assert().

#ifndef _CORE_P4_
#define _CORE_P4_

// Error codes the language itself may signal. Programs can add their own `error { ... }`.
error {
    NoError,               // nothing went wrong
    PacketTooShort,        // extract() ran past the end of the packet
    NoMatch,               // no case of a select expression matched
    StackOutOfBounds,      // a header stack or array was indexed out of range
    HeaderTooShort,        // a varbit extract asked for more bits than the field holds
    ParserTimeout,         // the parser ran longer than the target allows
    ParserInvalidArgument  // a parser operation got an argument the target cannot handle
}

// The packet as the parser sees it: a cursor moving over the received bytes.
extern packet_in {
    // Copies a fixed-size header out of the packet, sets it valid, moves the cursor past it.
    void extract<T>(out T hdr);
    // Same for a header with exactly one varbit field, of the given size in bits.
    void extract<T>(out T variableSizeHeader, in bit<32> variableFieldSizeInBits);
    // Reads a value of type T at the cursor without moving it.
    T lookahead<T>();
    // Moves the cursor forward by a number of bits.
    void advance(in bit<32> sizeInBits);
    // Length of the whole packet in bytes (not every target offers it).
    bit<32> length();
}

// The packet as the deparser builds it.
extern packet_out {
    // Appends data (a header, stack, union or struct of those); invalid headers are skipped.
    void emit<T>(in T hdr);
}

// In a parser: if check is false, stop parsing with the given error.
extern void verify(in bool check, in error toSignal);

// The action that does nothing; the usual default action of a table.
@noWarn("unused")
action NoAction() {}

// How a table key field is compared with the entries.
match_kind {
    exact,    // all bits equal
    ternary,  // equal under a mask
    lpm       // longest matching prefix wins
}

// Checked while compiling: a false check stops compilation with the message.
// Returns the check, so it can initialise a constant at the top level.
extern bool static_assert(bool check, string message);
extern bool static_assert(bool check);

#endif // _CORE_P4_
