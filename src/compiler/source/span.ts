// Spans: half-open offset ranges into one compilation unit's preprocessed text.
// Line and column are computed only when a diagnostic is printed, through the unit's
// SourceMap, which maps a preprocessed offset back to the original file, line and column
// (through #include, #line and macro expansion).

/** Half-open range [start, end) of offsets into the preprocessed text of a unit. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

export const noSpan: Span = { start: 0, end: 0 };

export function span(start: number, end: number): Span {
  return { start, end };
}

/** The smallest span that covers both a and b. */
export function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}

/** A resolved position in an original source file, for printing. Lines and columns are 1-based. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Last column covered on the same line (inclusive), at least `column`. */
  readonly endColumn: number;
  /** The text of the original source line (without its newline), or '' when unknown. */
  readonly lineText: string;
}

/** Maps offsets of a unit's preprocessed text back to original files. */
export interface SourceMap {
  locate(s: Span): Location;
}
