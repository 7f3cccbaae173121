// The report's figures as SVG, rendered in Node without a browser (vega-lite specs compiled to vega,
// rendered by vega's headless SVG renderer). Input: per-setup model fits and bench results. Output:
// SVG text for the study's figures: r_max per setup (Fig. 3a/4a), t_b(n_max) split into I/O and
// processing (Fig. 3b/4b), batch size against offered rate with the fitted curve, latency against load.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { batchSizeAt } from './model.js';
import type { BenchResultsLike, ModelFitReport } from './fit-results.js';

/** One setup of a report: its results and its model fit. */
export interface ReportSetup {
  readonly results: BenchResultsLike;
  readonly fit: ModelFitReport;
}

const WIDTH = 560;
const HEIGHT = 260;

async function render(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  width: WIDTH,
  height: HEIGHT,
  background: 'white',
  config: { font: 'sans-serif', axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 300 }, legend: { labelLimit: 320 } },
} as const;

/** r_max per setup: measured (NDR lower bound, with the search's upper bound) and the model's r'_max. */
export function rmaxSpec(setups: readonly ReportSetup[]): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  for (const s of setups) {
    const ndr = s.results.search?.goals?.find((g) => g.lossRatio === 0 || g.name === 'NDR');
    if (s.fit.measuredRmaxPps !== null) {
      values.push({ setup: s.fit.label, kind: s.fit.measuredIsLowerBound ? 'measured (lower bound)' : 'measured r_max', mpps: s.fit.measuredRmaxPps / 1e6, upper: (ndr?.upper ?? s.fit.measuredRmaxPps) / 1e6 });
    }
    if (s.fit.predictedRmaxPps !== null && Number.isFinite(s.fit.predictedRmaxPps)) {
      values.push({ setup: s.fit.label, kind: "model r'_max", mpps: s.fit.predictedRmaxPps / 1e6, upper: s.fit.predictedRmaxPps / 1e6 });
    }
    if (s.fit.predictedBusyRmaxPps !== null && Number.isFinite(s.fit.predictedBusyRmaxPps)) {
      values.push({ setup: s.fit.label, kind: "model r'_max × busy share", mpps: s.fit.predictedBusyRmaxPps / 1e6, upper: s.fit.predictedBusyRmaxPps / 1e6 });
    }
  }
  return {
    ...base,
    title: 'Maximum loss-free rate per setup',
    data: { values },
    encoding: {
      y: { field: 'setup', type: 'nominal', title: null, sort: null },
      yOffset: { field: 'kind' },
      color: { field: 'kind', type: 'nominal', title: null },
    },
    layer: [
      { mark: 'bar', encoding: { x: { field: 'mpps', type: 'quantitative', title: 'Mpps' } } },
      { mark: { type: 'rule', color: 'black' }, encoding: { x: { field: 'mpps', type: 'quantitative' }, x2: { field: 'upper' } } },
    ],
  } as TopLevelSpec;
}

/** t_b(n_max) per setup, stacked: receive + send (I/O) and processing, in µs. */
export function batchTimeSpec(setups: readonly ReportSetup[]): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  // n_max is the burst, or a coalescing secure pipeline's crossing size: when setups differ, each
  // bar says its own n.
  const sizes = new Set(setups.filter((s) => s.fit.shares !== null).map((s) => s.fit.nMax));
  const mixed = sizes.size > 1;
  for (const s of setups) {
    if (s.fit.shares === null) continue;
    const name = mixed ? `${s.fit.label} [n=${s.fit.nMax}]` : s.fit.label;
    values.push({ setup: name, part: 'I/O (t_rx + t_tx)', us: s.fit.shares.ioNs / 1000 });
    values.push({ setup: name, part: 'processing (t_p)', us: s.fit.shares.procNs / 1000 });
  }
  const n = mixed ? 'n_max' : String([...sizes][0] ?? setups[0]?.fit.nMax ?? 32);
  return {
    ...base,
    title: `Batch time t_b(${n}) split into I/O and processing (model)`,
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'setup', type: 'nominal', title: null, sort: null },
      x: { field: 'us', type: 'quantitative', title: 'µs', stack: 'zero' },
      color: { field: 'part', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

/** Mean batch size against offered rate: measured points and the fitted curve n(r). */
export function batchCurveSpec(setups: readonly ReportSetup[]): TopLevelSpec {
  const points: Record<string, unknown>[] = [];
  const curve: Record<string, unknown>[] = [];
  for (const s of setups) {
    let maxRate = 0;
    for (const t of s.results.trials) {
      if (t.valid === false || t.telemetry === null || t.telemetry === undefined) continue;
      const rate = t.achievedPps !== undefined && t.achievedPps > 0 ? t.achievedPps : t.offeredPps;
      maxRate = Math.max(maxRate, rate);
      points.push({ setup: s.fit.label, mpps: rate / 1e6, n: t.telemetry.meanBatch });
    }
    const p = s.fit.params;
    if (p !== null && maxRate > 0) {
      for (let i = 0; i <= 40; i++) {
        const r = (maxRate * i) / 40;
        curve.push({ setup: s.fit.label, mpps: r / 1e6, n: batchSizeAt(p, r) });
      }
    }
  }
  return {
    ...base,
    title: 'Mean batch size against offered rate (points: measured; lines: model)',
    layer: [
      { data: { values: curve }, mark: { type: 'line' }, encoding: { x: { field: 'mpps', type: 'quantitative', title: 'offered rate (Mpps)' }, y: { field: 'n', type: 'quantitative', title: 'packets per batch' }, color: { field: 'setup', type: 'nominal', title: null } } },
      { data: { values: points }, mark: { type: 'point', filled: true }, encoding: { x: { field: 'mpps', type: 'quantitative' }, y: { field: 'n', type: 'quantitative' }, color: { field: 'setup', type: 'nominal' } } },
    ],
  } as TopLevelSpec;
}

/** Latency percentiles against offered load (valid trials with a known percentile). */
export function latencySpec(setups: readonly ReportSetup[]): TopLevelSpec {
  const values: Record<string, unknown>[] = [];
  for (const s of setups) {
    for (const t of s.results.trials) {
      const lat = (t as { latencyNs?: Record<string, number | null> | null }).latencyNs;
      if (t.valid === false || lat === null || lat === undefined) continue;
      for (const [k, name] of [['p50', 'p50'], ['p99', 'p99']] as const) {
        const v = lat[k];
        if (typeof v === 'number' && v > 0) values.push({ setup: s.fit.label, series: `${s.fit.label} ${name}`, mpps: t.offeredPps / 1e6, us: v / 1000 });
      }
    }
  }
  return {
    ...base,
    title: 'Latency against offered load (from the intended send time)',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'mpps', type: 'quantitative', title: 'offered rate (Mpps)' },
      y: { field: 'us', type: 'quantitative', title: 'latency (µs)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

export interface Figure {
  readonly name: string;
  readonly title: string;
  readonly svg: string;
}

/** Renders every figure; a figure without data gets a short SVG saying so. */
export async function renderFigures(setups: readonly ReportSetup[]): Promise<Figure[]> {
  const specs: [string, string, TopLevelSpec][] = [
    ['rmax', 'r_max per setup', rmaxSpec(setups)],
    ['batch-time', 't_b split into I/O and processing', batchTimeSpec(setups)],
    ['batch-size', 'batch size against offered rate', batchCurveSpec(setups)],
    ['latency', 'latency against load', latencySpec(setups)],
  ];
  const out: Figure[] = [];
  for (const [name, title, spec] of specs) {
    const empty = JSON.stringify(spec).includes('"values":[]') && !JSON.stringify(spec).includes('"values":[{');
    out.push({ name, title, svg: empty ? emptySvg(title) : await render(spec) });
  }
  return out;
}

function emptySvg(title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="60"><rect width="100%" height="100%" fill="white"/><text x="10" y="35" font-family="sans-serif" font-size="13">${escapeXml(title)}: no data in these results</text></svg>`;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
