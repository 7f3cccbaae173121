// The rate sweep of `p4tee bench`: input a trial function and a list of offered rates (given, or
// geometric between two rates), output one trial per rate in order (an invalid trial is retried once;
// a rate the generator cannot deliver twice becomes the generator ceiling and, by default, ends the
// sweep). Invalid trials are kept but marked: they are never results of the device.
import { formatPps, type TrialFunction, type TrialLike } from './mlrsearch.js';

/** count rates from min to max (both included), evenly spaced in log space. */
export function geometricRates(minPps: number, maxPps: number, count: number): number[] {
  if (!(minPps > 0) || !(maxPps >= minPps) || !(count >= 1)) throw new RangeError(`geometricRates: need 0 < min <= max and count >= 1 (got ${minPps}, ${maxPps}, ${count})`);
  if (count === 1) return [minPps];
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(i === count - 1 ? maxPps : minPps * Math.pow(maxPps / minPps, i / (count - 1)));
  return out;
}

/** count rates from min to max (both included), evenly spaced. */
export function linearRates(minPps: number, maxPps: number, count: number): number[] {
  if (!(minPps > 0) || !(maxPps >= minPps) || !(count >= 1)) throw new RangeError(`linearRates: need 0 < min <= max and count >= 1 (got ${minPps}, ${maxPps}, ${count})`);
  if (count === 1) return [minPps];
  return Array.from({ length: count }, (_, i) => (i === count - 1 ? maxPps : minPps + ((maxPps - minPps) * i) / (count - 1)));
}

export interface SweepOptions {
  /** Offered rates, measured in the order given. */
  readonly rates: readonly number[];
  readonly durationS: number;
  /** Retry an invalid trial once (default true). */
  readonly retryInvalid?: boolean;
  /** Stop at the first rate that stays invalid (default true): higher rates would be invalid too. */
  readonly stopAtCeiling?: boolean;
  readonly onProgress?: (p: SweepProgress) => void;
  readonly signal?: AbortSignal;
}

export interface SweepProgress {
  readonly event: 'trial-start' | 'trial-end';
  /** Position of the rate in the list (0-based) and the list length. */
  readonly index: number;
  readonly count: number;
  readonly pps: number;
  readonly durationS: number;
  readonly retry: boolean;
  readonly result?: TrialLike;
}

export interface SweepPoint {
  readonly pps: number;
  /** Index into trials of the trial that stands for this rate (the retry when the first was invalid). */
  readonly trial: number;
  readonly valid: boolean;
}

export interface SweepResult<T extends TrialLike> {
  /** Every trial in order, invalid ones and retries included. */
  readonly trials: T[];
  readonly points: SweepPoint[];
  readonly ceiling: { readonly pps: number; readonly note: string } | null;
  readonly stopped: 'ceiling' | 'aborted' | null;
}

export async function rateSweep<T extends TrialLike>(trial: TrialFunction<T>, options: SweepOptions): Promise<SweepResult<T>> {
  if (!(options.durationS > 0)) throw new RangeError(`rateSweep: duration must be positive (got ${options.durationS})`);
  const retry = options.retryInvalid ?? true;
  const stopAtCeiling = options.stopAtCeiling ?? true;
  const trials: T[] = [];
  const points: SweepPoint[] = [];
  let ceiling: SweepResult<T>['ceiling'] = null;
  let stopped: SweepResult<T>['stopped'] = null;
  const count = options.rates.length;
  outer: for (const [index, pps] of options.rates.entries()) {
    for (let attempt = 0; attempt < (retry ? 2 : 1); attempt++) {
      if (options.signal?.aborted) { stopped = 'aborted'; break outer; }
      const base = { index, count, pps, durationS: options.durationS, retry: attempt > 0 };
      options.onProgress?.({ event: 'trial-start', ...base });
      const r = await trial(pps, options.durationS);
      trials.push(r);
      options.onProgress?.({ event: 'trial-end', ...base, result: r });
      const last = attempt === (retry ? 1 : 0);
      if (r.valid || last) points.push({ pps, trial: trials.length - 1, valid: r.valid });
      if (r.valid) break;
      if (last) {
        if (ceiling === null) {
          ceiling = { pps, note: `the generator could not deliver ${formatPps(pps)}: ${r.invalidReason ?? 'invalid trial'}` };
        }
        if (stopAtCeiling) { stopped = 'ceiling'; break outer; }
      }
    }
  }
  return { trials, points, ceiling, stopped };
}
