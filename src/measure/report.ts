// `p4tee report DIR`: finds every results.json under DIR (one per setup, as `p4tee bench` and
// `p4tee experiment` write them), fits the model to each, and writes a static report: report.html
// (figures inline as SVG, no script, opens offline), figures/*.svg, params.md and params.csv (the
// study's parameter table). Output paths are returned; errors are returned as text, never thrown.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fitResults, modelCheckSummary, paramRow, paramTableCsv, paramTableMarkdown, PARAM_COLUMNS, type BenchResultsLike } from './fit-results.js';
import { escapeXml, renderFigures, type ReportSetup } from './figures.js';

/** results.json files under dir (depth-first, sorted, at most `limit`). */
export function findResults(dir: string, limit = 500): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    if (depth > 6 || out.length >= limit) return;
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (n !== 'node_modules' && !n.startsWith('.')) walk(p, depth + 1);
      } else if (n === 'results.json') out.push(p);
    }
  };
  walk(dir, 0);
  return out;
}

export interface ReportOutput {
  readonly html: string;
  readonly markdown: string;
  readonly csv: string;
  readonly figures: readonly string[];
  readonly setups: number;
  readonly warnings: readonly string[];
}

export interface ReportOptions {
  /** Where to write (default DIR/report). */
  readonly out?: string;
  readonly nonNegative?: boolean;
  readonly title?: string;
}

/** Builds the report of every run under dir. */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<ReportOutput | { error: string }> {
  const files = findResults(dir);
  if (files.length === 0) return { error: `${dir}: no results.json found (run p4tee bench or p4tee experiment first)` };
  const setups: ReportSetup[] = [];
  const warnings: string[] = [];
  for (const f of files) {
    let r: BenchResultsLike;
    try {
      r = JSON.parse(readFileSync(f, 'utf8')) as BenchResultsLike;
    } catch (e) {
      warnings.push(`${f}: skipped, not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (!Array.isArray(r.trials)) {
      warnings.push(`${f}: skipped, not a p4tee bench results file`);
      continue;
    }
    const fit = fitResults(r, { nonNegative: options.nonNegative === true });
    for (const w of fit.warnings) warnings.push(`${fit.label}: ${w}`);
    setups.push({ results: r, fit });
  }
  if (setups.length === 0) return { error: `${dir}: no readable results` };
  const out = options.out ?? join(dir, 'report');
  mkdirSync(join(out, 'figures'), { recursive: true });
  const figures = await renderFigures(setups);
  const figFiles: string[] = [];
  for (const fig of figures) {
    const p = join(out, 'figures', `${fig.name}.svg`);
    writeFileSync(p, fig.svg);
    figFiles.push(p);
  }
  const fits = setups.map((s) => s.fit);
  const md = join(out, 'params.md');
  const csv = join(out, 'params.csv');
  writeFileSync(md, `${paramTableMarkdown(fits)}\n${modelCheckSummary(fits)}\n`);
  writeFileSync(csv, paramTableCsv(fits));
  const html = join(out, 'report.html');
  writeFileSync(html, reportHtml(options.title ?? 'p4tee performance report', setups, figures, warnings, files.map((f) => relative(out, f))));
  return { html, markdown: md, csv, figures: figFiles, setups: setups.length, warnings };
}

function reportHtml(title: string, setups: readonly ReportSetup[], figures: readonly { title: string; svg: string }[], warnings: readonly string[], sources: readonly string[]): string {
  const env = (setups[0]?.results as { environment?: Record<string, unknown> } | undefined)?.environment;
  const envText = env === undefined ? '' : Object.entries(env).map(([k, v]) => `${escapeXml(k)}: ${escapeXml(String(v))}`).join(' · ');
  const table =
    '<table><thead><tr>' + PARAM_COLUMNS.map((c) => `<th>${escapeXml(c)}</th>`).join('') + '</tr></thead><tbody>' +
    setups.map((s) => '<tr>' + paramRow(s.fit).map((c) => `<td>${escapeXml(c)}</td>`).join('') + '</tr>').join('') +
    '</tbody></table>';
  const emulated = setups.some((s) => { const t = (s.results.setup as { transitionNs?: unknown } | undefined)?.transitionNs; return typeof t === 'number' && t > 0; });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>
body { font-family: sans-serif; margin: 2em auto; max-width: 1000px; color: #222; }
table { border-collapse: collapse; margin: 1em 0; } th, td { border: 1px solid #bbb; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; } figure { margin: 1.5em 0; } figcaption { font-size: 0.9em; color: #555; }
.warn { color: #8a4b00; } .note { font-size: 0.9em; color: #555; }
</style></head><body>
<h1>${escapeXml(title)}</h1>
<p class="note">${setups.length} setup(s). ${envText}</p>
<p class="note">Model: t_b(n) = t_rx(n) + t_p(n) + t_tx(n), each a + n·b, fitted by least squares from the switch's per-batch
telemetry; r'_max = n_max / t_b(n_max). Measured r_max: NDR lower bound of the search (or the best loss-free trial).
Software TEE backends are software isolation, not hardware protection${emulated ? '; setups with an emulated transition cost are labelled as emulation' : ''}.</p>
<h2>Model parameters</h2>
<p id="model-check">${escapeXml(modelCheckSummary(setups.map((s) => s.fit)))}</p>
${table}
${warnings.length === 0 ? '' : '<h2>Warnings</h2><ul>' + warnings.map((w) => `<li class="warn">${escapeXml(w)}</li>`).join('') + '</ul>'}
<h2>Figures</h2>
${figures.map((f) => `<figure>${f.svg}<figcaption>${escapeXml(f.title)}</figcaption></figure>`).join('\n')}
<h2>Sources</h2>
<ul>${sources.map((s) => `<li><code>${escapeXml(s)}</code></li>`).join('')}</ul>
</body></html>
`;
}
