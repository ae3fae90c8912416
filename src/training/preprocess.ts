/**
 * Feature preprocessing fitted on training rows only: imputation, scaling, one-hot encoding, and
 * the inputs derived from dates (year, cyclic month / day of week / hour, days since the first
 * training date). The fitted state is plain JSON so a saved run can score new CSV rows.
 */
import { calendarParts, localTime, MS_PER_DAY } from '../core/dates/calendar';
import type { Column, DataTable, DatetimeColumn } from '../core/table';
import { quantileSorted } from '../core/stats/descriptive';
import { categoryAt, columnByName, isStringColumn } from '../core/table';
import type { FeatureInfo } from './data';
import type { DatetimePart, PreprocessingSpec } from './experiment';

export const MISSING_CATEGORY = '(missing)';

export interface FittedNumeric {
  readonly name: string;
  readonly kind: 'numeric';
  /** Value used for missing cells, before scaling. */
  readonly fill: number;
  readonly center: number;
  readonly scale: number;
}
export interface FittedCategorical {
  readonly name: string;
  readonly kind: 'categorical';
  /** Training categories kept, one output column each; others encode as all zeros. */
  readonly categories: readonly string[];
  /** Category used for missing cells (most_frequent), or MISSING_CATEGORY. */
  readonly fill: string;
}
/**
 * A datetime feature's derived inputs (docs/training.md, "Dates"): `year` and `days` (days since
 * `reference`, the first training date) are scaled like numeric features; month, day of week and
 * hour become sin/cos pairs, so December sits next to January. Calendar parts are read in each
 * cell's wall time. A missing date is `fill` (the training median, or the reference for zero
 * imputation).
 */
export interface FittedDatetime {
  readonly name: string;
  readonly kind: 'datetime';
  readonly parts: readonly DatetimePart[];
  /** Milliseconds since the epoch of the first training date. */
  readonly reference: number;
  /** Instant (ms) used for missing cells. */
  readonly fill: number;
  /** Wall-time offset (ms) of the fill value, so its calendar parts are those of a training cell. */
  readonly fillOffset: number;
  readonly year: { readonly center: number; readonly scale: number };
  readonly days: { readonly center: number; readonly scale: number };
  /**
   * How the training cells were read (DatetimeColumn.format: a strftime pattern such as
   * `%d/%m/%Y`, `epoch seconds`, or `native`) when every training dataset agrees; `predict`
   * reads new files' dates in exactly this format. Absent in runs saved before it was kept.
   */
  readonly format?: string;
  /** The format of each training dataset (by name) when they differ; `format` is then absent. */
  readonly formats?: Readonly<Record<string, string>>;
}
export type FittedFeature = FittedNumeric | FittedCategorical | FittedDatetime;

export interface FittedPreprocessing {
  readonly spec: PreprocessingSpec;
  readonly features: readonly FittedFeature[];
  /** Output column names, e.g. `wind` or `city=Seattle`. */
  readonly outputs: readonly string[];
}

/** A set of rows of one table (e.g. the training rows of one dataset). */
export interface RowSet {
  readonly table: DataTable;
  readonly rows: Int32Array;
}


function numericValues(sets: readonly RowSet[], name: string): Float64Array {
  let n = 0;
  for (const s of sets) n += s.rows.length;
  const out = new Float64Array(n);
  let k = 0;
  for (const s of sets) {
    const col = columnByName(s.table, name);
    if (!col || col.type !== 'numeric') throw new Error(`feature "${name}" is not numeric in dataset "${s.table.name}"`);
    for (const r of s.rows) out[k++] = col.values[r];
  }
  return out;
}

function featureColumn(table: DataTable, name: string): Column {
  const col = columnByName(table, name);
  if (!col) throw new Error(`feature column "${name}" not found in ${table.path}`);
  return col;
}

/** Center and scale of values by the spec's scaling (scale 1 when it would be 0 or not finite). */
function fitScale(vals: Float64Array, scaling: PreprocessingSpec['scaling']): { center: number; scale: number } {
  let center = 0;
  let scale = 1;
  if (vals.length > 0 && scaling === 'standard') {
    let mean = 0;
    for (const v of vals) mean += v;
    mean /= vals.length;
    let ss = 0;
    for (const v of vals) ss += (v - mean) * (v - mean);
    center = mean;
    scale = Math.sqrt(ss / vals.length);
  } else if (vals.length > 0 && scaling === 'minmax') {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of vals) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    center = lo;
    scale = hi - lo;
  } else if (vals.length > 0 && scaling === 'robust') {
    const s = vals.slice().sort();
    center = quantileSorted(s, 0.5);
    scale = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
  }
  if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
  return { center, scale };
}

function datetimeColumnOf(table: DataTable, name: string): DatetimeColumn {
  const col = featureColumn(table, name);
  if (col.type === 'datetime') return col;
  // New rows whose dates are all unknown (an empty column reads as no kind in particular): missing dates.
  if (table.rows > 0 && col.missing === table.rows) return { name, type: 'datetime', values: new Float64Array(table.rows).fill(NaN), missing: table.rows, typeErrors: 0, format: 'none', dateOnly: true };
  throw new Error(`feature column "${name}" in ${table.path} must hold dates (it is ${col.type})`);
}

/** The outputs of one datetime feature, in order: `date:year`, `date:month_sin`, `date:month_cos`, ... */
function datetimeOutputs(name: string, parts: readonly DatetimePart[]): string[] {
  return parts.flatMap((p) => (p === 'year' || p === 'days' ? [`${name}:${p}`] : [`${name}:${p}_sin`, `${name}:${p}_cos`]));
}

function fitDatetime(train: readonly RowSet[], name: string, spec: PreprocessingSpec): { fitted: FittedDatetime; outputs: string[] } {
  const instants: number[] = [];
  const offsets: number[] = [];
  let hasTime = false;
  let missing = 0;
  const formats: Record<string, string> = {};
  for (const s of train) {
    const col = datetimeColumnOf(s.table, name);
    if (!col.dateOnly) hasTime = true;
    // An all-empty column has no format of its own ('none').
    if (col.format !== 'none') formats[s.table.name] = col.format;
    for (const r of s.rows) {
      const v = col.values[r];
      if (v !== v) {
        missing++;
        continue;
      }
      instants.push(v);
      offsets.push(col.offsets ? col.offsets[r] * 60_000 : 0);
    }
  }
  const order = instants.map((_, i) => i).sort((a, b) => instants[a] - instants[b]);
  const reference = order.length ? instants[order[0]] : 0;
  // The median instant (the lower one of an even count: a date that occurs) fills missing cells.
  const mid = order.length ? order[(order.length - 1) >> 1] : -1;
  const fill = spec.numericImpute === 'zero' || mid < 0 ? reference : instants[mid];
  const fillOffset = mid < 0 || spec.numericImpute === 'zero' ? (order.length ? offsets[order[0]] : 0) : offsets[mid];
  // Scaling statistics over the training cells as encoded, missing ones as their fill (as numeric features).
  const fillYear = calendarParts(fill + fillOffset).year;
  const years = Float64Array.from({ length: instants.length + missing }, (_, i) => (i < instants.length ? calendarParts(instants[i] + offsets[i]).year : fillYear));
  const days = Float64Array.from({ length: instants.length + missing }, (_, i) => ((i < instants.length ? instants[i] : fill) - reference) / MS_PER_DAY);
  // The hour only for columns with times: a date column's hour is always 0.
  const parts = spec.datetimeFeatures.filter((p) => p !== 'hour' || hasTime);
  const distinct = [...new Set(Object.values(formats))];
  const format = distinct.length === 1 ? { format: distinct[0] } : distinct.length > 1 ? { formats } : {};
  const fitted: FittedDatetime = { name, kind: 'datetime', parts, reference, fill, fillOffset, year: fitScale(years, spec.scaling), days: fitScale(days, spec.scaling), ...format };
  return { fitted, outputs: datetimeOutputs(name, parts) };
}

function categoryAtRow(col: Column, r: number): string | undefined {
  if (isStringColumn(col)) return categoryAt(col, r);
  return Number.isNaN(col.values[r]) ? undefined : String(col.values[r]);
}

/** Fits every statistic on `train` alone; nothing else is read. */
export function fitPreprocessing(train: readonly RowSet[], features: readonly FeatureInfo[], spec: PreprocessingSpec): FittedPreprocessing {
  const fitted: FittedFeature[] = [];
  const outputs: string[] = [];
  for (const f of features) {
    // Text columns are tokenized and encoded by text/textFeatures.ts, never one-hot encoded here.
    if (f.type === 'text') continue;
    if (f.type === 'numeric') {
      const raw = numericValues(train, f.name);
      const present = raw.filter((v) => !Number.isNaN(v)).sort();
      let fill = 0;
      if (present.length > 0) {
        if (spec.numericImpute === 'mean') fill = present.reduce((a, b) => a + b, 0) / present.length;
        else if (spec.numericImpute === 'median') fill = quantileSorted(present, 0.5);
      }
      const vals = raw.map((v) => (Number.isNaN(v) ? fill : v));
      const { center, scale } = fitScale(vals, spec.scaling);
      fitted.push({ name: f.name, kind: 'numeric', fill, center, scale });
      outputs.push(f.name);
    } else if (f.type === 'datetime') {
      const d = fitDatetime(train, f.name, spec);
      fitted.push(d.fitted);
      outputs.push(...d.outputs);
    } else {
      const counts = new Map<string, number>();
      for (const s of train) {
        const col = featureColumn(s.table, f.name);
        for (const r of s.rows) {
          const v = categoryAtRow(col, r) ?? (spec.categoricalImpute === 'missing_category' ? MISSING_CATEGORY : undefined);
          if (v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
        }
      }
      // Most frequent first; ties by name so the order is deterministic.
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      const categories = ranked.slice(0, spec.maxCategories).map(([k]) => k).sort();
      const fill = spec.categoricalImpute === 'missing_category' ? MISSING_CATEGORY : (ranked[0]?.[0] ?? MISSING_CATEGORY);
      fitted.push({ name: f.name, kind: 'categorical', categories, fill });
      for (const c of categories) outputs.push(`${f.name}=${c}`);
    }
  }
  return { spec, features: fitted, outputs };
}

const TAU = 2 * Math.PI;

/** Writes a datetime feature's inputs at `offset`; returns how many columns it has. */
function encodeDatetime(f: FittedDatetime, col: DatetimeColumn, rows: Int32Array, out: Float32Array, width: number, offset: number): number {
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    let v = col.values[r];
    let local = v === v ? localTime(col, r) : NaN;
    if (v !== v) {
      v = f.fill;
      local = f.fill + f.fillOffset;
    }
    const p = calendarParts(local);
    let j = k * width + offset;
    for (const part of f.parts) {
      switch (part) {
        case 'year':
          out[j++] = (p.year - f.year.center) / f.year.scale;
          break;
        case 'days':
          out[j++] = ((v - f.reference) / MS_PER_DAY - f.days.center) / f.days.scale;
          break;
        case 'month':
          out[j++] = Math.sin((TAU * (p.month - 1)) / 12);
          out[j++] = Math.cos((TAU * (p.month - 1)) / 12);
          break;
        case 'dayOfWeek':
          out[j++] = Math.sin((TAU * p.dayOfWeek) / 7);
          out[j++] = Math.cos((TAU * p.dayOfWeek) / 7);
          break;
        case 'hour':
          out[j++] = Math.sin((TAU * p.hour) / 24);
          out[j++] = Math.cos((TAU * p.hour) / 24);
          break;
      }
    }
  }
  return f.parts.reduce((n, part) => n + (part === 'year' || part === 'days' ? 1 : 2), 0);
}

/** Encodes the given rows into a row-major Float32Array of `outputs.length` columns. */
export function transformRows(p: FittedPreprocessing, table: DataTable, rows: Int32Array): Float32Array {
  const width = p.outputs.length;
  const out = new Float32Array(rows.length * width);
  let offset = 0;
  for (const f of p.features) {
    const col = featureColumn(table, f.name);
    if (f.kind === 'numeric') {
      if (col.type !== 'numeric') throw new Error(`feature column "${f.name}" in ${table.path} must be numeric`);
      for (let k = 0; k < rows.length; k++) {
        let v = col.values[rows[k]];
        if (Number.isNaN(v)) v = f.fill;
        out[k * width + offset] = (v - f.center) / f.scale;
      }
      offset += 1;
    } else if (f.kind === 'datetime') {
      offset += encodeDatetime(f, datetimeColumnOf(table, f.name), rows, out, width, offset);
    } else {
      const index = new Map(f.categories.map((c, j) => [c, j]));
      for (let k = 0; k < rows.length; k++) {
        const v = categoryAtRow(col, rows[k]) ?? f.fill;
        const j = index.get(v);
        if (j !== undefined) out[k * width + offset + j] = 1;
      }
      offset += f.categories.length;
    }
  }
  return out;
}
