/**
 * Seeded bootstrap confidence intervals for any statistic of rows, percentile or BCa (Efron's
 * bias-corrected and accelerated interval), computed as scipy.stats.bootstrap computes them.
 *
 * The statistic is given as a function of per-row weights: resample b draws n rows with
 * replacement and passes how often each row was drawn, so a statistic of sufficient sums
 * (accuracy, a confusion matrix, R2) costs one pass over the rows per resample and never
 * copies the data. The same weights may drive several statistics at once (paired differences).
 */
import { normalCdf, normalQuantile } from './distributions';
import { quantileSorted } from './descriptive';
import { Rng } from '../random';

export type BootstrapMethod = 'percentile' | 'bca';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  readonly resamples?: number;
  /** Coverage of the two-sided interval (default 0.95). */
  readonly confidence?: number;
  readonly method?: BootstrapMethod;
  readonly seed?: number;
  /**
   * Stratum of each row: rows are drawn within their stratum, as many as it holds (the test
   * rows of each dataset stay that dataset's size). Default: one stratum.
   */
  readonly strata?: Int32Array;
  /**
   * BCa's jackknife leaves out one group of rows at a time: every row on its own (scipy's
   * choice) up to this many rows, contiguous groups of about n / maxJackknife rows beyond
   * (a grouped jackknife, which keeps the cost at maxJackknife passes). Default 2000.
   */
  readonly maxJackknife?: number;
}

export interface BootstrapResult {
  readonly estimate: number;
  readonly low: number;
  readonly high: number;
  /** The method actually used: BCa falls back to percentile when its bias correction is infinite. */
  readonly method: BootstrapMethod;
  /** The resampled statistics, sorted ascending (NaN resamples dropped). */
  readonly distribution: Float64Array;
}

export type WeightedStatistic = (weights: Float64Array) => number;

/** Draws one resample's weights (counts per row) in place. */
function drawWeights(weights: Float64Array, strata: readonly Int32Array[], rng: Rng): void {
  weights.fill(0);
  for (const rows of strata) {
    const m = rows.length;
    for (let i = 0; i < m; i++) weights[rows[rng.int(m)]]++;
  }
}

function strataOf(n: number, strata: Int32Array | undefined): Int32Array[] {
  if (!strata) return [Int32Array.from({ length: n }, (_, i) => i)];
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const g = groups.get(strata[i]);
    if (g) g.push(i);
    else groups.set(strata[i], [i]);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((k) => Int32Array.from(groups.get(k) as number[]));
}

/**
 * The bootstrap distribution of one or more statistics over the same resamples: result[k] is
 * statistic k on each resample, in resample order (so paired quantities stay paired).
 */
export function bootstrapDistributions(n: number, statistics: readonly WeightedStatistic[], options: BootstrapOptions = {}): Float64Array[] {
  const b = options.resamples ?? 2000;
  const rng = new Rng(options.seed ?? 0);
  const strata = strataOf(n, options.strata);
  const weights = new Float64Array(n);
  const out = statistics.map(() => new Float64Array(b));
  for (let r = 0; r < b; r++) {
    drawWeights(weights, strata, rng);
    for (let k = 0; k < statistics.length; k++) out[k][r] = statistics[k](weights);
  }
  return out;
}

/** Jackknife values of the statistic, leaving out one row (or one group of rows) at a time. */
export function jackknife(n: number, statistic: WeightedStatistic, maxGroups = 2000): Float64Array {
  const groups = Math.min(n, maxGroups);
  const weights = new Float64Array(n).fill(1);
  const out = new Float64Array(groups);
  for (let g = 0; g < groups; g++) {
    const from = Math.floor((g * n) / groups);
    const to = Math.floor(((g + 1) * n) / groups);
    for (let i = from; i < to; i++) weights[i] = 0;
    out[g] = statistic(weights);
    for (let i = from; i < to; i++) weights[i] = 1;
  }
  return out;
}

/**
 * The interval from a bootstrap distribution. Percentile: the alpha/2 and 1 - alpha/2
 * quantiles (numpy's linear interpolation). BCa: those levels moved by the bias correction
 * z0 = Phi^-1(share of resamples below the estimate, ties counted half) and the acceleration
 * a = sum(d^3) / (6 (sum d^2)^1.5) with d the jackknife deviations from their mean.
 */
export function intervalFromDistribution(
  estimate: number,
  distribution: Float64Array,
  confidence: number,
  method: BootstrapMethod,
  jackknifeValues?: Float64Array,
): BootstrapResult {
  const sorted = Float64Array.from(distribution.filter((v) => !Number.isNaN(v))).sort();
  const alpha = (1 - confidence) / 2;
  if (sorted.length === 0 || Number.isNaN(estimate)) return { estimate, low: NaN, high: NaN, method, distribution: sorted };
  let lowLevel = alpha;
  let highLevel = 1 - alpha;
  let used: BootstrapMethod = 'percentile';
  if (method === 'bca' && jackknifeValues) {
    let below = 0;
    let atOrBelow = 0;
    for (const v of sorted) {
      if (v < estimate) below++;
      if (v <= estimate) atOrBelow++;
    }
    const z0 = normalQuantile((below + atOrBelow) / (2 * sorted.length));
    let mean = 0;
    for (const v of jackknifeValues) mean += v;
    mean /= jackknifeValues.length;
    let num = 0;
    let den = 0;
    for (const v of jackknifeValues) {
      const d = mean - v;
      num += d * d * d;
      den += d * d;
    }
    const accel = den > 0 ? num / (6 * den ** 1.5) : 0;
    if (Number.isFinite(z0) && Number.isFinite(accel)) {
      const adjust = (z: number) => normalCdf(z0 + (z0 + z) / (1 - accel * (z0 + z)));
      lowLevel = adjust(normalQuantile(alpha));
      highLevel = adjust(normalQuantile(1 - alpha));
      used = 'bca';
    }
  }
  return { estimate, low: quantileSorted(sorted, lowLevel), high: quantileSorted(sorted, highLevel), method: used, distribution: sorted };
}

/** A bootstrap confidence interval of `statistic` over n rows. */
export function bootstrapInterval(n: number, statistic: WeightedStatistic, options: BootstrapOptions = {}): BootstrapResult {
  const method = options.method ?? 'bca';
  const estimate = statistic(new Float64Array(n).fill(1));
  const [dist] = bootstrapDistributions(n, [statistic], options);
  const jack = method === 'bca' ? jackknife(n, statistic, options.maxJackknife) : undefined;
  return intervalFromDistribution(estimate, dist, options.confidence ?? 0.95, method, jack);
}

/**
 * Two-sided bootstrap p-value for "the statistic is 0" from its bootstrap distribution: twice
 * the smaller share of resamples on either side of 0, counting the observed sample as one
 * resample ((k + 1) / (B + 1), so it is never 0). It is the percentile interval inverted: p is
 * below 1 - confidence exactly when that interval excludes 0.
 */
export function bootstrapPValue(distribution: Float64Array): number {
  let atOrBelow = 0;
  let atOrAbove = 0;
  let b = 0;
  for (const v of distribution) {
    if (Number.isNaN(v)) continue;
    b++;
    if (v <= 0) atOrBelow++;
    if (v >= 0) atOrAbove++;
  }
  if (b === 0) return NaN;
  return Math.min(1, (2 * (Math.min(atOrBelow, atOrAbove) + 1)) / (b + 1));
}
