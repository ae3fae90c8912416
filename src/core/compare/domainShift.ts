/**
 * The domain classifier's view of a pair: sample rows of both tables (bounded, seeded), build
 * the feature matrix (numeric columns as they are, small categoricals one-hot), run the
 * cross-validated classifier and sum importances back to the original features.
 */
import { crossValidatedDomainAuc } from '../domainClassifier';
import { mulberry32 } from '../random';
import { calendarParts, localTime, type CalendarParts } from '../dates/calendar';
import { isoInstant } from '../dates/isoInstant';
import { characterLength, tokenize } from '../text/tokens';
import { unknownKind, type Column, type DatetimeColumn, type TextColumn } from '../table';
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

/** Buckets text tokens are hashed into for the domain classifier. */
export const TEXT_HASH_BUCKETS = 16;

function hashToken(t: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) h = Math.imul(h ^ t.charCodeAt(i), 0x01000193);
  return (h >>> 0) % TEXT_HASH_BUCKETS;
}

/**
 * Feature matrix for the domain classifier over sampled rows of both tables: numeric columns as
 * they are; categoricals with at most 20 categories one-hot (NaN where missing); a datetime
 * column as its month, day of week and (with times) hour, not its instant, so two datasets
 * from different periods are not told apart by the date alone (the time ranges are compared on
 * their own); a text column as its length in characters, its token count and the share of its
 * tokens in each of TEXT_HASH_BUCKETS hashed buckets (FNV-1a of the token).
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
    if (ref.type === 'datetime' && other.type === 'datetime') {
      const parts: ((p: CalendarParts) => number)[] = [(p) => p.month, (p) => p.dayOfWeek];
      if (!ref.dateOnly && !other.dateOnly) parts.push((p) => p.hour);
      for (const part of parts) {
        const col = new Float64Array(n);
        const fill = (c: DatetimeColumn, rows: Uint32Array, at: number) =>
          rows.forEach((r, i) => {
            const t = localTime(c, r);
            col[at + i] = t === t ? part(calendarParts(t)) : Number.NaN;
          });
        fill(ref, refRows, 0);
        fill(other, otherRows, refRows.length);
        columns.push(col);
        source.push(name);
      }
      continue;
    }
    if (ref.type === 'text' && other.type === 'text') {
      const width = 2 + TEXT_HASH_BUCKETS;
      const cols = Array.from({ length: width }, () => new Float64Array(n));
      const fill = (c: TextColumn, rows: Uint32Array, at: number) => {
        const features = new Map<number, Float64Array>();
        rows.forEach((r, i) => {
          const code = c.codes[r];
          if (code < 0) {
            for (const col of cols) col[at + i] = Number.NaN;
            return;
          }
          let f = features.get(code);
          if (!f) {
            const text = c.dictionary[code];
            const tokens = tokenize(text);
            f = new Float64Array(width);
            f[0] = characterLength(text);
            f[1] = tokens.length;
            for (const t of tokens) f[2 + hashToken(t)] += 1 / tokens.length;
            features.set(code, f);
          }
          for (let k = 0; k < width; k++) cols[k][at + i] = f[k];
        });
      };
      fill(ref, refRows, 0);
      fill(other, otherRows, refRows.length);
      for (const col of cols) {
        columns.push(col);
        source.push(name);
      }
      continue;
    }
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
export function domainClassifierSummary(
  pairs: readonly DomainPair[],
  refRowCount: number,
  otherRowCount: number,
  seed: number,
  onFold?: (done: number, total: number) => void,
): DomainClassifierSummary | undefined {
  if (pairs.length === 0 || refRowCount < 10 || otherRowCount < 10) return undefined;
  // Sample before building the matrix: memory and time stay bounded on any file size.
  const refRows = sampleRows(refRowCount, DOMAIN_ROWS_PER_SIDE, seed);
  const otherRows = sampleRows(otherRowCount, DOMAIN_ROWS_PER_SIDE, seed + 1);
  const { columns, source } = domainFeatures(pairs, refRows, otherRows);
  if (columns.length === 0) return undefined;
  const isOther = new Uint8Array(refRows.length + otherRows.length);
  isOther.fill(1, refRows.length);
  const r = crossValidatedDomainAuc(columns, isOther, { seed, maxRowsPerSide: DOMAIN_ROWS_PER_SIDE, ...(onFold ? { onFold } : {}) });
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
