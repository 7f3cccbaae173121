// Token kinds of P4_16 and the compact token list the lexer fills and the parser reads.
// A token is an index into parallel typed arrays (kind, start, end, flags); decoded values
// (integer literals, string literals) live in a side map keyed by token index.
// `>` is always its own token: the parser joins adjacent `>` `>` / `>` `=` into `>>`, `>=`, `>>=`.

/** Token kinds. Keywords are contiguous from Abstract to Void. */
export const T = {
  EOF: 0,
  Identifier: 1,
  Integer: 2,
  String: 3,
  // Keywords
  Abstract: 4,
  Action: 5,
  Actions: 6,
  Apply: 7,
  Bool: 8,
  Bit: 9,
  Break: 10,
  Const: 11,
  Continue: 12,
  Control: 13,
  Default: 14,
  Else: 15,
  Entries: 16,
  Enum: 17,
  Error: 18,
  Exit: 19,
  Extern: 20,
  False: 21,
  For: 22,
  Header: 23,
  HeaderUnion: 24,
  If: 25,
  In: 26,
  Inout: 27,
  Int: 28,
  Key: 29,
  List: 30,
  MatchKind: 31,
  Type: 32,
  Out: 33,
  Parser: 34,
  Package: 35,
  Pragma: 36,
  Priority: 37,
  Return: 38,
  Select: 39,
  State: 40,
  StringKw: 41,
  Struct: 42,
  Switch: 43,
  Table: 44,
  This: 45,
  Transition: 46,
  True: 47,
  Tuple: 48,
  Typedef: 49,
  Varbit: 50,
  ValueSet: 51,
  Void: 52,
  // `_`
  Underscore: 53,
  // Punctuation and operators
  LParen: 54,
  RParen: 55,
  LBracket: 56,
  RBracket: 57,
  LBrace: 58,
  RBrace: 59,
  InvalidHeader: 60, // {#}
  Comma: 61,
  Semicolon: 62,
  Colon: 63,
  Dot: 64,
  DotDot: 65,
  Dots: 66, // ...
  Question: 67,
  At: 68,
  Assign: 69, // =
  Eq: 70, // ==
  Ne: 71, // !=
  Lt: 72, // <
  Le: 73, // <=
  Gt: 74, // > (never >> or >=)
  Shl: 75, // <<
  Plus: 76,
  Minus: 77,
  Star: 78,
  Slash: 79,
  Percent: 80,
  Not: 81, // !
  Tilde: 82, // ~
  Amp: 83, // &
  AndAnd: 84, // &&
  Mask: 85, // &&&
  Pipe: 86, // |
  OrOr: 87, // ||
  Caret: 88, // ^
  PlusPlus: 89, // ++
  SatPlus: 90, // |+|
  SatMinus: 91, // |-|
  PlusAssign: 92,
  MinusAssign: 93,
  StarAssign: 94,
  SlashAssign: 95,
  PercentAssign: 96,
  AmpAssign: 97,
  PipeAssign: 98,
  CaretAssign: 99,
  ShlAssign: 100,
  SatPlusAssign: 101,
  SatMinusAssign: 102,
} as const;

export type TokenKind = (typeof T)[keyof typeof T];

export const firstKeyword: number = T.Abstract;
export const lastKeyword: number = T.Void;

/** Keyword spelling to kind. `verify` is not here: core.p4 declares it as an extern function. */
export const keywords: ReadonlyMap<string, number> = new Map<string, number>([
  ['abstract', T.Abstract],
  ['action', T.Action],
  ['actions', T.Actions],
  ['apply', T.Apply],
  ['bool', T.Bool],
  ['bit', T.Bit],
  ['break', T.Break],
  ['const', T.Const],
  ['continue', T.Continue],
  ['control', T.Control],
  ['default', T.Default],
  ['else', T.Else],
  ['entries', T.Entries],
  ['enum', T.Enum],
  ['error', T.Error],
  ['exit', T.Exit],
  ['extern', T.Extern],
  ['false', T.False],
  ['for', T.For],
  ['header', T.Header],
  ['header_union', T.HeaderUnion],
  ['if', T.If],
  ['in', T.In],
  ['inout', T.Inout],
  ['int', T.Int],
  ['key', T.Key],
  ['list', T.List],
  ['match_kind', T.MatchKind],
  ['type', T.Type],
  ['out', T.Out],
  ['parser', T.Parser],
  ['package', T.Package],
  ['pragma', T.Pragma],
  ['priority', T.Priority],
  ['return', T.Return],
  ['select', T.Select],
  ['state', T.State],
  ['string', T.StringKw],
  ['struct', T.Struct],
  ['switch', T.Switch],
  ['table', T.Table],
  ['this', T.This],
  ['transition', T.Transition],
  ['true', T.True],
  ['tuple', T.Tuple],
  ['typedef', T.Typedef],
  ['varbit', T.Varbit],
  ['value_set', T.ValueSet],
  ['void', T.Void],
  ['_', T.Underscore],
]);

const punctuation: readonly [number, string][] = [
  [T.LParen, '('], [T.RParen, ')'], [T.LBracket, '['], [T.RBracket, ']'], [T.LBrace, '{'], [T.RBrace, '}'],
  [T.InvalidHeader, '{#}'], [T.Comma, ','], [T.Semicolon, ';'], [T.Colon, ':'], [T.Dot, '.'], [T.DotDot, '..'],
  [T.Dots, '...'], [T.Question, '?'], [T.At, '@'], [T.Assign, '='], [T.Eq, '=='], [T.Ne, '!='], [T.Lt, '<'],
  [T.Le, '<='], [T.Gt, '>'], [T.Shl, '<<'], [T.Plus, '+'], [T.Minus, '-'], [T.Star, '*'], [T.Slash, '/'],
  [T.Percent, '%'], [T.Not, '!'], [T.Tilde, '~'], [T.Amp, '&'], [T.AndAnd, '&&'], [T.Mask, '&&&'], [T.Pipe, '|'],
  [T.OrOr, '||'], [T.Caret, '^'], [T.PlusPlus, '++'], [T.SatPlus, '|+|'], [T.SatMinus, '|-|'],
  [T.PlusAssign, '+='], [T.MinusAssign, '-='], [T.StarAssign, '*='], [T.SlashAssign, '/='],
  [T.PercentAssign, '%='], [T.AmpAssign, '&='], [T.PipeAssign, '|='], [T.CaretAssign, '^='],
  [T.ShlAssign, '<<='], [T.SatPlusAssign, '|+|='], [T.SatMinusAssign, '|-|='],
];

const spellings: string[] = [];
spellings[T.EOF] = 'end of file';
spellings[T.Identifier] = 'identifier';
spellings[T.Integer] = 'integer';
spellings[T.String] = 'string literal';
for (const [text, kind] of keywords) spellings[kind] = text;
for (const [kind, text] of punctuation) spellings[kind] = text;

/** How a token kind is written in messages: `';'`, `'table'`, `identifier`. */
export function describeKind(kind: number): string {
  const s = spellings[kind] ?? '?';
  return kind <= T.String ? s : `'${s}'`;
}

/** Keywords that the grammar also accepts as names (nonTypeName, name). */
export function isContextualKeyword(kind: number): boolean {
  return (
    kind === T.Apply || kind === T.Key || kind === T.Actions || kind === T.State || kind === T.Entries ||
    kind === T.Type || kind === T.Priority || kind === T.List
  );
}

export function isKeyword(kind: number): boolean {
  return kind >= firstKeyword && kind <= lastKeyword;
}

/** Token flags. */
export const TokenFlag = {
  /** The next token starts exactly where this one ends (no space or comment between). */
  Adjacent: 1,
  /** A line break (or the start of the text) precedes this token. */
  NewlineBefore: 2,
  /**
   * A lexical error was reported on this token (an unterminated string) or just before it (skipped
   * characters); the parser does not report a syntax error here, which would only repeat it.
   */
  LexError: 4,
} as const;

/** A decoded integer literal. `value` is non-negative; width/signed come from a `8w`/`4s` prefix. */
export interface IntegerValue {
  readonly value: bigint;
  readonly width: number | null;
  readonly signed: boolean;
}

/** The tokens of one unit: parallel arrays indexed by token number; the last token is EOF. */
export class TokenList {
  kinds: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  count = 0;
  /** Decoded literal values by token index: IntegerValue for integers, string for strings. */
  readonly values = new Map<number, IntegerValue | string>();
  readonly text: string;

  constructor(text: string, capacity: number) {
    this.text = text;
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  push(kind: number, start: number, end: number, flags: number): number {
    if (this.count === this.kinds.length) this.grow();
    const i = this.count++;
    this.kinds[i] = kind;
    this.starts[i] = start;
    this.ends[i] = end;
    this.flags[i] = flags;
    if (i > 0 && this.ends[i - 1] === start) this.flags[i - 1] |= TokenFlag.Adjacent;
    return i;
  }

  private grow(): void {
    const n = this.kinds.length * 2 + 16;
    const k = new Uint8Array(n); k.set(this.kinds); this.kinds = k;
    const s = new Int32Array(n); s.set(this.starts); this.starts = s;
    const e = new Int32Array(n); e.set(this.ends); this.ends = e;
    const f = new Uint8Array(n); f.set(this.flags); this.flags = f;
  }

  /** The source text of token i. */
  textOf(i: number): string {
    return this.text.slice(this.starts[i], this.ends[i]);
  }
}
