/**
 * Histogram binning for the boosted trees (histogramBoosting.ts), as scikit-learn's
 * HistGradientBoosting bins: a numeric feature is cut into at most 255 bins at quantile
 * midpoints of its values (every distinct value its own bin when there are at most 255), a
 * categorical feature gets one bin per category (the 255 most frequent), and bin 255 holds
 * missing values (and, at prediction time, categories never seen in training).
 */

/** Bins 0..254 hold values; this one holds missing values. */
export const MISSING_BIN = 255;
export const MAX_BINS = 255;

/** How one feature's raw values become bins; plain JSON so a saved model can bin new rows. */
export type FeatureBinning =
  | { readonly kind: 'numeric'; readonly thresholds: readonly number[] }
  | { readonly kind: 'categorical'; readonly categories: readonly string[] };

/**
 * Cut points of a numeric feature from its finite values at `rows` (all rows when omitted): the
 * midpoints between consecutive distinct values when there are at most `maxBins`, else
 * quantile cut points (numpy's 'linear' method), de-duplicated. With more than `subsample`
 * rows, the values of evenly spaced rows are used (scikit-learn also bins from a 200,000-row
 * subsample).
 */
export function numericThresholds(values: Float64Array, rows?: ArrayLike<number>, maxBins = MAX_BINS, subsample = Infinity): number[] {
  const n = rows ? rows.length : values.length;
  // Past `subsample` rows, evenly spaced rows are read (their finite values), not every row.
  const take = Math.min(n, subsample);
  const step = n / take;
  const buf = new Float64Array(take);
  let m = 0;
  for (let j = 0; j < take; j++) {
    const i = take === n ? j : Math.floor(j * step);
    const v = values[rows ? rows[i] : i];
    if (Number.isFinite(v)) buf[m++] = v;
  }
  const finite = buf.subarray(0, m).sort();
  const distinct: number[] = [];
  for (const v of finite) if (distinct.length === 0 || distinct[distinct.length - 1] !== v) distinct.push(v);
  if (distinct.length <= maxBins) {
    const thresholds: number[] = [];
    for (let i = 0; i + 1 < distinct.length; i++) thresholds.push((distinct[i] + distinct[i + 1]) / 2);
    return thresholds;
  }
  const set: number[] = [];
  for (let b = 1; b < maxBins; b++) {
    const h = ((finite.length - 1) * b) / maxBins;
    const lo = Math.floor(h);
    const t = finite[lo] + (h - lo) * (finite[Math.min(lo + 1, finite.length - 1)] - finite[lo]);
    if (set.length === 0 || t > set[set.length - 1]) set.push(t);
  }
  return set;
}

/** Bins of `values` at `rows` (all rows when omitted): values equal to a threshold go to the lower bin. */
export function binNumeric(values: Float64Array, thresholds: readonly number[], rows?: ArrayLike<number>): Uint8Array {
  const n = rows ? rows.length : values.length;
  const out = new Uint8Array(n);
  if (thresholds.length > MAX_BINS - 1) throw new RangeError(`binNumeric: at most ${MAX_BINS - 1} thresholds, got ${thresholds.length}`);
  // Padded to 255 with +Infinity, the search is 8 fixed halving steps: the number of thresholds
  // below v, i.e. the first threshold >= v (a value equal to a threshold goes to the lower bin).
  const t = new Float64Array(MAX_BINS).fill(Infinity);
  t.set(thresholds);
  for (let i = 0; i < n; i++) {
    const v = values[rows ? rows[i] : i];
    if (!(v - v === 0)) {
      out[i] = MISSING_BIN;
      continue;
    }
    let lo = 0;
    if (t[lo + 127] < v) lo += 128;
    if (t[lo + 63] < v) lo += 64;
    if (t[lo + 31] < v) lo += 32;
    if (t[lo + 15] < v) lo += 16;
    if (t[lo + 7] < v) lo += 8;
    if (t[lo + 3] < v) lo += 4;
    if (t[lo + 1] < v) lo += 2;
    if (t[lo] < v) lo += 1;
    out[i] = lo;
  }
  return out;
}

/**
 * The categories of a categorical feature, from their counts: the `maxBins` most frequent
 * (ties by name), sorted by name so bins do not depend on row order.
 */
export function categoricalCategories(counts: ReadonlyMap<string, number>, maxBins = MAX_BINS): string[] {
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return ranked
    .slice(0, maxBins)
    .map(([c]) => c)
    .sort();
}

/** Bins of categorical cells given as strings (undefined = missing); unknown categories go to the missing bin. */
export function binCategorical(cells: ArrayLike<string | undefined>, categories: readonly string[]): Uint8Array {
  const index = new Map(categories.map((c, i) => [c, i]));
  const out = new Uint8Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    out[i] = c === undefined ? MISSING_BIN : (index.get(c) ?? MISSING_BIN);
  }
  return out;
}
