// `p4tee model fit RESULTS...` and `p4tee model predict`: the study's performance model from the
// command line. fit reads results.json files (or run directories) written by `p4tee bench` and prints
// the parameters with 95% confidence intervals, r'_max against the measured r_max and the I/O share;
// predict evaluates a given parameter set. Exit: 0 ok, 1 bad input (unreadable results), 2 usage.
import type { Command } from 'commander';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { batchSizeAt, predict, type LineFit, type ModelParams } from '../measure/model.js';
import { fitResults, modelCheckSummary, paramTableCsv, paramTableMarkdown, type BenchResultsLike, type ModelFitReport } from '../measure/fit-results.js';

/** Reads results.json from a file or a run directory; an error text for the user otherwise. */
export function readResultsFile(path: string): BenchResultsLike | string {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'results.json');
  } catch {
    return `${path}: no such file or directory`;
  }
  if (!existsSync(file)) return `${path}: no results.json in this directory`;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return `${file}: not valid JSON (${e instanceof Error ? e.message : String(e)})`;
  }
  const r = data as { kind?: unknown; trials?: unknown };
  if (typeof data !== 'object' || data === null || !Array.isArray(r.trials)) return `${file}: not a p4tee bench results file (no "trials" list)`;
  if (r.kind !== undefined && r.kind !== 'p4tee-bench') return `${file}: kind is '${String(r.kind)}', expected 'p4tee-bench'`;
  return data as BenchResultsLike;
}

function line(name: string, f: LineFit): string {
  const ci = (c: readonly [number, number]): string => (Number.isFinite(c[0]) ? `[${c[0].toFixed(1)}, ${c[1].toFixed(1)}]` : '[-]');
  return `  ${name.padEnd(5)} a = ${f.a.toFixed(1).padStart(9)} ns ${ci(f.ciA).padEnd(22)} b = ${f.b.toFixed(2).padStart(8)} ns/pkt ${ci(f.ciB).padEnd(20)} R² ${f.r2.toFixed(3)}${f.clamped ? ' (a forced to 0)' : ''}`;
}

export function formatFit(f: ModelFitReport): string {
  const out: string[] = [`${f.label}`];
  if (f.direct !== null) {
    out.push(`  direct fit over ${f.direct.samples} batches (95% confidence intervals):`);
    out.push(line('rx', f.direct.rx), line('proc', f.direct.p), line('tx', f.direct.tx));
  }
  if (f.indirect !== null && f.indirect.used >= 2) {
    out.push(`  indirect fit (t_b(n̄) = n̄/r) over ${f.indirect.used} trials (${f.indirect.saturated} saturated, ${f.indirect.idle} idle left out):`);
    out.push(line('total', f.indirect.total));
  }
  const mpps = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : `${(x / 1e6).toFixed(3)} Mpps`);
  out.push(`  r'_max (model) ${mpps(f.predictedRmaxPps)}   r_max (measured, ${f.measuredFrom}) ${f.measuredIsLowerBound ? '>= ' : ''}${mpps(f.measuredRmaxPps)}` +
    (f.relativeError === null ? '' : `   difference ${(f.relativeError * 100).toFixed(1)}%`));
  if (f.busyShare !== null) out.push(`  busy share at saturation ${(f.busyShare * 100).toFixed(1)}% (time inside batches); r'_max × busy ${mpps(f.predictedBusyRmaxPps)}` +
    (f.relativeErrorBusy === null ? '' : `   difference ${(f.relativeErrorBusy * 100).toFixed(1)}%`));
  if (f.saturatedPps !== null) out.push(`  throughput at saturation (full bursts) ${mpps(f.saturatedPps)}; r'_max` +
    (f.relativeErrorSaturated === null ? '' : ` differs by ${(f.relativeErrorSaturated * 100).toFixed(1)}%`));
  if (f.shares !== null) out.push(`  t_b(${f.nMax}) = ${((f.shares.ioNs + f.shares.procNs) / 1000).toFixed(2)} µs: I/O ${(f.shares.ioShare * 100).toFixed(1)}%, processing ${(f.shares.procShare * 100).toFixed(1)}%`);
  for (const w of f.warnings) out.push(`  warning: ${w}`);
  return out.join('\n');
}

function num(name: string, v: string | undefined, dflt?: number): number | string {
  if (v === undefined) return dflt ?? `--${name} is required`;
  const x = Number(v);
  return Number.isFinite(x) ? x : `--${name}: expected a number, not '${v}'`;
}

export function registerModel(program: Command): void {
  const model = program.command('model').description("the study's performance model t_b(n) = t_rx + t_p + t_tx (each a + n·b)");
  model
    .command('fit')
    .description('fit the model to benchmark results (results.json or run directories of p4tee bench)')
    .argument('<results...>', 'results.json files or directories holding one')
    .option('--non-negative', 'force a >= 0 (refit through the origin when a comes out negative)')
    .option('--burst <n>', 'largest batch n_max (default: the run\'s burst)')
    .option('--format <fmt>', 'text, markdown, csv or json', 'text')
    .addHelpText('after', '\nExample:\n  p4tee model fit results/2026-11-25-shm-baseline\n  p4tee model fit --format markdown results/*/\n')
    .action((paths: string[], flags: { nonNegative?: boolean; burst?: string; format: string }) => {
      const fits: ModelFitReport[] = [];
      let bad = false;
      const nMax = flags.burst === undefined ? undefined : Number(flags.burst);
      if (nMax !== undefined && !(Number.isInteger(nMax) && nMax > 0)) {
        process.stderr.write(`p4tee model fit: --burst must be a positive integer, not '${flags.burst}'\n`);
        process.exitCode = 2;
        return;
      }
      for (const p of paths) {
        const r = readResultsFile(p);
        if (typeof r === 'string') {
          process.stderr.write(`p4tee model fit: ${r}\n`);
          bad = true;
          continue;
        }
        fits.push(fitResults(r, { nonNegative: flags.nonNegative === true, ...(nMax === undefined ? {} : { nMax }) }));
      }
      switch (flags.format) {
        case 'json':
          process.stdout.write(JSON.stringify(fits, null, 2) + '\n');
          break;
        case 'markdown':
          process.stdout.write(paramTableMarkdown(fits) + '\n' + modelCheckSummary(fits) + '\n');
          break;
        case 'csv':
          process.stdout.write(paramTableCsv(fits));
          break;
        case 'text':
          process.stdout.write(fits.map(formatFit).join('\n\n') + (fits.length > 0 ? '\n' : ''));
          break;
        default:
          process.stderr.write(`p4tee model fit: --format must be text, markdown, csv or json, not '${flags.format}'\n`);
          process.exitCode = 2;
          return;
      }
      process.exitCode = bad ? 1 : 0;
    });
  model
    .command('predict')
    .description('evaluate a parameter set without measurements: r\'_max, t_b(n), shares, batch-size curve')
    .option('--a-rx <ns>', 'per-batch receive cost a_rx (ns)')
    .option('--b-rx <ns>', 'per-packet receive cost b_rx (ns)')
    .option('--a-tx <ns>', 'per-batch send cost a_tx (ns)')
    .option('--b-tx <ns>', 'per-packet send cost b_tx (ns)')
    .option('--a-io <ns>', 'a_rx + a_tx together (instead of --a-rx/--a-tx)')
    .option('--b-io <ns>', 'b_rx + b_tx together (instead of --b-rx/--b-tx)')
    .option('--a-p <ns>', 'per-batch processing cost a_p (ns)', '0')
    .option('--b-p <ns>', 'per-packet processing cost b_p (ns)')
    .option('--burst <n>', 'largest batch n_max', '32')
    .option('--rate <pps...>', 'also give the batch size at these offered rates (pps, or with k/M: 500k, 1.2M)')
    .option('--json', 'print JSON')
    .addHelpText('after', "\nExample (the study's AF_XDP setup C, roughly):\n  p4tee model predict --a-io 2000 --b-io 1400 --a-p 300 --b-p 400 --burst 32\n")
    .action((f: Record<string, string | string[] | boolean | undefined>) => {
      const g = (k: string): string | undefined => f[k] as string | undefined;
      const io = g('aIo') !== undefined || g('bIo') !== undefined;
      const vals = io
        ? { aRx: num('a-io', g('aIo'), 0), bRx: num('b-io', g('bIo')), aTx: 0, bTx: 0 }
        : { aRx: num('a-rx', g('aRx'), 0), bRx: num('b-rx', g('bRx')), aTx: num('a-tx', g('aTx'), 0), bTx: num('b-tx', g('bTx')) };
      const rest = { aP: num('a-p', g('aP'), 0), bP: num('b-p', g('bP')), nMax: num('burst', g('burst'), 32) };
      const all = { ...vals, ...rest };
      for (const v of Object.values(all)) {
        if (typeof v === 'string') {
          process.stderr.write(`p4tee model predict: ${v}\n`);
          process.exitCode = 2;
          return;
        }
      }
      const p = all as unknown as ModelParams;
      if (!(Number.isInteger(p.nMax) && p.nMax > 0)) {
        process.stderr.write('p4tee model predict: --burst must be a positive integer\n');
        process.exitCode = 2;
        return;
      }
      const pred = predict(p, 12);
      const rates: number[] = [];
      for (const r of (f['rate'] as string[] | undefined) ?? []) {
        const m = /^(\d+(?:\.\d+)?)([kM]?)$/.exec(r);
        if (m === null) {
          process.stderr.write(`p4tee model predict: --rate expects a rate such as 500k or 1.2M, not '${r}'\n`);
          process.exitCode = 2;
          return;
        }
        rates.push(Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1));
      }
      const at = rates.map((r) => ({ ratePps: r, n: batchSizeAt(p, r) }));
      if (f['json'] === true) {
        process.stdout.write(JSON.stringify({ ...pred, at }, null, 2) + '\n');
      } else {
        const out = [
          `t_b(${p.nMax}) = ${(pred.tbNs / 1000).toFixed(3)} µs  (I/O ${(pred.shares.ioShare * 100).toFixed(1)}%, processing ${(pred.shares.procShare * 100).toFixed(1)}%)`,
          `r'_max = ${(pred.rmaxPps / 1e6).toFixed(3)} Mpps`,
          'batch size against offered rate:',
          ...pred.curve.map((c) => `  ${(c.ratePps / 1e6).toFixed(3).padStart(8)} Mpps  n = ${c.n.toFixed(2)}`),
          ...at.map((c) => `  at ${(c.ratePps / 1e6).toFixed(3)} Mpps: n = ${c.n.toFixed(2)}`),
        ];
        process.stdout.write(out.join('\n') + '\n');
      }
      process.exitCode = 0;
    });
}
