/**
 * The label columns of two streamed files compared (compare --stream --label), by the in-memory
 * rules of compare/labelShift.ts: a numeric column of at most 20 distinct integers is classes,
 * otherwise numbers are a regression target; columns of different names (after normalising case,
 * spaces and punctuation) are different targets whose values are never compared.
 *
 * Classes: each file's exact class counts while its summary is exact (FrequentItems: up to its
 * capacity; numbers: the quantile sketch's exact counts); the label spaces' overlap, the
 * imbalance, Jensen-Shannon and chi-squared are then the in-memory figures. Past the cap the
 * counts are the summary's lower bounds (each at most `undercount` below the truth): only what
 * is certain is said (a value kept on both sides is shared; one kept on one side is only there
 * when the other side is exact), and overlap, imbalance, JS and chi-squared are left out.
 *
 * Regression: KS and the normalised Wasserstein from the quantile sketches, each with the
 * interval its exact value lies in, the exact means, and the 30-bin shared histogram.
 */
import { alignCounts } from '../compare/columnCache';
import { normalizeColumnName } from '../schemaAlign';
import { chiSquaredHomogeneity } from '../stats/chi2';
import { jensenShannonDistance } from '../stats/divergence';
import { wassersteinNorm } from '../stats/driftRule';
import { kstwoSf } from '../stats/kstwo';
import { sketchDistances, sketchHistogram, type Bounded } from './quantileSketch';
import type { StreamColumn } from './streamProfile';

export interface StreamLabelCount {
  readonly value: string;
  /** Exact when the side's counts are exact, else a lower bound (the truth is at most `undercount` more). */
  readonly count: number;
  readonly share: number;
}

export interface StreamLabelComparison {
  readonly referenceColumn: string;
  readonly otherColumn: string;
  readonly task: 'classification' | 'regression';
  readonly sameColumn: boolean;
  /** Every figure here is the in-memory one (counts within the exact cap, exact sketches). */
  readonly exact: boolean;
  /** Values certainly in both files / certainly only in one. */
  readonly shared: readonly string[];
  readonly onlyReference: readonly string[];
  readonly onlyOther: readonly string[];
  /** |shared| / |union|, when both label spaces are known exactly. */
  readonly overlap?: number;
  readonly referenceDistribution: readonly StreamLabelCount[];
  readonly otherDistribution: readonly StreamLabelCount[];
  /** How far below the truth a count may be (0: exact), and a value not listed occurred at most this often. */
  readonly referenceUndercount: number;
  readonly otherUndercount: number;
  /** Largest / smallest class count, when the counts are exact. */
  readonly referenceImbalance?: number;
  readonly otherImbalance?: number;
  readonly jensenShannon?: number;
  readonly chi2?: { readonly statistic: number; readonly pvalue: number; readonly dof: number };
  readonly ks?: { readonly statistic: Bounded; readonly pvalue: number; readonly pvalueRange: readonly [number, number] };
  readonly wassersteinNorm?: Bounded;
  readonly referenceMean?: number;
  readonly otherMean?: number;
  readonly distribution?: { readonly edges: number[]; readonly reference: number[]; readonly other: number[]; readonly maxShareError: number };
}

/** Bins of the shared histogram of two regression targets (as in memory). */
const LABEL_BINS = 30;

function isClasses(c: StreamColumn): boolean {
  if (c.kind !== 'numeric') return true;
  if (!c.sketch.isExact) return false; // more distinct values than the sketch keeps exactly: far more than 20
  const segs = c.sketch.segments();
  return segs.length <= 20 && segs.every((s) => Number.isInteger(s.l));
}

/** A column's class counts: exact, or lower bounds with the most they may be below the truth. */
function classCounts(c: StreamColumn): { counts: Map<string, number>; total: number; undercount: number } {
  if (c.kind === 'numeric') {
    // Numbers become their shortest string form, as categoryCounts makes them in memory.
    if (c.sketch.isExact) return { counts: new Map(c.sketch.segments().map((s) => [String(s.l), s.c])), total: c.numbers, undercount: 0 };
    return { counts: new Map(), total: c.numbers, undercount: c.numbers };
  }
  return { counts: new Map(c.categories.top().map((t) => [t.value, t.count])), total: c.categories.total, undercount: c.categories.undercount };
}

function distribution(x: { counts: Map<string, number>; total: number }): StreamLabelCount[] {
  return [...x.counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([value, count]) => ({ value, count, share: x.total ? count / x.total : 0 }));
}

function imbalance(counts: Map<string, number>): number {
  const v = [...counts.values()];
  return v.length ? Math.max(...v) / Math.min(...v) : 1;
}

function ksPvalue(d: number, n1: number, n2: number): number {
  return Math.min(1, Math.max(0, kstwoSf(Math.round((n1 * n2) / (n1 + n2)), d)));
}

export function compareStreamLabels(ref: StreamColumn, other: StreamColumn): StreamLabelComparison {
  const task = !isClasses(ref) && !isClasses(other) ? 'regression' : 'classification';
  const sameColumn = normalizeColumnName(ref.name) === normalizeColumnName(other.name);
  const base = { referenceColumn: ref.name, otherColumn: other.name, task, sameColumn } as const;
  if (task === 'regression') {
    const exact = ref.sketch.isExact && other.sketch.isExact;
    const hist = sketchHistogram(ref.sketch, other.sketch, LABEL_BINS);
    const both = sameColumn && ref.numbers > 0 && other.numbers > 0;
    let compared = {};
    if (both) {
      const dist = sketchDistances(ref.sketch, other.sketch);
      const std = Math.sqrt(ref.m2 / ref.numbers);
      const norm = (v: number) => wassersteinNorm(v, std);
      compared = {
        ks: { statistic: dist.ks, pvalue: ksPvalue(dist.ks.estimate, ref.numbers, other.numbers), pvalueRange: [ksPvalue(dist.ks.upper, ref.numbers, other.numbers), ksPvalue(dist.ks.lower, ref.numbers, other.numbers)] as const },
        wassersteinNorm: { estimate: norm(dist.wasserstein.estimate), lower: norm(dist.wasserstein.lower), upper: norm(dist.wasserstein.upper) },
      };
    }
    return {
      ...base,
      exact,
      shared: [],
      onlyReference: [],
      onlyOther: [],
      referenceDistribution: [],
      otherDistribution: [],
      referenceUndercount: 0,
      otherUndercount: 0,
      ...compared,
      ...(ref.numbers ? { referenceMean: ref.mean } : {}),
      ...(other.numbers ? { otherMean: other.mean } : {}),
      distribution: hist,
    };
  }
  const ca = classCounts(ref);
  const cb = classCounts(other);
  const exactA = ca.undercount === 0;
  const exactB = cb.undercount === 0;
  const sides = {
    referenceDistribution: distribution(ca),
    otherDistribution: distribution(cb),
    referenceUndercount: ca.undercount,
    otherUndercount: cb.undercount,
    ...(exactA ? { referenceImbalance: imbalance(ca.counts) } : {}),
    ...(exactB ? { otherImbalance: imbalance(cb.counts) } : {}),
  };
  if (!sameColumn) return { ...base, exact: exactA && exactB, shared: [], onlyReference: [], onlyOther: [], ...sides };
  // A kept value certainly occurs (pruning keeps counts above 0); one absent from a summary is certainly absent only when that summary is exact.
  const shared = [...ca.counts.keys()].filter((k) => cb.counts.has(k)).sort();
  const onlyReference = exactB ? [...ca.counts.keys()].filter((k) => !cb.counts.has(k)).sort() : [];
  const onlyOther = exactA ? [...cb.counts.keys()].filter((k) => !ca.counts.has(k)).sort() : [];
  if (!(exactA && exactB)) return { ...base, exact: false, shared, onlyReference, onlyOther, ...sides };
  const union = shared.length + onlyReference.length + onlyOther.length;
  const aligned = alignCounts(ca.counts, cb.counts);
  const chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
  return {
    ...base,
    exact: true,
    shared,
    onlyReference,
    onlyOther,
    overlap: union ? shared.length / union : 0,
    ...sides,
    jensenShannon: jensenShannonDistance(aligned.ref, aligned.other),
    chi2: { statistic: chi2.statistic, pvalue: chi2.pvalue, dof: chi2.dof },
  };
}
