/**
 * The domain classifier's view of a pair: sample rows of both tables (bounded, seeded), build
 * the feature matrix (numeric columns as they are, small categoricals one-hot), run the
 * cross-validated classifier and sum importances back to the original features.
 */
import { crossValidatedDomainAuc } from '../domainClassifier';
import { mulberry32 } from '../random';
import { isoInstant } from '../dates/isoInstant';
import { unknownKind, type Column } from '../table';
import { alignCounts, categoryCounts } from './columnCache';
import type { DomainClassifierSummary } from './types';

/** Up to `max` row indices of `n`, sampled without replacement with a seeded PRNG, ascending. */
export function sampleRows(n: number, max: number, seed: number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n <= max) return idx;
  const rand = mulberry32(seed);
  // Partial Fisher-Yates: the first `max` slots become a uniform sample.
  for (let i = 0; i < max; i++) {
    const j = i + Math.floor(rand() * (n - i));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.subarray(0, max).sort();
}

/**
 * Feature matrix for the domain classifier over sampled rows of both tables: numeric columns as
 * they are, categoricals with at most 20 categories one-hot (NaN where missing).
 */
function domainFeatures(
  pairs: readonly DomainPair[],
  refRows: Uint32Array,
  otherRows: Uint32Array,
): { columns: Float64Array[]; source: string[] } {
  const columns: Float64Array[] = [];
  const source: string[] = [];
  const n = refRows.length + otherRows.length;
  for (const { ref, other, name } of pairs) {
    if (ref.type === 'numeric' && other.type === 'numeric') {
      const col = new Float64Array(n);
      refRows.forEach((r, i) => (col[i] = ref.values[r]));
      otherRows.forEach((r, i) => (col[refRows.length + i] = other.values[r]));
      columns.push(col);
      source.push(name);
      continue;
    }
    const aligned = alignCounts(categoryCounts(ref), categoryCounts(other));
    if (aligned.categories.length > 20) continue;
    const refStrings = stringsAt(ref, refRows);
    const otherStrings = stringsAt(other, otherRows);
    for (const cat of aligned.categories) {
      const col = new Float64Array(n);
      refStrings.forEach((v, i) => (col[i] = v === undefined ? Number.NaN : v === cat ? 1 : 0));
      otherStrings.forEach((v, i) => (col[refRows.length + i] = v === undefined ? Number.NaN : v === cat ? 1 : 0));
      columns.push(col);
      source.push(name);
    }
  }
  return { columns, source };
}

function stringsAt(column: Column, rows: Uint32Array): (string | undefined)[] {
  const out: (string | undefined)[] = new Array(rows.length);
  switch (column.type) {
    case 'categorical':
    case 'text':
      rows.forEach((r, i) => (out[i] = column.codes[r] < 0 ? undefined : column.dictionary[column.codes[r]]));
      break;
    case 'numeric':
      rows.forEach((r, i) => (out[i] = column.values[r] === column.values[r] ? String(column.values[r]) : undefined));
      break;
    case 'datetime':
      rows.forEach((r, i) => (out[i] = column.values[r] === column.values[r] ? isoInstant(column.values[r], column.dateOnly, column.offsets?.[r]) : undefined));
      break;
    default:
      unknownKind(column);
  }
  return out;
}

/** Rows per dataset the domain classifier sees (Deepchecks samples 10k per side). */
export const DOMAIN_ROWS_PER_SIDE = 10_000;

export interface DomainPair {
  readonly ref: Column;
  readonly other: Column;
  /** Feature name (the reference's column name). */
  readonly name: string;
}

/**
 * Cross-validated domain classifier over the matched, non-identifier features of a pair; undefined
 * when there is nothing to classify (no feature, fewer than 10 rows on a side, no usable column).
 */
export function domainClassifierSummary(pairs: readonly DomainPair[], refRowCount: number, otherRowCount: number, seed: number): DomainClassifierSummary | undefined {
  if (pairs.length === 0 || refRowCount < 10 || otherRowCount < 10) return undefined;
  // Sample before building the matrix: memory and time stay bounded on any file size.
  const refRows = sampleRows(refRowCount, DOMAIN_ROWS_PER_SIDE, seed);
  const otherRows = sampleRows(otherRowCount, DOMAIN_ROWS_PER_SIDE, seed + 1);
  const { columns, source } = domainFeatures(pairs, refRows, otherRows);
  if (columns.length === 0) return undefined;
  const isOther = new Uint8Array(refRows.length + otherRows.length);
  isOther.fill(1, refRows.length);
  const r = crossValidatedDomainAuc(columns, isOther, { seed, maxRowsPerSide: DOMAIN_ROWS_PER_SIDE });
  // Importance per original feature: one-hot parts add up.
  const byFeature = new Map<string, number>();
  r.importance.forEach((imp, i) => byFeature.set(source[i], (byFeature.get(source[i]) ?? 0) + imp));
  return {
    auc: r.auc,
    score: r.score,
    folds: r.folds,
    rowsUsed: r.rowsUsed,
    features: [...new Set(source)],
    topFeatures: [...byFeature.entries()]
      .map(([name, importance]) => ({ name, importance }))
      .sort((a, b) => b.importance - a.importance)
      .slice(0, 10),
  };
}
