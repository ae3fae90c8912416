/**
 * Per-column values that several comparisons read: the sorted finite values of a numeric column
 * and the category counts of any column, each computed once per column and cached (weakly, so
 * a table that is dropped takes its caches with it).
 */
import { isIdentifierLike as identifierRule } from '../columnKind';
import { isoInstant } from '../dates/isoInstant';
import { sortedFinite } from '../sortNumbers';
import { countDistinctSorted, std } from '../stats/descriptive';
import { unknownKind, type Column, type ValueColumn } from '../table';

/** Finite values of a numeric (or datetime) column, in row order. */
export function finiteValues(column: ValueColumn): Float64Array {
  const v = column.values;
  let n = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < v.length; i++) if (v[i] === v[i]) out[j++] = v[i];
  return out;
}

/** Reference spread for the normalised Wasserstein: population std (ddof 0), as Evidently uses. */
export function populationStd(v: Float64Array): number {
  return v.length < 2 ? 0 : std(v) * Math.sqrt((v.length - 1) / v.length);
}

/** Distinct values among the first values of `values`, counting stops once it exceeds `cap`. */
export function countDistinctNumeric(values: Float64Array, cap: number): number {
  const seen = new Set<number>();
  for (let i = 0; i < values.length && seen.size <= cap; i++) seen.add(values[i]);
  return seen.size;
}

/** One sort per column per run: summaries and feature statistics share it. */
const sortedCache = new WeakMap<Float64Array, Float64Array>();
export function sortedValues(column: ValueColumn): Float64Array {
  let sorted = sortedCache.get(column.values);
  if (!sorted) {
    sorted = sortedFinite(column.values);
    sortedCache.set(column.values, sorted);
  }
  return sorted;
}


/** Whether two ascending samples hold at most `max` distinct values between them. */
export function pooledDistinctAtMost(a: Float64Array, b: Float64Array, max: number): boolean {
  if (countDistinctSorted(a) > max || countDistinctSorted(b) > max) return false;
  return new Set([...new Set(a), ...new Set(b)]).size <= max;
}

const countsCache = new WeakMap<Column, Map<string, number>>();

/**
 * Category counts of a column (numeric values become their shortest string form, datetimes
 * their ISO text); cached per column.
 */
export function categoryCounts(column: Column): Map<string, number> {
  const cached = countsCache.get(column);
  if (cached) return cached;
  const counts = computeCategoryCounts(column);
  countsCache.set(column, counts);
  return counts;
}

function computeCategoryCounts(column: Column): Map<string, number> {
  const counts = new Map<string, number>();
  switch (column.type) {
    case 'categorical':
    case 'text': {
      const perCode = new Float64Array(column.dictionary.length);
      for (let i = 0; i < column.codes.length; i++) if (column.codes[i] >= 0) perCode[column.codes[i]]++;
      column.dictionary.forEach((v, k) => {
        if (perCode[k] > 0) counts.set(v, perCode[k]);
      });
      break;
    }
    case 'numeric':
    case 'datetime':
      for (let i = 0; i < column.values.length; i++) {
        const x = column.values[i];
        if (x === x) {
          const key = column.type === 'numeric' ? String(x) : isoInstant(x, column.dateOnly, column.offsets?.[i]);
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      break;
    default:
      unknownKind(column);
  }
  return counts;
}

export function nonMissing(column: Column): number {
  if (column.type === 'numeric' || column.type === 'datetime') return sortedValues(column).length;
  let n = 0;
  for (let i = 0; i < column.codes.length; i++) if (column.codes[i] >= 0) n++;
  return n;
}

export function distinctCount(column: Column): number {
  if (column.type === 'categorical' || column.type === 'text') return categoryCounts(column).size;
  return countDistinctSorted(sortedValues(column));
}

/** Counts of both sides aligned over the union of categories, ordered by pooled count. */
export function alignCounts(a: Map<string, number>, b: Map<string, number>): { categories: string[]; ref: number[]; other: number[] } {
  const all = new Set<string>([...a.keys(), ...b.keys()]);
  const categories = [...all].sort((x, y) => (b.get(y) ?? 0) + (a.get(y) ?? 0) - ((b.get(x) ?? 0) + (a.get(x) ?? 0)) || x.localeCompare(y));
  return {
    categories,
    ref: categories.map((c) => a.get(c) ?? 0),
    other: categories.map((c) => b.get(c) ?? 0),
  };
}

/** Mostly-distinct categorical values (ids, names, codes) say nothing about a distribution (src/core/columnKind.ts). */
export function isIdentifierLike(column: Column, n: number): boolean {
  return column.type === 'categorical' && identifierRule(categoryCounts(column).size, n);
}
