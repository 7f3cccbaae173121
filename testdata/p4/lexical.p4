/**
 * Lexical corner cases: integer literals in every base (0x 0X 0o 0O 0d 0D 0b 0B and plain
 * decimal) with and without width prefixes (w and s), underscores inside digits, a leading zero
 * that is still decimal, string literals with escaped quotes and an embedded line break, the
 * contextual keywords apply / key / actions / state / entries / type / priority used as names,
 * identifiers starting with an underscore, tabs, empty top-level declarations (;), trailing
 * commas, and comments of all three kinds, including comment markers inside strings.
 */
#include <core.p4>
#include <v1model.p4>

const bit<8>  HEX_LOWER = 0xff;
const bit<8>  HEX_UPPER = 0XFF;
const bit<8>  OCTAL     = 0o377;
const bit<8>  OCTAL_UP  = 0O377;
const bit<8>  DECIMAL   = 0d255;
const bit<8>  DEC_UP    = 0D255;
const bit<8>  BINARY    = 0b1111_1111;
const bit<8>  BIN_UP    = 0B11111111;
const bit<8>  PLAIN     = 255;
const bit<16> LEADING_0 = 16w0377;          // decimal 377, not octal
const bit<32> WIDTHED   = 32w0xFF;
const bit<32> WIDTHED_D = 32w0d255;
const int<8>  SIGNED    = 8s0b1010_1010;    // -86
const int<8>  SIGNED2   = 8s127;
const bit<48> GROUPED   = 48w0x00_11_22_33_44_55;
const int     HUGE      = 0x1_0000_0000_0000_0000;
;
;

header ethernet_t {
	bit<48> dst_addr;	// tabs are whitespace
	bit<48> src_addr;
	bit<16> ether_type;
}

// Field names that are keywords only in some contexts.
header names_t {
    bit<8> apply;
    bit<8> key;
    bit<8> actions;
    bit<8> state;
    bit<8> entries;
    bit<8> type;
    bit<8> priority;
    bit<8> _hidden;
}

struct headers_t {
    ethernet_t ethernet;
    names_t    names;
};

struct metadata_t {
    bit<8> _x;
    bit<8> x_;
    bit<8> x__1;
}

extern void log_text(string text);

parser LxParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std_meta) {
    state start {
        pkt.extract(hdr.ethernet);   /* a block comment with // inside */
        pkt.extract(hdr.names);
        transition accept;
    }
}

control LxVerifyChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control LxIngress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std_meta) {
    action set(bit<8> state, bit<8> key) {
        hdr.names.state = state;
        hdr.names.key = key;
    }
    table names_table {
        key = {
            hdr.names.apply   : exact;
            hdr.names.actions : exact;
        }
        actions = { set; NoAction; }
        default_action = NoAction();
    }
    apply {
        bit<8> entries = hdr.names.entries;
        bit<8> priority = hdr.names.priority;
        bit<8> type = hdr.names.type;
        meta._x = entries + priority + type + hdr.names._hidden;
        meta.x_ = HEX_LOWER ^ HEX_UPPER ^ OCTAL ^ OCTAL_UP ^ DECIMAL ^ DEC_UP ^ BINARY ^ BIN_UP;
        meta.x__1 = PLAIN;
        if (LEADING_0 == 377 && WIDTHED == WIDTHED_D && SIGNED < 0 && SIGNED2 > 0
            && GROUPED != 0 && HUGE > 0) {
            names_table.apply();
        }
        log_text("a \"quoted\" word, a // not-a-comment and a /* not-a-comment */");
        log_text("a string that runs
over two lines");
    }
}

control LxEgress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t std_meta) {
    apply { }
}

control LxComputeChecksum(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control LxDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.names);
    }
}

V1Switch(LxParser(), LxVerifyChecksum(), LxIngress(), LxEgress(), LxComputeChecksum(),
         LxDeparser()) main;
