/**
 * Modes of a numeric column, for the outlier check: a column that mixes groups (penguins' body
 * mass on an island with two species, prices of two product lines) has a value distribution
 * with several humps, and the ordinary values of the smaller group sit far from the column's
 * median. Judged against the whole column they look extreme; judged within their own hump they
 * are not. This splits the sorted values at deep valleys of a smoothed histogram, keeping only
 * humps that hold a real share of the values, so a handful of extreme values never makes a mode
 * of its own (they stay outliers of the nearest mode). Pure; no LSP types.
 */

/** Smallest share of the values a mode must hold to count as one. */
export const MIN_MODE_SHARE = 0.1;
/** Smallest number of values in a mode. */
export const MIN_MODE_VALUES = 10;
/** A valley splits two modes when its height is at most this share of the lower of the two peaks. */
const VALLEY_RATIO = 0.5;

export interface Mode {
  /** Values from `low` to `high` (inclusive) belong to this mode (the outer modes reach to ±infinity). */
  readonly low: number;
  readonly high: number;
  /** How many values it holds. */
  readonly count: number;
  readonly median: number;
  /** Median absolute deviation from the mode's median. */
  readonly mad: number;
}

function median(sorted: Float64Array, from: number, to: number): number {
  const n = to - from;
  const m = from + (n >> 1);
  return n % 2 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}

function madOf(sorted: Float64Array, from: number, to: number, med: number): number {
  const dev = new Float64Array(to - from);
  for (let i = from; i < to; i++) dev[i - from] = Math.abs(sorted[i] - med);
  dev.sort();
  return median(dev, 0, dev.length);
}

/**
 * The modes of `values` (any order, finite numbers), lowest first; one mode when the column has
 * a single hump or too few values to tell. Each mode's median and MAD are computed from its own
 * values exactly (the median and MAD of the whole column when there is one mode).
 */
export function findModes(values: ArrayLike<number>): Mode[] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const whole = (): Mode[] => {
    if (!n) return [];
    const med = median(sorted, 0, n);
    return [{ low: -Infinity, high: Infinity, count: n, median: med, mad: madOf(sorted, 0, n, med) }];
  };
  if (n < 2 * MIN_MODE_VALUES || sorted[0] === sorted[n - 1]) return whole();
  // Histogram over the values' range, smoothed with a [1, 2, 1] kernel.
  const bins = Math.max(10, Math.min(40, Math.round(Math.sqrt(n))));
  const lo = sorted[0];
  const width = (sorted[n - 1] - lo) / bins;
  const counts = new Float64Array(bins);
  for (let i = 0; i < n; i++) counts[Math.min(bins - 1, Math.floor((sorted[i] - lo) / width))]++;
  const smooth = new Float64Array(bins);
  for (let b = 0; b < bins; b++) smooth[b] = ((b > 0 ? counts[b - 1] : 0) + 2 * counts[b] + (b < bins - 1 ? counts[b + 1] : 0)) / 4;
  // Peaks: local maxima (plateaus count once, at their first bin).
  const peaks: number[] = [];
  for (let b = 0; b < bins; b++) {
    const left = b > 0 ? smooth[b - 1] : -1;
    let r = b;
    while (r + 1 < bins && smooth[r + 1] === smooth[b]) r++;
    const right = r + 1 < bins ? smooth[r + 1] : -1;
    if (smooth[b] > left && smooth[b] > right) peaks.push(b);
    b = r;
  }
  // Split points: the deepest bin between neighbouring peaks, where it is deep enough.
  const cuts: number[] = [];
  let last = peaks[0];
  for (let k = 1; k < peaks.length; k++) {
    const p = peaks[k];
    let valley = last + 1;
    for (let b = last + 1; b < p; b++) if (smooth[b] < smooth[valley]) valley = b;
    if (smooth[valley] <= VALLEY_RATIO * Math.min(smooth[last], smooth[p])) {
      cuts.push(lo + (valley + 0.5) * width);
      last = p;
    } else if (smooth[p] > smooth[last]) last = p;
  }
  if (!cuts.length) return whole();
  // Index ranges of the candidate modes; a mode too small to count joins its neighbour.
  let ranges: [number, number][] = [];
  let start = 0;
  for (const cut of cuts) {
    let end = start;
    while (end < n && sorted[end] <= cut) end++;
    ranges.push([start, end]);
    start = end;
  }
  ranges.push([start, n]);
  const minCount = Math.max(MIN_MODE_VALUES, Math.ceil(MIN_MODE_SHARE * n));
  for (let changed = true; changed && ranges.length > 1; ) {
    changed = false;
    const small = ranges.findIndex(([a, b]) => b - a < minCount);
    if (small >= 0) {
      // Join the smaller neighbour: a stray bump merges into the hump beside it.
      const into = small === 0 ? 1 : small === ranges.length - 1 ? small - 1 : ranges[small - 1][1] - ranges[small - 1][0] <= ranges[small + 1][1] - ranges[small + 1][0] ? small - 1 : small + 1;
      const [a, b] = [Math.min(small, into), Math.max(small, into)];
      ranges = [...ranges.slice(0, a), [ranges[a][0], ranges[b][1]], ...ranges.slice(b + 1)];
      changed = true;
    }
  }
  if (ranges.length < 2) return whole();
  return ranges.map(([a, b], k) => {
    const med = median(sorted, a, b);
    return {
      low: k === 0 ? -Infinity : sorted[a],
      high: k === ranges.length - 1 ? Infinity : sorted[b - 1],
      count: b - a,
      median: med,
      mad: madOf(sorted, a, b, med),
    };
  });
}

/** The mode a value belongs to: the one whose range holds it, else (between two ranges) the nearer one. */
export function modeOf(modes: readonly Mode[], x: number): Mode {
  for (let k = 0; k < modes.length; k++) {
    const m = modes[k];
    if (x <= m.high) {
      if (x >= m.low || k === 0) return m;
      const prev = modes[k - 1];
      return x - prev.high <= m.low - x ? prev : m;
    }
  }
  return modes[modes.length - 1];
}
