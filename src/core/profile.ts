/**
 * Column profiles: the summary statistics users see for one file. Numeric statistics follow
 * pandas/numpy conventions (std with ddof = 1, quantiles with numpy's default 'linear' method,
 * histograms with numpy.histogram's equal-width bins); see docs/ingest.md.
 */
import { codeCounts } from './columnKind';
import { calendarParts, localTime, MS_PER_DAY } from './dates/calendar';
import { isoInstant, offsetText } from './dates/isoInstant';
import { countDistinctSorted, quantileAt, quantileSorted } from './stats/descriptive';
import { sortedFinite, valueCounts, type ValueCounts } from './sortNumbers';
import { characterLength, countTokens, hasNonAscii, topTokens } from './text/tokens';
import { unknownKind, type CategoricalColumn, type Column, type DataTable, type DatetimeColumn, type NumericColumn, type Problem, type TextColumn } from './table';

export interface ProfileOptions {
  /** Equal-width histogram bins for numeric columns. Default 20. */
  readonly bins?: number;
  /** Quantile levels in [0, 1]. Default DEFAULT_QUANTILES. */
  readonly quantiles?: readonly number[];
  /** How many categories to list for categorical columns. Default 10. */
  readonly topCategories?: number;
  /** How many tokens to list for text columns. Default 20. */
  readonly topTokens?: number;
  /**
   * Numeric columns with at most this many distinct values are summarised by counting values
   * instead of sorting rows (same results, faster). Default 65536; 0 always sorts.
   */
  readonly countDistinctUpTo?: number;
}

export const DEFAULT_QUANTILES: readonly number[] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

export interface Histogram {
  /** bins + 1 ascending edges; bin i holds edges[i] <= x < edges[i + 1], the last bin also x = max. */
  readonly edges: number[];
  readonly counts: number[];
}

export interface QuantileValue {
  readonly q: number;
  readonly value: number;
}

export interface CategoryCount {
  readonly value: string;
  readonly count: number;
  /** count / non-missing cells of the column. */
  readonly share: number;
}

interface ColumnProfileBase {
  readonly name: string;
  /** Non-missing cells that hold a value of the column's type. */
  readonly count: number;
  /** Cells that matched a missing-value token. */
  readonly missing: number;
  /** Distinct values among the counted cells. */
  readonly distinct: number;
  /** Non-missing cells that broke the column's kind: not a number (numeric), not a date in the column's format (datetime); 0 for categorical and text. */
  readonly typeErrors: number;
}

/** A numeric summary of something measured per cell (text lengths). */
export interface Distribution {
  readonly mean: number;
  readonly std: number | null;
  readonly min: number;
  readonly max: number;
  readonly quantiles: QuantileValue[];
  readonly histogram: Histogram;
}

export interface TokenCount {
  readonly token: string;
  readonly count: number;
  /** count / all tokens of the column. */
  readonly share: number;
}

export interface NumericColumnProfile extends ColumnProfileBase {
  readonly type: 'numeric';
  readonly mean: number;
  /** Sample standard deviation (ddof = 1); null with fewer than two values. */
  readonly std: number | null;
  readonly min: number;
  readonly max: number;
  readonly quantiles: QuantileValue[];
  readonly histogram: Histogram;
}

export interface CategoricalColumnProfile extends ColumnProfileBase {
  readonly type: 'categorical';
  /** Most frequent values, by count descending, ties in order of first appearance. */
  readonly top: CategoryCount[];
}

export interface TextColumnProfile extends ColumnProfileBase {
  readonly type: 'text';
  /** Characters per non-missing cell (Unicode code points, as Python's len). */
  readonly length: Distribution;
  /** Tokens per non-missing cell (src/core/text/tokens.ts). */
  readonly tokensPerCell: { readonly mean: number; readonly max: number };
  /** Tokens over every non-missing cell. */
  readonly tokens: number;
  /** Distinct tokens. */
  readonly vocabulary: number;
  /** Most frequent tokens, by count descending, ties in code-unit order. */
  readonly topTokens: TokenCount[];
  /** Share of non-missing cells holding a character outside ASCII. */
  readonly nonAsciiShare: number;
}

export type TimeUnit = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond';

export interface Granularity {
  /** The coarsest calendar unit every value is aligned to (in its own wall time). */
  readonly unit: TimeUnit;
  /** The most frequent step between consecutive distinct values, in `unit`s (ties: the smaller); null with fewer than two distinct values. */
  readonly step: number | null;
  /** `1 day`, `3 months`, `15 minutes`. */
  readonly label: string;
}

export interface TimeGap {
  /** The last value before the gap and the first after it (ISO 8601). */
  readonly after: string;
  readonly before: string;
  /** Steps of the granularity missing in between. */
  readonly missingSteps: number;
}

export interface DatetimeColumnProfile extends ColumnProfileBase {
  readonly type: 'datetime';
  /** How the cells were read (a strftime / pandas format, `epoch seconds` ..., or `native` for a typed file's timestamps). */
  readonly format: string;
  readonly dateOnly: boolean;
  /** Earliest and latest value, ISO 8601 (dates as YYYY-MM-DD; with the cell's zone when it had one); null without values. */
  readonly min: string | null;
  readonly max: string | null;
  /** Days from min to max. */
  readonly spanDays: number | null;
  readonly granularity: Granularity | null;
  /** Steps between consecutive distinct values larger than the granularity's step. */
  readonly gaps: { readonly count: number; readonly missingSteps: number; readonly largest: TimeGap[] };
  /** UTC offsets of zoned cells (`+02:00`, `Z`), most frequent first; empty for zone-less cells. */
  readonly zones: { readonly offset: string; readonly count: number }[];
  /** Calendar parts in each cell's wall time: counts per year (ascending), per month (12, January first), per day of week (7, Monday first), per hour (24; not for date columns). */
  readonly parts: {
    readonly year: { readonly year: number; readonly count: number }[];
    readonly month: number[];
    readonly dayOfWeek: number[];
    readonly hour?: number[];
  };
  /** Equal-width bins over the instants (edges in milliseconds since the epoch), as numpy.histogram. */
  readonly histogram: Histogram;
}

export type ColumnProfile = NumericColumnProfile | CategoricalColumnProfile | TextColumnProfile | DatetimeColumnProfile;

export interface TableProfile {
  readonly name: string;
  readonly path: string;
  readonly rows: number;
  readonly delimiter: string;
  readonly columns: ColumnProfile[];
  readonly problems: readonly Problem[];
  readonly problemCount: number;
}

export function profileTable(table: DataTable, options: ProfileOptions = {}): TableProfile {
  return {
    name: table.name,
    path: table.path,
    rows: table.rows,
    delimiter: table.delimiter,
    columns: table.columns.map((c) => profileColumn(c, options)),
    problems: table.problems,
    problemCount: table.problemCount,
  };
}

export function profileColumn(column: Column, options: ProfileOptions = {}): ColumnProfile {
  switch (column.type) {
    case 'numeric':
      return profileNumeric(column, options);
    case 'categorical':
      return profileCategorical(column, options);
    case 'text':
      return profileText(column, options);
    case 'datetime':
      return profileDatetime(column, options);
    default:
      return unknownKind(column);
  }
}

/** numpy.histogram's edges: linspace from min to max, widened by 0.5 on each side when equal. */
function histogramEdges(min: number, max: number, bins: number): number[] {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const step = (last - first) / bins;
  const edges: number[] = [];
  for (let i = 0; i < bins; i++) edges.push(i * step + first);
  edges.push(last);
  return edges;
}

/** numpy.histogram(x, bins) on ascending data. */
export function histogramSorted(sorted: Float64Array, bins: number): Histogram {
  const n = sorted.length;
  if (n === 0 || bins < 1) return { edges: [], counts: [] };
  const edges = histogramEdges(sorted[0], sorted[n - 1], bins);
  const counts = new Array<number>(bins).fill(0);
  let bin = 0;
  let next = edges[1];
  for (let i = 0; i < n; i++) {
    const x = sorted[i];
    while (bin < bins - 1 && x >= next) {
      bin++;
      next = edges[bin + 1];
    }
    counts[bin]++;
  }
  return { edges, counts };
}

/** The same histogram from distinct ascending values and their counts. */
function histogramCounts(vc: ValueCounts, bins: number): Histogram {
  const d = vc.values.length;
  if (d === 0 || bins < 1) return { edges: [], counts: [] };
  const edges = histogramEdges(vc.values[0], vc.values[d - 1], bins);
  const counts = new Array<number>(bins).fill(0);
  let bin = 0;
  let next = edges[1];
  for (let k = 0; k < d; k++) {
    const x = vc.values[k];
    while (bin < bins - 1 && x >= next) {
      bin++;
      next = edges[bin + 1];
    }
    counts[bin] += vc.counts[k];
  }
  return { edges, counts };
}

function profileFromCounts(column: NumericColumn, vc: ValueCounts, options: ProfileOptions): NumericColumnProfile {
  const { values, counts, total: n } = vc;
  const d = values.length;
  let sum = 0;
  for (let k = 0; k < d; k++) sum += values[k] * counts[k];
  const mean = n > 0 ? sum / n : NaN;
  let sq = 0;
  for (let k = 0; k < d; k++) {
    const x = values[k] - mean;
    sq += x * x * counts[k];
  }
  const cumulative = new Float64Array(d);
  let acc = 0;
  for (let k = 0; k < d; k++) cumulative[k] = acc += counts[k];
  const at = (i: number): number => {
    let lo = 0;
    let hi = d - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > i) hi = mid;
      else lo = mid + 1;
    }
    return values[lo];
  };
  return numericProfile(column, options, {
    n,
    distinct: d,
    mean,
    squaredDeviations: sq,
    min: d > 0 ? values[0] : NaN,
    max: d > 0 ? values[d - 1] : NaN,
    quantile: (q) => quantileAt(n, q, at),
    histogram: histogramCounts(vc, options.bins ?? 20),
  });
}

/** What the two ways of summarising a numeric column (counting or sorting) both find. */
interface NumericSummary {
  readonly n: number;
  readonly distinct: number;
  readonly mean: number;
  readonly squaredDeviations: number;
  readonly min: number;
  readonly max: number;
  readonly quantile: (q: number) => number;
  readonly histogram: NumericColumnProfile['histogram'];
}

function numericProfile(column: NumericColumn, options: ProfileOptions, s: NumericSummary): NumericColumnProfile {
  const levels = options.quantiles ?? DEFAULT_QUANTILES;
  return {
    name: column.name,
    type: 'numeric',
    count: s.n,
    missing: column.missing,
    distinct: s.distinct,
    typeErrors: column.typeErrors,
    mean: s.mean,
    std: s.n > 1 ? Math.sqrt(s.squaredDeviations / (s.n - 1)) : null,
    min: s.min,
    max: s.max,
    quantiles: levels.map((q) => ({ q, value: s.quantile(q) })),
    histogram: s.histogram,
  };
}

function profileNumeric(column: NumericColumn, options: ProfileOptions): NumericColumnProfile {
  // Few distinct values: count them instead of sorting every row (same results).
  // A column cannot hold more distinct values than rows: a table sized for `limit` would cost
  // each short column as much as a long one (100,000 columns of 30 rows: 20 s, all clearing).
  const limit = Math.min(options.countDistinctUpTo ?? 65536, column.values.length);
  const vc = limit > 0 ? valueCounts(column.values, limit) : undefined;
  if (vc !== undefined) return profileFromCounts(column, vc, options);
  const sorted = sortedFinite(column.values);
  const n = sorted.length;
  const mean = n > 0 ? sumOf(sorted) / n : NaN;
  return numericProfile(column, options, {
    n,
    distinct: countDistinctSorted(sorted),
    mean,
    squaredDeviations: squaredDeviations(sorted, mean),
    min: n > 0 ? sorted[0] : NaN,
    max: n > 0 ? sorted[n - 1] : NaN,
    quantile: (q) => quantileSorted(sorted, q),
    histogram: histogramSorted(sorted, options.bins ?? 20),
  });
}

function profileCategorical(column: CategoricalColumn, options: ProfileOptions): CategoricalColumnProfile {
  const counts = new Float64Array(column.dictionary.length);
  const codes = column.codes;
  let count = 0;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0) {
      counts[c]++;
      count++;
    }
  }
  let distinct = 0;
  for (let c = 0; c < counts.length; c++) if (counts[c] > 0) distinct++;
  const order = Array.from({ length: counts.length }, (_, c) => c)
    .filter((c) => counts[c] > 0)
    .sort((a, b) => counts[b] - counts[a] || a - b);
  const top = order.slice(0, options.topCategories ?? 10).map((c) => ({
    value: column.dictionary[c],
    count: counts[c],
    share: counts[c] / count,
  }));
  return { name: column.name, type: 'categorical', count, missing: column.missing, distinct, typeErrors: 0, top };
}

/** The numeric summary of per-cell measurements, computed as a numeric column's. */
function distributionOf(values: Float64Array, options: ProfileOptions): Distribution {
  const p = profileNumeric({ name: '', type: 'numeric', values, missing: 0, typeErrors: 0 }, options);
  return { mean: p.mean, std: p.std, min: p.min, max: p.max, quantiles: p.quantiles, histogram: p.histogram };
}

function profileText(column: TextColumn, options: ProfileOptions): TextColumnProfile {
  const cells = codeCounts(column.codes, column.dictionary.length);
  const { counts, total, perValue } = countTokens(column.dictionary, cells);
  let count = 0;
  let distinct = 0;
  let nonAscii = 0;
  let maxTokens = 0;
  for (let k = 0; k < cells.length; k++) {
    if (cells[k] === 0) continue;
    count += cells[k];
    distinct++;
    if (hasNonAscii(column.dictionary[k])) nonAscii += cells[k];
    if (perValue[k] > maxTokens) maxTokens = perValue[k];
  }
  const lengthOf = Float64Array.from(column.dictionary, characterLength);
  const lengths = new Float64Array(count);
  let at = 0;
  for (let i = 0; i < column.codes.length; i++) if (column.codes[i] >= 0) lengths[at++] = lengthOf[column.codes[i]];
  return {
    name: column.name,
    type: 'text',
    count,
    missing: column.missing,
    distinct,
    typeErrors: 0,
    length: distributionOf(lengths, options),
    tokensPerCell: { mean: count > 0 ? total / count : NaN, max: maxTokens },
    tokens: total,
    vocabulary: counts.size,
    topTokens: topTokens(counts, options.topTokens ?? 20).map(([token, n]) => ({ token, count: n, share: n / total })),
    nonAsciiShare: count > 0 ? nonAscii / count : NaN,
  };
}

const UNIT_MS: Record<Exclude<TimeUnit, 'year' | 'month'>, number> = { day: MS_PER_DAY, hour: 3_600_000, minute: 60_000, second: 1000, millisecond: 1 };

/** Index of a wall time in `unit`s since 1970 (months: year * 12 + month - 1). */
function unitIndex(local: number, unit: TimeUnit): number {
  if (unit === 'year' || unit === 'month') {
    const p = calendarParts(local);
    return unit === 'year' ? p.year : p.year * 12 + p.month - 1;
  }
  return Math.floor(local / UNIT_MS[unit]);
}

/** The coarsest unit all wall times (finite) are aligned to. */
function alignment(locals: Float64Array): TimeUnit {
  let midnight = true;
  let firstOfMonth = true;
  let january = true;
  let hour = true;
  let minute = true;
  let second = true;
  for (let i = 0; i < locals.length; i++) {
    const t = locals[i];
    const ms = ((t % MS_PER_DAY) + MS_PER_DAY) % MS_PER_DAY;
    if (ms !== 0) midnight = false;
    if (ms % 3_600_000 !== 0) hour = false;
    if (ms % 60_000 !== 0) minute = false;
    if (ms % 1000 !== 0) second = false;
    if (midnight && (firstOfMonth || january)) {
      const p = calendarParts(t);
      if (p.day !== 1) firstOfMonth = false;
      if (p.month !== 1) january = false;
    }
    if (!second) break;
  }
  if (midnight) return firstOfMonth ? (january ? 'year' : 'month') : 'day';
  return hour ? 'hour' : minute ? 'minute' : second ? 'second' : 'millisecond';
}

/** Range, granularity and gaps, zones, calendar parts and a histogram of a date column. */
function profileDatetime(column: DatetimeColumn, options: ProfileOptions): DatetimeColumnProfile {
  const v = column.values;
  const rows: number[] = [];
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) rows.push(i);
  const count = rows.length;
  const sorted = sortedFinite(v);
  const locals = Float64Array.from(rows, (i) => localTime(column, i));
  let lo = -1;
  let hi = -1;
  for (const i of rows) {
    if (lo < 0 || v[i] < v[lo]) lo = i;
    if (hi < 0 || v[i] > v[hi]) hi = i;
  }
  const iso = (i: number) => isoInstant(v[i], column.dateOnly, column.offsets?.[i]);
  // Calendar parts, in each cell's own wall time.
  const years = new Map<number, number>();
  const month = new Array<number>(12).fill(0);
  const dayOfWeek = new Array<number>(7).fill(0);
  const hour = new Array<number>(24).fill(0);
  for (let k = 0; k < locals.length; k++) {
    const p = calendarParts(locals[k]);
    years.set(p.year, (years.get(p.year) ?? 0) + 1);
    month[p.month - 1]++;
    dayOfWeek[p.dayOfWeek]++;
    hour[Math.floor(p.hour)]++;
  }
  // Granularity: the unit every wall time is aligned to, the most frequent step between distinct values.
  let granularity: Granularity | null = null;
  const gaps: { count: number; missingSteps: number; largest: TimeGap[] } = { count: 0, missingSteps: 0, largest: [] };
  if (count > 0) {
    const unit = alignment(locals);
    // Distinct unit indices in wall-time order (a typed sort: no per-row objects).
    const sortedLocals = Float64Array.from(locals).sort();
    const distinct: number[] = [];
    const distinctLocal: number[] = [];
    for (let k = 0; k < sortedLocals.length; k++) {
      const index = unitIndex(sortedLocals[k], unit);
      if (distinct.length === 0 || distinct[distinct.length - 1] !== index) {
        distinct.push(index);
        distinctLocal.push(sortedLocals[k]);
      }
    }
    const steps = new Map<number, number>();
    for (let k = 1; k < distinct.length; k++) {
      const d = distinct[k] - distinct[k - 1];
      steps.set(d, (steps.get(d) ?? 0) + 1);
    }
    let step: number | null = null;
    for (const [d, n] of steps) if (step === null || n > (steps.get(step) as number) || (n === steps.get(step) && d < step)) step = d;
    granularity = { unit, step, label: step === null ? `1 ${unit}` : `${step} ${unit}${step === 1 ? '' : 's'}` };
    if (step !== null) {
      const found: { at: number; missingSteps: number }[] = [];
      for (let k = 1; k < distinct.length; k++) {
        const d = distinct[k] - distinct[k - 1];
        if (d <= step) continue;
        const missingSteps = Math.ceil(d / step) - 1;
        gaps.count++;
        gaps.missingSteps += missingSteps;
        found.push({ at: k, missingSteps });
      }
      // The row first holding a wall time, to print it with its own offset (a few lookups only).
      const rowAt = (local: number) => rows[locals.indexOf(local)];
      gaps.largest = found
        .sort((x, y) => y.missingSteps - x.missingSteps || x.at - y.at)
        .slice(0, 5)
        .map(({ at, missingSteps }) => ({ after: iso(rowAt(distinctLocal[at - 1])), before: iso(rowAt(distinctLocal[at])), missingSteps }));
    }
  }
  const zones = new Map<number, number>();
  if (column.offsets) for (const i of rows) zones.set(column.offsets[i], (zones.get(column.offsets[i]) ?? 0) + 1);
  return {
    name: column.name,
    type: 'datetime',
    count,
    missing: column.missing,
    distinct: countDistinctSorted(sorted),
    typeErrors: column.typeErrors,
    format: column.format,
    dateOnly: column.dateOnly,
    min: lo < 0 ? null : iso(lo),
    max: hi < 0 ? null : iso(hi),
    spanDays: lo < 0 ? null : (v[hi] - v[lo]) / MS_PER_DAY,
    granularity,
    gaps,
    zones: [...zones.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([off, n]) => ({ offset: offsetText(off), count: n })),
    parts: {
      year: [...years.entries()].sort((a, b) => a[0] - b[0]).map(([year, n]) => ({ year, count: n })),
      month,
      dayOfWeek,
      ...(column.dateOnly ? {} : { hour }),
    },
    histogram: histogramSorted(sorted, options.bins ?? 20),
  };
}

function sumOf(a: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i];
  return sum;
}

function squaredDeviations(a: Float64Array, mean: number): number {
  let sq = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - mean;
    sq += d * d;
  }
  return sq;
}

