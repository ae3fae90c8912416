export interface PooledHistogram {
  /** Bin edges, length bins + 1 (2 for constant data). */
  readonly edges: number[];
  /** Counts of the reference sample per bin. */
  readonly reference: number[];
  /** Counts of the other sample per bin. */
  readonly other: number[];
}

/**
 * Equal-width histogram of two samples over their pooled range, for PSI and Jensen-Shannon on
 * numeric features. Edges are numpy.histogram_bin_edges(concatenate([a, b]), bins):
 * edge_k = min + k (max - min) / bins, last edge = max exactly. Bins are half-open [e_k, e_k+1)
 * except the last, which is closed, and a value's bin is found the way numpy.histogram does
 * (scaled index, then corrected against the actual edges), so counts match numpy exactly.
 * Constant pooled data (max == min) gives a single bin [v - 0.5, v + 0.5] holding everything.
 * Non-finite values are ignored (the caller has already dropped missing values).
 */
export function pooledHistogram(a: Float64Array, b: Float64Array, bins = 30, opts: { presorted?: boolean } = {}): PooledHistogram {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`pooledHistogram: bins must be a positive integer, got ${bins}`);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const s of [a, b]) {
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (lo > hi) return { edges: [], reference: [], other: [] };
  if (lo === hi) {
    const count = (s: Float64Array) => s.reduce((c, v) => c + (Number.isFinite(v) ? 1 : 0), 0);
    return { edges: [lo - 0.5, hi + 0.5], reference: [count(a)], other: [count(b)] };
  }
  const edges = linspaceEdges(lo, hi, bins);
  const count = opts.presorted ? countIntoSorted : countInto;
  return { edges, reference: count(a, edges, bins), other: count(b, edges, bins) };
}

/** numpy.linspace(lo, hi, bins + 1): start + k * step, with the last value set to hi. */
function linspaceEdges(lo: number, hi: number, bins: number): number[] {
  const step = (hi - lo) / bins;
  const edges = new Array<number>(bins + 1);
  for (let k = 0; k <= bins; k++) edges[k] = k * step + lo;
  edges[bins] = hi;
  return edges;
}

/**
 * The same counts for an ascending sample, by binary search: numpy's corrected index puts v in
 * the bin with edges[k] <= v < edges[k+1] (the last bin closed), which is what the searches count.
 */
function countIntoSorted(s: Float64Array, edges: number[], bins: number): number[] {
  const lowerBound = (x: number) => {
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const upperBound = (x: number) => {
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid] <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const counts = new Array<number>(bins);
  let start = lowerBound(edges[0]);
  for (let k = 0; k < bins; k++) {
    const end = k === bins - 1 ? upperBound(edges[bins]) : lowerBound(edges[k + 1]);
    counts[k] = end - start;
    start = end;
  }
  return counts;
}

function countInto(s: Float64Array, edges: number[], bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const first = edges[0];
  const last = edges[bins];
  const norm = bins / (last - first);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (!Number.isFinite(v) || v < first || v > last) continue;
    let k = Math.trunc((v - first) * norm);
    if (k === bins) k -= 1;
    if (v < edges[k]) k -= 1;
    else if (k !== bins - 1 && v >= edges[k + 1]) k += 1;
    counts[k] += 1;
  }
  return counts;
}
