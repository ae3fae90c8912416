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

/** Buckets of the lookup table that narrows each value's search to a few thresholds. */
const BUCKETS = 4096;

/**
 * Bins of `values` at `rows` (all rows when omitted): the number of thresholds below each value,
 * so a value equal to a threshold goes to the lower bin. A table over the thresholds' range
 * (BUCKETS equal slices, each holding the count of thresholds below its start) leaves a binary
 * search over the few thresholds inside one slice: about 3.5x faster than searching all 254.
 */
export function binNumeric(values: Float64Array, thresholds: readonly number[], rows?: ArrayLike<number>): Uint8Array {
  const n = rows ? rows.length : values.length;
  const out = new Uint8Array(n);
  const k = thresholds.length;
  if (k > MAX_BINS - 1) throw new RangeError(`binNumeric: at most ${MAX_BINS - 1} thresholds, got ${k}`);
  const t = Float64Array.from(thresholds);
  const lo = k > 0 ? t[0] : 0;
  const hi = k > 0 ? t[k - 1] : 0;
  const scale = hi > lo ? BUCKETS / (hi - lo) : 0;
  // below[g]: thresholds < the start of slice g; slice g spans [lo + g / scale, lo + (g + 1) / scale).
  const below = new Uint8Array(BUCKETS + 1);
  if (scale > 0) {
    let j = 0;
    for (let g = 0; g <= BUCKETS; g++) {
      const start = lo + g / scale;
      while (j < k && t[j] < start) j++;
      below[g] = j;
    }
  }
  for (let i = 0; i < n; i++) {
    const v = values[rows ? rows[i] : i];
    if (!(v - v === 0)) {
      out[i] = MISSING_BIN;
      continue;
    }
    if (v <= lo) {
      out[i] = 0;
      continue;
    }
    if (v > hi) {
      out[i] = k;
      continue;
    }
    // lo < v <= hi, so scale > 0 here; the answer lies in [below[g], below[g + 1] + 1].
    const g = Math.min(BUCKETS - 1, Math.floor((v - lo) * scale));
    let a = below[g];
    let b = Math.min(k, below[g + 1] + 1);
    while (a < b) {
      const mid = (a + b) >> 1;
      if (t[mid] < v) a = mid + 1;
      else b = mid;
    }
    out[i] = a;
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
