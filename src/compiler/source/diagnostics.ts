// Diagnostics: errors and warnings with a code, a span and a message, collected per unit.
// User mistakes never throw; they are reported here. `bug()` throws an InternalError only
// for a broken compiler invariant, which the CLI reports as an internal error (exit 2).
import type { Location, SourceMap, Span } from './span.js';
import type { CodeName } from './codes.js';
import { Code } from './codes.js';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: string;
  readonly span: Span | null;
  readonly message: string;
  /** Set for diagnostics that arise before a unit has a source map (e.g. a missing file). */
  readonly location?: Location;
  /** Another place that explains this one (e.g. the earlier declaration of a duplicate). */
  readonly related?: Span;
}

/** Thrown only for a broken compiler invariant, never for a user error. */
export class InternalError extends Error {
  override name = 'InternalError';
}

export function bug(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(message);
}

export class Diagnostics {
  readonly items: Diagnostic[] = [];
  /** Stops reporting after this many errors, so that a garbage file does not flood the output. */
  maxErrors = 100;
  private errorCount = 0;
  /** Offsets that already carry an error, so that one mistake is reported once. */
  private readonly errorStarts = new Set<number>();

  error(code: CodeName, s: Span | null, message: string, related?: Span): void {
    if (s !== null) {
      if (this.errorStarts.has(s.start)) return;
      this.errorStarts.add(s.start);
    }
    if (this.errorCount >= this.maxErrors) return;
    this.errorCount++;
    this.items.push({ severity: 'error', code: Code[code], span: s, message, related });
  }

  warning(code: CodeName, s: Span | null, message: string): void {
    this.items.push({ severity: 'warning', code: Code[code], span: s, message });
  }

  /** An error with an already resolved location (used before a source map exists). */
  errorAt(code: CodeName, location: Location, message: string): void {
    this.errorCount++;
    this.items.push({ severity: 'error', code: Code[code], span: null, message, location });
  }

  get hasErrors(): boolean {
    return this.errorCount > 0;
  }

  get errors(): number {
    return this.errorCount;
  }
}

/** Resolves a diagnostic's location for printing. */
export function locate(d: Diagnostic, map: SourceMap | null, fallbackFile: string): Location {
  if (d.location) return d.location;
  if (d.span && map) return map.locate(d.span);
  return { file: fallbackFile, line: 1, column: 1, endColumn: 1, lineText: '' };
}

/**
 * Formats one diagnostic the way the CLI prints it:
 *   FILE(LINE:COL): error CODE: message
 *       the source line
 *       ^^^^
 */
export function formatDiagnostic(d: Diagnostic, map: SourceMap | null, fallbackFile: string): string {
  const loc = locate(d, map, fallbackFile);
  let out = `${loc.file}(${loc.line}:${loc.column}): ${d.severity} ${d.code}: ${d.message}`;
  if (loc.lineText !== '') {
    const text = loc.lineText.replace(/\t/g, ' ');
    const width = Math.max(1, loc.endColumn - loc.column + 1);
    out += `\n    ${text}\n    ${' '.repeat(Math.max(0, loc.column - 1))}${'^'.repeat(width)}`;
  }
  if (d.related && map) {
    const r = map.locate(d.related);
    out += `\n  ${r.file}(${r.line}:${r.column}): note: see the earlier declaration`;
  }
  return out;
}
