// Lexer: turns a unit's preprocessed text into a TokenList (see tokens.ts).
// Input: the text after preprocessing (directive lines are gone; a stray `#` line is reported
// once and skipped). Output: tokens with offsets, literal values decoded (integers as bigint),
// and lexical errors (bad characters, unterminated comments and strings, bad numbers) in Diagnostics.
import type { Diagnostics } from '../source/diagnostics.js';
import { span } from '../source/span.js';
import type { IntegerValue } from './tokens.js';
import { T, TokenFlag, TokenList, keywords } from './tokens.js';

const CH_TAB = 9, CH_LF = 10, CH_CR = 13, CH_SPACE = 32;

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Lexes `text` into tokens; the list always ends with one EOF token. */
export function lex(text: string, diags: Diagnostics): TokenList {
  const n = text.length;
  const out = new TokenList(text, (n >> 2) + 16);
  let i = 0;
  let newline: number = TokenFlag.NewlineBefore;
  let badStart = -1; // start of a run of unexpected characters, reported as one error

  const flushBad = (end: number): void => {
    if (badStart >= 0) {
      const bad = text.slice(badStart, end);
      diags.error('UnexpectedCharacter', span(badStart, end), `unexpected character${bad.length > 1 ? 's' : ''} '${bad}'`);
      badStart = -1;
      newline |= TokenFlag.LexError;
    }
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    // Whitespace
    if (c === CH_SPACE || c === CH_TAB || c === CH_CR || c === 12 || c === 11) { flushBad(i); i++; continue; }
    if (c === CH_LF) { flushBad(i); i++; newline |= TokenFlag.NewlineBefore; continue; }
    // Comments
    if (c === 47 /* / */) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        flushBad(i);
        i += 2;
        while (i < n && text.charCodeAt(i) !== CH_LF) i++;
        continue;
      }
      if (d === 42 /* * */) {
        flushBad(i);
        const close = text.indexOf('*/', i + 2);
        if (close < 0) {
          diags.error('UnterminatedComment', span(i, i + 2), 'unterminated comment');
          i = n;
        } else {
          for (let k = i + 2; k < close; k++) if (text.charCodeAt(k) === CH_LF) { newline |= TokenFlag.NewlineBefore; break; }
          i = close + 2;
        }
        continue;
      }
    }
    const start = i;
    // Identifiers and keywords
    if (isIdentStart(c)) {
      flushBad(i);
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const word = text.slice(start, i);
      out.push(keywords.get(word) ?? T.Identifier, start, i, newline);
      newline = 0;
      continue;
    }
    // Integers: a maximal run of letters, digits and underscores starting with a digit
    if (isDigit(c)) {
      flushBad(i);
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      const lit = text.slice(start, i);
      const tok = out.push(T.Integer, start, i, newline);
      newline = 0;
      const v = decodeInteger(lit);
      if (typeof v === 'string') {
        diags.error('BadNumber', span(start, i), v);
        out.values.set(tok, { value: 0n, width: null, signed: false });
      } else {
        out.values.set(tok, v);
      }
      continue;
    }
    // Strings
    if (c === 34 /* " */) {
      flushBad(i);
      i++;
      let value = '';
      let chunk = i;
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 34) { closed = true; break; }
        if (d === 92 /* \ */ && i + 1 < n) {
          value += text.slice(chunk, i);
          const e = text[i + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e === '"' || e === '\\' ? e : '\\' + e;
          i += 2;
          chunk = i;
          continue;
        }
        i++;
      }
      if (!closed) {
        // Recover by ending the literal at the end of its first line rather than swallowing the file.
        diags.error('UnterminatedString', span(start, start + 1), 'unterminated string literal');
        const eol = text.indexOf('\n', start);
        if (eol >= 0) {
          i = eol;
          value = text.slice(start + 1, eol);
          chunk = i;
        }
        newline |= TokenFlag.LexError;
      } else {
        value += text.slice(chunk, i);
        i++;
      }
      const tok = out.push(T.String, start, i, newline);
      newline = 0;
      out.values.set(tok, value);
      continue;
    }
    // A stray preprocessor line
    if (c === 35 /* # */ && (newline & TokenFlag.NewlineBefore) !== 0) {
      flushBad(i);
      let e = i;
      while (e < n && text.charCodeAt(e) !== CH_LF) e++;
      diags.error('UnexpectedCharacter', span(i, e), 'unexpected preprocessor directive (line skipped)');
      newline |= TokenFlag.LexError;
      i = e;
      continue;
    }
    const kind = lexOperator(text, i);
    if (kind < 0) {
      if (badStart < 0) badStart = i;
      i++;
      continue;
    }
    flushBad(i);
    i += kind >> 8;
    out.push(kind & 0xff, start, i, newline);
    newline = 0;
  }
  flushBad(n);
  out.push(T.EOF, n, n, newline);
  return out;
}

/** Returns (length << 8) | kind for the operator at i, or -1. */
function lexOperator(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const d = text.charCodeAt(i + 1);
  const e = text.charCodeAt(i + 2);
  switch (c) {
    case 40: return (1 << 8) | T.LParen;
    case 41: return (1 << 8) | T.RParen;
    case 91: return (1 << 8) | T.LBracket;
    case 93: return (1 << 8) | T.RBracket;
    case 123: // {  or {#}
      if (d === 35 && e === 125) return (3 << 8) | T.InvalidHeader;
      return (1 << 8) | T.LBrace;
    case 125: return (1 << 8) | T.RBrace;
    case 44: return (1 << 8) | T.Comma;
    case 59: return (1 << 8) | T.Semicolon;
    case 58: return (1 << 8) | T.Colon;
    case 46: // . .. ...
      if (d === 46) return e === 46 ? (3 << 8) | T.Dots : (2 << 8) | T.DotDot;
      return (1 << 8) | T.Dot;
    case 63: return (1 << 8) | T.Question;
    case 64: return (1 << 8) | T.At;
    case 61: return d === 61 ? (2 << 8) | T.Eq : (1 << 8) | T.Assign;
    case 33: return d === 61 ? (2 << 8) | T.Ne : (1 << 8) | T.Not;
    case 60: // < <= << <<=
      if (d === 61) return (2 << 8) | T.Le;
      if (d === 60) return e === 61 ? (3 << 8) | T.ShlAssign : (2 << 8) | T.Shl;
      return (1 << 8) | T.Lt;
    case 62: return (1 << 8) | T.Gt; // the parser joins > > and > = when adjacent
    case 43: // + ++ +=
      if (d === 43) return (2 << 8) | T.PlusPlus;
      if (d === 61) return (2 << 8) | T.PlusAssign;
      return (1 << 8) | T.Plus;
    case 45: return d === 61 ? (2 << 8) | T.MinusAssign : (1 << 8) | T.Minus;
    case 42: return d === 61 ? (2 << 8) | T.StarAssign : (1 << 8) | T.Star;
    case 47: return d === 61 ? (2 << 8) | T.SlashAssign : (1 << 8) | T.Slash;
    case 37: return d === 61 ? (2 << 8) | T.PercentAssign : (1 << 8) | T.Percent;
    case 126: return (1 << 8) | T.Tilde;
    case 94: return d === 61 ? (2 << 8) | T.CaretAssign : (1 << 8) | T.Caret;
    case 38: // & && &&& &=
      if (d === 38) return e === 38 ? (3 << 8) | T.Mask : (2 << 8) | T.AndAnd;
      if (d === 61) return (2 << 8) | T.AmpAssign;
      return (1 << 8) | T.Amp;
    case 124: // | || |= |+| |-| |+|= |-|=
      if ((d === 43 || d === 45) && e === 124) {
        const assign = text.charCodeAt(i + 3) === 61;
        if (d === 43) return assign ? (4 << 8) | T.SatPlusAssign : (3 << 8) | T.SatPlus;
        return assign ? (4 << 8) | T.SatMinusAssign : (3 << 8) | T.SatMinus;
      }
      if (d === 124) return (2 << 8) | T.OrOr;
      if (d === 61) return (2 << 8) | T.PipeAssign;
      return (1 << 8) | T.Pipe;
    default:
      return -1;
  }
}

const digitsByBase: Record<number, RegExp> = {
  2: /^[01_]+$/,
  8: /^[0-7_]+$/,
  10: /^[0-9_]+$/,
  16: /^[0-9a-fA-F_]+$/,
};

function parseDigits(digits: string, base: number): bigint | null {
  if (digits === '' || !digitsByBase[base].test(digits)) return null;
  const clean = digits.replace(/_/g, '');
  if (clean === '') return null;
  if (base === 10) return BigInt(clean);
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : '0b';
  return BigInt(prefix + clean);
}

/** Value of an unprefixed-width literal body: decimal, or 0x/0o/0d/0b with digits. */
function decodeBody(body: string): bigint | null {
  if (body.length > 2 && body.charCodeAt(0) === 48) {
    const b = body[1];
    const rest = body.slice(2);
    if (b === 'x' || b === 'X') return parseDigits(rest, 16);
    if (b === 'o' || b === 'O') return parseDigits(rest, 8);
    if (b === 'd' || b === 'D') return parseDigits(rest, 10);
    if (b === 'b' || b === 'B') return parseDigits(rest, 2);
  }
  if (!isDigit(body.charCodeAt(0))) return null;
  return parseDigits(body, 10);
}

/**
 * Decodes an integer literal as written (`42`, `0xFF`, `0b1010_1010`, `8w255`, `8s0x7f`, `16w0o377`).
 * Returns an error message when the text is not a valid literal.
 */
export function decodeInteger(lit: string): IntegerValue | string {
  // Width prefix: decimal digits then `w` or `s`
  let k = 0;
  while (k < lit.length && isDigit(lit.charCodeAt(k))) k++;
  const marker = lit[k];
  if (k > 0 && (marker === 'w' || marker === 's') && k + 1 < lit.length) {
    const width = Number(lit.slice(0, k));
    const v = decodeBody(lit.slice(k + 1));
    if (v === null) return `invalid integer literal '${lit}'`;
    return { value: v, width, signed: marker === 's' };
  }
  const v = decodeBody(lit);
  if (v === null) return `invalid integer literal '${lit}'`;
  return { value: v, width: null, signed: false };
}
