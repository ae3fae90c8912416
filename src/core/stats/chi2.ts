import { chiSquaredSf } from './chiSquaredSf';

export interface ChiSquaredResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly dof: number;
}

/**
 * Chi-squared test of homogeneity for two samples of a categorical variable, the numbers
 * scipy.stats.chi2_contingency(np.array([ref, other])) gives with its defaults:
 * - categories whose total count is 0 are dropped first (scipy would refuse the table);
 * - expected E_rc = (row total r) (column total c) / grand total; dof = number of categories - 1;
 * - dof = 0 (one category left): statistic 0, p-value 1;
 * - dof = 1: Yates' continuity correction, each observed count moved towards its expectation by
 *   min(0.5, |E - O|);
 * - statistic = sum (O - E)^2 / E; p-value = chi-squared survival function at the statistic.
 * If either sample is empty the statistic and p-value are NaN (scipy raises there); a NaN
 * p-value never counts as drift.
 */
export function chiSquaredHomogeneity(refCounts: ArrayLike<number>, otherCounts: ArrayLike<number>): ChiSquaredResult {
  if (refCounts.length !== otherCounts.length) {
    throw new RangeError(`chiSquaredHomogeneity: count vectors differ in length (${refCounts.length} vs ${otherCounts.length})`);
  }
  const ref: number[] = [];
  const oth: number[] = [];
  for (let i = 0; i < refCounts.length; i++) {
    const r = refCounts[i];
    const o = otherCounts[i];
    if (!(r >= 0) || !(o >= 0)) throw new RangeError('chiSquaredHomogeneity: counts must be non-negative numbers');
    if (r + o > 0) {
      ref.push(r);
      oth.push(o);
    }
  }
  const k = ref.length;
  const rowRef = ref.reduce((s, v) => s + v, 0);
  const rowOth = oth.reduce((s, v) => s + v, 0);
  const dof = k - 1;
  // An empty sample has nothing to test (scipy raises: an expected count would be 0).
  if (rowRef === 0 || rowOth === 0) return { statistic: Number.NaN, pvalue: Number.NaN, dof: Math.max(dof, 0) };
  if (dof <= 0) return { statistic: 0, pvalue: 1, dof: 0 };
  const total = rowRef + rowOth;
  let stat = 0;
  for (const [row, rowTotal] of [[ref, rowRef], [oth, rowOth]] as const) {
    for (let c = 0; c < k; c++) {
      const expected = (rowTotal * (ref[c] + oth[c])) / total;
      let observed = row[c];
      if (dof === 1) {
        const diff = expected - observed;
        observed += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      stat += ((observed - expected) ** 2) / expected;
    }
  }
  return { statistic: stat, pvalue: chiSquaredSf(stat, dof), dof };
}
