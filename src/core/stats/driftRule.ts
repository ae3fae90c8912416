/**
 * The per-feature drift rule (after Evidently's defaults; docs/statistics.md): small reference samples are
 * judged by p-values, large ones by effect sizes, because on large data every p-value is tiny.
 *
 * reference rows <= smallSampleRows (1000):
 *   numeric      -> two-sample KS,        drift if p-value < pValue (0.05)
 *   categorical  -> chi-squared,          drift if p-value < pValue (0.05)
 * reference rows  > smallSampleRows:
 *   numeric      -> normalised Wasserstein W1 / max(std_ref, 0.001), drift if >= wassersteinNorm (0.1)
 *   categorical  -> Jensen-Shannon distance,                          drift if >= jensenShannon (0.1)
 * Numeric columns with at most categoricalMaxUnique (5) distinct values are categorical here.
 */

export interface DriftThresholds {
  /** Reference sizes up to this many rows use p-value tests. */
  readonly smallSampleRows: number;
  /** Significance level for KS and chi-squared. */
  readonly pValue: number;
  /** Normalised Wasserstein at or above this is drift. */
  readonly wassersteinNorm: number;
  /** Jensen-Shannon distance at or above this is drift. */
  readonly jensenShannon: number;
  /** Numeric columns with at most this many distinct values count as categorical. */
  readonly categoricalMaxUnique: number;
}

export const DEFAULT_DRIFT_THRESHOLDS: DriftThresholds = {
  smallSampleRows: 1000,
  pValue: 0.05,
  wassersteinNorm: 0.1,
  jensenShannon: 0.1,
  categoricalMaxUnique: 5,
};

export type DriftMethod = 'ks' | 'chi2' | 'wasserstein' | 'jensenshannon';

export type DriftInput =
  | {
      readonly kind: 'numeric';
      /** Non-missing reference values. */
      readonly referenceRows: number;
      readonly ksPvalue: number;
      readonly wassersteinNorm: number;
    }
  | {
      readonly kind: 'categorical';
      readonly referenceRows: number;
      readonly chi2Pvalue: number;
      readonly jensenShannon: number;
    };

export interface DriftVerdict {
  readonly drift: boolean;
  readonly method: DriftMethod;
  /** The p-value or effect size the decision used. */
  readonly value: number;
  readonly threshold: number;
}

/** Wasserstein-1 in units of the reference standard deviation (Evidently), floored at 0.001. */
export function wassersteinNorm(wasserstein: number, referenceStd: number): number {
  const s = Number.isFinite(referenceStd) ? referenceStd : 0;
  return wasserstein / Math.max(s, 0.001);
}

/** Whether a numeric column with this many distinct values is judged as categorical. */
export function treatAsCategorical(distinctValues: number, thresholds: Partial<DriftThresholds> = {}): boolean {
  return distinctValues <= (thresholds.categoricalMaxUnique ?? DEFAULT_DRIFT_THRESHOLDS.categoricalMaxUnique);
}

/** Applies the rule. A NaN statistic never counts as drift (the value is reported as NaN). */
export function driftVerdict(input: DriftInput, thresholds: Partial<DriftThresholds> = {}): DriftVerdict {
  const t = { ...DEFAULT_DRIFT_THRESHOLDS, ...thresholds };
  const small = input.referenceRows <= t.smallSampleRows;
  if (input.kind === 'numeric') {
    return small
      ? { drift: input.ksPvalue < t.pValue, method: 'ks', value: input.ksPvalue, threshold: t.pValue }
      : { drift: input.wassersteinNorm >= t.wassersteinNorm, method: 'wasserstein', value: input.wassersteinNorm, threshold: t.wassersteinNorm };
  }
  return small
    ? { drift: input.chi2Pvalue < t.pValue, method: 'chi2', value: input.chi2Pvalue, threshold: t.pValue }
    : { drift: input.jensenShannon >= t.jensenShannon, method: 'jensenshannon', value: input.jensenShannon, threshold: t.jensenShannon };
}
