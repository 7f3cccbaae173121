// v1model log_msg(format, data): the message with each `{}` replaced by the next value in decimal,
// as simple_switch logs it. Placeholders without a value stay as written; extra values are ignored.
// Input: the format string and the values; output: the text line (the caller prints or traces it).

export function formatLogMessage(format: string, values: readonly (number | bigint | boolean)[]): string {
  let out = '';
  let v = 0;
  let i = 0;
  for (;;) {
    const j = format.indexOf('{}', i);
    if (j < 0 || v >= values.length) break;
    const x = values[v++];
    out += format.slice(i, j) + (typeof x === 'boolean' ? (x ? '1' : '0') : String(x));
    i = j + 2;
  }
  return out + format.slice(i);
}
