// The study's performance model: a batch of n packets takes t_b(n) = t_rx(n) + t_p(n) + t_tx(n),
// each part a + n·b (ns). Input: per-batch telemetry samples [n, rxNs, procNs, txNs] (direct fit) or
// (offered rate, mean batch size) pairs (the study's indirect fit, t_b(n̄) = n̄ / r). Output: the
// parameters with 95% confidence intervals, the predicted maximum rate r'_max = n_max / t_b(n_max),
// the batch-size curve n(r) = r·Σa / (1 − r·Σb) capped at n_max, and the I/O vs processing shares.

/** One least-squares line y = a + b·x with its uncertainty. */
export interface LineFit {
  readonly a: number;
  readonly b: number;
  /** Standard errors (NaN when fewer than 3 points or a forced intercept leaves none). */
  readonly seA: number;
  readonly seB: number;
  /** 95% confidence intervals. */
  readonly ciA: readonly [number, number];
  readonly ciB: readonly [number, number];
  readonly r2: number;
  readonly points: number;
  /** True when a came out negative and the fit was redone through the origin (option nonNegative). */
  readonly clamped: boolean;
}

export interface FitOptions {
  /** Refit with a = 0 when the free fit gives a < 0 (the study's constants are overheads, never gains). */
  readonly nonNegative?: boolean;
}

/** Two-sided 95% quantile of Student's t with df degrees of freedom. */
export function t95(df: number): number {
  if (!(df >= 1)) return NaN;
  // Exact values for small df; beyond 30, the Cornish-Fisher expansion around the normal quantile.
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
    2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];
  if (df <= 30) return table[Math.floor(df) - 1]!;
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  return z + g1 / df + g2 / (df * df);
}

/** Ordinary least squares of y on x; weights optional (w_i ≥ 0, e.g. counts of identical points). */
export function fitLine(xs: ArrayLike<number>, ys: ArrayLike<number>, options: FitOptions = {}, ws?: ArrayLike<number>): LineFit {
  const m = Math.min(xs.length, ys.length);
  let sw = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < m; i++) {
    const w = ws === undefined ? 1 : ws[i]!;
    sw += w;
    sx += w * xs[i]!;
    sy += w * ys[i]!;
  }
  if (sw === 0) return emptyFit();
  const mx = sx / sw;
  const my = sy / sw;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < m; i++) {
    const w = ws === undefined ? 1 : ws[i]!;
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += w * dx * dx;
    sxy += w * dx * dy;
    syy += w * dy * dy;
  }
  // Points: the number of distinct observations (the sum of weights when weights are counts).
  const points = sw;
  if (sxx === 0) {
    // All x equal: no slope can be told apart from the intercept; report the mean as a constant.
    return { a: my, b: 0, seA: NaN, seB: NaN, ciA: [NaN, NaN], ciB: [NaN, NaN], r2: 0, points, clamped: false };
  }
  let b = sxy / sxx;
  let a = my - b * mx;
  if (options.nonNegative === true && a < 0) return fitThroughOrigin(xs, ys, m, ws, syy, my, sw);
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const w = ws === undefined ? 1 : ws[i]!;
    const e = ys[i]! - (a + b * xs[i]!);
    sse += w * e * e;
  }
  const df = points - 2;
  const s2 = df > 0 ? sse / df : NaN;
  const seB = Math.sqrt(s2 / sxx);
  const seA = Math.sqrt(s2 * (1 / sw + (mx * mx) / sxx));
  const t = t95(df);
  // Clean -0 from exact fits.
  a = a + 0;
  b = b + 0;
  return {
    a,
    b,
    seA,
    seB,
    ciA: [a - t * seA, a + t * seA],
    ciB: [b - t * seB, b + t * seB],
    r2: syy === 0 ? 1 : 1 - sse / syy,
    points,
    clamped: false,
  };
}

function fitThroughOrigin(xs: ArrayLike<number>, ys: ArrayLike<number>, m: number, ws: ArrayLike<number> | undefined, syy: number, my: number, sw: number): LineFit {
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < m; i++) {
    const w = ws === undefined ? 1 : ws[i]!;
    sxx += w * xs[i]! * xs[i]!;
    sxy += w * xs[i]! * ys[i]!;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  let sse = 0;
  for (let i = 0; i < m; i++) {
    const w = ws === undefined ? 1 : ws[i]!;
    const e = ys[i]! - b * xs[i]!;
    sse += w * e * e;
  }
  const df = sw - 1;
  const s2 = df > 0 ? sse / df : NaN;
  const seB = Math.sqrt(s2 / sxx);
  const t = t95(df);
  void my;
  return { a: 0, b, seA: 0, seB, ciA: [0, 0], ciB: [b - t * seB, b + t * seB], r2: syy === 0 ? 1 : 1 - sse / syy, points: sw, clamped: true };
}

function emptyFit(): LineFit {
  return { a: NaN, b: NaN, seA: NaN, seB: NaN, ciA: [NaN, NaN], ciB: [NaN, NaN], r2: NaN, points: 0, clamped: false };
}

/** The six constants of the model (ns and ns per packet) and the burst cap. */
export interface ModelParams {
  readonly aRx: number;
  readonly bRx: number;
  readonly aP: number;
  readonly bP: number;
  readonly aTx: number;
  readonly bTx: number;
  /** Largest batch (the burst size, 32 by default). */
  readonly nMax: number;
}

/** t_b(n) in ns. */
export function batchTimeNs(p: ModelParams, n: number): number {
  return p.aRx + p.aP + p.aTx + n * (p.bRx + p.bP + p.bTx);
}

/** r'_max in packets per second: n_max packets every t_b(n_max). */
export function predictedRmax(p: ModelParams): number {
  const t = batchTimeNs(p, p.nMax);
  return t > 0 ? (p.nMax / t) * 1e9 : Infinity;
}

/**
 * Mean batch size at offered rate r (pps): in steady state the packets that arrive while one batch is
 * handled form the next, n = r·t_b(n), so n = r·Σa / (1 − r·Σb), capped at n_max (and at least 1:
 * a batch holds one packet at least).
 */
export function batchSizeAt(p: ModelParams, ratePps: number): number {
  const r = ratePps * 1e-9; // packets per ns
  const sumA = p.aRx + p.aP + p.aTx;
  const sumB = p.bRx + p.bP + p.bTx;
  const den = 1 - r * sumB;
  if (den <= 0) return p.nMax;
  const n = (r * sumA) / den;
  return Math.min(p.nMax, Math.max(1, n));
}

export interface Shares {
  /** t_rx(n) + t_tx(n) and t_p(n) in ns, and their shares of t_b(n). */
  readonly ioNs: number;
  readonly procNs: number;
  readonly ioShare: number;
  readonly procShare: number;
}

export function sharesAt(p: ModelParams, n: number): Shares {
  const io = p.aRx + p.aTx + n * (p.bRx + p.bTx);
  const proc = p.aP + n * p.bP;
  const tot = io + proc;
  return { ioNs: io, procNs: proc, ioShare: tot > 0 ? io / tot : NaN, procShare: tot > 0 ? proc / tot : NaN };
}

/** Everything `p4tee model predict` prints for one parameter set. */
export interface Prediction {
  readonly params: ModelParams;
  readonly rmaxPps: number;
  readonly tbNs: number;
  readonly shares: Shares;
  /** The batch-size curve: offered rate (pps) -> mean batch size, up to saturation. */
  readonly curve: readonly { readonly ratePps: number; readonly n: number }[];
}

export function predict(p: ModelParams, curvePoints = 24): Prediction {
  const rmax = predictedRmax(p);
  const curve: { ratePps: number; n: number }[] = [];
  if (Number.isFinite(rmax)) {
    for (let i = 1; i <= curvePoints; i++) {
      const r = (rmax * 1.1 * i) / curvePoints;
      curve.push({ ratePps: r, n: batchSizeAt(p, r) });
    }
  }
  return { params: p, rmaxPps: rmax, tbNs: batchTimeNs(p, p.nMax), shares: sharesAt(p, p.nMax), curve };
}

/** A per-batch telemetry sample: batch size and the ns spent receiving, processing and sending it. */
export type BatchSample = readonly [n: number, rxNs: number, procNs: number, txNs: number];

export interface DirectFit {
  readonly rx: LineFit;
  readonly p: LineFit;
  readonly tx: LineFit;
  readonly params: ModelParams;
  readonly samples: number;
}

/** Fits t_rx, t_p and t_tx against n from per-batch samples (the direct method). */
export function fitDirect(samples: readonly BatchSample[], nMax: number, options: FitOptions = {}): DirectFit {
  const n = samples.map((s) => s[0]);
  const rx = fitLine(n, samples.map((s) => s[1]), options);
  const p = fitLine(n, samples.map((s) => s[2]), options);
  const tx = fitLine(n, samples.map((s) => s[3]), options);
  return {
    rx,
    p,
    tx,
    params: { aRx: rx.a, bRx: rx.b, aP: p.a, bP: p.b, aTx: tx.a, bTx: tx.b, nMax },
    samples: samples.length,
  };
}

/** One trial seen by the indirect method: offered (or received) rate and the mean batch size. */
export interface RatePoint {
  readonly ratePps: number;
  readonly meanBatch: number;
}

export interface IndirectFit {
  /** t_b(n̄) = n̄ / r against n̄: a = Σa, b = Σb. */
  readonly total: LineFit;
  /** Points used, and left out: saturated (n̄ at the burst cap: t_b is no longer n̄ / r) or idle (n̄ near 1). */
  readonly used: number;
  readonly saturated: number;
  readonly idle: number;
}

/**
 * The study's indirect method: at a rate r below saturation the loop is busy all the time, so a batch
 * of the mean size n̄ takes n̄ / r. Points where n̄ is within `capSlack` of n_max are saturated
 * (the loop drops or queues) and are left out; so are points with n̄ below `minBatch`: a poll loop
 * never reports a batch smaller than one packet, so at low rates n̄ = 1 and n̄ / r is the gap between
 * packets, not t_b(1).
 */
export function fitIndirect(points: readonly RatePoint[], nMax: number, options: FitOptions = {}, capSlack = 0.5, minBatch = 1.5): IndirectFit {
  const xs: number[] = [];
  const ys: number[] = [];
  let saturated = 0;
  let idle = 0;
  for (const pt of points) {
    if (!(pt.ratePps > 0) || !(pt.meanBatch > 0)) continue;
    if (pt.meanBatch >= nMax - capSlack) {
      saturated++;
      continue;
    }
    if (pt.meanBatch < minBatch) {
      idle++;
      continue;
    }
    xs.push(pt.meanBatch);
    ys.push((pt.meanBatch / pt.ratePps) * 1e9);
  }
  return { total: fitLine(xs, ys, options), used: xs.length, saturated, idle };
}

/** Relative difference |predicted − measured| / measured; the report warns above 10%. */
export function relativeError(predicted: number, measured: number): number {
  return measured > 0 ? Math.abs(predicted - measured) / measured : NaN;
}
