/**
 * The label columns of two datasets: task (classification or regression), shared and exclusive
 * label values, class balance, and the shift of the label distribution (JS + chi-squared for
 * classes, KS + normalised Wasserstein for a regression target).
 */
import { chiSquaredHomogeneity } from '../stats/chi2';
import { jensenShannonDistance } from '../stats/divergence';
import { wassersteinNorm } from '../stats/driftRule';
import { ksTwoSample } from '../stats/ks';
import { wasserstein1 } from '../stats/wasserstein';
import type { Column } from '../table';
import { alignCounts, categoryCounts, countDistinctNumeric, finiteValues, populationStd } from './columnCache';
import { pooledHistogram } from '../stats/binning';
import { mean } from '../stats/descriptive';
import { normalizeColumnName } from '../schemaAlign';
import type { LabelComparison, LabelValueCount } from './types';

/** Bins of the shared histogram of two regression targets (as many as a feature's default). */
const LABEL_BINS = 30;

function labelTask(column: Column): 'classification' | 'regression' {
  // Strings (and dates, compared as their ISO text) are classes.
  if (column.type !== 'numeric') return 'classification';
  const v = finiteValues(column);
  let integers = true;
  for (let i = 0; i < v.length && integers; i++) integers = Number.isInteger(v[i]);
  return integers && countDistinctNumeric(v, 20) <= 20 ? 'classification' : 'regression';
}

function distribution(counts: Map<string, number>): LabelValueCount[] {
  let total = 0;
  for (const c of counts.values()) total += c;
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, count]) => ({ value, count, share: total ? count / total : 0 }));
}

function imbalance(counts: Map<string, number>): number {
  const values = [...counts.values()];
  if (values.length === 0) return 1;
  return Math.max(...values) / Math.min(...values);
}

/**
 * Two label columns compared. Columns of different names (after normalising case, spaces and
 * punctuation, as the schema alignment matches columns) are different targets: each side's
 * distribution is described, but their values are not compared (no shared values, overlap, JS
 * distance, chi-squared, KS or Wasserstein: Species against Sex means nothing).
 */
export function compareLabels(ref: Column, other: Column): LabelComparison {
  const task = labelTask(ref) === 'regression' && labelTask(other) === 'regression' ? 'regression' : 'classification';
  const sameColumn = normalizeColumnName(ref.name) === normalizeColumnName(other.name);
  const base = { referenceColumn: ref.name, otherColumn: other.name, task, sameColumn } as const;
  if (task === 'regression' && ref.type === 'numeric' && other.type === 'numeric') {
    const a = finiteValues(ref);
    const b = finiteValues(other);
    const ks = sameColumn && a.length && b.length ? ksTwoSample(a, b) : undefined;
    const hist = pooledHistogram(a, b, LABEL_BINS);
    return {
      ...base,
      shared: [],
      onlyReference: [],
      onlyOther: [],
      overlap: 1,
      referenceDistribution: [],
      otherDistribution: [],
      referenceImbalance: 1,
      otherImbalance: 1,
      ...(ks ? { ks: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method } } : {}),
      ...(sameColumn ? { wassersteinNorm: a.length && b.length ? wassersteinNorm(wasserstein1(a, b), populationStd(a)) : Number.NaN } : {}),
      ...(a.length ? { referenceMean: mean(a) } : {}),
      ...(b.length ? { otherMean: mean(b) } : {}),
      distribution: { edges: hist.edges, reference: hist.reference, other: hist.other },
    };
  }
  const ca = categoryCounts(ref);
  const cb = categoryCounts(other);
  if (!sameColumn) {
    return {
      ...base,
      shared: [],
      onlyReference: [],
      onlyOther: [],
      overlap: 0,
      referenceDistribution: distribution(ca),
      otherDistribution: distribution(cb),
      referenceImbalance: imbalance(ca),
      otherImbalance: imbalance(cb),
    };
  }
  const shared = [...ca.keys()].filter((k) => cb.has(k)).sort();
  const onlyReference = [...ca.keys()].filter((k) => !cb.has(k)).sort();
  const onlyOther = [...cb.keys()].filter((k) => !ca.has(k)).sort();
  const union = shared.length + onlyReference.length + onlyOther.length;
  const aligned = alignCounts(ca, cb);
  return {
    ...base,
    shared,
    onlyReference,
    onlyOther,
    overlap: union ? shared.length / union : 0,
    referenceDistribution: distribution(ca),
    otherDistribution: distribution(cb),
    referenceImbalance: imbalance(ca),
    otherImbalance: imbalance(cb),
    jensenShannon: jensenShannonDistance(aligned.ref, aligned.other),
    chi2: chiSquaredHomogeneity(aligned.ref, aligned.other),
  };
}
