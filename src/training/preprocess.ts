/**
 * Feature preprocessing fitted on training rows only: imputation, scaling and one-hot
 * encoding. The fitted state is plain JSON so a saved run can score new CSV rows.
 */
import type { Column, DataTable } from '../core/table';
import { quantileSorted } from '../core/stats/descriptive';
import { categoryAt, columnByName, isStringColumn } from '../core/table';
import type { FeatureInfo } from './data';
import type { PreprocessingSpec } from './experiment';

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
export type FittedFeature = FittedNumeric | FittedCategorical;

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
      let center = 0;
      let scale = 1;
      if (vals.length > 0 && spec.scaling === 'standard') {
        let mean = 0;
        for (const v of vals) mean += v;
        mean /= vals.length;
        let ss = 0;
        for (const v of vals) ss += (v - mean) * (v - mean);
        center = mean;
        scale = Math.sqrt(ss / vals.length);
      } else if (vals.length > 0 && spec.scaling === 'minmax') {
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of vals) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        center = lo;
        scale = hi - lo;
      } else if (vals.length > 0 && spec.scaling === 'robust') {
        const s = vals.slice().sort();
        center = quantileSorted(s, 0.5);
        scale = quantileSorted(s, 0.75) - quantileSorted(s, 0.25);
      }
      if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
      fitted.push({ name: f.name, kind: 'numeric', fill, center, scale });
      outputs.push(f.name);
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
