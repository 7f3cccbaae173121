// A small indenting text writer for generated JavaScript.
// Input: lines; output: the module text with two-space indentation.

export class Writer {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text = ''): void {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
  }

  open(text: string): void {
    this.line(text);
    this.depth++;
  }

  close(text = '}'): void {
    this.depth--;
    this.line(text);
  }

  /** `} else {`: a line at the outer level between two indented runs. */
  mid(text: string): void {
    this.depth--;
    this.line(text);
    this.depth++;
  }

  indent(f: () => void): void {
    this.depth++;
    f();
    this.depth--;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}
