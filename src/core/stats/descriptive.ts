/** Descriptive statistics on finite values (the caller drops missing values first). */

/** Arithmetic mean; NaN for an empty sample. Two-pass (mean of deviations added back) for accuracy. */
export function mean(v: ArrayLike<number>): number {
  const n = v.length;
  if (n === 0) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += v[i];
  const m = s / n;
  let c = 0;
  for (let i = 0; i < n; i++) c += v[i] - m;
  return m + c / n;
}

/** Sample standard deviation with ddof = 1 (numpy.std(v, ddof=1), pandas .std()); NaN if n < 2. */
export function std(v: ArrayLike<number>): number {
  const n = v.length;
  if (n < 2) return Number.NaN;
  const m = mean(v);
  let ss = 0;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const d = v[i] - m;
    ss += d * d;
    c += d;
  }
  return Math.sqrt((ss - (c * c) / n) / (n - 1));
}

/**
 * Quantile with numpy's default 'linear' method, where element i of the ascending-sorted sample
 * is `at(i)`: position h = (n - 1) q, result = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]),
 * computed from the upper end when the fraction is >= 0.5, as numpy's _lerp does.
 */
export function quantileAt(n: number, q: number, at: (i: number) => number): number {
  if (n === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const frac = h - lo;
  const a = at(lo);
  if (lo + 1 >= n) return a;
  const b = at(lo + 1);
  const diff = b - a;
  return frac >= 0.5 ? b - diff * (1 - frac) : a + diff * frac;
}

/** numpy.quantile(method='linear') on an ascending-sorted sample. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  return quantileAt(sorted.length, q, (i) => sorted[i]);
}

/** Distinct values of an ascending-sorted sample, in one pass. */
export function countDistinctSorted(sorted: ArrayLike<number>): number {
  let n = sorted.length ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) n++;
  return n;
}

/** Quantiles of an unsorted sample (sorts a copy once). */
export function quantiles(v: ArrayLike<number>, qs: readonly number[]): number[] {
  const sorted = Float64Array.from(v).sort();
  return qs.map((q) => quantileSorted(sorted, q));
}
