// The front end against testdata: every program in testdata/p4/ must check clean, and every
// program in testdata/p4-errors/ must be rejected with each `//! CODE` written in it, at that line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile, checkSource } from './frontend.js';
import { formatDiagnostic, locate } from './source/diagnostics.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const validDir = join(root, 'testdata/p4');
const errorDir = join(root, 'testdata/p4-errors');
const options = { includeDirs: [], defines: new Map<string, string>() };

function p4Files(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.p4')).sort().map((f) => join(dir, f));
}

for (const file of p4Files(validDir)) {
  test(`valid: ${file.slice(root.length)}`, () => {
    const r = checkFile(file, options);
    const errors = r.diagnostics.items.filter((d) => d.severity === 'error');
    assert.equal(errors.length, 0, errors.map((d) => formatDiagnostic(d, r.map, file)).join('\n'));
  });
}

/** Reads the `//! CODE` markers of an error program: the codes expected at each line. */
export function expectedMarkers(text: string): { line: number; code: string }[] {
  const out: { line: number; code: string }[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /\/\/!\s*(P4[EW]\d{4})/.exec(lines[i]!);
    if (m) out.push({ line: i + 1, code: m[1]! });
  }
  return out;
}

for (const file of p4Files(errorDir)) {
  test(`rejected: ${file.slice(root.length)}`, () => {
    const text = readFileSync(file, 'utf8');
    const markers = expectedMarkers(text);
    assert.ok(markers.length > 0, 'an error program must carry at least one //! CODE marker');
    const r = checkFile(file, options);
    assert.ok(r.diagnostics.hasErrors, 'the program was accepted but must be rejected');
    const got = r.diagnostics.items.map((d) => {
      const loc = locate(d, r.map, file);
      return { code: d.code, line: loc.line, file: loc.file, text: formatDiagnostic(d, r.map, file) };
    });
    for (const m of markers) {
      const hit = got.some((g) => g.code === m.code && g.line === m.line && g.file === file);
      assert.ok(hit, `expected ${m.code} at line ${m.line}; got:\n${got.map((g) => g.text).join('\n')}`);
    }
  });
}

test('an unreadable file is a diagnostic, not an exception', () => {
  const r = checkFile(join(root, 'testdata/does-not-exist.p4'), options);
  assert.equal(r.diagnostics.hasErrors, true);
  assert.equal(r.diagnostics.items[0]!.code, 'P4E0901');
});

test('the checker does not run after syntax errors (no follow-on noise)', () => {
  const r = checkSource('x.p4', 'const bit<8> a = 1\nconst bit<8> b = c;\n', options);
  assert.equal(r.checked, null);
  assert.ok(r.diagnostics.items.every((d) => d.code !== 'P4E0201'));
});
