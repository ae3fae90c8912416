/**
 * Compare N >= 2 datasets pairwise against a reference (the first by default) and recommend
 * merge, multi-head or separate models. Pure: takes tables, returns a JSON-ready report.
 */
import { recommend, type Recommendation, type RecommendOptions } from '../recommend';
import { DEFAULT_DRIFT_THRESHOLDS, type DriftThresholds } from '../stats/driftRule';
import type { DataTable, Problem } from '../table';
import { comparePair, type PairStep } from './comparePair';
import { summarizeDataset } from './summary';
import type { DatasetSummary, PairComparison, ProblemEntry } from './types';

export interface CompareOptions {
  /** Label column per dataset (same order as the tables); undefined = no label. */
  readonly labels?: readonly (string | undefined)[];
  /** Index of the reference dataset. Default 0. */
  readonly reference?: number;
  readonly thresholds?: Partial<DriftThresholds>;
  readonly recommend?: Partial<RecommendOptions>;
  /** Seed for the domain classifier's folds and sampling. Default 42. */
  readonly seed?: number;
  /** Skip the domain classifier (fast mode). */
  readonly skipDomainClassifier?: boolean;
  /** Number of bins for the shared numeric histograms (PSI, JS, charts). Default 30. */
  readonly bins?: number;
  /**
   * Told each stage as the comparison works through it (called synchronously, in order; what to
   * do with it, such as writing it somewhere, is the caller's business).
   */
  readonly onProgress?: (step: CompareStep) => void;
}

/**
 * Where a comparison is: `profile` (dataset `done` of `total` summarised), then per pair (`pair`
 * of `pairs`, 0-based) `drift` (column `done` of `total`), `label`, `units` (columns that differ by
 a unit), `domain` (cross-validation
 * fold `done` of `total`), and last `recommend`. Each stage is announced with `done` 0 before its
 * work and again as it advances.
 */
export interface CompareStep {
  readonly stage: 'profile' | 'drift' | 'label' | 'units' | 'domain' | 'recommend';
  readonly done: number;
  readonly total: number;
  readonly pair?: number;
  readonly pairs?: number;
}

export interface ComparisonReport {
  readonly version: 1;
  readonly datasets: readonly DatasetSummary[];
  readonly comparisons: readonly PairComparison[];
  readonly recommendation: Recommendation;
  readonly problems: readonly ProblemEntry[];
  readonly thresholds: DriftThresholds;
}

export const DEFAULT_THRESHOLDS: DriftThresholds = DEFAULT_DRIFT_THRESHOLDS;

export function problemEntries(tables: readonly DataTable[]): ProblemEntry[] {
  const out: ProblemEntry[] = [];
  for (const t of tables) {
    for (const p of t.problems as readonly Problem[]) {
      out.push({ file: p.file, line: p.line, column: p.column, code: p.code, message: p.message });
    }
  }
  return out;
}

/** Make dataset names unique within a run: `a`, `a`, -> `a`, `a-2`. */
export function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  const taken = new Set(names);
  return names.map((n) => {
    const k = (seen.get(n) ?? 0) + 1;
    seen.set(n, k);
    if (k === 1) return n;
    let candidate = `${n}-${k}`;
    while (taken.has(candidate)) candidate += '_';
    taken.add(candidate);
    return candidate;
  });
}

export function compareDatasets(tables: readonly DataTable[], options: CompareOptions = {}): ComparisonReport {
  if (tables.length < 2) throw new Error('compare needs at least two datasets');
  const thresholds: DriftThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  const refIndex = options.reference ?? 0;
  if (refIndex < 0 || refIndex >= tables.length) throw new Error(`reference index ${refIndex} is out of range`);
  const labels = options.labels ?? [];
  tables.forEach((t, i) => {
    const label = labels[i];
    if (label !== undefined && !t.columns.some((c) => c.name === label)) {
      const err = new Error(`${t.path}: label column "${label}" not found (columns: ${t.columns.map((c) => c.name).join(', ')})`);
      (err as Error & { userFacing: boolean; exitCode: number }).userFacing = true;
      (err as Error & { userFacing: boolean; exitCode: number }).exitCode = 2;
      throw err;
    }
  });
  const ref = tables[refIndex];
  const report = options.onProgress;
  const datasets = tables.map((t, i) => {
    report?.({ stage: 'profile', done: i, total: tables.length });
    return summarizeDataset(t, labels[i]);
  });
  const others = tables.map((t, i) => ({ t, i })).filter(({ i }) => i !== refIndex);
  const comparisons = others.map(({ t, i }, pair) =>
    comparePair(ref, t, labels[refIndex], labels[i], {
      thresholds,
      bins: options.bins ?? 30,
      seed: options.seed ?? 42,
      skipDomainClassifier: options.skipDomainClassifier ?? false,
      ...(report ? { onProgress: (s: PairStep) => report({ ...s, pair, pairs: others.length }) } : {}),
    }),
  );
  report?.({ stage: 'recommend', done: 0, total: 1 });
  return {
    version: 1,
    datasets,
    comparisons,
    recommendation: recommend(comparisons, tables.map((t, i) => ({ name: t.name, rows: t.rows, label: labels[i] })), options.recommend),
    problems: problemEntries(tables),
    thresholds,
  };
}
