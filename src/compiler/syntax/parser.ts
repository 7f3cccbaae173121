// Parser: hand-written recursive descent over the token list, following the P4_16 grammar
// (grammar.adoc), with precedence climbing for expressions.
// Input: a unit's preprocessed text. Output: an ast.Program with spans; syntax errors go to
// Diagnostics, after which the parser resynchronises at `;`, `}` or the next declaration
// (panic mode: no report until resynchronised; quiet mode: one report for a run of bad items).
// The grammar's TYPE_IDENTIFIER is approximated by the set of names declared as types so far
// (including type parameters in scope); it decides casts, `T.m`, `T(args)` and `T.apply()`.
import type { Diagnostics } from '../source/diagnostics.js';
import type { CodeName } from '../source/codes.js';
import type { Span } from '../source/span.js';
import { span } from '../source/span.js';
import type * as ast from './ast.js';
import { lex } from './lexer.js';
import { printType } from './printer.js';
import type { IntegerValue, TokenList } from './tokens.js';
import { T, TokenFlag, describeKind, isContextualKeyword, isKeyword } from './tokens.js';

/** Parses one unit's preprocessed text. Never throws for user input. */
export function parse(text: string, diags: Diagnostics): ast.Program {
  return new Parser(lex(text, diags), diags).parseProgram();
}

/** Parses a single expression (for tests and tools); the whole text must be one expression. */
export function parseExpressionText(text: string, diags: Diagnostics, typeNames: readonly string[] = []): ast.Expression {
  const p = new Parser(lex(text, diags), diags);
  for (const n of typeNames) p.declareType(n);
  const e = p.parseExpression();
  p.expectEnd();
  return e;
}

type Local = ast.Declaration;

const declarationKeywords = new Set<number>([
  T.Header, T.HeaderUnion, T.Struct, T.Enum, T.Typedef, T.Extern, T.Parser, T.Control, T.Package,
  T.Action, T.Const, T.MatchKind, T.Table,
]);

const assignmentOps = new Map<number, ast.AssignmentOperator>([
  [T.Assign, '='], [T.StarAssign, '*='], [T.SlashAssign, '/='], [T.PercentAssign, '%='], [T.PlusAssign, '+='],
  [T.MinusAssign, '-='], [T.SatPlusAssign, '|+|='], [T.SatMinusAssign, '|-|='], [T.ShlAssign, '<<='],
  [T.AmpAssign, '&='], [T.PipeAssign, '|='], [T.CaretAssign, '^='],
]);

// Binary precedence levels, loosest first (grammar.adoc %left lines): || && ==,!= <,>,<=,>= | ^ & <<,>> +,-,++,|+|,|-| *,/,%
const maxNesting = 400;

const P_OR = 1, P_AND = 2, P_EQ = 3, P_REL = 4, P_BOR = 5, P_XOR = 6, P_BAND = 7, P_SHIFT = 8, P_ADD = 9, P_MUL = 10;

function isBaseTypeKeyword(k: number): boolean {
  return k === T.Bit || k === T.Int || k === T.Varbit || k === T.Bool || k === T.StringKw || k === T.MatchKind ||
    k === T.Error || k === T.Tuple || k === T.Void;
}

export class Parser {
  private readonly toks: TokenList;
  private readonly kinds: Uint8Array;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly flags: Uint8Array;
  private readonly text: string;
  private readonly diags: Diagnostics;
  private readonly last: number;
  /** Current token index. */
  private p = 0;
  /** Set after a syntax error until the parser resynchronises; errors are not reported meanwhile. */
  private panic = false;
  /**
   * Set by recovery until an item of a list parses cleanly, so that a run of bad items after one
   * mistake (a lost `{`, say) is reported once.
   */
  private quiet = false;
  /** Recursion depth of expressions, statements and types, bounded so that deep garbage cannot overflow the stack. */
  private nest = 0;
  /** Names that denote types here (declared types and type parameters in scope), with a count for nesting. */
  private readonly typeNames = new Map<string, number>();

  constructor(toks: TokenList, diags: Diagnostics) {
    this.toks = toks;
    this.kinds = toks.kinds;
    this.starts = toks.starts;
    this.ends = toks.ends;
    this.flags = toks.flags;
    this.text = toks.text;
    this.diags = diags;
    this.last = toks.count - 1;
  }

  // -------------------------------------------------------------------------------------
  // Token helpers

  private k(): number { return this.kinds[this.p]; }
  private kAt(j: number): number { return j <= this.last ? this.kinds[j] : T.EOF; }
  private at(kind: number): boolean { return this.kinds[this.p] === kind; }
  private advance(): void { if (this.p < this.last) this.p++; }
  private eat(kind: number): boolean {
    if (this.kinds[this.p] === kind) { this.advance(); return true; }
    return false;
  }
  private adjacent(j: number): boolean { return (this.flags[j] & TokenFlag.Adjacent) !== 0; }
  private tokText(j: number): string { return this.text.slice(this.starts[j], this.ends[j]); }
  /** Span from the start of token `startTok` to the end of the last consumed token. */
  private sp(startTok: number): Span {
    const s = this.starts[startTok];
    return span(s, this.p > startTok ? Math.max(s, this.ends[this.p - 1]) : s);
  }
  private curSpan(): Span { return span(this.starts[this.p], this.ends[this.p]); }
  private found(): string {
    return this.at(T.EOF) ? 'end of file' : `'${this.tokText(this.p)}'`;
  }

  /** Reports a syntax error (unless one is being recovered from) and enters panic mode. */
  private report(code: CodeName, s: Span, message: string): void {
    const f = this.flags[this.p] | (this.p > 0 ? this.flags[this.p - 1] : 0);
    if ((f & TokenFlag.LexError) === 0) this.note(code, s, message);
    this.panic = true;
  }
  /** Reports an error without entering panic mode; silent while recovering from an earlier error. */
  private note(code: CodeName, s: Span, message: string): void {
    if (!this.panic && !this.quiet) this.diags.error(code, s, message);
  }
  private errorHere(message: string): void {
    this.report('SyntaxError', this.curSpan(), `${message} but found ${this.found()}`);
  }
  private expect(kind: number): boolean {
    if (this.kinds[this.p] === kind) { this.advance(); return true; }
    this.report('ExpectedToken', this.curSpan(), `expected ${describeKind(kind)} but found ${this.found()}`);
    return false;
  }
  /** A block that must end here (after a transition, after the apply block) does not. */
  private expectedCloseBrace(): void {
    this.report('ExpectedToken', this.curSpan(), `expected '}' but found ${this.found()}`);
  }
  /** `;` ending a statement or declaration. A missing `;` before a line break is reported without panicking. */
  private expectSemicolon(): void {
    if (this.eat(T.Semicolon)) return;
    if (this.panic) return;
    const soft = (this.flags[this.p] & TokenFlag.NewlineBefore) !== 0 || this.at(T.RBrace);
    this.report('ExpectedToken', this.curSpan(), `expected ';' but found ${this.found()}`);
    if (soft) this.panic = false;
  }
  /** Used by parseExpressionText: anything after the expression is an error. */
  expectEnd(): void {
    if (!this.at(T.EOF)) this.errorHere('expected end of expression');
  }

  private isName(kind: number): boolean { return kind === T.Identifier || isContextualKeyword(kind); }

  private ident(j: number): ast.Ident {
    return { kind: 'Ident', name: this.tokText(j), span: span(this.starts[j], this.ends[j]) };
  }
  private missingIdent(): ast.Ident {
    return { kind: 'Ident', name: '', span: span(this.starts[this.p], this.starts[this.p]) };
  }

  /** name: IDENTIFIER, TYPE_IDENTIFIER or a contextual keyword. A reserved word used as a name is reported once. */
  private parseName(): ast.Ident {
    const k = this.k();
    if (this.isName(k)) { const id = this.ident(this.p); this.advance(); return id; }
    if (isKeyword(k) && k !== T.Underscore) {
      const nk = this.kAt(this.p + 1);
      if (nk === T.Semicolon || nk === T.Assign || nk === T.Comma || nk === T.RParen || nk === T.LParen ||
          nk === T.LBrace || nk === T.Lt || nk === T.Colon || nk === T.LBracket || nk === T.In || nk === T.Dot ||
          nk === T.RBracket || nk === T.Gt || nk === T.RBrace) {
        const id = this.ident(this.p);
        this.note('ReservedWord', id.span, `'${id.name}' is a reserved word and cannot be used as a name`);
        this.advance();
        return id;
      }
    }
    this.report('ExpectedToken', this.curSpan(), `expected a name but found ${this.found()}`);
    return this.missingIdent();
  }

  // Type-name tracking -------------------------------------------------------------------

  declareType(name: string): void {
    if (name !== '') this.typeNames.set(name, (this.typeNames.get(name) ?? 0) + 1);
  }
  private undeclareType(name: string): void {
    const n = this.typeNames.get(name);
    if (n === undefined) return;
    if (n <= 1) this.typeNames.delete(name); else this.typeNames.set(name, n - 1);
  }
  private pushTypeParams(ps: readonly ast.Ident[]): void { for (const t of ps) this.declareType(t.name); }
  private popTypeParams(ps: readonly ast.Ident[]): void { for (const t of ps) this.undeclareType(t.name); }
  private isTypeNameAt(j: number): boolean {
    return this.kAt(j) === T.Identifier && this.typeNames.has(this.tokText(j));
  }

  // Lookahead without consuming or reporting -------------------------------------------------

  /**
   * Index of the token closing the bracket opened at j, or -1. Expressions never contain `;`, so the
   * scan stops there (keeping lookahead linear on broken input) unless `semicolons` is set
   * (annotation bodies may hold any token).
   */
  private matchClose(j: number, semicolons = false): number {
    let depth = 0;
    for (let i = j; i <= this.last; i++) {
      const k = this.kinds[i];
      if (k === T.LParen || k === T.LBracket || k === T.LBrace) depth++;
      else if (k === T.RParen || k === T.RBracket || k === T.RBrace) {
        depth--;
        if (depth === 0) return i;
        if (depth < 0) return -1;
      } else if ((k === T.Semicolon && !semicolons) || k === T.EOF) return -1;
    }
    return -1;
  }

  /** If a typeRef starts at j, the index just after it; else -1. */
  private skipType(j: number, depth = 0): number {
    if (depth > maxNesting) return -1;
    const k = this.kAt(j);
    if (k === T.Bit || k === T.Int || k === T.Varbit) {
      j++;
      if (this.kAt(j) === T.Lt) {
        j++;
        const w = this.kAt(j);
        if (w === T.Integer || this.isName(w)) j++;
        else if (w === T.LParen) { const c = this.matchClose(j); if (c < 0) return -1; j = c + 1; }
        else return -1;
        if (this.kAt(j) !== T.Gt) return -1;
        j++;
      }
    } else if (k === T.Bool || k === T.StringKw || k === T.Error || k === T.MatchKind || k === T.Void) {
      j++;
    } else if (k === T.Tuple || (k === T.List && this.kAt(j + 1) === T.Lt)) {
      j = this.skipTypeArgs(j + 1, depth + 1);
      if (j < 0) return -1;
    } else {
      if (k === T.Dot) j++;
      if (!this.isName(this.kAt(j))) return -1;
      j++;
      if (this.kAt(j) === T.Lt) {
        const a = this.skipTypeArgs(j, depth + 1);
        if (a < 0) return -1;
        j = a;
      }
    }
    while (this.kAt(j) === T.LBracket) {
      const c = this.matchClose(j);
      if (c < 0) return -1;
      j = c + 1;
    }
    return j;
  }

  /** If a type-argument list `<...>` starts at j (at `<`), the index after its `>`; else -1. */
  private skipTypeArgs(j: number, depth = 0): number {
    if (this.kAt(j) !== T.Lt) return -1;
    j++;
    if (this.kAt(j) === T.Gt) return j + 1;
    for (;;) {
      const k = this.kAt(j);
      if (k === T.Underscore || k === T.Void) j++;
      else {
        const r = this.skipType(j, depth + 1);
        if (r < 0) return -1;
        j = r;
      }
      const s = this.kAt(j);
      if (s === T.Comma) { j++; continue; }
      if (s === T.Gt) return j + 1;
      return -1;
    }
  }

  /** Skips annotations starting at j (lookahead only). */
  private skipAnnotationsAhead(j: number): number {
    while (this.kAt(j) === T.At) {
      j += 2;
      const k = this.kAt(j);
      if (k === T.LParen || k === T.LBracket) {
        const c = this.matchClose(j, k === T.LParen);
        if (c < 0) return j;
        j = c + 1;
      }
    }
    return j;
  }

  // Error recovery -----------------------------------------------------------------------

  /**
   * Skips tokens after a syntax error: up to and including a `;` at nesting depth 0, up to (not
   * including) a `}` that closes the enclosing block, past a balanced `{...}` group in declaration
   * mode, or up to a declaration keyword (declaration mode). Clears panic mode.
   */
  private recover(declMode: boolean, startTok: number): void {
    let depth = 0;
    while (!this.at(T.EOF)) {
      const k = this.k();
      if (depth === 0) {
        if (k === T.Semicolon) { this.advance(); break; }
        if (k === T.RBrace) break;
        if (declMode && this.p > startTok && this.startsDeclaration(k)) break;
      }
      if (k === T.LParen || k === T.LBracket || k === T.LBrace) depth++;
      else if (k === T.RParen || k === T.RBracket || k === T.RBrace) {
        if (depth > 0) depth--;
        if (depth === 0 && k === T.RBrace && declMode) { this.advance(); break; }
      }
      this.advance();
    }
    this.panic = false;
  }

  /** After one item of a list: recover if it failed, else leave quiet mode. */
  private afterItem(declMode: boolean, before: number): void {
    if (this.panic) {
      this.recover(declMode, before);
      this.quiet = true;
    } else {
      this.quiet = false;
    }
  }

  /**
   * Loop condition of a `{ ... }` list: false at `}` and EOF, and also at a keyword that cannot
   * appear at this level (a top-level declaration inside a block means its `}` is missing).
   */
  private inBlock(level: 'stmt' | 'type' | 'local'): boolean {
    const k = this.k();
    if (k === T.RBrace || k === T.EOF) return false;
    if (k === T.Header || k === T.HeaderUnion || k === T.Struct || k === T.Enum || k === T.Typedef ||
        k === T.Extern || k === T.Parser || k === T.Control || k === T.Package) return false;
    if (k === T.MatchKind) return this.kAt(this.p + 1) !== T.LBrace;
    if (level === 'local') return true;
    if (k === T.Action || k === T.Table) return false;
    return level !== 'type' || k !== T.Const;
  }

  /** Does the current token (of kind k) clearly start a declaration, a parser state or a control's apply block? */
  private startsDeclaration(k: number): boolean {
    if (declarationKeywords.has(k) || k === T.At) return true;
    if (k === T.Apply) return this.kAt(this.p + 1) === T.LBrace;
    if (k === T.State) return this.isName(this.kAt(this.p + 1)) && this.kAt(this.p + 2) === T.LBrace;
    return false;
  }

  /** After a syntax error inside a bracketed list: skips to the closing token and consumes it if found. */
  private skipToClose(close: number): void {
    let depth = 0;
    while (!this.at(T.EOF)) {
      const k = this.k();
      if (depth === 0) {
        if (k === close) { this.advance(); this.panic = false; return; }
        if (k === T.Semicolon || k === T.RBrace || k === T.LBrace) return;
      }
      if (k === T.LParen || k === T.LBracket || k === T.LBrace) depth++;
      else if (k === T.RParen || k === T.RBracket || k === T.RBrace) {
        if (depth === 0) return;
        depth--;
      }
      this.advance();
    }
  }

  /** A comma-separated list ending with `close` (the opening token is already consumed). */
  private commaList(close: number, item: () => void, trailingComma: boolean): void {
    while (!this.at(close) && !this.at(T.EOF)) {
      const before = this.p;
      item();
      if (this.panic || this.p === before) break;
      if (!this.eat(T.Comma)) break;
      if (!trailingComma && this.at(close)) { this.errorHere('expected an element after \',\''); break; }
    }
    if (this.panic) this.skipToClose(close);
    else this.expect(close);
  }

  // -------------------------------------------------------------------------------------
  // Program and declarations

  // p4program: { declaration | ";" }
  parseProgram(): ast.Program {
    const decls: ast.Declaration[] = [];
    while (!this.at(T.EOF)) {
      const before = this.p;
      if (this.eat(T.Semicolon)) continue;
      if (this.at(T.RBrace)) {
        this.note('SyntaxError', this.curSpan(), `unexpected '}'`);
        this.advance();
        continue;
      }
      const d = this.parseDeclaration();
      if (d) decls.push(d);
      if (d && (d.kind === 'VariableDeclaration' || d.kind === 'TableDeclaration') && !this.panic) {
        // Not in the grammar; kept in the tree. A run of them (after a lost `struct S {`, say) is reported once.
        if (d.kind === 'TableDeclaration') this.note('SyntaxError', d.name.span, 'a table must be declared inside a control');
        else this.note('SyntaxError', d.span, 'variables cannot be declared at the top level');
        this.quiet = true;
      } else {
        this.afterItem(true, before);
      }
      if (this.p === before) this.advance();
    }
    return { kind: 'Program', declarations: decls, span: span(0, this.text.length) };
  }

  // declaration: constantDeclaration | externDeclaration | actionDeclaration | parserDeclaration | typeDeclaration
  //            | controlDeclaration | instantiation | errorDeclaration | matchKindDeclaration | functionDeclaration
  private parseDeclaration(): ast.Declaration | null {
    const start = this.p;
    const anns = this.parseAnnotations();
    switch (this.k()) {
      case T.Const: return this.parseConstant(start, anns);
      case T.Extern: return this.parseExtern(start, anns);
      case T.Action: return this.parseAction(start, anns);
      case T.Parser: return this.parseParser(start, anns);
      case T.Control: return this.parseControl(start, anns);
      case T.Package: return this.parsePackage(start, anns);
      case T.Header: case T.HeaderUnion: case T.Struct: return this.parseStructLike(start, anns);
      case T.Enum: return this.parseEnum(start, anns);
      case T.Typedef: return this.parseTypedef(start, anns);
      case T.Type:
        if (this.kAt(this.p + 1) !== T.Assign && this.kAt(this.p + 1) !== T.LParen) return this.parseTypedef(start, anns);
        break;
      case T.Error:
        if (this.kAt(this.p + 1) === T.LBrace) return this.parseErrorDecl(start);
        break;
      case T.MatchKind:
        if (this.kAt(this.p + 1) === T.LBrace) return this.parseMatchKindDecl(start);
        break;
      case T.Table: return this.parseTable(start, anns); // reported by parseProgram
      default:
        break;
    }
    const k = this.k();
    if (this.isName(k) || k === T.Dot || isBaseTypeKeyword(k) || k === T.List) {
      return this.parseLocalDeclaration(start, anns, true);
    }
    this.errorHere(anns.length > 0 ? 'expected a declaration after annotations' : 'expected a declaration');
    return null;
  }

  /**
   * A declaration that starts with a type: instantiation `T(args) n;`, function `T f(...) {...}`
   * or variable `T n [= e];`.
   */
  private parseLocalDeclaration(start: number, anns: ast.Annotation[], allowFunction: boolean): Local | null {
    const j = this.skipType(this.p);
    if (j >= 0 && this.kAt(j) === T.LParen) {
      const c = this.matchClose(j);
      if (c >= 0 && (this.isName(this.kAt(c + 1)) || isKeyword(this.kAt(c + 1)))) return this.parseInstantiation(start, anns);
    }
    const type = this.parseTypeRef();
    if (this.panic) return null;
    if (allowFunction && (this.kAt(this.p + 1) === T.LParen || this.kAt(this.p + 1) === T.Lt)) {
      return this.parseFunctionRest(start, anns, type);
    }
    const name = this.parseName();
    let init: ast.Expression | null = null;
    if (this.eat(T.Assign)) init = this.parseExpression();
    this.expectSemicolon();
    return { kind: 'VariableDeclaration', annotations: anns, type, name, initializer: init, span: this.sp(start) };
  }

  // constantDeclaration: optAnnotations CONST typeRef name "=" initializer ";"
  private parseConstant(start: number, anns: ast.Annotation[]): ast.ConstantDeclaration {
    this.expect(T.Const);
    const type = this.parseTypeRef();
    const name = this.parseName();
    let value: ast.Expression;
    if (this.expect(T.Assign)) value = this.parseExpression();
    else value = { kind: 'ErrorExpression', span: this.curSpan() };
    this.expectSemicolon();
    return { kind: 'ConstantDeclaration', annotations: anns, type, name, value, span: this.sp(start) };
  }

  // instantiation: optAnnotations typeRef "(" argumentList ")" name [ "=" objInitializer ] ";"
  private parseInstantiation(start: number, anns: ast.Annotation[]): ast.InstantiationDeclaration {
    const type = this.parseTypeRef();
    const args = this.parseArguments();
    const name = this.parseName();
    let initializer: (ast.FunctionDeclaration | ast.InstantiationDeclaration)[] | null = null;
    if (this.eat(T.Assign)) {
      initializer = [];
      if (this.expect(T.LBrace)) {
        while (this.inBlock('stmt')) {
          const before = this.p;
          const s = this.p;
          const a = this.parseAnnotations();
          const j = this.skipType(this.p);
          if (j >= 0 && this.kAt(j) === T.LParen) initializer.push(this.parseInstantiation(s, a));
          else {
            const type2 = this.parseTypeRef();
            if (!this.panic) initializer.push(this.parseFunctionRest(s, a, type2));
          }
          this.afterItem(true, before);
          if (this.p === before) { this.advance(); }
        }
        this.expect(T.RBrace);
      }
    }
    this.expectSemicolon();
    return { kind: 'InstantiationDeclaration', annotations: anns, type, args, name, initializer, span: this.sp(start) };
  }

  // functionDeclaration: optAnnotations typeOrVoid name optTypeParameters "(" parameterList ")" blockStatement
  private parseFunctionRest(start: number, anns: ast.Annotation[], returnType: ast.TypeRef): ast.FunctionDeclaration {
    const name = this.parseName();
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const parameters = this.parseParameters();
    const body = this.parseBlock([], this.p);
    this.popTypeParams(typeParameters);
    return { kind: 'FunctionDeclaration', annotations: anns, returnType, name, typeParameters, parameters, body, span: this.sp(start) };
  }

  // externDeclaration: optAnnotations EXTERN nonTypeName optTypeParameters "{" methodPrototypes "}"
  //                  | optAnnotations EXTERN functionPrototype ";"
  private parseExtern(start: number, anns: ast.Annotation[]): ast.ExternDeclaration {
    this.expect(T.Extern);
    const j = this.skipType(this.p);
    if (j >= 0 && (this.isName(this.kAt(j)) || (isKeyword(this.kAt(j)) && this.kAt(j + 1) === T.LParen))) {
      const fstart = this.p;
      const returnType = this.parseTypeRef();
      const name = this.parseName();
      const typeParameters = this.parseOptTypeParameters();
      this.pushTypeParams(typeParameters);
      const parameters = this.parseParameters();
      this.popTypeParams(typeParameters);
      const fn: ast.MethodPrototype = {
        kind: 'MethodPrototype', annotations: [], abstract: false, returnType, name, typeParameters, parameters, span: this.sp(fstart),
      };
      this.expectSemicolon();
      return { kind: 'ExternDeclaration', annotations: anns, name, typeParameters, methods: null, function: fn, span: this.sp(start) };
    }
    const name = this.parseName();
    this.declareType(name.name);
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const methods: ast.MethodPrototype[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('type')) {
        const before = this.p;
        const m = this.parseMethodPrototype(name.name);
        if (m) methods.push(m);
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    this.popTypeParams(typeParameters);
    return { kind: 'ExternDeclaration', annotations: anns, name, typeParameters, methods, function: null, span: this.sp(start) };
  }

  // methodPrototype: optAnnotations [ABSTRACT] functionPrototype ";" | optAnnotations TYPE_IDENTIFIER "(" parameterList ")" ";"
  private parseMethodPrototype(externName: string): ast.MethodPrototype | null {
    const start = this.p;
    const anns = this.parseAnnotations();
    const isAbstract = this.eat(T.Abstract);
    if (this.at(T.Identifier) && this.tokText(this.p) === externName && this.kAt(this.p + 1) === T.LParen) {
      const name = this.ident(this.p);
      this.advance();
      const parameters = this.parseParameters();
      this.expectSemicolon();
      return { kind: 'MethodPrototype', annotations: anns, abstract: isAbstract, returnType: null, name, typeParameters: [], parameters, span: this.sp(start) };
    }
    const returnType = this.parseTypeRef();
    if (this.panic) return null;
    const name = this.parseName();
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const parameters = this.parseParameters();
    this.popTypeParams(typeParameters);
    this.expectSemicolon();
    return { kind: 'MethodPrototype', annotations: anns, abstract: isAbstract, returnType, name, typeParameters, parameters, span: this.sp(start) };
  }

  // actionDeclaration: optAnnotations ACTION name "(" parameterList ")" blockStatement
  private parseAction(start: number, anns: ast.Annotation[]): ast.ActionDeclaration {
    this.expect(T.Action);
    const name = this.parseName();
    const parameters = this.parseParameters();
    const body = this.parseBlock([], this.p);
    return { kind: 'ActionDeclaration', annotations: anns, name, parameters, body, span: this.sp(start) };
  }

  // parserTypeDeclaration [";"] | parserTypeDeclaration optConstructorParameters "{" parserLocalElements parserStates "}"
  private parseParser(start: number, anns: ast.Annotation[]): ast.ParserDeclaration | ast.ParserTypeDeclaration {
    this.expect(T.Parser);
    const name = this.parseName();
    this.declareType(name.name);
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const parameters = this.parseParameters();
    if (this.eat(T.Semicolon)) {
      this.popTypeParams(typeParameters);
      return { kind: 'ParserTypeDeclaration', annotations: anns, name, typeParameters, parameters, span: this.sp(start) };
    }
    const constructorParameters = this.at(T.LParen) ? this.parseParameters() : [];
    const locals: Local[] = [];
    const states: ast.ParserState[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('local')) {
        const before = this.p;
        const s = this.p;
        const a = this.parseAnnotations();
        const k = this.k();
        if (k === T.State && this.isName(this.kAt(this.p + 1)) && this.kAt(this.p + 2) === T.LBrace) {
          states.push(this.parseState(s, a));
        } else if (states.length > 0) {
          this.errorHere('expected a parser state');
        } else if (k === T.Const) {
          locals.push(this.parseConstant(s, a));
        } else if (k === T.ValueSet) {
          locals.push(this.parseValueSet(s, a));
        } else if (this.isName(k) || k === T.Dot || isBaseTypeKeyword(k) || k === T.List) {
          const d = this.parseLocalDeclaration(s, a, false);
          if (d) locals.push(d);
        } else {
          this.errorHere('expected a parser state or local declaration');
        }
        this.afterItem(true, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    this.popTypeParams(typeParameters);
    return {
      kind: 'ParserDeclaration', annotations: anns, name, typeParameters, parameters, constructorParameters, locals, states, span: this.sp(start),
    };
  }

  // parserState: optAnnotations STATE name "{" parserStatements transitionStatement "}"
  private parseState(start: number, anns: ast.Annotation[]): ast.ParserState {
    this.expect(T.State);
    const name = this.parseName();
    const statements: ast.Statement[] = [];
    let transition: ast.Transition | null = null;
    if (this.expect(T.LBrace)) {
      while (this.inBlock('stmt')) {
        const before = this.p;
        if (this.at(T.Transition)) {
          transition = this.parseTransition();
          this.afterItem(false, before);
          if (!this.at(T.RBrace)) this.expectedCloseBrace();
          this.afterItem(false, before);
          if (this.p === before) this.advance();
          continue;
        }
        statements.push(this.parseStatement());
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    return { kind: 'ParserState', annotations: anns, name, statements, transition, span: this.sp(start) };
  }

  // transitionStatement: TRANSITION (name ";" | selectExpression)
  private parseTransition(): ast.Transition {
    const start = this.p;
    this.expect(T.Transition);
    if (!this.at(T.Select)) {
      const state = this.parseName();
      this.expectSemicolon();
      return { kind: 'DirectTransition', state, span: this.sp(start) };
    }
    this.advance();
    const expressions: ast.Expression[] = [];
    if (this.expect(T.LParen)) {
      this.commaList(T.RParen, () => { expressions.push(this.parseExpression()); }, false);
    }
    const cases: ast.SelectCase[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('stmt')) {
        const before = this.p;
        const cstart = this.p;
        const ks = this.parseKeyset();
        this.expect(T.Colon);
        const state = this.parseName();
        this.expectSemicolon();
        if (!this.panic) cases.push({ kind: 'SelectCase', keysets: ks.keysets, tuple: ks.tuple, state, span: this.sp(cstart) });
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    this.eat(T.Semicolon);
    return { kind: 'SelectTransition', expressions, cases, span: this.sp(start) };
  }

  // keysetExpression: tupleKeysetExpression | simpleKeysetExpression
  private parseKeyset(): { keysets: ast.Expression[]; tuple: boolean } {
    if (this.at(T.LParen)) {
      const c = this.matchClose(this.p);
      if (c >= 0 && this.kAt(c + 1) === T.Colon) {
        this.advance();
        const keysets: ast.Expression[] = [];
        this.commaList(T.RParen, () => { keysets.push(this.parseSimpleKeyset()); }, false);
        const single = keysets.length === 1 ? keysets[0].kind : '';
        const plain = single !== '' && single !== 'MaskExpression' && single !== 'RangeExpression' &&
          single !== 'DefaultExpression' && single !== 'DontCareExpression';
        return { keysets, tuple: !plain };
      }
    }
    return { keysets: [this.parseSimpleKeyset()], tuple: false };
  }

  // simpleKeysetExpression: expression ["&&&" expression | ".." expression] | DEFAULT | "_"
  private parseSimpleKeyset(): ast.Expression {
    const start = this.p;
    if (this.eat(T.Default)) return { kind: 'DefaultExpression', span: this.sp(start) };
    if (this.at(T.Underscore) && (this.kAt(this.p + 1) === T.Comma || this.kAt(this.p + 1) === T.RParen || this.kAt(this.p + 1) === T.Colon)) {
      this.advance();
      return { kind: 'DontCareExpression', span: this.sp(start) };
    }
    const e = this.parseExpression();
    if (this.eat(T.Mask)) {
      const mask = this.parseExpression();
      return { kind: 'MaskExpression', value: e, mask, span: this.sp(start) };
    }
    if (this.eat(T.DotDot)) {
      const hi = this.parseExpression();
      return { kind: 'RangeExpression', lo: e, hi, span: this.sp(start) };
    }
    return e;
  }

  // valueSetDeclaration: optAnnotations VALUESET "<" type ">" "(" expression ")" name ";"
  private parseValueSet(start: number, anns: ast.Annotation[]): ast.ValueSetDeclaration {
    this.expect(T.ValueSet);
    this.expect(T.Lt);
    const elementType = this.parseTypeRef();
    this.expect(T.Gt);
    this.expect(T.LParen);
    const size = this.parseExpression();
    this.expect(T.RParen);
    const name = this.parseName();
    this.expectSemicolon();
    return { kind: 'ValueSetDeclaration', annotations: anns, elementType, size, name, span: this.sp(start) };
  }

  // controlTypeDeclaration [";"] | controlTypeDeclaration optConstructorParameters "{" controlLocalDeclarations APPLY controlBody "}"
  private parseControl(start: number, anns: ast.Annotation[]): ast.ControlDeclaration | ast.ControlTypeDeclaration {
    this.expect(T.Control);
    const name = this.parseName();
    this.declareType(name.name);
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const parameters = this.parseParameters();
    if (this.eat(T.Semicolon)) {
      this.popTypeParams(typeParameters);
      return { kind: 'ControlTypeDeclaration', annotations: anns, name, typeParameters, parameters, span: this.sp(start) };
    }
    const constructorParameters = this.at(T.LParen) ? this.parseParameters() : [];
    const locals: Local[] = [];
    let body: ast.BlockStatement | null = null;
    if (this.expect(T.LBrace)) {
      while (this.inBlock('local')) {
        const before = this.p;
        if (this.at(T.Apply) && (this.kAt(this.p + 1) === T.LBrace || this.kAt(this.p + 1) === T.At)) {
          const bstart = this.p;
          this.advance();
          body = this.parseBlock(this.parseAnnotations(), bstart);
          if (!this.at(T.RBrace)) this.expectedCloseBrace();
          this.afterItem(true, before);
          if (this.p === before) this.advance();
          continue;
        }
        const s = this.p;
        const a = this.parseAnnotations();
        const k = this.k();
        if (k === T.Const) locals.push(this.parseConstant(s, a));
        else if (k === T.Action) locals.push(this.parseAction(s, a));
        else if (k === T.Table) locals.push(this.parseTable(s, a));
        else if (this.isName(k) || k === T.Dot || isBaseTypeKeyword(k) || k === T.List) {
          const d = this.parseLocalDeclaration(s, a, true);
          if (d) locals.push(d);
        } else this.errorHere('expected a control local declaration or apply block');
        this.afterItem(true, before);
        if (this.p === before) this.advance();
      }
      if (body === null) this.report('ExpectedToken', this.curSpan(), `expected 'apply' but found ${this.found()}`);
      this.expect(T.RBrace);
    }
    this.popTypeParams(typeParameters);
    if (body === null) body = { kind: 'BlockStatement', annotations: [], statements: [], span: this.sp(this.p) };
    return {
      kind: 'ControlDeclaration', annotations: anns, name, typeParameters, parameters, constructorParameters, locals, body, span: this.sp(start),
    };
  }

  // packageTypeDeclaration: optAnnotations PACKAGE name optTypeParameters "(" parameterList ")" ";"
  private parsePackage(start: number, anns: ast.Annotation[]): ast.PackageTypeDeclaration {
    this.expect(T.Package);
    const name = this.parseName();
    this.declareType(name.name);
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const parameters = this.parseParameters();
    this.popTypeParams(typeParameters);
    this.expectSemicolon();
    return { kind: 'PackageTypeDeclaration', annotations: anns, name, typeParameters, parameters, span: this.sp(start) };
  }

  // header/header_union/struct: optAnnotations KW name optTypeParameters "{" structFieldList "}"
  private parseStructLike(start: number, anns: ast.Annotation[]): ast.HeaderDeclaration | ast.HeaderUnionDeclaration | ast.StructDeclaration {
    const kw = this.k();
    this.advance();
    const name = this.parseName();
    this.declareType(name.name);
    const typeParameters = this.parseOptTypeParameters();
    this.pushTypeParams(typeParameters);
    const fields: ast.StructField[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('type')) {
        const before = this.p;
        const fs = this.p;
        const fa = this.parseAnnotations();
        const type = this.parseTypeRef();
        const fname = this.parseName();
        if (this.at(T.LBracket) && !this.panic) {
          // `bit<8> a[16];` is C syntax; P4 writes the size with the type: `bit<8>[16] a;`.
          this.report('ExpectedToken', this.curSpan(), `expected ';' but found '[': in P4 an array size follows the element type, e.g. '${printType(type)}[N] ${fname.name};'`);
        }
        this.expectSemicolon();
        if (!this.panic || fname.name !== '') fields.push({ kind: 'StructField', annotations: fa, type, name: fname, span: this.sp(fs) });
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    this.popTypeParams(typeParameters);
    const s = this.sp(start);
    if (kw === T.Header) return { kind: 'HeaderDeclaration', annotations: anns, name, typeParameters, fields, span: s };
    if (kw === T.HeaderUnion) return { kind: 'HeaderUnionDeclaration', annotations: anns, name, typeParameters, fields, span: s };
    return { kind: 'StructDeclaration', annotations: anns, name, typeParameters, fields, span: s };
  }

  // enumDeclaration: optAnnotations ENUM name "{" identifierList "}" | optAnnotations ENUM typeRef name "{" specifiedIdentifierList "}"
  private parseEnum(start: number, anns: ast.Annotation[]): ast.EnumDeclaration {
    this.expect(T.Enum);
    let underlying: ast.TypeRef | null = null;
    if (!(this.isName(this.k()) && this.kAt(this.p + 1) === T.LBrace)) underlying = this.parseTypeRef();
    const name = this.parseName();
    this.declareType(name.name);
    const members: ast.EnumMember[] = [];
    if (this.expect(T.LBrace)) {
      this.commaList(T.RBrace, () => {
        const ms = this.p;
        const ma = this.parseAnnotations();
        const mname = this.parseName();
        let value: ast.Expression | null = null;
        if (underlying !== null) {
          if (this.expect(T.Assign)) value = this.parseExpression();
        }
        members.push({ kind: 'EnumMember', annotations: ma, name: mname, value, span: this.sp(ms) });
      }, true);
    }
    return { kind: 'EnumDeclaration', annotations: anns, underlying, name, members, span: this.sp(start) };
  }

  // errorDeclaration: ERROR "{" identifierList "}"
  private parseErrorDecl(start: number): ast.ErrorDeclaration {
    this.expect(T.Error);
    const members = this.parseIdentifierBlock();
    return { kind: 'ErrorDeclaration', members, span: this.sp(start) };
  }

  // matchKindDeclaration: MATCH_KIND "{" identifierList optTrailingComma "}"
  private parseMatchKindDecl(start: number): ast.MatchKindDeclaration {
    this.expect(T.MatchKind);
    const members = this.parseIdentifierBlock();
    return { kind: 'MatchKindDeclaration', members, span: this.sp(start) };
  }

  private parseIdentifierBlock(): ast.Ident[] {
    const members: ast.Ident[] = [];
    if (this.expect(T.LBrace)) this.commaList(T.RBrace, () => { members.push(this.parseName()); }, true);
    return members;
  }

  // typedefDeclaration: optAnnotations TYPEDEF (typeRef | derivedTypeDeclaration) name ";" | optAnnotations TYPE typeRef name ";"
  private parseTypedef(start: number, anns: ast.Annotation[]): ast.TypedefDeclaration {
    const isNewType = this.at(T.Type);
    this.advance();
    let type: ast.TypedefDeclaration['type'];
    const k = this.k();
    if (!isNewType && (k === T.Header || k === T.HeaderUnion || k === T.Struct || k === T.Enum || k === T.At)) {
      const ds = this.p;
      const da = this.parseAnnotations();
      const dk = this.k();
      if (dk === T.Enum) type = this.parseEnum(ds, da);
      else if (dk === T.Header || dk === T.HeaderUnion || dk === T.Struct) type = this.parseStructLike(ds, da);
      else {
        this.errorHere('expected a header, header_union, struct or enum declaration');
        return { kind: 'TypedefDeclaration', annotations: anns, isNewType, type: this.parseTypeRef(), name: this.missingIdent(), span: this.sp(start) };
      }
    } else {
      type = this.parseTypeRef();
    }
    const name = this.parseName();
    this.declareType(name.name);
    this.expectSemicolon();
    return { kind: 'TypedefDeclaration', annotations: anns, isNewType, type, name, span: this.sp(start) };
  }

  // tableDeclaration: optAnnotations TABLE name "{" tablePropertyList "}"
  private parseTable(start: number, anns: ast.Annotation[]): ast.TableDeclaration {
    this.expect(T.Table);
    const name = this.parseName();
    const properties: ast.TableProperty[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('stmt')) {
        const before = this.p;
        const prop = this.parseTableProperty();
        if (prop) properties.push(prop);
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    return { kind: 'TableDeclaration', annotations: anns, name, properties, span: this.sp(start) };
  }

  // tableProperty: KEY "=" "{" keyElementList "}" | ACTIONS "=" "{" actionList "}"
  //   | optAnnotations optCONST ENTRIES "=" "{" entriesList "}" | optAnnotations optCONST nonTableKwName "=" initializer ";"
  private parseTableProperty(): ast.TableProperty | null {
    const start = this.p;
    const anns = this.parseAnnotations();
    const isConst = this.eat(T.Const);
    const k = this.k();
    if ((k === T.Key || k === T.Actions) && this.kAt(this.p + 1) === T.Assign && (isConst || anns.length > 0)) {
      // The grammar allows neither annotations nor `const` on `key` and `actions`; report and go on.
      this.note('SyntaxError', this.sp(start), `'${this.tokText(this.p)}' cannot be annotated or const`);
    }
    if (k === T.Key && this.kAt(this.p + 1) === T.Assign) {
      this.advance(); this.advance();
      const elements: ast.KeyElement[] = [];
      if (this.expect(T.LBrace)) {
        while (this.inBlock('stmt')) {
          const before = this.p;
          const es = this.p;
          const expression = this.parseExpression();
          this.expect(T.Colon);
          const matchKind = this.parseName();
          const ea = this.parseAnnotations();
          this.expectSemicolon();
          if (!this.panic) elements.push({ kind: 'KeyElement', expression, matchKind, annotations: ea, span: this.sp(es) });
          this.afterItem(false, before);
          if (this.p === before) this.advance();
        }
        this.expect(T.RBrace);
      }
      this.eat(T.Semicolon);
      return { kind: 'KeyProperty', elements, span: this.sp(start) };
    }
    if (k === T.Actions && this.kAt(this.p + 1) === T.Assign) {
      this.advance(); this.advance();
      const actions: ast.ActionRef[] = [];
      if (this.expect(T.LBrace)) {
        while (this.inBlock('stmt')) {
          const before = this.p;
          const as = this.p;
          const aa = this.parseAnnotations();
          const ref = this.parseActionRef(as, aa);
          this.expectSemicolon();
          if (!this.panic) actions.push(ref);
          this.afterItem(false, before);
          if (this.p === before) this.advance();
        }
        this.expect(T.RBrace);
      }
      this.eat(T.Semicolon);
      return { kind: 'ActionsProperty', actions, span: this.sp(start) };
    }
    if (k === T.Entries && this.kAt(this.p + 1) === T.Assign) {
      this.advance(); this.advance();
      const entries: ast.TableEntry[] = [];
      if (this.expect(T.LBrace)) {
        while (this.inBlock('stmt')) {
          const before = this.p;
          const e = this.parseEntry();
          if (!this.panic) entries.push(e);
          this.afterItem(false, before);
          if (this.p === before) this.advance();
        }
        this.expect(T.RBrace);
      }
      this.eat(T.Semicolon);
      return { kind: 'EntriesProperty', annotations: anns, isConst, entries, span: this.sp(start) };
    }
    if (this.isName(k) || (isKeyword(k) && this.kAt(this.p + 1) === T.Assign)) {
      const name = this.parseName();
      this.expect(T.Assign);
      const value = this.parseExpression();
      this.expectSemicolon();
      return { kind: 'ValueProperty', annotations: anns, isConst, name, value, span: this.sp(start) };
    }
    this.errorHere('expected a table property');
    return null;
  }

  // entry: optCONST [PRIORITY "=" (INTEGER | "(" expression ")") ":"] keysetExpression ":" actionRef optAnnotations ";"
  private parseEntry(): ast.TableEntry {
    const start = this.p;
    const lead = this.parseAnnotations();
    const isConst = this.eat(T.Const);
    let priority: ast.Expression | null = null;
    if (this.at(T.Priority) && this.kAt(this.p + 1) === T.Assign) {
      this.advance(); this.advance();
      priority = this.parseExpression();
      this.expect(T.Colon);
    }
    const ks = this.parseKeyset();
    this.expect(T.Colon);
    const refStart = this.p;
    const action = this.parseActionRef(refStart, []);
    const trail = this.parseAnnotations();
    this.expectSemicolon();
    const annotations = lead.length === 0 ? trail : lead.concat(trail);
    return { kind: 'TableEntry', annotations, isConst, priority, keys: ks.keysets, tuple: ks.tuple, action, span: this.sp(start) };
  }

  // actionRef: prefixedNonTypeName ["(" argumentList ")"]
  private parseActionRef(start: number, anns: ast.Annotation[]): ast.ActionRef {
    const global = this.eat(T.Dot);
    const name = this.parseName();
    const args = this.at(T.LParen) ? this.parseArguments() : null;
    return { kind: 'ActionRef', annotations: anns, name, global, args, span: this.sp(start) };
  }

  // Parameters and type parameters -----------------------------------------------------------

  // optTypeParameters: [ "<" name { "," name } ">" ]
  private parseOptTypeParameters(): ast.Ident[] {
    const out: ast.Ident[] = [];
    if (!this.eat(T.Lt)) return out;
    this.commaList(T.Gt, () => { out.push(this.parseName()); }, false);
    return out;
  }

  // "(" parameterList ")"; parameter: optAnnotations direction typeRef name ["=" expression]
  private parseParameters(): ast.Parameter[] {
    const out: ast.Parameter[] = [];
    if (!this.expect(T.LParen)) return out;
    this.commaList(T.RParen, () => {
      const start = this.p;
      const annotations = this.parseAnnotations();
      let direction: ast.Direction = 'none';
      if (this.eat(T.In)) direction = 'in';
      else if (this.eat(T.Out)) direction = 'out';
      else if (this.eat(T.Inout)) direction = 'inout';
      const type = this.parseTypeRef();
      const name = this.parseName();
      const defaultValue = this.eat(T.Assign) ? this.parseExpression() : null;
      out.push({ kind: 'Parameter', annotations, direction, type, name, defaultValue, span: this.sp(start) });
    }, false);
    return out;
  }

  // "(" argumentList ")"; argument: expression | name "=" expression | "_" | name "=" "_"
  private parseArguments(): ast.Argument[] {
    const out: ast.Argument[] = [];
    if (!this.expect(T.LParen)) return out;
    this.commaList(T.RParen, () => {
      const start = this.p;
      let name: ast.Ident | null = null;
      if ((this.isName(this.k()) || isKeyword(this.k())) && this.kAt(this.p + 1) === T.Assign) {
        name = this.parseName();
        this.advance();
      }
      const value = this.parseExpression();
      out.push({ kind: 'Argument', name, value, span: this.sp(start) });
    }, false);
    return out;
  }

  // Annotations ------------------------------------------------------------------------

  // optAnnotations: { annotation }
  private parseAnnotations(): ast.Annotation[] {
    if (!this.at(T.At)) return [];
    const out: ast.Annotation[] = [];
    while (this.at(T.At)) {
      const before = this.p;
      out.push(this.parseAnnotation());
      if (this.p === before) break;
    }
    return out;
  }

  // annotation: "@" name | "@" name "(" annotationBody ")" | "@" name "[" structuredAnnotationBody "]" | "@" PRAGMA name tokens-to-end-of-line
  private parseAnnotation(): ast.Annotation {
    const start = this.p;
    this.expect(T.At);
    const isPragma = this.at(T.Pragma) && this.kAt(this.p + 1) !== T.LParen && this.kAt(this.p + 1) !== T.LBracket &&
      (this.flags[this.p + 1] & TokenFlag.NewlineBefore) === 0;
    if (isPragma) this.advance();
    let name: ast.Ident;
    const k = this.k();
    if (k === T.Identifier || isKeyword(k)) { name = this.ident(this.p); this.advance(); }
    else { this.errorHere('expected an annotation name'); return { kind: 'Annotation', name: this.missingIdent(), body: { kind: 'none' }, span: this.sp(start) }; }
    if (isPragma) {
      const tokens: ast.AnnotationToken[] = [];
      const first = this.p;
      while (!this.at(T.EOF) && (this.flags[this.p] & TokenFlag.NewlineBefore) === 0) {
        tokens.push({ text: this.tokText(this.p), span: this.curSpan() });
        this.advance();
      }
      if (tokens.length === 0) return { kind: 'Annotation', name, body: { kind: 'none' }, span: this.sp(start) };
      const text = this.text.slice(this.starts[first], this.ends[this.p - 1]);
      return { kind: 'Annotation', name, body: { kind: 'unstructured', tokens, text }, span: this.sp(start) };
    }
    if (this.at(T.LParen)) {
      const open = this.p;
      this.advance();
      const tokens: ast.AnnotationToken[] = [];
      let depth = 0;
      while (!this.at(T.EOF)) {
        const t = this.k();
        if (t === T.RParen) { if (depth === 0) break; depth--; }
        else if (t === T.LParen) depth++;
        tokens.push({ text: this.tokText(this.p), span: this.curSpan() });
        this.advance();
      }
      const text = this.text.slice(this.ends[open], this.starts[this.p]);
      this.expect(T.RParen);
      return { kind: 'Annotation', name, body: { kind: 'unstructured', tokens, text }, span: this.sp(start) };
    }
    if (this.eat(T.LBracket)) {
      if ((this.isName(this.k()) || isKeyword(this.k())) && this.kAt(this.p + 1) === T.Assign) {
        const items: ast.KeyValue[] = [];
        this.commaList(T.RBracket, () => { items.push(this.parseKeyValue()); }, true);
        return { kind: 'Annotation', name, body: { kind: 'kvpairs', items }, span: this.sp(start) };
      }
      const items: ast.Expression[] = [];
      this.commaList(T.RBracket, () => { items.push(this.parseExpression()); }, true);
      return { kind: 'Annotation', name, body: { kind: 'expressions', items }, span: this.sp(start) };
    }
    return { kind: 'Annotation', name, body: { kind: 'none' }, span: this.sp(start) };
  }

  // kvPair: name "=" expression
  private parseKeyValue(): ast.KeyValue {
    const start = this.p;
    const key = this.parseName();
    this.expect(T.Assign);
    const value = this.parseExpression();
    return { kind: 'KeyValue', key, value, span: this.sp(start) };
  }

  // -------------------------------------------------------------------------------------
  // Types

  // typeRef: baseType | typeName | specializedType | arrayType | p4listType | tupleType
  parseTypeRef(): ast.TypeRef {
    const start = this.p;
    this.nest++;
    if (this.tooDeep()) { this.nest--; return { kind: 'NamedTypeRef', name: this.missingIdent(), global: false, span: this.curSpan() }; }
    let t = this.parseNonArrayType();
    this.nest--;
    while (this.at(T.LBracket)) {
      this.advance();
      const size = this.parseExpression();
      this.expect(T.RBracket);
      t = { kind: 'StackTypeRef', element: t, size, span: this.sp(start) };
    }
    return t;
  }

  private parseNonArrayType(): ast.TypeRef {
    const start = this.p;
    const k = this.k();
    switch (k) {
      case T.Bit: case T.Int: {
        this.advance();
        if (this.at(T.Lt)) {
          const width = this.parseWidth();
          return { kind: 'BitTypeRef', signed: k === T.Int, width, implicitWidth1: false, span: this.sp(start) };
        }
        return { kind: 'BitTypeRef', signed: k === T.Int, width: null, implicitWidth1: k === T.Bit, span: this.sp(start) };
      }
      case T.Varbit: {
        this.advance();
        const width = this.at(T.Lt) ? this.parseWidth() : (this.expect(T.Lt), { kind: 'ErrorExpression', span: this.curSpan() } as ast.Expression);
        return { kind: 'VarbitTypeRef', width, span: this.sp(start) };
      }
      case T.Bool: this.advance(); return { kind: 'BoolTypeRef', span: this.sp(start) };
      case T.StringKw: this.advance(); return { kind: 'StringTypeRef', span: this.sp(start) };
      case T.Error: this.advance(); return { kind: 'ErrorTypeRef', span: this.sp(start) };
      case T.MatchKind: this.advance(); return { kind: 'MatchKindTypeRef', span: this.sp(start) };
      case T.Void: this.advance(); return { kind: 'VoidTypeRef', span: this.sp(start) };
      case T.Underscore: this.advance(); return { kind: 'DontCareTypeRef', span: this.sp(start) };
      case T.Tuple: {
        this.advance();
        const elements = this.parseTypeArgs();
        return { kind: 'TupleTypeRef', elements, span: this.sp(start) };
      }
      case T.List:
        if (this.kAt(this.p + 1) === T.Lt) {
          this.advance();
          const args = this.parseTypeArgs();
          const element: ast.TypeRef = args.length > 0 ? args[0] : { kind: 'DontCareTypeRef', span: this.sp(start) };
          if (args.length !== 1) this.note('SyntaxError', this.sp(start), 'list<T> takes exactly one type argument');
          return { kind: 'ListTypeRef', element, span: this.sp(start) };
        }
        break;
      default:
        break;
    }
    if (k === T.Dot || this.isName(k)) {
      const base = this.parseNamedType();
      if (this.at(T.Lt)) {
        const args = this.parseTypeArgs();
        return { kind: 'SpecializedTypeRef', base, args, span: this.sp(start) };
      }
      return base;
    }
    if (isKeyword(k) && k !== T.Underscore) {
      const nk = this.kAt(this.p + 1);
      if (this.isName(nk)) {
        // A reserved word used as a type name: report it and go on as if it were a name.
        const id = this.parseName();
        return { kind: 'NamedTypeRef', name: id, global: false, span: id.span };
      }
    }
    this.errorHere('expected a type');
    return { kind: 'NamedTypeRef', name: this.missingIdent(), global: false, span: this.sp(start) };
  }

  private parseNamedType(): ast.NamedTypeRef {
    const start = this.p;
    const global = this.eat(T.Dot);
    const name = this.parseName();
    return { kind: 'NamedTypeRef', name, global, span: this.sp(start) };
  }

  // "<" (INTEGER | "(" expression ")") ">" after bit/int/varbit (an identifier is also accepted)
  private parseWidth(): ast.Expression {
    this.expect(T.Lt);
    let w: ast.Expression;
    if (this.at(T.Integer)) w = this.parseIntegerLiteral();
    else if (this.at(T.LParen)) {
      this.advance();
      w = this.parseExpression();
      this.expect(T.RParen);
    } else if (this.isName(this.k()) || this.at(T.Dot)) {
      w = this.parsePathExpression();
    } else {
      this.errorHere('expected a width');
      w = { kind: 'ErrorExpression', span: this.curSpan() };
    }
    this.expect(T.Gt);
    return w;
  }

  // "<" typeArgumentList ">"; typeArg: typeRef | nonTypeName | VOID | "_"
  private parseTypeArgs(): ast.TypeRef[] {
    const out: ast.TypeRef[] = [];
    if (!this.expect(T.Lt)) return out;
    this.commaList(T.Gt, () => { out.push(this.parseTypeRef()); }, false);
    return out;
  }

  // -------------------------------------------------------------------------------------
  // Statements

  // blockStatement: optAnnotations "{" statOrDeclList "}"
  private parseBlock(annotations: ast.Annotation[], start: number): ast.BlockStatement {
    const statements: ast.Statement[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('stmt')) {
        const before = this.p;
        statements.push(this.parseStatement());
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    return { kind: 'BlockStatement', annotations, statements, span: this.sp(start) };
  }

  // statementOrDeclaration: variableDeclaration | constantDeclaration | statement
  parseStatement(): ast.Statement {
    this.nest++;
    const s = this.tooDeep() ? { kind: 'ErrorStatement', span: this.curSpan() } as const : this.parseStatementInner();
    this.nest--;
    return s;
  }

  private parseStatementInner(): ast.Statement {
    const start = this.p;
    switch (this.k()) {
      case T.LBrace: return this.parseBlock([], start);
      case T.At: {
        const anns = this.parseAnnotations();
        if (this.at(T.LBrace)) return this.parseBlock(anns, start);
        if (this.at(T.For)) return this.parseFor(start, anns);
        if (this.at(T.Const)) return this.parseConstant(start, anns);
        return this.parseSimpleWithSemicolon(start, anns);
      }
      case T.If: {
        this.advance();
        this.expect(T.LParen);
        const condition = this.parseExpression();
        this.expect(T.RParen);
        const then = this.parseStatement();
        const els = this.eat(T.Else) ? this.parseStatement() : null;
        return { kind: 'IfStatement', condition, then, else: els, span: this.sp(start) };
      }
      case T.Switch: return this.parseSwitch(start);
      case T.Return: {
        this.advance();
        const value = this.at(T.Semicolon) || this.at(T.RBrace) ? null : this.parseExpression();
        this.expectSemicolon();
        return { kind: 'ReturnStatement', value, span: this.sp(start) };
      }
      case T.Exit: this.advance(); this.expectSemicolon(); return { kind: 'ExitStatement', span: this.sp(start) };
      case T.Break: this.advance(); this.expectSemicolon(); return { kind: 'BreakStatement', span: this.sp(start) };
      case T.Continue: this.advance(); this.expectSemicolon(); return { kind: 'ContinueStatement', span: this.sp(start) };
      case T.For: return this.parseFor(start, []);
      case T.Semicolon: this.advance(); return { kind: 'EmptyStatement', span: this.sp(start) };
      case T.Const: return this.parseConstant(start, []);
      default: return this.parseSimpleWithSemicolon(start, []);
    }
  }

  /** A simple statement and its `;`, re-spanned to include the `;`. */
  private parseSimpleWithSemicolon(start: number, anns: ast.Annotation[]): ast.Statement {
    const s = this.parseSimpleStatement(start, anns);
    if (s.kind === 'InstantiationDeclaration' || s.kind === 'ErrorStatement') return s;
    this.expectSemicolon();
    return { ...s, span: this.sp(start) } as ast.Statement;
  }

  /**
   * A statement without its `;`: variable declaration, instantiation, direct application,
   * assignment or method call (the forms allowed in `for` headers plus a few).
   */
  private parseSimpleStatement(start: number, anns: ast.Annotation[]): ast.Statement {
    const k = this.k();
    if (!(this.isName(k) || k === T.Dot || k === T.This || k === T.LParen || isBaseTypeKeyword(k) || k === T.List)) {
      this.errorHere('expected a statement');
      return { kind: 'ErrorStatement', span: this.sp(start) };
    }
    const j = k === T.This || k === T.LParen ? -1 : this.skipType(this.p);
    if (j >= 0) {
      const nk = this.kAt(j);
      // T x [= e]
      if (this.isName(nk) || (isKeyword(nk) && nk !== T.Underscore && (this.kAt(j + 1) === T.Semicolon || this.kAt(j + 1) === T.Assign))) {
        const type = this.parseTypeRef();
        const name = this.parseName();
        const initializer = this.eat(T.Assign) ? this.parseExpression() : null;
        return { kind: 'VariableDeclaration', annotations: anns, type, name, initializer, span: this.sp(start) };
      }
      // T(args) x;
      if (nk === T.LParen) {
        const c = this.matchClose(j);
        if (c >= 0 && this.isName(this.kAt(c + 1))) return this.parseInstantiation(start, anns);
      }
      // T.apply(args) on a type
      const ti = k === T.Dot ? this.p + 1 : this.p;
      if (nk === T.Dot && this.kAt(j + 1) === T.Apply && this.kAt(j + 2) === T.LParen && this.isTypeNameAt(ti)) {
        const type = this.parseTypeRef();
        this.advance(); this.advance();
        const args = this.parseArguments();
        if (type.kind !== 'NamedTypeRef' && type.kind !== 'SpecializedTypeRef') {
          this.report('SyntaxError', type.span, 'only a parser or control type can be applied directly');
          return { kind: 'ErrorStatement', span: this.sp(start) };
        }
        return { kind: 'DirectApplyStatement', type, args, span: this.sp(start) };
      }
      if (isBaseTypeKeyword(k)) {
        this.errorHere('expected a name after the type');
        return { kind: 'ErrorStatement', span: this.sp(start) };
      }
    }
    if (anns.length > 0) {
      this.report('SyntaxError', anns[0].span, 'annotations are not allowed on this statement');
      return { kind: 'ErrorStatement', span: this.sp(start) };
    }
    const target = this.parsePostfixExpression();
    if (this.panic) return { kind: 'ErrorStatement', span: this.sp(start) };
    const op = this.assignmentOperator();
    if (op !== null) {
      const value = this.parseExpression();
      return { kind: 'AssignmentStatement', op, target, value, span: this.sp(start) };
    }
    if (target.kind === 'CallExpression') return { kind: 'MethodCallStatement', call: target, span: this.sp(start) };
    this.errorHere('expected an assignment or a method call');
    return { kind: 'ErrorStatement', span: this.sp(start) };
  }

  /** Consumes an assignment operator, joining `>` `>` `=` into `>>=`; null if there is none. */
  private assignmentOperator(): ast.AssignmentOperator | null {
    const k = this.k();
    const op = assignmentOps.get(k);
    if (op !== undefined) { this.advance(); return op; }
    if (k === T.Gt && this.adjacent(this.p) && this.kAt(this.p + 1) === T.Gt && this.adjacent(this.p + 1) && this.kAt(this.p + 2) === T.Assign) {
      this.advance(); this.advance(); this.advance();
      return '>>=';
    }
    return null;
  }

  // switchStatement: SWITCH "(" expression ")" "{" { switchLabel ":" [blockStatement] } "}"
  private parseSwitch(start: number): ast.SwitchStatement {
    this.expect(T.Switch);
    this.expect(T.LParen);
    const expression = this.parseExpression();
    this.expect(T.RParen);
    const cases: ast.SwitchCase[] = [];
    if (this.expect(T.LBrace)) {
      while (this.inBlock('stmt')) {
        const before = this.p;
        const cs = this.p;
        let label: ast.Expression;
        if (this.at(T.Default)) { this.advance(); label = { kind: 'DefaultExpression', span: this.sp(cs) }; }
        else if (this.at(T.LBrace)) { this.errorHere('expected a switch label'); label = { kind: 'ErrorExpression', span: this.curSpan() }; }
        else label = this.parseExpression();
        this.expect(T.Colon);
        let body: ast.BlockStatement | null = null;
        if (!this.panic && (this.at(T.LBrace) || this.at(T.At))) {
          const bs = this.p;
          body = this.parseBlock(this.parseAnnotations(), bs);
        }
        if (!this.panic) cases.push({ kind: 'SwitchCase', label, body, span: this.sp(cs) });
        this.afterItem(false, before);
        if (this.p === before) this.advance();
      }
      this.expect(T.RBrace);
    }
    return { kind: 'SwitchStatement', expression, cases, span: this.sp(start) };
  }

  // forStatement: optAnnotations FOR "(" forInitStatements ";" expression ";" forUpdateStatements ")" statement
  //             | optAnnotations FOR "(" [annotations] typeRef name IN forCollectionExpr ")" statement
  private parseFor(start: number, annotations: ast.Annotation[]): ast.ForStatement | ast.ForInStatement {
    this.expect(T.For);
    this.expect(T.LParen);
    const a = this.skipAnnotationsAhead(this.p);
    const j = this.skipType(a);
    if (j >= 0 && (this.isName(this.kAt(j)) || isKeyword(this.kAt(j))) && this.kAt(j + 1) === T.In) {
      const varAnnotations = this.parseAnnotations();
      const type = this.parseTypeRef();
      const name = this.parseName();
      this.expect(T.In);
      const cs = this.p;
      let collection = this.parseExpression();
      if (this.eat(T.DotDot)) {
        const hi = this.parseExpression();
        collection = { kind: 'RangeExpression', lo: collection, hi, span: this.sp(cs) };
      }
      this.expect(T.RParen);
      const body = this.parseStatement();
      return { kind: 'ForInStatement', annotations, varAnnotations, type, name, collection, body, span: this.sp(start) };
    }
    const init: ast.Statement[] = [];
    if (!this.at(T.Semicolon)) {
      for (;;) {
        const s = this.p;
        init.push(this.parseSimpleStatement(s, this.parseAnnotations()));
        if (this.panic || !this.eat(T.Comma)) break;
      }
    }
    this.expect(T.Semicolon);
    const condition = this.parseExpression();
    this.expect(T.Semicolon);
    const update: ast.Statement[] = [];
    if (!this.at(T.RParen)) {
      for (;;) {
        const s = this.p;
        update.push(this.parseSimpleStatement(s, []));
        if (this.panic || !this.eat(T.Comma)) break;
      }
    }
    this.expect(T.RParen);
    const body = this.parseStatement();
    return { kind: 'ForStatement', annotations, init, condition, update, body, span: this.sp(start) };
  }

  // -------------------------------------------------------------------------------------
  // Expressions

  /** Reports nesting beyond maxNesting once; the caller then returns an error node. */
  private tooDeep(): boolean {
    if (this.nest <= maxNesting) return false;
    this.report('SyntaxError', this.curSpan(), 'nesting is too deep');
    return true;
  }

  // expression: precedence climbing over binary operators, then `?:` (which binds loosest)
  parseExpression(): ast.Expression {
    this.nest++;
    const e = this.tooDeep() ? { kind: 'ErrorExpression', span: this.curSpan() } as const : this.parseConditional();
    this.nest--;
    return e;
  }

  private parseConditional(): ast.Expression {
    const start = this.p;
    let e = this.parseBinary(P_OR);
    while (this.at(T.Question) && !this.panic) {
      this.advance();
      const then = this.parseExpression();
      this.expect(T.Colon);
      const els = this.parseBinary(P_OR);
      e = { kind: 'TernaryExpression', condition: e, then, else: els, span: this.sp(start) };
    }
    return e;
  }

  /** The binary operator at the current token: [operator, precedence, tokens], or null. */
  private binaryOperator(): [ast.BinaryOperator, number, number] | null {
    switch (this.k()) {
      case T.OrOr: return ['||', P_OR, 1];
      case T.AndAnd: return ['&&', P_AND, 1];
      case T.Eq: return ['==', P_EQ, 1];
      case T.Ne: return ['!=', P_EQ, 1];
      case T.Lt: return ['<', P_REL, 1];
      case T.Le: return ['<=', P_REL, 1];
      case T.Gt: {
        if (this.adjacent(this.p)) {
          const n = this.kAt(this.p + 1);
          if (n === T.Gt) {
            if (this.adjacent(this.p + 1) && this.kAt(this.p + 2) === T.Assign) return null; // `>>=`
            return ['>>', P_SHIFT, 2];
          }
          if (n === T.Assign) return ['>=', P_REL, 2];
        }
        return ['>', P_REL, 1];
      }
      case T.Pipe: return ['|', P_BOR, 1];
      case T.Caret: return ['^', P_XOR, 1];
      case T.Amp: return ['&', P_BAND, 1];
      case T.Shl: return ['<<', P_SHIFT, 1];
      case T.Plus:
        if (this.kAt(this.p + 1) === T.Colon) return null; // `+:` in a slice
        return ['+', P_ADD, 1];
      case T.Minus: return ['-', P_ADD, 1];
      case T.PlusPlus: return ['++', P_ADD, 1];
      case T.SatPlus: return ['|+|', P_ADD, 1];
      case T.SatMinus: return ['|-|', P_ADD, 1];
      case T.Star: return ['*', P_MUL, 1];
      case T.Slash: return ['/', P_MUL, 1];
      case T.Percent: return ['%', P_MUL, 1];
      default: return null;
    }
  }

  private parseBinary(minPrec: number): ast.Expression {
    const start = this.p;
    let left = this.parseUnary();
    for (;;) {
      if (this.panic) return left;
      const op = this.binaryOperator();
      if (op === null || op[1] < minPrec) return left;
      for (let i = 0; i < op[2]; i++) this.advance();
      const right = this.parseBinary(op[1] + 1);
      left = { kind: 'BinaryExpression', op: op[0], left, right, span: this.sp(start) };
    }
  }

  // "!" / "~" / "-" / "+" expression %prec PREFIX, and "(" typeRef ")" expression
  private parseUnary(): ast.Expression {
    const start = this.p;
    const k = this.k();
    if (k === T.Not || k === T.Tilde || k === T.Minus || k === T.Plus) {
      this.advance();
      this.nest++;
      const operand = this.tooDeep() ? { kind: 'ErrorExpression', span: this.curSpan() } as const : this.parseUnary();
      this.nest--;
      const op: ast.UnaryOperator = k === T.Not ? '!' : k === T.Tilde ? '~' : k === T.Minus ? '-' : '+';
      return { kind: 'UnaryExpression', op, operand, span: this.sp(start) };
    }
    if (k === T.LParen && this.isCastAhead()) {
      this.advance();
      const type = this.parseTypeRef();
      this.expect(T.RParen);
      const operand = this.parseUnary();
      return { kind: 'CastExpression', type, operand, span: this.sp(start) };
    }
    return this.parsePostfixExpression();
  }

  /** At `(`: does a cast `(Type) e` start here? A base type keyword, or a known type name, closed by `)`. */
  private isCastAhead(): boolean {
    const j = this.p + 1;
    const k = this.kAt(j);
    if (k === T.Bit || k === T.Int || k === T.Varbit || k === T.Bool || k === T.StringKw || k === T.Tuple || k === T.MatchKind) return true;
    if (k === T.Error) return this.kAt(j + 1) !== T.Dot;
    if (k === T.List) return this.kAt(j + 1) === T.Lt;
    const ti = k === T.Dot ? j + 1 : j;
    if (!this.isTypeNameAt(ti)) return false;
    const e = this.skipType(j);
    return e >= 0 && this.kAt(e) === T.RParen;
  }

  // Postfix forms: e.member, e[i], e[h:l], e[b +: w], e(args), e<T>(args)
  private parsePostfixExpression(): ast.Expression {
    const start = this.p;
    let e = this.parsePrimary();
    for (;;) {
      if (this.panic) return e;
      const k = this.k();
      if (k === T.Dot) {
        this.advance();
        const member = this.parseMemberName();
        e = { kind: 'MemberExpression', object: e, member, span: this.sp(start) };
      } else if (k === T.LBracket) {
        this.advance();
        const a = this.parseExpression();
        if (this.eat(T.Colon)) {
          const b = this.parseExpression();
          this.expect(T.RBracket);
          e = { kind: 'SliceExpression', object: e, hi: a, lo: b, plusWidth: false, span: this.sp(start) };
        } else if (this.at(T.Plus) && this.kAt(this.p + 1) === T.Colon) {
          this.advance(); this.advance();
          const b = this.parseExpression();
          this.expect(T.RBracket);
          e = { kind: 'SliceExpression', object: e, hi: a, lo: b, plusWidth: true, span: this.sp(start) };
        } else {
          this.expect(T.RBracket);
          e = { kind: 'IndexExpression', object: e, index: a, span: this.sp(start) };
        }
      } else if (k === T.LParen) {
        const args = this.parseArguments();
        e = { kind: 'CallExpression', callee: e, typeArgs: [], args, span: this.sp(start) };
      } else if (k === T.Lt && (e.kind === 'PathExpression' || e.kind === 'MemberExpression' || e.kind === 'TypeMemberExpression')) {
        const j = this.skipTypeArgs(this.p);
        if (j < 0 || this.kAt(j) !== T.LParen) return e;
        const typeArgs = this.parseTypeArgs();
        const args = this.parseArguments();
        e = { kind: 'CallExpression', callee: e, typeArgs, args, span: this.sp(start) };
      } else {
        return e;
      }
    }
  }

  // member: name (any keyword is also accepted after a dot, e.g. `t.apply`)
  private parseMemberName(): ast.Ident {
    const k = this.k();
    if (this.isName(k)) { const id = this.ident(this.p); this.advance(); return id; }
    return this.parseName();
  }

  private parsePathExpression(): ast.PathExpression {
    const start = this.p;
    const global = this.eat(T.Dot);
    const name = this.parseName();
    return { kind: 'PathExpression', name, global, span: this.sp(start) };
  }

  private parseIntegerLiteral(): ast.IntegerLiteral {
    const i = this.p;
    const v = this.toks.values.get(i) as IntegerValue | undefined;
    this.advance();
    return {
      kind: 'IntegerLiteral', value: v?.value ?? 0n, width: v?.width ?? null, signed: v?.signed ?? false,
      text: this.tokText(i), span: span(this.starts[i], this.ends[i]),
    };
  }

  private parsePrimary(): ast.Expression {
    const start = this.p;
    const k = this.k();
    switch (k) {
      case T.Integer: return this.parseIntegerLiteral();
      case T.String: {
        const value = (this.toks.values.get(this.p) as string | undefined) ?? '';
        this.advance();
        return { kind: 'StringLiteral', value, span: this.sp(start) };
      }
      case T.True: this.advance(); return { kind: 'BoolLiteral', value: true, span: this.sp(start) };
      case T.False: this.advance(); return { kind: 'BoolLiteral', value: false, span: this.sp(start) };
      case T.This: this.advance(); return { kind: 'ThisExpression', span: this.sp(start) };
      case T.Dots: this.advance(); return { kind: 'DotsExpression', span: this.sp(start) };
      case T.Underscore: this.advance(); return { kind: 'DontCareExpression', span: this.sp(start) };
      case T.Default: this.advance(); return { kind: 'DefaultExpression', span: this.sp(start) };
      case T.InvalidHeader: this.advance(); return { kind: 'InvalidHeaderExpression', span: this.sp(start) };
      case T.LBrace: return this.parseBraceExpression();
      case T.LParen: {
        this.advance();
        const e = this.parseExpression();
        this.expect(T.RParen);
        return e;
      }
      case T.Error:
        if (this.kAt(this.p + 1) === T.Dot) {
          this.advance();
          const type: ast.ErrorTypeRef = { kind: 'ErrorTypeRef', span: this.sp(start) };
          this.advance();
          const member = this.parseMemberName();
          return { kind: 'TypeMemberExpression', type, member, span: this.sp(start) };
        }
        break;
      default:
        break;
    }
    if (k === T.Dot || this.isName(k)) {
      const ti = k === T.Dot ? this.p + 1 : this.p;
      if (this.isTypeNameAt(ti)) return this.parseTypeLedExpression(start);
      return this.parsePathExpression();
    }
    if (isKeyword(k) && k !== T.Underscore) {
      const nk = this.kAt(this.p + 1);
      if (nk === T.Dot || nk === T.LParen || nk === T.Semicolon || nk === T.RParen || nk === T.Comma || nk === T.Assign || nk === T.LBracket) {
        return this.parsePathExpression(); // reports ReservedWord
      }
    }
    this.errorHere('expected an expression');
    return { kind: 'ErrorExpression', span: span(this.starts[this.p], this.starts[this.p]) };
  }

  /** An expression led by a known type name: `T.member`, `T<A>.member`, `T(args)`, `T<A>(args)`, or the bare name. */
  private parseTypeLedExpression(start: number): ast.Expression {
    const named = this.parseNamedType();
    let type: ast.NamedTypeRef | ast.SpecializedTypeRef = named;
    if (this.at(T.Lt)) {
      const j = this.skipTypeArgs(this.p);
      const after = j >= 0 ? this.kAt(j) : T.EOF;
      if (after === T.Dot || after === T.LParen) {
        const args = this.parseTypeArgs();
        type = { kind: 'SpecializedTypeRef', base: named, args, span: this.sp(start) };
      }
    }
    if (this.at(T.Dot)) {
      this.advance();
      const member = this.parseMemberName();
      return { kind: 'TypeMemberExpression', type, member, span: this.sp(start) };
    }
    if (this.at(T.LParen)) {
      const args = this.parseArguments();
      return { kind: 'ConstructorCallExpression', type, args, span: this.sp(start) };
    }
    return { kind: 'PathExpression', name: named.name, global: named.global, span: named.span };
  }

  // "{" expressionList "}" | "{" kvList ["," "..."] "}" | "{#}" (lexed as one token)
  private parseBraceExpression(): ast.Expression {
    const start = this.p;
    this.expect(T.LBrace);
    if ((this.isName(this.k()) || isKeyword(this.k())) && this.kAt(this.p + 1) === T.Assign) {
      const fields: ast.KeyValue[] = [];
      let dots = false;
      this.commaList(T.RBrace, () => {
        if (this.at(T.Dots)) { this.advance(); dots = true; return; }
        if (dots) { this.errorHere(`expected '}' after '...'`); return; }
        fields.push(this.parseKeyValue());
      }, true);
      return { kind: 'StructExpression', fields, dots, span: this.sp(start) };
    }
    const elements: ast.Expression[] = [];
    this.commaList(T.RBrace, () => { elements.push(this.parseExpression()); }, true);
    return { kind: 'ListExpression', elements, span: this.sp(start) };
  }
}
