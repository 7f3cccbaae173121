// The r_max search, after MLRsearch (RFC 9971): input an async trial function (offered pps, trial
// duration) -> trial result and a set of search goals (NDR: loss 0, PDR: loss 0.5%); output, per goal,
// the relevant lower and upper bounds (loads on a fixed geometric grid), the conditional throughput and
// every trial made. Trials start short and grow to the goal's final duration; invalid trials (the
// generator could not deliver the load) never count as results of the device under test.
import { performance } from 'node:perf_hooks';

/** The fields of a trial result the search reads (a subset of trial.ts's TrialResult). */
export interface TrialLike {
  readonly offeredPps: number;
  readonly durationS: number;
  readonly sent: number;
  readonly received: number;
  readonly lost: number;
  readonly lossRatio: number;
  readonly valid: boolean;
  readonly invalidReason: string | null;
  readonly achievedPps?: number;
}

export type TrialFunction<T extends TrialLike> = (pps: number, durationS: number) => Promise<T>;

/** One search goal (RFC 9971 terms: goal loss ratio, exceed ratio, width, initial/final trial duration, duration sum). */
export interface SearchGoal {
  readonly name: string;
  /** A trial is high-loss when its loss ratio is above this. */
  readonly lossRatio: number;
  /** Share of the duration sum that may be high-loss at a load that is still a lower bound (0 <= x < 1). */
  readonly exceedRatio: number;
  /** Wanted relative width of the result: upper / lower - 1 <= width. */
  readonly width: number;
  readonly initialDurationS: number;
  readonly finalDurationS: number;
  /** Full-length trial time a load needs before it is decided either way. */
  readonly durationSumS: number;
}

/** Goal parameters shared by NDR and PDR. */
export interface GoalParams {
  readonly exceedRatio: number;
  readonly width: number;
  readonly initialDurationS: number;
  readonly finalDurationS: number;
  readonly durationSumS: number;
}

export type PresetName = 'default' | 'quick' | 'rfc2544';

/**
 * Search presets. Budget of `quick` (the whole search under 3 minutes): trials grow 1 s -> 1.7 s ->
 * 2.9 s -> 5 s; the duration sum is two final trials, so with exceed ratio 0.5 one clean 5 s trial makes a
 * lower bound and an upper bound takes two lossy ones (one noisy trial is tolerated). Simulated searches
 * over 10 kpps .. 3 Mpps take 30-70 s of trial time (tests check it stays under 120 s); a time budget
 * of 150 s (trial time plus 0.3 s accounted per trial, or the wall clock when larger) stops the search
 * with its current bounds if it runs over. `rfc2544`: 60 s final trials, exceed ratio 0 (a single
 * high-loss trial makes a load an upper bound; one clean 60 s trial makes it a lower bound).
 */
export const searchPresets: Readonly<Record<PresetName, { readonly goal: GoalParams; readonly timeBudgetS: number; readonly trialOverheadS: number }>> = {
  default: { goal: { exceedRatio: 0.5, width: 0.005, initialDurationS: 1, finalDurationS: 10, durationSumS: 20 }, timeBudgetS: Infinity, trialOverheadS: 0.3 },
  quick: { goal: { exceedRatio: 0.5, width: 0.005, initialDurationS: 1, finalDurationS: 5, durationSumS: 10 }, timeBudgetS: 150, trialOverheadS: 0.3 },
  rfc2544: { goal: { exceedRatio: 0, width: 0.005, initialDurationS: 1, finalDurationS: 60, durationSumS: 60 }, timeBudgetS: Infinity, trialOverheadS: 0.3 },
};

/** The two usual goals: NDR (no loss) and PDR (loss up to 0.5%). */
export function standardGoals(params: Partial<GoalParams> = {}, pdrLossRatio = 0.005): SearchGoal[] {
  const p = { ...searchPresets.default.goal, ...params };
  return [
    { name: 'NDR', lossRatio: 0, ...p },
    { name: 'PDR', lossRatio: pdrLossRatio, ...p },
  ];
}

// ---------------------------------------------------------------------------------------------
// The load grid: loads are min * ratio^i, i = 0 .. points-1, the last one exactly max. The ratio is the
// largest that still fits the finest goal width, so two neighbouring points always meet every goal.

export interface LoadGrid {
  readonly minPps: number;
  readonly maxPps: number;
  readonly ratio: number;
  readonly points: number;
}

export function makeGrid(minPps: number, maxPps: number, width: number): LoadGrid {
  const steps = Math.max(1, Math.ceil(Math.log(maxPps / minPps) / Math.log(1 + width) - 1e-9));
  return { minPps, maxPps, ratio: Math.pow(maxPps / minPps, 1 / steps), points: steps + 1 };
}

export function gridLoad(grid: LoadGrid, i: number): number {
  if (i >= grid.points - 1) return grid.maxPps;
  if (i <= 0) return grid.minPps;
  return grid.minPps * Math.pow(grid.ratio, i);
}

/** Largest grid index whose load is at most pps (0 when pps is below the grid). */
export function gridIndexBelow(grid: LoadGrid, pps: number): number {
  if (!(pps > grid.minPps)) return 0;
  let i = Math.min(grid.points - 1, Math.floor(Math.log(pps / grid.minPps) / Math.log(grid.ratio) + 1e-9));
  while (i > 0 && gridLoad(grid, i) > pps * (1 + 1e-12)) i--;
  return i;
}

/** Largest index distance d with ratio^d - 1 <= width (at least 1). */
export function widthGap(grid: LoadGrid, width: number): number {
  return Math.max(1, Math.floor(Math.log(1 + width) / Math.log(grid.ratio) + 1e-9));
}

// ---------------------------------------------------------------------------------------------
// Targets: the goal's final (duration, duration sum, width) preceded by shorter, wider ones. Target j
// of n+1 has duration initial * (final/initial)^(j/n) (n = ceil(log2(final/initial))), twice the width of
// target j+1, and the duration sum scaled with the duration, so every step at most doubles the trials.

export interface SearchTarget {
  readonly durationS: number;
  readonly durationSumS: number;
  readonly width: number;
}

export function goalTargets(goal: SearchGoal): SearchTarget[] {
  const { initialDurationS: first, finalDurationS: last } = goal;
  const n = first >= last ? 0 : Math.ceil(Math.log2(last / first) - 1e-9);
  const out: SearchTarget[] = [];
  for (let j = 0; j <= n; j++) {
    const d = j === n ? last : first * Math.pow(last / first, j / n);
    out.push({
      durationS: d,
      durationSumS: j === n ? goal.durationSumS : Math.max(d, (goal.durationSumS * d) / last),
      width: goal.width * Math.pow(2, n - j),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Load classification (RFC 9971): from the valid trials at one load, is the load a lower bound, an
// upper bound, or not yet decided, for a goal at a target?

export type LoadClass = 'lower' | 'upper' | 'undecided';

export interface ClassifiedTrial {
  readonly durationS: number;
  readonly lossRatio: number;
}

/**
 * High-loss trials have loss ratio above the goal's; full-length trials last at least the target
 * duration. Short low-loss trials only offset short high-loss ones (in the exceed-ratio proportion); the
 * remaining short high-loss time counts as high-loss. The time still missing to the duration sum counts
 * as low-loss in the optimistic view and high-loss in the pessimistic one: a load is an upper bound
 * when even the optimistic high-loss share exceeds the exceed ratio, a lower bound when even the
 * pessimistic share does not.
 */
export function classifyLoad(trials: readonly ClassifiedTrial[], lossRatio: number, exceedRatio: number, target: Pick<SearchTarget, 'durationS' | 'durationSumS'>): LoadClass {
  let fullLow = 0;
  let fullHigh = 0;
  let shortLow = 0;
  let shortHigh = 0;
  const fullAt = target.durationS * (1 - 1e-9);
  for (const t of trials) {
    const high = t.lossRatio > lossRatio;
    if (t.durationS >= fullAt) {
      if (high) fullHigh += t.durationS;
      else fullLow += t.durationS;
    } else if (high) shortHigh += t.durationS;
    else shortLow += t.durationS;
  }
  const balancing = (shortLow * exceedRatio) / (1 - exceedRatio);
  const effectiveHigh = fullHigh + Math.max(0, shortHigh - balancing);
  const effectiveWhole = fullLow + effectiveHigh;
  const missing = Math.max(0, target.durationSumS - effectiveWhole);
  const denominator = Math.max(target.durationSumS, effectiveWhole);
  if (effectiveHigh / denominator > exceedRatio) return 'upper';
  if ((effectiveHigh + missing) / denominator <= exceedRatio) return 'lower';
  return 'undecided';
}

/**
 * Conditional throughput at a lower bound: load x (1 - loss ratio of the quantile trial), where the
 * quantile walks the full-length trials from the worst loss ratio and stops where the walked time first
 * exceeds exceedRatio x max(duration sum, full-length time). Null without full-length trials.
 */
export function conditionalThroughput(load: number, trials: readonly ClassifiedTrial[], exceedRatio: number, target: Pick<SearchTarget, 'durationS' | 'durationSumS'>): number | null {
  const full = trials.filter((t) => t.durationS >= target.durationS * (1 - 1e-9)).sort((a, b) => b.lossRatio - a.lossRatio);
  if (full.length === 0) return null;
  const total = full.reduce((s, t) => s + t.durationS, 0);
  const limit = exceedRatio * Math.max(target.durationSumS, total);
  let walked = 0;
  let chosen = full[full.length - 1]!;
  for (const t of full) {
    walked += t.durationS;
    if (walked > limit) { chosen = t; break; }
  }
  return load * (1 - chosen.lossRatio);
}

// ---------------------------------------------------------------------------------------------
// The search.

export type GoalStatus =
  | 'ok'                 // bounds within the goal width
  | 'below-min'          // even the minimum load is an upper bound: r < minPps
  | 'at-max'             // the maximum load is a lower bound: r >= maxPps
  | 'generator-ceiling'  // the generator could not go higher: r >= lower
  | 'incomplete';        // stopped (time budget, trial limit, abort) before the width was reached

export interface GoalResult {
  readonly name: string;
  readonly lossRatio: number;
  readonly exceedRatio: number;
  readonly width: number;
  readonly initialDurationS: number;
  readonly finalDurationS: number;
  readonly durationSumS: number;
  /** Relevant lower bound (pps), null when none was found. */
  readonly lower: number | null;
  /** Relevant upper bound (pps), null when none was found (at-max, generator-ceiling). */
  readonly upper: number | null;
  /** upper / lower - 1 when both exist. */
  readonly relativeWidth: number | null;
  readonly conditionalThroughput: number | null;
  readonly status: GoalStatus;
  /** Duration of the target the bounds were classified with (the final one unless incomplete). */
  readonly classifiedAtS: number;
  /** For people: 'NDR: r in [1.20, 1.21] Mpps', 'NDR: r >= 2.90 Mpps (generator ceiling 2.91 Mpps)'. */
  readonly summary: string;
}

/** Why a trial was made: which goal asked, at which target, at which grid point. */
export interface SearchStep {
  readonly trial: number;
  readonly gridIndex: number;
  readonly goal: string;
  readonly target: number;
  readonly retry: boolean;
  /** False for invalid trials: they are kept but never classify a load. */
  readonly counted: boolean;
}

export interface SearchResult<T extends TrialLike> {
  readonly goals: GoalResult[];
  /** Every trial, in order, invalid ones included. */
  readonly trials: T[];
  readonly steps: SearchStep[];
  readonly grid: LoadGrid;
  /** Generator ceiling: the lowest load whose trial was invalid twice. */
  readonly ceiling: { readonly pps: number; readonly note: string } | null;
  /** Why the search ended early, or null. */
  readonly stopped: 'time-budget' | 'max-trials' | 'aborted' | null;
  /** Trial time plus accounted overhead (or wall clock when larger), seconds. */
  readonly elapsedS: number;
}

export interface SearchProgress {
  readonly event: 'trial-start' | 'trial-end';
  readonly goal: string;
  readonly target: number;
  readonly targets: number;
  readonly pps: number;
  readonly durationS: number;
  readonly trials: number;
  readonly bounds: readonly { readonly name: string; readonly lower: number | null; readonly upper: number | null }[];
  readonly elapsedS: number;
  /** Rough estimate of the total search time (seconds). */
  readonly estimateS: number;
  readonly result?: TrialLike;
}

export interface SearchOptions {
  readonly minPps: number;
  readonly maxPps: number;
  /** Default: standardGoals() with the preset's parameters. */
  readonly goals?: readonly SearchGoal[];
  /** Default 'default'; sets goal parameters (when goals are not given), time budget and overhead. */
  readonly preset?: PresetName;
  /** Stop when the next trial would end past this many seconds (default from the preset). */
  readonly timeBudgetS?: number;
  /** Seconds accounted per trial on top of its duration (setup, drain) for the budget. */
  readonly trialOverheadS?: number;
  readonly maxTrials?: number;
  readonly onProgress?: (p: SearchProgress) => void;
  readonly signal?: AbortSignal;
  /** Wall clock in ms (default performance.now); tests pass a fake. */
  readonly now?: () => number;
}

interface GoalState {
  readonly goal: SearchGoal;
  readonly targets: SearchTarget[];
  ti: number;
  done: boolean;
  /** Last external (exponential) step: direction, exponent, grid index; null after a bisection. */
  last: { dir: 'up' | 'down'; e: number; idx: number; hint: boolean } | null;
}

interface Bounds {
  lower: number; // grid index or -1
  upper: number; // grid index or -1
  undecided: number[]; // sorted indices strictly between
}

/** Runs the search. Never throws for device behaviour; throws only for nonsensical options. */
export async function mlrSearch<T extends TrialLike>(trial: TrialFunction<T>, options: SearchOptions): Promise<SearchResult<T>> {
  const preset = searchPresets[options.preset ?? 'default'];
  const goals = options.goals ?? standardGoals(preset.goal);
  checkOptions(options, goals);
  const budget = options.timeBudgetS ?? preset.timeBudgetS;
  const overhead = options.trialOverheadS ?? preset.trialOverheadS;
  const maxTrials = options.maxTrials ?? 1000;
  const now = options.now ?? (() => performance.now());
  const grid = makeGrid(options.minPps, options.maxPps, Math.min(...goals.map((g) => g.width)));
  const states: GoalState[] = goals.map((goal) => ({ goal, targets: goalTargets(goal), ti: 0, done: false, last: null }));

  const trials: T[] = [];
  const steps: SearchStep[] = [];
  /** Valid trials per grid index. */
  const atLoad = new Map<number, ClassifiedTrial[]>();
  /** Forwarding rate (received / duration) of the valid trials per grid index. */
  const forwarded = new Map<number, number>();
  let ceilingIdx = grid.points; // first grid index the generator could not deliver
  let generatorHint = -1; // where to start after an invalid trial: below what the generator managed
  let accounted = 0;
  const wallStart = now();
  let stopped: SearchResult<T>['stopped'] = null;
  const elapsed = (): number => Math.max((now() - wallStart) / 1000, accounted);

  const boundsOf = (st: GoalState, target: SearchTarget): Bounds => {
    let upper = -1;
    const cls = new Map<number, LoadClass>();
    for (const [idx, ts] of atLoad) {
      const c = classifyLoad(ts, st.goal.lossRatio, st.goal.exceedRatio, target);
      cls.set(idx, c);
      if (c === 'upper' && (upper < 0 || idx < upper)) upper = idx;
    }
    let lower = -1;
    const undecided: number[] = [];
    for (const [idx, c] of cls) {
      if (upper >= 0 && idx >= upper) continue;
      if (c === 'lower' && idx > lower) lower = idx;
    }
    for (const [idx, c] of cls) if (c === 'undecided' && idx > lower && (upper < 0 || idx < upper)) undecided.push(idx);
    undecided.sort((a, b) => a - b);
    return { lower, upper, undecided };
  };

  /** Every trial at grid index i so far was low-loss (leansLowAt) or high-loss (leansHighAt) for this goal. */
  const leansLowAt = (st: GoalState, i: number): boolean => atLoad.get(i)!.every((t) => t.lossRatio <= st.goal.lossRatio);
  const leansHighAt = (st: GoalState, i: number): boolean => atLoad.get(i)!.every((t) => t.lossRatio > st.goal.lossRatio);

  /**
   * Tentative bounds: an undecided load whose trials were all high-loss for this goal is likely an
   * upper bound, one whose trials were all low-loss (below the lowest such) a lower bound. At a new
   * target these are usually the previous target's bounds, now measured too briefly, at most about
   * two gaps of this target apart. When the two lie within `span` grid points, deciding them first
   * takes two or three trials, and bisection goes on between them; the outward steps below would
   * instead stop at undecided loads on the way (seen on a noisy machine: a whole final phase spent
   * walking through the PDR goal's loads, out of budget before NDR had a lower bound). Farther
   * apart, the outward steps are cheaper. Returns the load to measure, or -1.
   */
  const tentativePair = (st: GoalState, L: number, U: number, open: readonly number[], span: number): number => {
    let tu = U;
    for (const i of open) if (i > L && (tu < 0 || i < tu) && leansHighAt(st, i)) tu = i;
    if (tu < 0) return -1;
    let tl = L;
    for (const i of open) if (i > tl && i < tu && leansLowAt(st, i)) tl = i;
    if (tl < 0 || tu - tl > span) return -1;
    if (tl !== L) return tl; // the lower one first: it is the result (r_max) if both hold
    if (tu !== U) return tu;
    return -1;
  };

  /** The next grid index this goal wants measured at its current target, or -1 when the target is met. */
  const propose = (st: GoalState): number => {
    const target = st.targets[st.ti]!;
    const hiLimit = Math.min(grid.points - 1, ceilingIdx - 1);
    if (hiLimit < 0) return -1;
    const gap = widthGap(grid, target.width);
    const { lower: L, upper: U, undecided } = boundsOf(st, target);
    if (U === 0) return -1; // below the grid
    if (L >= 0 && L >= hiLimit && (U < 0 || U > hiLimit)) return -1; // at max or at the generator ceiling
    if (L >= 0 && U >= 0 && U - L <= gap) return -1; // width reached
    // Undecided loads (trials too short or too few for this target) are decided when the search reaches
    // them: a close pair of tentative bounds first, then those that disagree with an outward step's
    // direction bound it (below), and between two bounds the one nearest the middle goes first.
    const open = undecided.filter((i) => i <= hiLimit);
    const confirm = tentativePair(st, L, U, open, 2 * gap + 1);
    if (confirm >= 0) return confirm;
    if (L < 0 && U < 0) {
      const prev = st.last;
      st.last = null;
      if (open.length === 0) return generatorHint >= 0 ? Math.min(hiLimit, generatorHint) : hiLimit;
      const leansLow = open.filter((i) => leansLowAt(st, i));
      if (leansLow.length > 0) return leansLow[leansLow.length - 1]!;
      // Only lossy loads so far: step down from the lowest of them, to the forwarding rate seen there
      // or by 1, 2, 4, ... grid points (one more doubling per step down), whichever is lower: a load
      // that lost a little forwarded nearly all of it, and its rate alone walked down one grid point
      // per trial through a region of small losses. Repeat the lowest when nothing is left below.
      const e = prev?.dir === 'down' ? prev.e + 1 : 0;
      const fr = forwarded.get(open[0]!);
      const step = Math.max(0, open[0]! - 2 ** e);
      const h = Math.min(hiLimit, fr === undefined ? step : Math.min(step, gridIndexBelow(grid, fr)));
      if (h < open[0]! && !atLoad.has(h)) {
        st.last = { dir: 'down', e, idx: h, hint: true };
        return h;
      }
      return open[0]!;
    }
    if (U < 0) {
      // Only lower bounds: step up, doubling the step each time the load is still low-loss.
      // At or past the rate the generator managed in an invalid trial, creep up one grid point at a
      // time, unless a valid trial at a higher load showed the generator can deliver more (the
      // invalid trials were a passing stall: creeping from there cost a whole search budget).
      const e = st.last?.dir === 'up' ? st.last.e + 1 : 0;
      let delivered = false; // a valid trial above L: the generator has delivered more than L
      for (const i of atLoad.keys()) if (i > L) delivered = true;
      const creep = generatorHint >= 0 && L >= generatorHint && !delivered;
      let idx = Math.min(hiLimit, creep ? L + 1 : L + gap * 2 ** e);
      // Stop at the first undecided load on the way that lost something; one whose trials were all
      // low-loss is stepped over (it is likely a lower bound too, and bisection comes back to it if
      // needed): stopping at each walked up through every load an earlier target tried.
      for (const i of open) {
        if (i >= idx) break;
        if (!leansLowAt(st, i)) { idx = i; break; }
      }
      st.last = { dir: 'up', e, idx, hint: false };
      return idx;
    }
    if (L < 0) {
      // Only upper bounds: step down; the first step goes straight to the forwarding rate seen at U.
      const e = st.last?.dir === 'down' ? st.last.e + 1 : 0;
      let idx = Math.min(hiLimit, Math.max(0, U - gap * 2 ** e));
      let hint = false;
      if (st.last === null) {
        const fr = forwarded.get(U);
        if (fr !== undefined) {
          const h = Math.min(U - 1, gridIndexBelow(grid, fr));
          if (h < idx) { idx = h; hint = true; }
        }
      }
      // Likewise down: stop at the first undecided load on the way that had a low-loss trial.
      for (let k = open.length - 1; k >= 0; k--) {
        const i = open[k]!;
        if (i <= idx) break;
        if (!leansHighAt(st, i)) { idx = i; hint = false; break; }
      }
      st.last = { dir: 'down', e, idx, hint };
      return idx;
    }
    if (open.length > 0) {
      const mid = (L + U) / 2;
      return open.reduce((b, i) => (Math.abs(i - mid) < Math.abs(b - mid) ? i : b), open[0]!);
    }
    // Both bounds: keep stepping outward from the bound that just moved, else bisect in log space.
    const last = st.last;
    if (last !== null) {
      if (last.hint && last.idx === L && L + gap < U) {
        st.last = { dir: 'up', e: 0, idx: L + gap, hint: false };
        return L + gap;
      }
      if (last.dir === 'up' && last.idx === L && L + gap * 2 ** (last.e + 1) < U) {
        const idx = Math.min(hiLimit, L + gap * 2 ** (last.e + 1));
        if (idx > L) {
          st.last = { dir: 'up', e: last.e + 1, idx, hint: false };
          return idx;
        }
      }
      if (last.dir === 'down' && last.idx === U && U - gap * 2 ** (last.e + 1) > L) {
        const idx = Math.min(hiLimit, U - gap * 2 ** (last.e + 1));
        st.last = { dir: 'down', e: last.e + 1, idx, hint: false };
        return idx;
      }
    }
    st.last = null;
    const mid = Math.floor((L + U) / 2);
    if (mid > hiLimit) return hiLimit > L ? hiLimit : -1;
    return mid;
  };

  const estimate = (): number => {
    let rest = 0;
    for (const st of states) {
      if (st.done) continue;
      for (let j = st.ti; j < st.targets.length; j++) {
        const t = st.targets[j]!;
        const count = j === 0 ? Math.ceil(Math.log2(grid.points / widthGap(grid, t.width))) / 2 + 2 : 3;
        rest += (count * Math.max(t.durationS, t.durationSumS / 2) + count * overhead) / states.length;
      }
    }
    return Math.min(budget, elapsed() + rest);
  };

  const boundsNow = (): SearchProgress['bounds'] =>
    states.map((st) => {
      const b = boundsOf(st, st.targets[st.ti]!);
      return { name: st.goal.name, lower: b.lower >= 0 ? gridLoad(grid, b.lower) : null, upper: b.upper >= 0 ? gridLoad(grid, b.upper) : null };
    });

  for (;;) {
    let st: GoalState | null = null;
    for (const s of states) if (!s.done && (st === null || s.ti < st.ti)) st = s;
    if (st === null) break;
    const idx = propose(st);
    if (idx < 0) {
      if (st.ti + 1 < st.targets.length) { st.ti++; st.last = null; }
      else st.done = true;
      continue;
    }
    const target = st.targets[st.ti]!;
    if (options.signal?.aborted) { stopped = 'aborted'; break; }
    if (trials.length >= maxTrials) { stopped = 'max-trials'; break; }
    if (elapsed() + target.durationS + overhead > budget) { stopped = 'time-budget'; break; }
    const pps = gridLoad(grid, idx);
    for (let attempt = 0; attempt < 2; attempt++) {
      const base = { goal: st.goal.name, target: st.ti, targets: st.targets.length, pps, durationS: target.durationS };
      options.onProgress?.({ event: 'trial-start', ...base, trials: trials.length, bounds: boundsNow(), elapsedS: elapsed(), estimateS: estimate() });
      const r = await trial(pps, target.durationS);
      trials.push(r);
      accounted += target.durationS + overhead;
      steps.push({ trial: trials.length - 1, gridIndex: idx, goal: st.goal.name, target: st.ti, retry: attempt > 0, counted: r.valid });
      if (r.valid) {
        let list = atLoad.get(idx);
        if (list === undefined) atLoad.set(idx, (list = []));
        list.push({ durationS: r.durationS, lossRatio: r.lossRatio });
        forwarded.set(idx, Math.max(forwarded.get(idx) ?? 0, r.received / r.durationS));
      }
      options.onProgress?.({ event: 'trial-end', ...base, trials: trials.length, bounds: boundsNow(), elapsedS: elapsed(), estimateS: estimate(), result: r });
      if (r.valid) break;
      if (attempt === 1) {
        // Invalid twice: the generator cannot deliver this load; search only below it from now on.
        ceilingIdx = Math.min(ceilingIdx, idx);
        const managed = r.achievedPps ?? r.sent / r.durationS;
        if (managed > 0) generatorHint = Math.min(idx - 1, gridIndexBelow(grid, managed));
      }
    }
  }

  const goalResults = states.map((st) => finishGoal(st));
  const ceiling =
    ceilingIdx < grid.points
      ? {
          pps: gridLoad(grid, ceilingIdx),
          note: `the generator could not deliver ${formatPps(gridLoad(grid, ceilingIdx))}; loads at and above it were not measured`,
        }
      : null;
  return { goals: goalResults, trials, steps, grid, ceiling, stopped, elapsedS: elapsed() };

  function finishGoal(st: GoalState): GoalResult {
    const target = st.targets[st.ti]!;
    const b = boundsOf(st, target);
    const lower = b.lower >= 0 ? gridLoad(grid, b.lower) : null;
    const upper = b.upper >= 0 ? gridLoad(grid, b.upper) : null;
    const hiLimit = Math.min(grid.points - 1, ceilingIdx - 1);
    const final = st.ti === st.targets.length - 1 && st.done;
    let status: GoalStatus;
    if (b.upper === 0) status = 'below-min';
    else if (b.lower >= 0 && b.lower >= hiLimit && (b.upper < 0 || b.upper > hiLimit))
      status = ceilingIdx < grid.points ? 'generator-ceiling' : 'at-max';
    else if (final && b.lower >= 0 && b.upper >= 0) status = 'ok';
    else status = 'incomplete';
    if (hiLimit < 0 && status === 'incomplete') status = 'generator-ceiling';
    if (!final && status !== 'incomplete' && stopped !== null) status = 'incomplete';
    const shownUpper = status === 'generator-ceiling' || status === 'at-max' ? null : upper;
    const ct = b.lower >= 0 ? conditionalThroughput(gridLoad(grid, b.lower), atLoad.get(b.lower)!, st.goal.exceedRatio, target) : null;
    const g = st.goal;
    let summary: string;
    switch (status) {
      case 'ok': summary = `${g.name}: r in [${formatPps(lower!)}, ${formatPps(upper!)}]`; break;
      case 'below-min': summary = `${g.name}: r < ${formatPps(grid.minPps)} (the lowest load searched already loses)`; break;
      case 'at-max': summary = `${g.name}: r >= ${formatPps(grid.maxPps)} (the highest load searched)`; break;
      case 'generator-ceiling':
        summary = lower !== null
          ? `${g.name}: r >= ${formatPps(lower)} (generator ceiling ${formatPps(gridLoad(grid, ceilingIdx))}: the device outran the generator)`
          : `${g.name}: no result (the generator could not deliver even ${formatPps(gridLoad(grid, Math.max(0, ceilingIdx)))})`;
        break;
      default:
        summary = `${g.name}: incomplete (${stopped ?? 'stopped'}), bounds so far [${lower === null ? '?' : formatPps(lower)}, ${upper === null ? '?' : formatPps(upper)}] at ${target.durationS.toFixed(2)} s trials`;
    }
    return {
      name: g.name,
      lossRatio: g.lossRatio,
      exceedRatio: g.exceedRatio,
      width: g.width,
      initialDurationS: g.initialDurationS,
      finalDurationS: g.finalDurationS,
      durationSumS: g.durationSumS,
      lower,
      upper: shownUpper,
      relativeWidth: lower !== null && shownUpper !== null ? shownUpper / lower - 1 : null,
      conditionalThroughput: ct,
      status,
      classifiedAtS: target.durationS,
      summary,
    };
  }
}

/** The NDR goal's result (r_max is the largest loss-free rate), else the first goal's. */
export function rmaxOf(result: Pick<SearchResult<TrialLike>, 'goals'>): GoalResult | null {
  return result.goals.find((g) => g.lossRatio === 0) ?? result.goals[0] ?? null;
}

export function formatPps(pps: number): string {
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(3)} Mpps`;
  if (pps >= 1e3) return `${(pps / 1e3).toFixed(1)} kpps`;
  return `${pps.toFixed(0)} pps`;
}

function checkOptions(o: SearchOptions, goals: readonly SearchGoal[]): void {
  const bad = (m: string): never => { throw new RangeError(`mlrSearch: ${m}`); };
  if (!(o.minPps > 0) || !(o.maxPps > o.minPps)) bad(`need 0 < minPps < maxPps (got ${o.minPps}, ${o.maxPps})`);
  if (goals.length === 0) bad('no search goals');
  for (const g of goals) {
    if (!(g.lossRatio >= 0 && g.lossRatio < 1)) bad(`goal ${g.name}: loss ratio must be in [0, 1)`);
    if (!(g.exceedRatio >= 0 && g.exceedRatio < 1)) bad(`goal ${g.name}: exceed ratio must be in [0, 1)`);
    if (!(g.width > 0 && g.width < 1)) bad(`goal ${g.name}: width must be in (0, 1)`);
    if (!(g.initialDurationS > 0 && g.finalDurationS >= g.initialDurationS)) bad(`goal ${g.name}: need 0 < initial <= final trial duration`);
    if (!(g.durationSumS >= g.finalDurationS)) bad(`goal ${g.name}: duration sum must be at least the final trial duration`);
  }
}
