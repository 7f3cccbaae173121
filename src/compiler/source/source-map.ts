// Line-based source map of a preprocessed unit. The preprocessor appends one record per output
// line (which original file and physical line it comes from, and, when the line was rewritten by
// macro expansion or joined by continuations, a list of segments); locate() turns an offset span
// of the output text back into the original file, line, column and line text for printing.
import type { Location, SourceMap, Span } from './span.js';

/** An original file as the map knows it: the printed name, its physical lines, and the #line shift. */
export interface MappedFile {
  readonly name: string;
  readonly lines: readonly string[];
  /** Added to the physical line number when printing (set by `#line`). */
  readonly lineDelta: number;
}

/** A piece of a rewritten output line that comes from one place of one original line. */
export interface LineSegment {
  /** Column offset in the output line where the piece starts. */
  readonly out: number;
  /** 1-based physical line in the original file. */
  readonly line: number;
  /** 0-based column in that line. */
  readonly col: number;
  /** Length of the piece in the original line (for a macro: of the whole invocation on that line). */
  readonly len: number;
  /** A macro expansion: every output offset inside it maps to the whole invocation. */
  readonly macro: boolean;
}

interface Point {
  line: number;
  first: number;
  last: number;
}

export class LineSourceMap implements SourceMap {
  private readonly files: MappedFile[] = [];
  private readonly lineFile: number[] = [];
  private readonly linePhys: number[] = [];
  private readonly lineStart: number[] = [];
  private readonly lineLength: number[] = [];
  private readonly lineSegs: (readonly LineSegment[] | null)[] = [];
  /** Offset at which the next appended line starts (lines are joined with '\n'). */
  nextOffset = 0;

  addFile(file: MappedFile): number {
    this.files.push(file);
    return this.files.length - 1;
  }

  /** Appends the record of the next output line; `segs` null means columns are identical to the original. */
  addLine(fileId: number, physLine: number, length: number, segs: readonly LineSegment[] | null): void {
    this.lineFile.push(fileId);
    this.linePhys.push(physLine);
    this.lineStart.push(this.nextOffset);
    this.lineLength.push(length);
    this.lineSegs.push(segs);
    this.nextOffset += length + 1;
  }

  /** Grows the recorded length of the last line (the preprocessor appended text to it). */
  extendLastLine(extra: number): void {
    const k = this.lineLength.length - 1;
    if (k < 0) return;
    this.lineLength[k] += extra;
    this.nextOffset += extra;
  }

  get lineCount(): number {
    return this.lineStart.length;
  }

  locate(s: Span): Location {
    const count = this.lineStart.length;
    if (count === 0) return { file: '', line: 1, column: 1, endColumn: 1, lineText: '' };
    const pos = Math.max(0, s.start);
    const idx = this.findLine(pos);
    const file = this.files[this.lineFile[idx]];
    const base = this.lineStart[idx];
    const len = this.lineLength[idx];
    const off = Math.min(pos - base, len);
    const segs = this.lineSegs[idx];
    const start = this.point(segs, this.linePhys[idx], off);
    let endCol = start.last;
    if (s.end > s.start) {
      const endOff = s.end - 1 - base;
      if (endOff < len) {
        const end = this.point(segs, this.linePhys[idx], Math.max(off, endOff));
        endCol = end.line === start.line ? Math.max(start.last, end.last) : start.last;
      } else {
        const text = file.lines[start.line - 1] ?? '';
        endCol = Math.max(start.last, text.length - 1);
      }
    }
    const lineText = file.lines[start.line - 1] ?? '';
    const column = start.first + 1;
    return {
      file: file.name,
      line: start.line + file.lineDelta,
      column,
      endColumn: Math.max(column, endCol + 1),
      lineText: lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText,
    };
  }

  /** Index of the output line containing offset `pos` (binary search over line starts). */
  private findLine(pos: number): number {
    const starts = this.lineStart;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Maps a column offset of an output line to the original line and column range (0-based). */
  private point(segs: readonly LineSegment[] | null, phys: number, off: number): Point {
    if (segs === null || segs.length === 0) return { line: phys, first: off, last: off };
    let k = 0;
    while (k + 1 < segs.length && segs[k + 1].out <= off) k++;
    const g = segs[k];
    if (g.macro) return { line: g.line, first: g.col, last: g.col + Math.max(1, g.len) - 1 };
    const c = g.col + Math.max(0, off - g.out);
    return { line: g.line, first: c, last: c };
  }
}
