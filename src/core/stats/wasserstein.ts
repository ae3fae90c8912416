import { ascending } from './sortedCopy';
/**
 * First Wasserstein (earth mover's) distance between the empirical distributions of two samples,
 * as scipy.stats.wasserstein_distance(a, b) without weights:
 *   W1 = integral |F_a(x) - F_b(x)| dx = sum_i |F_a(z_i) - F_b(z_i)| (z_{i+1} - z_i)
 * over the sorted pooled values z, with right-continuous ECDFs. Units are those of the data.
 */
// `_opts.presorted` is accepted for callers that pass it; sortedness is detected anyway.
export function wasserstein1(a: Float64Array, b: Float64Array, _opts: { presorted?: boolean } = {}): number {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('wasserstein1: both samples must be non-empty');
  // Already-ascending input (compare.ts sorts each column once) is used as is; the check is O(n),
  // so `presorted` is only a hint and a wrong hint cannot give a wrong number.
  const x = ascending(a);
  const y = ascending(b);
  if (Number.isNaN(x[n1 - 1]) || Number.isNaN(y[n2 - 1])) {
    throw new RangeError('wasserstein1: samples must not contain NaN (drop missing values first)');
  }
  let i = 0;
  let j = 0;
  let total = 0;
  let prev = Math.min(x[0], y[0]);
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
    // Between the previous pooled value and v both ECDFs are flat at i/n1 and j/n2.
    total += Math.abs(i / n1 - j / n2) * (v - prev);
    while (i < n1 && x[i] <= v) i++;
    while (j < n2 && y[j] <= v) j++;
    prev = v;
  }
  return total;
}
