// Fits the performance model to a benchmark run: input is a BenchResults object (results.json written
// by `p4tee bench`: trials with per-trial telemetry of the switch), output a ModelFitReport with the
// direct fit (per-batch samples), the indirect fit (mean batch size against rate), the predicted
// r'_max, the measured r_max and their relative difference (flagged above 10%). Reads plain JSON
// records only: it depends on the results format, not on the runtime.
import { median } from './stats.js';
import {
  fitDirect,
  fitIndirect,
  predictedRmax,
  relativeError,
  sharesAt,
  type BatchSample,
  type DirectFit,
  type FitOptions,
  type IndirectFit,
  type ModelParams,
  type RatePoint,
  type Shares,
} from './model.js';

/** The parts of a trial record the model reads (see docs/design.md, results format). */
export interface TrialTelemetryLike {
  readonly batches: number;
  readonly packets: number;
  readonly meanBatch: number;
  readonly rxNs: number;
  readonly procNs: number;
  readonly txNs: number;
  /** Packets one record holds at saturation (burst, or a coalescing pipeline's crossing size). */
  readonly recordCap?: number;
  readonly sample?: readonly (readonly number[])[];
}
export interface TrialLike {
  readonly offeredPps: number;
  readonly achievedPps?: number;
  /** Packets of the trial that came back, per second of the window. */
  readonly receivedPps?: number;
  readonly lossRatio?: number;
  readonly valid?: boolean;
  readonly durationS?: number;
  readonly telemetry?: TrialTelemetryLike | null;
}
export interface BenchResultsLike {
  readonly kind?: string;
  readonly setup?: { readonly program?: string; readonly driver?: string; readonly burst?: number; readonly packetBytes?: number; readonly tee?: unknown; readonly label?: string };
  readonly trials: readonly TrialLike[];
  readonly search?: { readonly goals?: readonly { readonly name?: string; readonly lossRatio?: number; readonly lower?: number | null; readonly upper?: number | null }[] } | null;
  readonly ceiling?: { readonly pps?: number } | null;
}

export interface ModelFitReport {
  readonly label: string;
  readonly nMax: number;
  readonly direct: DirectFit | null;
  readonly indirect: IndirectFit | null;
  /** The parameters used for predictions: the direct fit when there are samples, else null. */
  readonly params: ModelParams | null;
  readonly predictedRmaxPps: number | null;
  /** Measured r_max: the NDR lower bound of the search, else the best loss-free valid trial. */
  readonly measuredRmaxPps: number | null;
  readonly measuredFrom: 'search' | 'sweep' | 'none';
  /** True when the generator could not load the switch: the measured value is only a lower bound. */
  readonly measuredIsLowerBound: boolean;
  /**
   * The switch's busiest share of time inside batches among the clearly overloaded trials (at least
   * 1.25 × the measured r_max, at least 1% loss); null without such trials. Below 0.9 the switch was
   * never saturated: packets did not arrive fast enough (the generator or its path ended the search).
   */
  readonly overloadBusy: number | null;
  /** The search's NDR interval when it stayed wider than 10% (lower < 0.9 × upper): r_max not known well enough to compare; else null. */
  readonly wideInterval: { readonly lower: number; readonly upper: number } | null;
  readonly relativeError: number | null;
  /**
   * Share of the trial time the loop spent inside batches (rx + processing + tx) in saturated trials
   * (n̄ at the burst cap). The model assumes 1; the rest is time outside batches (polling, yielding to
   * the event loop, GC, being descheduled), measured by the same telemetry. Null without such trials.
   */
  readonly busyShare: number | null;
  /** r'_max × busyShare: the model's rate with the measured time outside batches taken off. */
  readonly predictedBusyRmaxPps: number | null;
  readonly relativeErrorBusy: number | null;
  /**
   * Throughput at saturation: the median rate that came back in the valid trials where the switch
   * ran full bursts (n̄ at the burst cap), i.e. what it forwards when it cannot keep up. The model's
   * r'_max predicts this capacity; the zero-loss r_max can lie below it when stalls (of the machine,
   * of the generator) overflow the input ring before the switch is at capacity. Null without such
   * trials.
   */
  readonly saturatedPps: number | null;
  /** |r'_max - saturatedPps| / saturatedPps, or null. */
  readonly relativeErrorSaturated: number | null;
  readonly shares: Shares | null;
  readonly warnings: readonly string[];
}

/** Overloaded trials for the saturation check: offered at least this × r_max, with at least this loss ratio. */
const OVERLOAD_FACTOR = 1.25;
const OVERLOAD_LOSS = 0.01;
/** A saturated switch spends at least this share of an overloaded trial inside batches. */
const SATURATED_BUSY = 0.9;

/** Share of a valid trial's time the loop spent inside batches (rx + processing + tx); null when unknown or implausible. */
export function trialBusy(t: TrialLike): number | null {
  const tel = t.telemetry;
  const dur = t.durationS;
  if (t.valid === false || tel === null || tel === undefined || !(tel.batches > 0) || dur === undefined || !(dur > 0)) return null;
  const share = (tel.rxNs + tel.procNs + tel.txNs) / (dur * 1e9);
  return share > 0 && share <= 1.05 ? share : null;
}

/** A short name for a setup: driver, TEE mode, packet size, burst. */
export function setupLabel(r: BenchResultsLike): string {
  const s = r.setup ?? {};
  if (typeof s.label === 'string' && s.label !== '') return s.label;
  const tee = s.tee as { mode?: string; backend?: string; transition?: string } | null | undefined;
  const teeText = tee === null || tee === undefined ? 'baseline' : [tee.mode, tee.backend, tee.transition].filter((x) => x !== undefined).join(':');
  return `${s.driver ?? '?'} ${teeText} ${s.packetBytes ?? '?'}B burst ${s.burst ?? 32}`;
}

/**
 * n_max from the telemetry: packets one record holds at saturation. The burst, except for a secure
 * pipeline that coalesces bursts into crossings: its records are per crossing, and a saturated
 * switch sends crossings of the coalescing size. Null for results without it (older runs).
 */
export function recordCapOf(r: BenchResultsLike): number | null {
  let cap: number | null = null;
  for (const t of r.trials) {
    const c = t.telemetry?.recordCap;
    if (typeof c === 'number' && c > 0 && (cap === null || c > cap)) cap = c;
  }
  return cap;
}

/** Fits the model to one run. Never throws on odd data: what cannot be fitted is null with a warning. */
export function fitResults(r: BenchResultsLike, options: FitOptions & { nMax?: number } = {}): ModelFitReport {
  const nMax = options.nMax ?? recordCapOf(r) ?? r.setup?.burst ?? 32;
  const warnings: string[] = [];
  const samples: BatchSample[] = [];
  const points: RatePoint[] = [];
  for (const t of r.trials) {
    if (t.valid === false) continue;
    const tel = t.telemetry;
    if (tel === null || tel === undefined || !(tel.batches > 0)) continue;
    for (const s of tel.sample ?? []) {
      if (s.length >= 4 && s[0]! > 0) samples.push([s[0]!, s[1]!, s[2]!, s[3]!]);
    }
    const rate = t.achievedPps !== undefined && t.achievedPps > 0 ? t.achievedPps : t.offeredPps;
    points.push({ ratePps: rate, meanBatch: tel.meanBatch });
  }
  let direct: DirectFit | null = null;
  if (samples.length >= 3) {
    direct = fitDirect(samples, nMax, options);
    const sizes = new Set(samples.map((s) => s[0]));
    if (sizes.size < 3) warnings.push(`the batch sizes seen (${[...sizes].join(', ')}) are too few to separate a from b: run trials at more rates`);
  } else {
    warnings.push('no per-batch telemetry samples: run `p4tee bench` with telemetry on');
  }
  let indirect: IndirectFit | null = null;
  if (points.length > 0) {
    indirect = fitIndirect(points, nMax, options);
    if (indirect.used < 3) warnings.push(`indirect fit: only ${indirect.used} trial(s) between idle and saturation (need 3)`);
  }
  const params = direct?.params ?? null;
  const predicted = params === null ? null : predictedRmax(params);
  let busySum = 0;
  let busyN = 0;
  for (const t of r.trials) {
    const tel = t.telemetry;
    if (tel === null || tel === undefined || tel.meanBatch < nMax - 0.5) continue;
    const share = trialBusy(t);
    if (share !== null) {
      busySum += Math.min(1, share);
      busyN++;
    }
  }
  const busyShare = busyN === 0 ? null : busySum / busyN;
  const satRates: number[] = [];
  for (const t of r.trials) {
    const tel = t.telemetry;
    if (t.valid === false || tel === null || tel === undefined || tel.meanBatch < nMax - 0.5) continue;
    if (typeof t.receivedPps === 'number' && t.receivedPps > 0) satRates.push(t.receivedPps);
  }
  const saturatedPps = satRates.length === 0 ? null : median(satRates);
  const predictedBusy = predicted === null || busyShare === null ? null : predicted * busyShare;

  let measured: number | null = null;
  let from: ModelFitReport['measuredFrom'] = 'none';
  const ndr = r.search?.goals?.find((g) => g.lossRatio === 0 || g.name === 'NDR');
  if (ndr !== undefined && typeof ndr.lower === 'number' && ndr.lower > 0) {
    measured = ndr.lower;
    from = 'search';
  } else {
    for (const t of r.trials) {
      if (t.valid === false || (t.lossRatio ?? 1) > 0) continue;
      const rate = t.achievedPps !== undefined && t.achievedPps > 0 ? t.achievedPps : t.offeredPps;
      if (measured === null || rate > measured) measured = rate;
    }
    if (measured !== null) from = 'sweep';
  }
  // Only a lower bound when the generator's ceiling, not the switch, ended the search: the NDR goal found
  // no upper bound, or (without a search) the best loss-free rate is near the ceiling.
  const ceilingPps = r.ceiling !== null && r.ceiling !== undefined && typeof r.ceiling.pps === 'number' ? r.ceiling.pps : null;
  const atCeiling =
    ceilingPps !== null && measured !== null &&
    (from === 'search' ? ndr !== undefined && (ndr.upper === null || ndr.upper === undefined) : measured >= 0.9 * ceilingPps);
  // Saturation: a switch at its capacity is busy nearly all the time once it is clearly overloaded.
  let overloadBusy: number | null = null;
  if (measured !== null) {
    for (const t of r.trials) {
      if (t.valid === false || !(t.offeredPps >= OVERLOAD_FACTOR * measured) || !((t.lossRatio ?? 0) >= OVERLOAD_LOSS)) continue;
      const share = trialBusy(t);
      if (share !== null && (overloadBusy === null || share > overloadBusy)) overloadBusy = share;
    }
  }
  const unsaturated = overloadBusy !== null && overloadBusy < SATURATED_BUSY;
  // A search that ran out of budget with a wide NDR interval (rare losses at every load, a noisy
  // machine) did not measure r_max to within 10%: no model check is possible against it.
  const ndrUpper = ndr !== undefined && typeof ndr.upper === 'number' ? ndr.upper : null;
  const wideInterval = from === 'search' && measured !== null && ndrUpper !== null && measured < 0.9 * ndrUpper ? { lower: measured, upper: ndrUpper } : null;
  const lowerBound = atCeiling || unsaturated;
  let rel: number | null = null;
  let relBusy: number | null = null;
  if (predicted !== null && measured !== null && Number.isFinite(predicted)) {
    rel = relativeError(predicted, measured);
    if (predictedBusy !== null) relBusy = relativeError(predictedBusy, measured);
    if (wideInterval !== null && !lowerBound) warnings.push(`the search left r_max in [${(wideInterval.lower / 1e6).toFixed(3)}, ${(wideInterval.upper / 1e6).toFixed(3)}] Mpps (wider than 10%): not compared with r'_max (${((predicted as number) / 1e6).toFixed(3)} Mpps)`);
    else if (unsaturated && !atCeiling) warnings.push(`measured r_max is only a lower bound: the switch was never saturated (in trials overloaded by 25% or more with 1% loss or more it spent at most ${(((overloadBusy as number)) * 100).toFixed(0)}% of the time inside batches, idle the rest: packets did not arrive fast enough, so the generator or its path, not the switch, ended the search)`);
    else if (lowerBound) warnings.push('measured r_max is only a lower bound (the generator could not load the switch further)');
    else if (rel > 0.1) {
      const busyText = busyShare === null ? '' : `; the loop spent ${(busyShare * 100).toFixed(0)}% of saturated trials inside batches, and r'_max × that share differs by ${((relBusy ?? 0) * 100).toFixed(1)}%`;
      warnings.push(`predicted r'_max differs from the measured r_max by ${(rel * 100).toFixed(1)}% (more than 10%)${busyText}`);
    }
  }
  return {
    label: setupLabel(r),
    nMax,
    direct,
    indirect,
    params,
    predictedRmaxPps: predicted,
    measuredRmaxPps: measured,
    measuredFrom: from,
    measuredIsLowerBound: lowerBound,
    overloadBusy,
    wideInterval,
    relativeError: rel,
    busyShare,
    predictedBusyRmaxPps: predictedBusy,
    relativeErrorBusy: relBusy,
    saturatedPps,
    relativeErrorSaturated: saturatedPps === null || predicted === null || !Number.isFinite(predicted) ? null : relativeError(predicted, saturatedPps),
    shares: params === null ? null : sharesAt(params, nMax),
    warnings,
  };
}

/**
 * The model check over several setups, one line: for how many r'_max is within 10% of the measured
 * r_max, which are off by more, and which cannot be compared (r_max only a lower bound, or no fit).
 */
export function modelCheckSummary(fits: readonly ModelFitReport[]): string {
  const within: string[] = [];
  const off: string[] = [];
  const bound: string[] = [];
  const none: string[] = [];
  const wide: string[] = [];
  for (const f of fits) {
    if (f.relativeError === null) none.push(f.label);
    else if (f.measuredIsLowerBound) bound.push(f.label);
    else if (f.wideInterval !== null) wide.push(f.label);
    else if (f.relativeError <= 0.1) within.push(f.label);
    else off.push(`${f.label} (${(f.relativeError * 100).toFixed(1)}%)`);
  }
  const parts = [`model check: r'_max within 10% of the measured r_max for ${within.length} of ${fits.length} setup(s)`];
  if (off.length > 0) parts.push(`off by more than 10%: ${off.join(', ')}`);
  if (bound.length > 0) parts.push(`not comparable, r_max only a lower bound (switch not saturated): ${bound.join(', ')}`);
  if (wide.length > 0) parts.push(`not comparable, the search left r_max in an interval wider than 10%: ${wide.join(', ')}`);
  if (none.length > 0) parts.push(`no prediction or no measured r_max: ${none.join(', ')}`);
  const sat = fits.filter((f) => f.relativeErrorSaturated !== null);
  if (sat.length > 0) {
    const satOff = sat.filter((f) => (f.relativeErrorSaturated as number) > 0.1).map((f) => `${f.label} (${((f.relativeErrorSaturated as number) * 100).toFixed(1)}%)`);
    parts.push(`r'_max within 10% of the throughput measured at saturation for ${sat.length - satOff.length} of ${sat.length} setup(s) with saturated trials${satOff.length > 0 ? ` (off: ${satOff.join(', ')})` : ''}`);
  }
  return parts.join('; ');
}

/** The study's parameter table columns, one row per setup (ns; rates in Mpps). */
export const PARAM_COLUMNS = ['setup', 'a_rx+a_tx (ns)', 'b_rx+b_tx (ns)', 'a_p (ns)', 'b_p (ns)', 'r_max (Mpps)', "r'_max (Mpps)", 'diff', 'busy', "r'_max·busy (Mpps)", 'diff·busy', 'r_sat (Mpps)', 'diff·sat'] as const;

export function paramRow(f: ModelFitReport): string[] {
  const p = f.params;
  const num = (x: number | null | undefined, d = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(d));
  const mpps = (x: number | null): string => (x === null || !Number.isFinite(x) ? '-' : (x / 1e6).toFixed(3));
  return [
    f.label,
    num(p === null ? null : p.aRx + p.aTx),
    num(p === null ? null : p.bRx + p.bTx),
    num(p?.aP),
    num(p?.bP),
    (f.measuredIsLowerBound ? '>= ' : '') + mpps(f.measuredRmaxPps),
    mpps(f.predictedRmaxPps),
    f.relativeError === null ? '-' : `${(f.relativeError * 100).toFixed(1)}%`,
    f.busyShare === null ? '-' : `${(f.busyShare * 100).toFixed(0)}%`,
    mpps(f.predictedBusyRmaxPps),
    f.relativeErrorBusy === null ? '-' : `${(f.relativeErrorBusy * 100).toFixed(1)}%`,
    mpps(f.saturatedPps),
    f.relativeErrorSaturated === null ? '-' : `${(f.relativeErrorSaturated * 100).toFixed(1)}%`,
  ];
}

export function paramTableMarkdown(fits: readonly ModelFitReport[]): string {
  const rows = fits.map(paramRow);
  const head = `| ${PARAM_COLUMNS.join(' | ')} |\n|${PARAM_COLUMNS.map(() => '---').join('|')}|\n`;
  return head + rows.map((r) => `| ${r.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`).join('\n') + '\n';
}

export function paramTableCsv(fits: readonly ModelFitReport[]): string {
  const q = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [PARAM_COLUMNS.map(q).join(','), ...fits.map((f) => paramRow(f).map(q).join(','))].join('\n') + '\n';
}
