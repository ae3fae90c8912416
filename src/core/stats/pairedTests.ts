/**
 * Tests that compare two models scored on the same rows or folds: McNemar's test on the rows
 * one model gets right and the other wrong (exact binomial, mid-p), the corrected resampled
 * t-test of Nadeau and Bengio on per-fold differences, and Holm's step-down adjustment for a
 * family of such tests. Reference values: statsmodels' mcnemar / multipletests and
 * scipy.stats.binomtest / t (test/reference/stats/make_inference_reference.py).
 */
import { binomialCdf, binomialPmf, studentTQuantile, studentTSf } from './distributions';

export interface McNemarResult {
  /** Rows only the first model classified correctly. */
  readonly onlyFirst: number;
  /** Rows only the second model classified correctly. */
  readonly onlySecond: number;
  /** Exact two-sided binomial p-value, min(1, 2 P(X <= min(b, c))) with X ~ Bin(b + c, 1/2). */
  readonly exact: number;
  /** The mid-p version: the exact p-value minus P(X = min(b, c)) (Fagerland et al. 2013). */
  readonly midP: number;
}

/**
 * McNemar's test from the two discordant counts. The mid-p value is what Dataset Lab reports:
 * the exact test is conservative for small counts, and the mid-p keeps close to the nominal
 * level at every count (Fagerland, Lydersen and Laake, BMC Med Res Methodol 13:91, 2013).
 */
export function mcnemar(onlyFirst: number, onlySecond: number): McNemarResult {
  const n = onlyFirst + onlySecond;
  if (n === 0) return { onlyFirst, onlySecond, exact: 1, midP: 1 };
  const k = Math.min(onlyFirst, onlySecond);
  const twice = 2 * binomialCdf(k, n, 0.5);
  // For b = c, 2 P(X <= k) - P(X = k) is exactly 1.
  const midP = Math.min(1, Math.max(0, twice - binomialPmf(k, n, 0.5)));
  return { onlyFirst, onlySecond, exact: Math.min(1, twice), midP };
}

export interface CorrectedTResult {
  readonly mean: number;
  /** Nadeau-Bengio variance of the mean: (1/J + nTest/nTrain) s^2, s^2 the sample variance (ddof 1). */
  readonly variance: number;
  readonly t: number;
  readonly df: number;
  /** Two-sided p-value for a mean of 0; NaN when the folds do not vary (nothing to test against). */
  readonly pValue: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The corrected resampled t-test (Nadeau and Bengio, Machine Learning 52:239, 2003; applied to
 * repeated k-fold cross-validation by Bouckaert and Frank, 2004): J fold values (scores, or
 * differences of two models' scores on the same folds), whose overlap in training rows makes
 * the plain variance s^2 / J too small; it is inflated to (1/J + nTest/nTrain) s^2. The interval
 * is mean +- t_{J-1, 1-alpha/2} sqrt(variance).
 */
export function correctedResampledT(values: ArrayLike<number>, testTrainRatio: number, confidence = 0.95): CorrectedTResult {
  const j = values.length;
  let mean = 0;
  for (let i = 0; i < j; i++) mean += values[i];
  mean /= j;
  let ss = 0;
  for (let i = 0; i < j; i++) ss += (values[i] - mean) ** 2;
  const s2 = j > 1 ? ss / (j - 1) : NaN;
  const variance = (1 / j + testTrainRatio) * s2;
  const df = j - 1;
  const se = Math.sqrt(variance);
  const t = mean / se;
  const pValue = se > 0 ? Math.min(1, 2 * studentTSf(Math.abs(t), df)) : NaN;
  const q = df > 0 ? studentTQuantile(1 - (1 - confidence) / 2, df) : NaN;
  // Values that do not vary at all give a zero-width interval at their common value.
  const half = se > 0 ? q * se : se === 0 ? 0 : NaN;
  return { mean, variance, t, df, pValue, low: mean - half, high: mean + half };
}

/**
 * Holm's step-down adjustment (Holm 1979): with the m finite p-values sorted ascending,
 * adjusted p_(i) = max over j <= i of min(1, (m - j + 1) p_(j)). It controls the family-wise
 * error rate like Bonferroni, without assuming independence, and rejects at least as much.
 * NaN p-values stay NaN and do not count in m.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const idx = pValues.map((p, i) => [p, i] as const).filter(([p]) => !Number.isNaN(p));
  idx.sort((a, b) => a[0] - b[0]);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 0;
  idx.forEach(([p, i], k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    out[i] = running;
  });
  return out;
}
