// The C-like preprocessor P4 compilers use (spec section "Preprocessing"): #include, #define
// (object- and function-like), #undef, conditionals with C integer expressions, #error, #warning,
// #line, #pragma. Input: a file's text and options; output: the preprocessed text, kept line-aligned
// with the original where possible (a directive becomes an empty line), and a source map back to
// the original files. User mistakes go to Diagnostics; nothing here throws for them.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostics } from '../source/diagnostics.js';
import type { CodeName } from '../source/codes.js';
import type { Location, SourceMap } from '../source/span.js';
import { LineSourceMap } from '../source/source-map.js';
import type { LineSegment } from '../source/source-map.js';

export interface PreprocessOptions {
  /** -I paths, searched in order. */
  includeDirs: readonly string[];
  /** -D NAME[=VALUE] (VALUE defaults to '1'); NAME may be `F(a,b)` for a function-like macro. */
  defines: ReadonlyMap<string, string>;
  /** Defaults to fs.readFileSync; returns null if the file is missing or unreadable. */
  readFile?: (path: string) => string | null;
}

export interface PreprocessResult {
  text: string;
  map: SourceMap;
  /** Every file read (the main file first, then included files by resolved path), once each. */
  files: string[];
}

/** Directory of our built-in include files (core.p4, v1model.p4) at run time: dist/compiler/include. */
export const builtinIncludeDir: string = fileURLToPath(new URL('../include', import.meta.url));

/** Deepest #include nesting before we assume a file includes itself without a guard. */
const maxIncludeDepth = 64;
/** Deepest nesting of macro expansions (a guard against pathological definitions). */
const maxExpansionDepth = 200;

export function preprocess(file: string, text: string, options: PreprocessOptions, diags: Diagnostics): PreprocessResult {
  const p = new Preprocessor(options, diags);
  p.run(file, text);
  return { text: p.out.join('\n'), map: p.map, files: p.files };
}

// ---------------------------------------------------------------------------------------------
// Data

interface BodyToken {
  readonly text: string;
  /** Index of the parameter this token names, or -1. */
  readonly param: number;
  /** Whitespace preceded the token in the definition. */
  readonly ws: boolean;
}

interface Macro {
  readonly name: string;
  /** null for an object-like macro. */
  readonly params: readonly string[] | null;
  readonly variadic: boolean;
  readonly body: readonly BodyToken[];
  /** Predefined dynamic macros. */
  readonly special: 'line' | 'file' | null;
}

/** Where a piece of a joined logical line starts in the original file. */
interface Break {
  readonly at: number;
  readonly line: number;
}

interface FileState {
  /** Resolved path, as read. */
  readonly path: string;
  /** Name printed in diagnostics and by __FILE__ (changed by #line). */
  name: string;
  fileId: number;
  lineDelta: number;
  readonly lines: string[];
  /** 0-based index of the next physical line to read. */
  i: number;
  inComment: boolean;
  /** Where the open block comment started (physical line, 0-based column), for its error. */
  commentLine: number;
  commentCol: number;
}

interface CondFrame {
  active: boolean;
  taken: boolean;
  sawElse: boolean;
  readonly parentActive: boolean;
  readonly where: Location;
}

// ---------------------------------------------------------------------------------------------
// Character classes

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 12 || c === 11 || c === 13;
}
/** Characters that combine into multi-character operators (a lookup table by char code). */
const punctTable = new Uint8Array(128);
for (const ch of '+-*/%<>=!&|^~?:.#') punctTable[ch.charCodeAt(0)] = 1;
function isPunct(c: number): boolean {
  return c < 128 && punctTable[c] === 1;
}

/** Whether putting b right after a would glue two tokens into one. */
function glues(a: number, b: number): boolean {
  if (isIdentPart(a) && isIdentPart(b)) return true;
  return isPunct(a) && isPunct(b);
}

/** Offset just past the string literal starting at `i` (a quote), or the end of the text. */
function skipString(text: string, i: number): number {
  const n = text.length;
  let k = i + 1;
  while (k < n) {
    const c = text.charCodeAt(k);
    if (c === 92) k += 2;
    else if (c === 34) return k + 1;
    else if (c === 10) return k;
    else k++;
  }
  return n;
}

/** Offset just past a preprocessing number (digits, letters, '_', '.') starting at `i`. */
function skipNumber(text: string, i: number): number {
  const n = text.length;
  let k = i + 1;
  while (k < n) {
    const c = text.charCodeAt(k);
    if (isIdentPart(c) || c === 46) k++;
    else break;
  }
  return k;
}

function skipSpaces(text: string, i: number): number {
  const n = text.length;
  while (i < n && (isSpace(text.charCodeAt(i)) || text.charCodeAt(i) === 10)) i++;
  return i;
}

function splitLines(text: string): string[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k];
    if (l.length > 0 && l.charCodeAt(l.length - 1) === 13) lines[k] = l.slice(0, -1);
  }
  // A final newline does not start another line.
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function quote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"') + '"';
}

/** Replaces comments by a space and newlines by a space; keeps strings. */
function cleanArgText(text: string): string {
  if (text.indexOf('/') < 0 && text.indexOf('\n') < 0) return text;
  const parts: string[] = [];
  const n = text.length;
  let last = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = skipString(text, i);
    } else if (c === 10) {
      parts.push(text.slice(last, i), ' ');
      last = ++i;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const e = text.indexOf('*/', i + 2);
      parts.push(text.slice(last, i), ' ');
      i = e < 0 ? n : e + 2;
      last = i;
    } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const e = text.indexOf('\n', i);
      parts.push(text.slice(last, i), ' ');
      i = e < 0 ? n : e + 1;
      last = i;
    } else {
      i++;
    }
  }
  parts.push(text.slice(last));
  return parts.join('');
}

/** Collects output pieces and inserts a space where two pieces would otherwise glue. */
class Joiner {
  private readonly parts: string[] = [];
  private lastChar = 32;

  push(piece: string, space: boolean, guard: boolean): void {
    if (piece.length === 0) return;
    if (space || (guard && glues(this.lastChar, piece.charCodeAt(0)))) {
      if (this.parts.length > 0) this.parts.push(' ');
    }
    this.parts.push(piece);
    this.lastChar = piece.charCodeAt(piece.length - 1);
  }

  /** Appends with no space at all (token pasting). */
  paste(piece: string): void {
    if (piece.length === 0) return;
    this.parts.push(piece);
    this.lastChar = piece.charCodeAt(piece.length - 1);
  }

  get last(): number {
    return this.lastChar;
  }

  text(): string {
    return this.parts.join('');
  }
}

// ---------------------------------------------------------------------------------------------
// The preprocessor

class Preprocessor {
  readonly out: string[] = [];
  readonly map = new LineSourceMap();
  readonly files: string[] = [];
  private readonly seen = new Set<string>();
  private readonly once = new Set<string>();
  private readonly macros = new Map<string, Macro>();
  private readonly conds: CondFrame[] = [];
  private readonly readFile: (path: string) => string | null;
  private depth = 0;
  private depthReported = false;
  /** The file being read, for __FILE__ and diagnostics. */
  private cur: FileState | null = null;
  /** Printed line of the macro invocation being expanded, for __LINE__. */
  private curLine = 0;

  private readonly options: PreprocessOptions;
  private readonly diags: Diagnostics;

  constructor(options: PreprocessOptions, diags: Diagnostics) {
    this.options = options;
    this.diags = diags;
    // A file included many times (guarded headers) is read once per run.
    const read = options.readFile ?? defaultReadFile;
    const cache = new Map<string, string | null>();
    this.readFile = (path: string): string | null => {
      let text = cache.get(path);
      if (text === undefined) {
        text = read(path);
        cache.set(path, text);
      }
      return text;
    };
    this.macros.set('__LINE__', { name: '__LINE__', params: null, variadic: false, body: [], special: 'line' });
    this.macros.set('__FILE__', { name: '__FILE__', params: null, variadic: false, body: [], special: 'file' });
    this.macros.set('__P4TEE__', { name: '__P4TEE__', params: null, variadic: false, body: [{ text: '1', param: -1, ws: false }], special: null });
    const where: Location = { file: '<command line>', line: 1, column: 1, endColumn: 1, lineText: '' };
    for (const [name, value] of options.defines) this.define(`${name} ${value}`, where);
  }

  run(file: string, text: string): void {
    this.noteFile(file);
    this.runFile(file, text);
  }

  private noteFile(path: string): void {
    if (!this.seen.has(path)) {
      this.seen.add(path);
      this.files.push(path);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Lines

  private emit(text: string, st: FileState, phys: number, segs: readonly LineSegment[] | null): void {
    this.out.push(text);
    this.map.addLine(st.fileId, phys, text.length, segs);
  }

  /** Emits empty lines for physical lines from..to (1-based, inclusive). */
  private emitEmpty(st: FileState, from: number, to: number): void {
    for (let l = from; l <= to; l++) this.emit('', st, l, null);
  }

  private location(st: FileState, phys: number, col: number, len: number): Location {
    const lineText = st.lines[phys - 1] ?? '';
    return {
      file: st.name,
      line: phys + st.lineDelta,
      column: col + 1,
      endColumn: Math.max(col + 1, Math.min(col + len, lineText.length)),
      lineText,
    };
  }

  private error(code: CodeName, where: Location, message: string): void {
    this.diags.errorAt(code, where, message);
  }

  /** Processes one file, appending its lines to the output. */
  private runFile(path: string, text: string): void {
    const lines = splitLines(text);
    const st: FileState = { path, name: path, fileId: 0, lineDelta: 0, lines, i: 0, inComment: false, commentLine: 1, commentCol: 0 };
    st.fileId = this.map.addFile({ name: path, lines, lineDelta: 0 });
    const outer = this.cur;
    this.cur = st;
    const condBase = this.conds.length;
    this.depth++;
    while (st.i < lines.length) {
      const first = st.i + 1;
      let line = lines[st.i++];
      let breaks: Break[] | null = null;
      // Backslash-newline joins physical lines into one logical line.
      while (line.length > 0 && line.charCodeAt(line.length - 1) === 92 && st.i < lines.length) {
        if (breaks === null) breaks = [{ at: 0, line: first }];
        line = line.slice(0, -1);
        breaks.push({ at: line.length, line: st.i + 1 });
        line += lines[st.i++];
      }
      if (!st.inComment) {
        let h = 0;
        while (h < line.length && isSpace(line.charCodeAt(h))) h++;
        if (line.charCodeAt(h) === 35) {
          this.directive(st, first, line, h);
          continue;
        }
      }
      if (this.skipping()) {
        st.inComment = scanComments(line, st.inComment);
        this.emitEmpty(st, first, st.i);
        continue;
      }
      this.textLine(st, first, line, breaks);
    }
    if (st.inComment) {
      this.error(
        'UnterminatedComment',
        this.location(st, st.commentLine, st.commentCol, 2),
        'unterminated /* comment: no */ before the end of the file',
      );
      // Close it so that the comment does not swallow the including file.
      const k = this.out.length - 1;
      if (k >= 0) {
        this.out[k] += ' */';
        this.map.extendLastLine(3);
      }
    }
    while (this.conds.length > condBase) {
      const f = this.conds.pop() as CondFrame;
      this.error('UnterminatedConditional', f.where, 'unterminated conditional directive: missing #endif');
    }
    this.depth--;
    this.cur = outer;
  }

  private skipping(): boolean {
    const n = this.conds.length;
    return n > 0 && !this.conds[n - 1].active;
  }

  // -------------------------------------------------------------------------------------------
  // Text lines and macro expansion at the top level

  /** Expands macros in one active logical line and emits it with its segments. */
  private textLine(st: FileState, first: number, line: string, breaks0: Break[] | null): void {
    let text = line;
    let breaks = breaks0;
    let n = text.length;
    let inComment = st.inComment;
    let i = 0;
    let last = 0;
    let parts: string[] | null = null;
    let segs: LineSegment[] | null = null;
    let outCol = 0;
    const macros = this.macros;

    const origin = (pos: number): { line: number; col: number } => {
      if (breaks === null) return { line: first, col: pos };
      let k = breaks.length - 1;
      while (k > 0 && breaks[k].at > pos) k--;
      return { line: breaks[k].line, col: pos - breaks[k].at };
    };
    const pushPlain = (a: number, b: number): void => {
      if (b <= a) return;
      const piece = text.slice(a, b);
      (parts as string[]).push(piece);
      let p = a;
      while (p < b) {
        const o = origin(p);
        let end = b;
        if (breaks !== null) for (const br of breaks) if (br.at > p && br.at < end) end = br.at;
        (segs as LineSegment[]).push({ out: outCol + (p - a), line: o.line, col: o.col, len: end - p, macro: false });
        p = end;
      }
      outCol += piece.length;
    };
    // Appends the next physical line (for a macro call whose arguments continue there).
    const extend = (): boolean => {
      if (st.i >= st.lines.length) return false;
      const next = st.lines[st.i];
      let h = 0;
      while (h < next.length && isSpace(next.charCodeAt(h))) h++;
      if (next.charCodeAt(h) === 35) return false;
      if (breaks === null) breaks = [{ at: 0, line: first }];
      text += '\n';
      breaks.push({ at: text.length, line: st.i + 1 });
      text += next;
      st.i++;
      n = text.length;
      return true;
    };

    while (i < n) {
      if (inComment) {
        const e = text.indexOf('*/', i);
        if (e < 0) {
          i = n;
          break;
        }
        inComment = false;
        i = e + 2;
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 47) {
        const d = text.charCodeAt(i + 1);
        if (d === 47) break;
        if (d === 42) {
          inComment = true;
          const o = origin(i);
          st.commentLine = o.line;
          st.commentCol = o.col;
          i += 2;
          continue;
        }
        i++;
        continue;
      }
      if (c === 34) {
        i = skipString(text, i);
        continue;
      }
      if (isDigit(c)) {
        i = skipNumber(text, i);
        continue;
      }
      if (!isIdentStart(c)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      const m = macros.get(text.slice(i, j));
      if (m === undefined) {
        i = j;
        continue;
      }
      let end = j;
      let args: string[] | null = null;
      if (m.params !== null) {
        let k = skipSpaces(text, j);
        if (k >= n) {
          // `F` at the end of a line: a call only if the next line opens with '('.
          const next = st.i < st.lines.length ? st.lines[st.i].trimStart() : '';
          if (next.charCodeAt(0) === 40 && extend()) k = skipSpaces(text, j);
        }
        if (text.charCodeAt(k) !== 40) {
          i = j;
          continue;
        }
        let r = collectArgs(text, k);
        while (r === null && extend()) r = collectArgs(text, k);
        if (r === null) {
          const o = origin(i);
          this.error('MacroArguments', this.location(st, o.line, o.col, j - i), `unterminated argument list invoking macro '${m.name}'`);
          i = j;
          continue;
        }
        if (!this.checkArgs(m, r.args, st, origin(i), j - i)) {
          i = r.end;
          continue;
        }
        args = r.args;
        end = r.end;
      }
      if (parts === null) {
        parts = [];
        segs = [];
      }
      pushPlain(last, i);
      const o = origin(i);
      this.curLine = o.line + st.lineDelta;
      let exp = this.invoke(m, args, new Set<string>());
      // Keep the expansion from gluing to its neighbours.
      if (exp.length > 0) {
        if (i > 0 && glues(text.charCodeAt(i - 1), exp.charCodeAt(0))) exp = ' ' + exp;
        if (end < n && glues(exp.charCodeAt(exp.length - 1), text.charCodeAt(end))) exp += ' ';
      }
      const endO = origin(Math.max(i, end - 1));
      const len = endO.line === o.line ? endO.col + 1 - o.col : Math.max(1, (st.lines[o.line - 1] ?? '').length - o.col);
      segs!.push({ out: outCol, line: o.line, col: o.col, len, macro: true });
      parts.push(exp);
      outCol += exp.length;
      last = end;
      i = end;
    }
    st.inComment = inComment;
    if (parts === null) {
      if (breaks === null) {
        this.emit(text, st, first, null);
      } else {
        parts = [];
        segs = [];
        pushPlain(0, n);
        this.emit(parts.join(''), st, first, segs);
      }
    } else {
      pushPlain(last, n);
      let joined = parts.join('');
      if (joined.indexOf('\n') >= 0) joined = joined.replace(/\n/g, ' ');
      this.emit(joined, st, first, segs);
    }
    this.emitEmpty(st, first + 1, st.i);
  }

  private checkArgs(m: Macro, args: string[], st: FileState, o: { line: number; col: number }, len: number): boolean {
    const want = (m.params as readonly string[]).length;
    if (want === 0 && args.length === 1 && args[0].trim() === '') {
      args.length = 0;
      return true;
    }
    if (m.variadic ? args.length >= want - 1 : args.length === want) {
      while (args.length < want) args.push('');
      if (m.variadic && args.length > want) {
        const rest = args.splice(want - 1).join(',');
        args.push(rest);
      }
      return true;
    }
    this.error(
      'MacroArguments',
      this.location(st, o.line, o.col, len),
      `macro '${m.name}' expects ${want} argument${want === 1 ? '' : 's'}, but ${args.length} given`,
    );
    return false;
  }

  /** The full expansion of one macro use (arguments already split, raw). */
  private invoke(m: Macro, args: readonly string[] | null, disabled: ReadonlySet<string>): string {
    if (m.special === 'line') return String(this.curLine);
    if (m.special === 'file') return quote(this.cur?.name ?? '');
    if (disabled.size > maxExpansionDepth) return m.name;
    const body = this.substitute(m, args ?? [], disabled);
    const inner = new Set(disabled);
    inner.add(m.name);
    return this.expand(body, inner);
  }

  /** Replaces parameters in a macro body; handles `#` (stringify) and `##` (paste). */
  private substitute(m: Macro, args: readonly string[], disabled: ReadonlySet<string>): string {
    const body = m.body;
    const out = new Joiner();
    const expanded: (string | undefined)[] = [];
    let paste = false;
    for (let k = 0; k < body.length; k++) {
      const t = body[k];
      let piece: string;
      let fromArg = false;
      if (t.text === '#' && m.params !== null && k + 1 < body.length && body[k + 1].param >= 0) {
        piece = stringify(args[body[k + 1].param]);
        k++;
      } else if (t.text === '##' && k > 0 && k + 1 < body.length) {
        paste = true;
        continue;
      } else if (t.param >= 0) {
        const raw = paste || (k + 1 < body.length && body[k + 1].text === '##');
        if (raw) {
          piece = args[t.param].trim();
        } else {
          let e = expanded[t.param];
          if (e === undefined) {
            e = this.expand(args[t.param], disabled).trim();
            expanded[t.param] = e;
          }
          piece = e;
        }
        fromArg = true;
      } else {
        piece = t.text;
      }
      if (paste) {
        out.paste(piece);
        paste = false;
      } else {
        out.push(piece, t.ws, fromArg);
      }
    }
    return out.text();
  }

  /** Rescans text and expands every macro not in `disabled`. */
  private expand(text: string, disabled: ReadonlySet<string>): string {
    const n = text.length;
    const macros = this.macros;
    let out: Joiner | null = null;
    let last = 0;
    let i = 0;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i = skipString(text, i);
        continue;
      }
      if (isDigit(c)) {
        i = skipNumber(text, i);
        continue;
      }
      if (!isIdentStart(c)) {
        i++;
        continue;
      }
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      const name = text.slice(i, j);
      const m = macros.get(name);
      if (m === undefined || disabled.has(name)) {
        i = j;
        continue;
      }
      let end = j;
      let args: string[] | null = null;
      if (m.params !== null) {
        const k = skipSpaces(text, j);
        if (text.charCodeAt(k) !== 40) {
          i = j;
          continue;
        }
        const r = collectArgs(text, k);
        if (r === null || !this.checkArgsQuiet(m, r.args)) {
          i = j;
          continue;
        }
        args = r.args;
        end = r.end;
      }
      if (out === null) out = new Joiner();
      out.push(text.slice(last, i), false, false);
      out.push(this.invoke(m, args, disabled), false, true);
      last = end;
      i = end;
      if (i < n && glues(out.last, text.charCodeAt(i))) out.push(' ', false, false);
    }
    if (out === null) return text;
    out.push(text.slice(last), false, false);
    return out.text();
  }

  private checkArgsQuiet(m: Macro, args: string[]): boolean {
    const want = (m.params as readonly string[]).length;
    if (want === 0 && args.length === 1 && args[0].trim() === '') {
      args.length = 0;
      return true;
    }
    if (m.variadic ? args.length >= want - 1 : args.length === want) {
      while (args.length < want) args.push('');
      if (m.variadic && args.length > want) args.push(args.splice(want - 1).join(','));
      return true;
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // Directives

  /** One directive line: `#` at column h of the logical line that starts at physical line `first`. */
  private directive(st: FileState, first: number, line: string, h: number): void {
    const body = this.directiveText(st, line, h + 1);
    const lineText = st.lines[first - 1] ?? '';
    const where = this.location(st, first, h, lineText.length - h);
    // The directive's own line becomes empty; a segment lets a span there print the directive.
    const lineOffset = this.map.nextOffset;
    this.emit('', st, first, [{ out: 0, line: first, col: h, len: Math.max(1, lineText.length - h), macro: true }]);
    const k = skipSpaces(body, 0);
    let e = k;
    while (e < body.length && isIdentPart(body.charCodeAt(e))) e++;
    const name = body.slice(k, e);
    const rest = body.slice(e).trim();
    const active = !this.skipping();
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        let value = false;
        if (active) {
          if (name === 'if') value = this.evaluate(rest, where);
          else {
            const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
            if (id === null) this.error('BadDirective', where, `#${name} expects a macro name`);
            else value = this.macros.has(id[0]) === (name === 'ifdef');
          }
        }
        this.conds.push({ active: active && value, taken: !active || value, sawElse: false, parentActive: active, where });
        break;
      }
      case 'elif':
      case 'else': {
        const f = this.topCond(name, where);
        if (f === null) break;
        if (f.sawElse) {
          this.error('UnmatchedConditional', where, `#${name} after #else`);
          f.active = false;
          break;
        }
        if (name === 'else') {
          f.sawElse = true;
          f.active = f.parentActive && !f.taken;
          f.taken = true;
        } else if (f.parentActive && !f.taken) {
          f.active = this.evaluate(rest, where);
          f.taken = f.active;
        } else {
          f.active = false;
        }
        break;
      }
      case 'endif':
        if (this.topCond(name, where) !== null) this.conds.pop();
        break;
      default:
        if (active) this.activeDirective(st, name, rest, where, lineOffset);
    }
    this.emitEmpty(st, first + 1, st.i);
  }

  private topCond(name: string, where: Location): CondFrame | null {
    const base = this.condBaseOfCurrentFile();
    if (this.conds.length <= base) {
      this.error('UnmatchedConditional', where, `#${name} without #if`);
      return null;
    }
    return this.conds[this.conds.length - 1];
  }

  /** Conditionals opened in outer files cannot be closed by an included file. */
  private readonly condBases: number[] = [];
  private condBaseOfCurrentFile(): number {
    return this.condBases.length > 0 ? this.condBases[this.condBases.length - 1] : 0;
  }

  private activeDirective(st: FileState, name: string, rest: string, where: Location, lineOffset: number): void {
    switch (name) {
      case '':
        return; // the null directive
      case 'define':
        this.define(rest, where);
        return;
      case 'undef': {
        const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
        if (id === null) this.error('BadDirective', where, '#undef expects a macro name');
        else this.macros.delete(id[0]);
        return;
      }
      case 'include':
        this.include(st, rest, where);
        return;
      case 'error':
        this.error('ErrorDirective', where, rest === '' ? '#error' : rest);
        return;
      case 'warning':
        this.diags.warning('WarningDirective', { start: lineOffset, end: lineOffset }, rest === '' ? '#warning' : rest);
        return;
      case 'line':
        this.lineDirective(st, rest, where);
        return;
      case 'pragma':
        if (rest === 'once') this.once.add(st.path);
        return;
      default:
        if (/^[0-9]/.test(name)) {
          // GCC line marker: `# 12 "file"`.
          this.lineDirective(st, name + ' ' + rest, where);
          return;
        }
        this.error('BadDirective', where, `unknown preprocessor directive '#${name}'`);
    }
  }

  /** Text of a directive after `#`, with comments removed; a block comment may continue on later lines. */
  private directiveText(st: FileState, line: string, from: number): string {
    if (line.indexOf('/', from) < 0) return line.slice(from);
    const parts: string[] = [];
    let text = line;
    let i = from;
    let last = from;
    for (;;) {
      const n = text.length;
      if (i >= n) break;
      const c = text.charCodeAt(i);
      if (c === 34) {
        i = skipString(text, i);
      } else if (c === 47 && text.charCodeAt(i + 1) === 47) {
        parts.push(text.slice(last, i));
        last = i = n;
        break;
      } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
        parts.push(text.slice(last, i), ' ');
        let e = text.indexOf('*/', i + 2);
        // The comment continues on the following lines: they belong to this directive.
        while (e < 0 && st.i < st.lines.length) {
          text = st.lines[st.i++];
          e = text.indexOf('*/');
        }
        if (e < 0) {
          last = i = text.length;
          break;
        }
        last = i = e + 2;
      } else {
        i++;
      }
    }
    parts.push(text.slice(last));
    return parts.join('');
  }

  /** #define NAME body | #define NAME(params) body */
  private define(def: string, where: Location): void {
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(def);
    if (id === null) {
      this.error('BadDirective', where, '#define expects a macro name');
      return;
    }
    const name = id[0];
    if (name === 'defined' || name === '__LINE__' || name === '__FILE__') {
      this.error('BadDirective', where, `'${name}' cannot be defined as a macro`);
      return;
    }
    let k = name.length;
    let params: string[] | null = null;
    let variadic = false;
    if (def.charCodeAt(k) === 40) {
      const close = def.indexOf(')', k);
      if (close < 0) {
        this.error('BadDirective', where, `missing ')' in parameter list of macro '${name}'`);
        return;
      }
      params = [];
      const inside = def.slice(k + 1, close).trim();
      if (inside !== '') {
        for (const raw of inside.split(',')) {
          const p = raw.trim();
          if (p === '...') {
            variadic = true;
            params.push('__VA_ARGS__');
          } else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(p) && !variadic) {
            params.push(p);
          } else {
            this.error('BadDirective', where, `bad parameter '${p}' in the definition of macro '${name}'`);
            return;
          }
        }
      }
      k = close + 1;
    }
    const body = tokenizeBody(def.slice(k).trim(), params);
    this.macros.set(name, { name, params, variadic, body, special: null });
  }

  /** #include "file" | #include <file> */
  private include(st: FileState, rest: string, where: Location): void {
    let spec = rest;
    if (spec[0] !== '"' && spec[0] !== '<') spec = this.expand(spec, new Set()).trim();
    let name: string | null = null;
    let quoted = false;
    if (spec[0] === '"') {
      const e = spec.indexOf('"', 1);
      if (e > 1) name = spec.slice(1, e);
      quoted = true;
    } else if (spec[0] === '<') {
      const e = spec.indexOf('>', 1);
      if (e > 1) name = spec.slice(1, e);
    }
    if (name === null) {
      this.error('BadDirective', where, '#include expects "FILE" or <FILE>');
      return;
    }
    if (this.depth >= maxIncludeDepth) {
      if (!this.depthReported) {
        this.depthReported = true;
        this.error('IncludeDepth', where, `#include nested too deeply (more than ${maxIncludeDepth} levels): does '${name}' include itself?`);
      }
      return;
    }
    const candidates: string[] = [];
    if (isAbsolute(name)) candidates.push(name);
    else {
      if (quoted) candidates.push(join(dirname(st.path), name));
      for (const d of this.options.includeDirs) candidates.push(join(d, name));
      candidates.push(join(builtinIncludeDir, name));
    }
    for (const path of candidates) {
      if (this.once.has(path)) return;
      const text = this.readFile(path);
      if (text === null) continue;
      this.noteFile(path);
      this.condBases.push(this.conds.length);
      this.runFile(path, text);
      this.condBases.pop();
      return;
    }
    this.error('IncludeNotFound', where, `cannot find include file '${name}'`);
  }

  /** #line N ["file"] */
  private lineDirective(st: FileState, rest: string, where: Location): void {
    const text = this.expand(rest, new Set()).trim();
    const m = /^([0-9]+)\s*(?:"((?:[^"\\]|\\.)*)")?/.exec(text);
    if (m === null) {
      this.error('BadDirective', where, '#line expects a line number and an optional "file name"');
      return;
    }
    // The physical line after the directive gets number N.
    st.lineDelta = Number(m[1]) - (st.i + 1);
    if (m[2] !== undefined) st.name = m[2].replace(/\\(.)/g, '$1');
    st.fileId = this.map.addFile({ name: st.name, lines: st.lines, lineDelta: st.lineDelta });
  }

  // -------------------------------------------------------------------------------------------
  // #if expressions

  private evaluate(expr: string, where: Location): boolean {
    // `defined X` and `defined(X)` are resolved before macro expansion.
    const replaced = expr.replace(
      /\bdefined\s*(?:\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)|([A-Za-z_][A-Za-z0-9_]*))/g,
      (_all, a: string | undefined, b: string | undefined) => (this.macros.has((a ?? b) as string) ? ' 1 ' : ' 0 '),
    );
    this.curLine = where.line;
    const text = this.expand(replaced, new Set());
    const r = evaluateExpression(text);
    if (typeof r === 'string') {
      this.error('BadPreprocessorExpression', where, r);
      return false;
    }
    return r !== 0n;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers outside the class

function defaultReadFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** Returns the block-comment state after scanning a (skipped) line. */
function scanComments(text: string, inComment: boolean): boolean {
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (inComment) {
      const e = text.indexOf('*/', i);
      if (e < 0) return true;
      inComment = false;
      i = e + 2;
      continue;
    }
    const c = text.charCodeAt(i);
    if (c === 34) i = skipString(text, i);
    else if (c === 47 && text.charCodeAt(i + 1) === 47) return false;
    else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      inComment = true;
      i += 2;
    } else i++;
  }
  return inComment;
}

/** Splits the arguments of a macro call; `open` is the offset of '('. Null if the ')' is missing. */
function collectArgs(text: string, open: number): { args: string[]; end: number } | null {
  const n = text.length;
  const args: string[] = [];
  let depth = 0;
  let start = open + 1;
  let i = open + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      i = skipString(text, i);
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const e = text.indexOf('*/', i + 2);
      if (e < 0) return null;
      i = e + 2;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      const e = text.indexOf('\n', i);
      if (e < 0) return null;
      i = e + 1;
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) {
        if (c !== 41) {
          i++;
          continue;
        }
        args.push(cleanArgText(text.slice(start, i)));
        return { args, end: i + 1 };
      }
      depth--;
    } else if (c === 44 && depth === 0) {
      args.push(cleanArgText(text.slice(start, i)));
      start = i + 1;
    }
    i++;
  }
  return null;
}

/** Splits a macro body into tokens: identifiers (maybe parameters), numbers, strings, punctuation. */
function tokenizeBody(body: string, params: readonly string[] | null): BodyToken[] {
  const out: BodyToken[] = [];
  const n = body.length;
  let i = 0;
  let ws = false;
  while (i < n) {
    const c = body.charCodeAt(i);
    if (isSpace(c)) {
      ws = true;
      i++;
      continue;
    }
    let j: number;
    let param = -1;
    if (c === 34) j = skipString(body, i);
    else if (isDigit(c)) j = skipNumber(body, i);
    else if (isIdentStart(c)) {
      j = i + 1;
      while (j < n && isIdentPart(body.charCodeAt(j))) j++;
      if (params !== null) param = params.indexOf(body.slice(i, j));
    } else if (c === 35) {
      j = body.charCodeAt(i + 1) === 35 ? i + 2 : i + 1;
    } else if (isPunct(c)) {
      j = i + 1;
      while (j < n && isPunct(body.charCodeAt(j)) && body.charCodeAt(j) !== 35) j++;
    } else j = i + 1;
    out.push({ text: body.slice(i, j), param, ws: ws && out.length > 0 });
    ws = false;
    i = j;
  }
  return out;
}

/** `#x`: the argument's text as a string literal, whitespace runs collapsed. */
function stringify(arg: string): string {
  return quote(arg.trim().replace(/\s+/g, ' '));
}

// C integer expressions of #if, evaluated on 64-bit signed integers.

type Tok = { kind: 'num'; value: bigint } | { kind: 'op'; text: string } | { kind: 'id'; text: string };

const operators = ['||', '&&', '==', '!=', '<=', '>=', '<<', '>>', '|', '^', '&', '<', '>', '+', '-', '*', '/', '%', '!', '~', '?', ':', '(', ')'];

function tokenizeExpression(text: string): Tok[] | string {
  const toks: Tok[] = [];
  const n = text.length;
  let i = 0;
  outer: while (i < n) {
    const c = text.charCodeAt(i);
    if (isSpace(c) || c === 10) {
      i++;
      continue;
    }
    if (isDigit(c)) {
      const j = skipNumber(text, i);
      const raw = text.slice(i, j).replace(/[uUlL]+$/, '');
      let v: bigint;
      try {
        if (/^0[xX][0-9a-fA-F]+$/.test(raw) || /^0[bB][01]+$/.test(raw) || /^[1-9][0-9]*$/.test(raw) || raw === '0') v = BigInt(raw);
        else if (/^0[0-7]+$/.test(raw)) v = BigInt('0o' + raw.slice(1));
        else return `invalid number '${text.slice(i, j)}' in preprocessor expression`;
      } catch {
        return `invalid number '${text.slice(i, j)}' in preprocessor expression`;
      }
      toks.push({ kind: 'num', value: BigInt.asIntN(64, v) });
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(text.charCodeAt(j))) j++;
      toks.push({ kind: 'id', text: text.slice(i, j) });
      i = j;
      continue;
    }
    if (c === 39) {
      // Character constant: 'a' or '\n'-style escapes of one character.
      const m = /^'(\\?.)'/.exec(text.slice(i));
      if (m === null) return 'invalid character constant in preprocessor expression';
      const ch = m[1].length === 2 ? ({ n: 10, t: 9, r: 13, '0': 0 } as Record<string, number>)[m[1][1]] ?? m[1].charCodeAt(1) : m[1].charCodeAt(0);
      toks.push({ kind: 'num', value: BigInt(ch) });
      i += m[0].length;
      continue;
    }
    for (const op of operators) {
      if (text.startsWith(op, i)) {
        toks.push({ kind: 'op', text: op });
        i += op.length;
        continue outer;
      }
    }
    return `unexpected '${text[i]}' in preprocessor expression`;
  }
  return toks;
}

const binaryPrecedence: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6,
  '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};

/** Value of a #if expression, or an error message. Unknown identifiers are 0. */
export function evaluateExpression(text: string): bigint | string {
  const toks = tokenizeExpression(text);
  if (typeof toks === 'string') return toks;
  if (toks.length === 0) return 'missing expression in #if';
  let pos = 0;
  let failure: string | null = null;
  const fail = (msg: string): bigint => {
    if (failure === null) failure = msg;
    return 0n;
  };
  const peekOp = (): string | null => {
    const t = toks[pos];
    return t !== undefined && t.kind === 'op' ? t.text : null;
  };
  const b = (x: boolean): bigint => (x ? 1n : 0n);

  // conditional: binary ('?' conditional ':' conditional)?
  const conditional = (): bigint => {
    const c = binary(1);
    if (peekOp() !== '?') return c;
    pos++;
    const t = conditional();
    if (peekOp() !== ':') return fail("expected ':' in conditional expression");
    pos++;
    const f = conditional();
    return c !== 0n ? t : f;
  };
  const binary = (min: number): bigint => {
    let left = unary();
    for (;;) {
      const op = peekOp();
      const prec = op === null ? undefined : binaryPrecedence[op];
      if (op === null || prec === undefined || prec < min) return left;
      pos++;
      const right = binary(prec + 1);
      left = BigInt.asIntN(64, apply(op, left, right));
    }
  };
  const apply = (op: string, l: bigint, r: bigint): bigint => {
    switch (op) {
      case '||': return b(l !== 0n || r !== 0n);
      case '&&': return b(l !== 0n && r !== 0n);
      case '|': return l | r;
      case '^': return l ^ r;
      case '&': return l & r;
      case '==': return b(l === r);
      case '!=': return b(l !== r);
      case '<': return b(l < r);
      case '>': return b(l > r);
      case '<=': return b(l <= r);
      case '>=': return b(l >= r);
      case '<<': return r < 0n || r > 63n ? 0n : l << r;
      case '>>': return r < 0n || r > 63n ? (l < 0n ? -1n : 0n) : l >> r;
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '/': return r === 0n ? fail('division by zero in preprocessor expression') : l / r;
      case '%': return r === 0n ? fail('division by zero in preprocessor expression') : l % r;
    }
    return fail(`unexpected operator '${op}'`);
  };
  const unary = (): bigint => {
    const t = toks[pos];
    if (t === undefined) return fail('unexpected end of preprocessor expression');
    pos++;
    if (t.kind === 'num') return t.value;
    if (t.kind === 'id') return 0n;
    switch (t.text) {
      case '(': {
        const v = conditional();
        if (peekOp() !== ')') return fail("missing ')' in preprocessor expression");
        pos++;
        return v;
      }
      case '-': return BigInt.asIntN(64, -unary());
      case '+': return unary();
      case '!': return b(unary() === 0n);
      case '~': return BigInt.asIntN(64, ~unary());
    }
    return fail(`unexpected '${t.text}' in preprocessor expression`);
  };
  const v = conditional();
  if (failure === null && pos < toks.length) {
    const t = toks[pos];
    failure = `unexpected '${t.kind === 'num' ? String(t.value) : t.text}' in preprocessor expression`;
  }
  return failure ?? v;
}
