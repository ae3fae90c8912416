/**
 * Column statistics for diagnostics and hovers, cached per column version so an edit that
 * touches one cell recomputes one column. Median and MAD use selection, not sorting.
 */
import { FEW_ODD_MAX_DISTINCT, isMostlyNumeric, stringKind } from '../core/columnKind';
import { dateFormat } from '../core/dates/dateFormat';
import { epochUnit, headerSaysEpoch, inferDateFormat, type EpochUnit, type FormatCount } from '../core/dates/inferDates';
import type { ColumnType } from '../core/table';
import { CellKind, MISSING_SPELLINGS } from './csvScanner';
import { FLAG_UNTERMINATED } from './recordStore';
import type { CsvModel } from './csvModel';

export interface ColumnStats {
  readonly version: number;
  /** The column's kind, decided as the CLI's ingest decides it (src/core/columnKind.ts). */
  readonly type: ColumnType;
  /** A datetime column: how its cells are read, and which of them are not dates. */
  readonly date?: DateReading;
  /** A column of dates written in several formats (read as text). */
  readonly mixedDates?: readonly FormatCount[];
  /** Cells present in the row (not cut off by a short row). */
  readonly present: number;
  readonly missing: number;
  readonly numbers: number;
  readonly texts: number;
  /** Dictionary codes of text cells that spell a missing value not in the missing tokens. */
  readonly missingSpellings: ReadonlySet<number>;
  /** Non-missing values (numbers plus texts). */
  readonly count: number;
  /**
   * Distinct non-missing values. When `distinctCapped`, the numbers were counted only up to 21
   * (numeric columns) or 1001 (categorical ones) and `categories` holds the text values only.
   */
  readonly distinct: number;
  readonly distinctCapped: boolean;
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

/** How a datetime column's cells are read. */
export interface DateReading {
  /** The strftime format of its text cells, or `epoch <unit>` for numbers a header marks as timestamps. */
  readonly format: string;
  readonly epoch?: EpochUnit;
  /** Dictionary codes of text cells that are not dates in the format (all text cells of an epoch column). */
  readonly oddCodes: ReadonlySet<number>;
  /** A value the format reads, as an example for messages. */
  readonly example: string;
  /** Cells read as dates (rows the ingest reads). */
  readonly cells: number;
}

/** What one pass over a column's kinds finds (module-level and reused: no allocation per column). */
const pass = { numbers: 0, missing: 0, texts: 0, sum: 0, lo: Infinity, hi: -Infinity };

/*
 * Each loop below is its own small function: V8 optimises a function with the feedback its
 * paths have gathered so far, so one large function holding every loop is compiled on its
 * first loop and thrown away at each later one it had not seen (a dozen times per check of a
 * fresh server). Small functions are compiled once each.
 */

/** Kinds, text counts per code, and the numbers in row order (into `all`) with their sum and range. */
function readColumn(kinds: Uint8Array, values: Float64Array | null, codes: Int32Array | null, n: number, all: Float64Array, codeCounts: Int32Array): void {
  let numbers = 0;
  let missing = 0;
  let texts = 0;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let r = 0; r < n; r++) {
    const k = kinds[r];
    if (k === CellKind.Number) {
      const v = values![r];
      all[numbers++] = v;
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    } else if (k === CellKind.Missing) missing++;
    else if (k === CellKind.Text) {
      texts++;
      codeCounts[codes![r]]++;
    }
  }
  pass.numbers = numbers;
  pass.missing = missing;
  pass.texts = texts;
  pass.sum = sum;
  pass.lo = lo;
  pass.hi = hi;
}

/** Sum of squared deviations from `mean`, and ten equal-width bins from `min` (into `bins`). */
function squaresAndBins(xs: Float64Array, n: number, mean: number, min: number, width: number, bins: Int32Array): number {
  let ss = 0;
  if (width > 0) {
    for (let i = 0; i < n; i++) {
      const v = xs[i];
      ss += (v - mean) * (v - mean);
      // (v - min) / width is >= 0, so truncation is the floor.
      const b = ((v - min) / width) | 0;
      bins[b < 9 ? b : 9]++;
    }
  } else {
    for (let i = 0; i < n; i++) ss += (xs[i] - mean) * (xs[i] - mean);
    bins[0] = n;
  }
  return ss;
}

/** |v - center| of the column's numbers into `xs`; sets pass.sum (their sum) and pass.hi (their maximum). */
function deviations(kinds: Uint8Array, values: Float64Array, n: number, center: number, xs: Float64Array): void {
  let sum = 0;
  let hi = 0;
  let j = 0;
  for (let r = 0; r < n; r++) {
    if (kinds[r] !== CellKind.Number) continue;
    const d = Math.abs(values[r] - center);
    xs[j++] = d;
    sum += d;
    if (d > hi) hi = d;
  }
  pass.sum = sum;
  pass.hi = hi;
}

/** Counts of the column's numbers by value while there are at most `limit` distinct ones; undefined past that. */
function fewNumbers(kinds: Uint8Array, values: Float64Array, n: number, limit: number): Map<number, number> | undefined {
  const seen = new Map<number, number>();
  for (let r = 0; r < n; r++) {
    if (kinds[r] !== CellKind.Number) continue;
    const v = values[r];
    const k = seen.get(v);
    if (k !== undefined) seen.set(v, k + 1);
    else if (seen.size === limit) return undefined;
    else seen.set(v, 1);
  }
  return seen;
}

/** Rows the ingest skips (another field count than the header, a quote never closed). */
function skippedRows(model: CsvModel): number[] {
  const store = model.store;
  const ncols = model.cols.length;
  const out: number[] = [];
  for (let r = 0; r < store.n; r++) if (store.fields[r] !== ncols || store.flags[r] & FLAG_UNTERMINATED) out.push(r);
  return out;
}

/**
 * The column's kind, decided as the ingest decides it (src/core/columnKind.ts) on the cells the
 * ingest reads: rows it skips are left out, and missing-value spellings that are not missing
 * tokens are values there, so they count as odd cells here too. Strings are the model's
 * (trimmed) text; numbers in a column of strings count as their shortest text.
 */
function ingestKind(model: CsvModel, c: number, numbers: number, texts: number, codeCounts: Int32Array, tolerance: number): { type: ColumnType; date?: DateReading; mixedDates?: readonly FormatCount[] } {
  const kinds = model.store.kinds[c];
  const codes = model.store.codes[c];
  const skipped = skippedRows(model);
  let kept: Int32Array = codeCounts;
  if (skipped.length > 0) {
    kept = codeCounts.slice();
    for (const r of skipped) {
      if (kinds[r] === CellKind.Number) numbers--;
      else if (kinds[r] === CellKind.Text) {
        texts--;
        kept[codes![r]]--;
      }
    }
  }
  let distinct = 0;
  for (let code = 0; code < kept.length && distinct <= FEW_ODD_MAX_DISTINCT; code++) if (kept[code] > 0) distinct++;
  const skippedSet = skipped.length > 0 ? new Set(skipped) : undefined;
  if (isMostlyNumeric(numbers, texts, distinct, tolerance)) {
    if (!headerSaysEpoch(model.cols[c].name)) return { type: 'numeric' };
    const kept64 = new Float64Array(numbers);
    const values64 = model.store.values[c]!;
    let k = 0;
    for (let r = 0; r < model.store.n; r++) if (kinds[r] === CellKind.Number && !skippedSet?.has(r)) kept64[k++] = values64[r];
    const unit = epochUnit(kept64.sort());
    if (unit === undefined) return { type: 'numeric' };
    const oddCodes = new Set<number>();
    for (let code = 0; code < kept.length; code++) if (kept[code] > 0) oddCodes.add(code);
    return { type: 'datetime', date: { format: `epoch ${unit}`, epoch: unit, oddCodes, example: String(kept64[0]), cells: numbers } };
  }
  const values: string[] = [...model.cols[c].strings];
  const counts: number[] = Array.from(kept);
  if (numbers > 0) {
    // Numbers as text, one entry per distinct value (kept rows only).
    const values64 = model.store.values[c]!;
    const byValue = new Map<number, number>();
    for (let r = 0; r < model.store.n; r++) {
      if (kinds[r] !== CellKind.Number || skippedSet?.has(r)) continue;
      byValue.set(values64[r], (byValue.get(values64[r]) ?? 0) + 1);
    }
    for (const [v, n] of byValue) {
      values.push(String(v));
      counts.push(n);
    }
  }
  const dates = inferDateFormat(values, counts, tolerance);
  if (dates.kind === 'datetime') {
    const f = dateFormat(dates.format);
    const oddCodes = new Set<number>();
    let example = '';
    model.cols[c].strings.forEach((v, code) => {
      if (!(kept[code] > 0)) return;
      if (f.parse(v.trim()) === undefined) oddCodes.add(code);
      else if (example === '') example = v.trim();
    });
    return { type: 'datetime', date: { format: dates.format, oddCodes, example, cells: dates.cells } };
  }
  const type = stringKind(values, counts);
  return dates.kind === 'mixed' ? { type, mixedDates: dates.formats } : { type };
}

export function computeColumnStats(model: CsvModel, c: number, numericTolerance: number): ColumnStats {
  const meta = model.cols[c];
  const store = model.store;
  const n = store.n;
  const kinds = store.kinds[c];
  const values = store.values[c];
  const codeCounts = new Int32Array(meta.strings.length);
  const all = scratchFloat64(n);
  readColumn(kinds, values, store.codes[c], n, all, codeCounts);
  const { numbers, missing, texts, sum, lo, hi } = pass;
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
  const kind = ingestKind(model, c, numbers, texts, codeCounts, numericTolerance);
  const type = kind.type;
  let mean = NaN;
  let std = NaN;
  let min = NaN;
  let max = NaN;
  let median = NaN;
  let mad = NaN;
  let meanAbsDev = NaN;
  let histogram: number[] = [];
  let distinctCapped = false;
  let numberDistinctAtLeast = 0;
  const counts = new Map<string, number>();
  if (numbers > 0) {
    min = lo;
    max = hi;
    mean = sum / numbers;
    // Sum of squares and the histogram before selection reorders the values.
    const bins = new Int32Array(10);
    const ss = squaresAndBins(all, numbers, mean, min, (max - min) / 10, bins);
    histogram = Array.from(bins);
    std = numbers > 1 ? Math.sqrt(ss / (numbers - 1)) : NaN;
    // Median and MAD by selection on the scratch copy, which selection overwrites: the
    // deviations are then taken from the column itself.
    median = medianInPlace(all, numbers, lo, hi);
    deviations(kinds, values!, n, median, all);
    meanAbsDev = pass.sum / numbers;
    mad = medianInPlace(all, numbers, 0, pass.hi);
    // Numbers as categories while they are few: labels such as 0/1, and mixed columns. The
    // count stops at `limit`, so a column of many distinct numbers costs a few rows, not all.
    const limit = type === 'numeric' ? 20 : 1000;
    const seen = fewNumbers(kinds, values!, n, limit);
    if (seen) for (const [v, k] of seen) counts.set(String(v), (counts.get(String(v)) ?? 0) + k);
    else {
      distinctCapped = true;
      numberDistinctAtLeast = limit + 1;
    }
  }
  for (let code = 0; code < codeCounts.length; code++) {
    if (codeCounts[code] > 0 && !missingSpellings.has(code)) counts.set(meta.strings[code], (counts.get(meta.strings[code]) ?? 0) + codeCounts[code]);
  }
  const categories = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const distinct = categories.length + numberDistinctAtLeast;
  return {
    version: meta.version,
    type,
    ...(kind.date ? { date: kind.date } : {}),
    ...(kind.mixedDates ? { mixedDates: kind.mixedDates } : {}),
    present: numbers + missing + texts,
    missing: missing + spelled,
    numbers,
    texts,
    missingSpellings,
    count: numbers + realTexts,
    distinct,
    distinctCapped,
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

let scratch = new Float64Array(0);

/**
 * One buffer for the numbers of whichever column is being summarised: allocating one per
 * column per check churns the allocator, which keeps the memory after the arrays are freed.
 */
function scratchFloat64(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(Math.ceil(n * 1.25));
  return scratch;
}

/** Lets the scratch buffer go (after a large document's check, before a collection). */
export function releaseStatsScratch(): void {
  scratch = new Float64Array(0);
}

/** Exact distinct counts already computed, per statistics object (one per column version). */
const distinctCounts = new WeakMap<ColumnStats, number>();

/**
 * Exact distinct non-missing values (numbers by value, -0 = 0 as in a Set), for hovers and
 * profile requests; computed once per column version.
 */
export function exactDistinct(model: CsvModel, c: number, stats: ColumnStats): number {
  if (!stats.distinctCapped) return stats.distinct;
  let numbers = distinctCounts.get(stats);
  if (numbers === undefined) {
    numbers = distinctNumbers(model.store.kinds[c], model.store.values[c]!, model.store.n, stats.numbers);
    distinctCounts.set(stats, numbers);
  }
  return numbers + stats.categories.length;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Distinct values among the `count` numbers of a column: open addressing over their bits (NaN marks an empty slot; cells are never NaN). */
function distinctNumbers(kinds: Uint8Array, values: Float64Array, rows: number, count: number): number {
  let size = 16;
  while (size < count * 2) size *= 2;
  const table = new Float64Array(size).fill(NaN);
  const mask = size - 1;
  let distinct = 0;
  for (let r = 0; r < rows; r++) {
    if (kinds[r] !== CellKind.Number) continue;
    const v = values[r] === 0 ? 0 : values[r];
    F64[0] = v;
    let h = Math.imul(U32[0] ^ Math.imul(U32[1], 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 15;
    let slot = h & mask;
    for (;;) {
      const t = table[slot];
      if (t !== t) {
        table[slot] = v;
        distinct++;
        break;
      }
      if (t === v) break;
      slot = (slot + 1) & mask;
    }
  }
  return distinct;
}

/** Median of xs[0, n) with values in [lo, hi] (xs is overwritten): the mean of the two middle values for even n. */
export function medianInPlace(xs: Float64Array, n: number, lo: number, hi: number): number {
  if (n === 0) return NaN;
  const upper = selectInPlace(xs, n, n >> 1, lo, hi);
  return n % 2 === 1 ? upper : (selectedBelow + upper) / 2;
}

const BUCKETS = 4096;
const bucketCounts = new Int32Array(BUCKETS);
/** After selectInPlace(.., k, ..): the (k-1)-th smallest (-Infinity when k = 0). */
let selectedBelow = -Infinity;

/**
 * k-th smallest (0-based) of xs[0, n), whose values lie in [lo, hi]; also sets `selectedBelow`
 * to the (k-1)-th. Bucket selection: count the values per equal-width bucket, keep only the
 * bucket holding rank k (moved to the front of `xs`, which is overwritten) and remember the
 * largest value of the buckets below it, and repeat on the kept bucket; small or unbucketable
 * remainders finish by quickselect. Two linear passes per round instead of quickselect's swaps
 * over the whole column.
 */
export function selectInPlace(xs: Float64Array, n: number, k: number, lo: number, hi: number): number {
  let below = -Infinity;
  for (;;) {
    const scale = BUCKETS / (hi - lo);
    if (!(hi > lo)) {
      // All remaining values are equal.
      selectedBelow = k > 0 ? lo : below;
      return lo;
    }
    if (n <= 512 || !Number.isFinite(scale) || scale === 0) {
      const sub = xs.subarray(0, n);
      const v = select(sub, k);
      let m = below;
      for (let i = 0; i < k; i++) if (sub[i] > m) m = sub[i];
      selectedBelow = m;
      return v;
    }
    const counts = bucketCounts;
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const b = ((xs[i] - lo) * scale) | 0;
      counts[b < BUCKETS ? b : BUCKETS - 1]++;
    }
    let b = 0;
    let before = 0;
    while (before + counts[b] <= k) before += counts[b++];
    // Compact the chosen bucket's values to the front; the bucket test is the counting one.
    let m = 0;
    let nlo = Infinity;
    let nhi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = xs[i];
      let vb = ((v - lo) * scale) | 0;
      if (vb >= BUCKETS) vb = BUCKETS - 1;
      if (vb === b) {
        xs[m++] = v;
        if (v < nlo) nlo = v;
        if (v > nhi) nhi = v;
      } else if (vb < b && v > below) below = v;
    }
    n = m;
    k -= before;
    lo = nlo;
    hi = nhi;
  }
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
  if (stats.type !== 'numeric') return true;
  return stats.distinct <= 20 && stats.categories.every(([v]) => Number.isInteger(Number(v)));
}

const BARS = '▁▂▃▄▅▆▇█';

export function sparkline(counts: readonly number[]): string {
  const max = Math.max(...counts, 0);
  if (max === 0) return '';
  return counts.map((c) => (c === 0 ? ' ' : BARS[Math.min(7, Math.floor((c / max) * 7.999))])).join('');
}
