/**
 * Column statistics for diagnostics and hovers, cached per column version so an edit that
 * touches one cell recomputes one column. Median and MAD use selection, not sorting.
 */
import { CellKind, MISSING_SPELLINGS } from './csvScanner';
import type { CsvModel } from './csvModel';

export interface ColumnStats {
  readonly version: number;
  readonly type: 'numeric' | 'categorical';
  /** Cells present in the row (not cut off by a short row). */
  readonly present: number;
  readonly missing: number;
  readonly numbers: number;
  readonly texts: number;
  /** Dictionary codes of text cells that spell a missing value not in the missing tokens. */
  readonly missingSpellings: ReadonlySet<number>;
  /** Non-missing values (numbers plus texts). */
  readonly count: number;
  /** Distinct non-missing values; numbers are counted only up to DISTINCT_CAP + 1. */
  readonly distinct: number;
  readonly mean: number;
  /** Sample standard deviation (n - 1), as pandas' describe. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly median: number;
  /** Median absolute deviation from the median (unscaled). */
  readonly mad: number;
  /** Mean absolute deviation from the median: the fallback scale when the MAD is 0. */
  readonly meanAbsDev: number;
  /** Ten equal-width bins from min to max (numeric). */
  readonly histogram: readonly number[];
  /** Value counts, most frequent first (categorical; numeric columns with few distinct values too). */
  readonly categories: readonly (readonly [string, number])[];
  /** Text cells per dictionary code. */
  readonly codeCounts: Int32Array;
}

export function computeColumnStats(model: CsvModel, c: number, numericTolerance: number): ColumnStats {
  const meta = model.cols[c];
  const store = model.store;
  const n = store.n;
  const kinds = store.kinds[c];
  const codes = store.codes[c];
  const values = store.values[c];
  const codeCounts = new Int32Array(meta.strings.length);
  let numbers = 0;
  let missing = 0;
  let texts = 0;
  for (let r = 0; r < n; r++) {
    const k = kinds[r];
    if (k === CellKind.Number) numbers++;
    else if (k === CellKind.Missing) missing++;
    else if (k === CellKind.Text) {
      texts++;
      codeCounts[codes![r]]++;
    }
  }
  const missingSpellings = new Set<number>();
  let spelled = 0;
  for (let code = 0; code < codeCounts.length; code++) {
    if (codeCounts[code] === 0) continue;
    const s = meta.strings[code];
    if (MISSING_SPELLINGS.has(s.toLowerCase()) && !model.missing.has(s)) {
      missingSpellings.add(code);
      spelled += codeCounts[code];
    }
  }
  const realTexts = texts - spelled;
  const type = numbers > 0 && realTexts <= numericTolerance * (numbers + realTexts) ? 'numeric' : 'categorical';
  let mean = NaN;
  let std = NaN;
  let min = NaN;
  let max = NaN;
  let median = NaN;
  let mad = NaN;
  let meanAbsDev = NaN;
  let histogram: number[] = [];
  const counts = new Map<string, number>();
  if (numbers > 0) {
    const xs = new Float64Array(numbers);
    let j = 0;
    let sum = 0;
    min = Infinity;
    max = -Infinity;
    for (let r = 0; r < n; r++) {
      if (kinds[r] !== CellKind.Number) continue;
      const v = values![r];
      xs[j++] = v;
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    mean = sum / numbers;
    let ss = 0;
    for (let i = 0; i < numbers; i++) ss += (xs[i] - mean) * (xs[i] - mean);
    std = numbers > 1 ? Math.sqrt(ss / (numbers - 1)) : NaN;
    median = medianInPlace(xs);
    let absSum = 0;
    for (let i = 0; i < numbers; i++) {
      const d = Math.abs(xs[i] - median);
      xs[i] = d;
      absSum += d;
    }
    meanAbsDev = absSum / numbers;
    mad = medianInPlace(xs);
    histogram = new Array<number>(10).fill(0);
    const width = (max - min) / 10;
    for (let r = 0; r < n; r++) {
      if (kinds[r] !== CellKind.Number) continue;
      const b = width > 0 ? Math.min(9, Math.floor((values![r] - min) / width)) : 0;
      histogram[b]++;
    }
    if (type === 'categorical' || numbers <= 1000) {
      // Numbers as categories: for mixed columns, and for small integer label columns.
      const seen = new Map<number, number>();
      for (let r = 0; r < n && seen.size <= 1000; r++) if (kinds[r] === CellKind.Number) seen.set(values![r], (seen.get(values![r]) ?? 0) + 1);
      if (seen.size <= 1000) for (const [v, k] of seen) counts.set(String(v), (counts.get(String(v)) ?? 0) + k);
    }
  }
  for (let code = 0; code < codeCounts.length; code++) {
    if (codeCounts[code] > 0 && !missingSpellings.has(code)) counts.set(meta.strings[code], (counts.get(meta.strings[code]) ?? 0) + codeCounts[code]);
  }
  const categories = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  let distinct = categories.length;
  if (numbers > 1000) {
    let textDistinct = 0;
    for (let code = 0; code < codeCounts.length; code++) if (codeCounts[code] > 0 && !missingSpellings.has(code)) textDistinct++;
    distinct = countDistinctNumbers(values!, kinds, n, DISTINCT_CAP) + textDistinct;
  }
  return {
    version: meta.version,
    type,
    present: numbers + missing + texts,
    missing: missing + spelled,
    numbers,
    texts,
    missingSpellings,
    count: numbers + realTexts,
    distinct,
    mean,
    std,
    min,
    max,
    median,
    mad,
    meanAbsDev,
    histogram,
    categories,
    codeCounts,
  };
}

/** Distinct numbers are counted up to this many; beyond it `distinct` says "at least". */
export const DISTINCT_CAP = 1000;

function countDistinctNumbers(values: Float64Array, kinds: Uint8Array, n: number, cap: number): number {
  const set = new Set<number>();
  for (let r = 0; r < n && set.size <= cap; r++) if (kinds[r] === CellKind.Number) set.add(values[r]);
  return set.size;
}

/** Median by quickselect (reorders `xs`); the mean of the two middle values for even lengths. */
export function medianInPlace(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const hi = select(xs, n >> 1);
  if (n % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (xs[i] > lo) lo = xs[i];
  return (lo + hi) / 2;
}

/** k-th smallest (0-based); afterwards xs[0..k) <= xs[k] <= xs(k..]. */
function select(xs: Float64Array, k: number): number {
  let left = 0;
  let right = xs.length - 1;
  while (right > left) {
    const pivot = xs[(left + right) >> 1];
    let i = left;
    let j = right;
    while (i <= j) {
      while (xs[i] < pivot) i++;
      while (xs[j] > pivot) j--;
      if (i <= j) {
        const t = xs[i];
        xs[i] = xs[j];
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else break;
  }
  return xs[k];
}

/** Whether a column is a classification label: text, or at most 20 distinct integers (the trainer's rule). */
export function isClassLabel(stats: ColumnStats): boolean {
  if (stats.type === 'categorical') return true;
  return stats.distinct <= 20 && stats.categories.every(([v]) => Number.isInteger(Number(v)));
}

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 0);
  if (max === 0) return '';
  return counts.map((c) => (c === 0 ? ' ' : BARS[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}
