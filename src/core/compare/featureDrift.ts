/**
 * Drift of one feature between two datasets: KS, Wasserstein (raw and normalised), PSI, JS and
 * the shared histogram for numeric columns; chi-squared, JS and PSI over aligned categories for
 * categorical ones (and for numeric codes with few distinct values); time ranges and calendar
 * parts for datetime columns (timeDrift.ts); lengths and vocabularies for text (textDrift.ts);
 * the drift verdict. Two columns of different kinds are compared as categories.
 */
import { pooledHistogram } from '../stats/binning';
import { chiSquaredHomogeneity } from '../stats/chi2';
import { mean } from '../stats/descriptive';
import { jensenShannonDistance, psi } from '../stats/divergence';
import { driftVerdict, wassersteinNorm, type DriftThresholds } from '../stats/driftRule';
import { ksTwoSample } from '../stats/ks';
import { wasserstein1 } from '../stats/wasserstein';
import type { Column } from '../table';
import { alignCounts, categoryCounts, isIdentifierLike, nonMissing, pooledDistinctAtMost, populationStd, sortedValues } from './columnCache';
import { compareText } from './textDrift';
import { compareTime } from './timeDrift';
import type { Chi2Result, FeatureComparison } from './types';

export function compareFeature(
  ref: Column,
  other: Column,
  refRows: number,
  otherRows: number,
  thresholds: DriftThresholds,
  bins: number,
): FeatureComparison {
  const refN = nonMissing(ref);
  const otherN = nonMissing(other);
  const base = {
    name: ref.name,
    ...(ref.name !== other.name ? { otherName: other.name } : {}),
    referenceN: refN,
    otherN,
    referenceMissingShare: refRows ? (refRows - refN) / refRows : 0,
    otherMissingShare: otherRows ? (otherRows - otherN) / otherRows : 0,
  };
  if (ref.type === 'datetime' && other.type === 'datetime') return compareTime(ref, other, base, thresholds, bins);
  if (ref.type === 'text' && other.type === 'text') return compareText(ref, other, base, thresholds, bins);
  if (ref.type === 'numeric' && other.type === 'numeric') {
    // Sorted once: KS, Wasserstein and the distinct count all walk the sorted samples.
    const a = sortedValues(ref);
    const b = sortedValues(other);
    const hist = pooledHistogram(a, b, bins, { presorted: true });
    const js = jensenShannonDistance(hist.reference, hist.other);
    const p = psi(hist.reference, hist.other);
    const ks = a.length && b.length ? ksTwoSample(a, b, { presorted: true }) : undefined;
    const w = a.length && b.length ? wasserstein1(a, b, { presorted: true }) : Number.NaN;
    const wNorm = wassersteinNorm(w, populationStd(a));
    // Few distinct values: a numeric code, treated as categorical for the p-value test.
    // Distinct values over both datasets pooled, as Evidently counts them.
    const lowCardinality = pooledDistinctAtMost(a, b, thresholds.categoricalMaxUnique);
    let chi2: Chi2Result | undefined;
    let catJs = js;
    if (lowCardinality) {
      const aligned = alignCounts(categoryCounts(ref), categoryCounts(other));
      chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
      catJs = jensenShannonDistance(aligned.ref, aligned.other);
    }
    const verdict = driftVerdict(
      lowCardinality
        ? { kind: 'categorical', referenceRows: refN, chi2Pvalue: chi2?.pvalue ?? 1, jensenShannon: catJs }
        : { kind: 'numeric', referenceRows: refN, ksPvalue: ks?.pvalue ?? 1, wassersteinNorm: wNorm },
      thresholds,
    );
    return {
      ...base,
      type: 'numeric',
      ...(ks ? { ks: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method } } : {}),
      wasserstein: w,
      wassersteinNorm: wNorm,
      referenceMean: mean(a),
      otherMean: mean(b),
      psi: p,
      jensenShannon: js,
      ...(chi2 ? { chi2 } : {}),
      drift: verdict.drift,
      method: verdict.method,
      verdictValue: verdict.value,
      threshold: verdict.threshold,
      identifierLike: false,
      distribution: { edges: hist.edges, reference: hist.reference, other: hist.other },
    };
  }
  // Categorical on either side (a type conflict compares both as categories).
  const aligned = alignCounts(categoryCounts(ref), categoryCounts(other));
  const chi2 = chiSquaredHomogeneity(aligned.ref, aligned.other);
  const js = jensenShannonDistance(aligned.ref, aligned.other);
  const p = psi(aligned.ref, aligned.other);
  const identifierLike = isIdentifierLike(ref, refN) || isIdentifierLike(other, otherN);
  const verdict = driftVerdict({ kind: 'categorical', referenceRows: refN, chi2Pvalue: chi2.pvalue, jensenShannon: js }, thresholds);
  const top = 30;
  return {
    ...base,
    type: 'categorical',
    psi: p,
    jensenShannon: js,
    chi2,
    onlyReferenceCategories: aligned.categories.filter((_, i) => aligned.other[i] === 0),
    onlyOtherCategories: aligned.categories.filter((_, i) => aligned.ref[i] === 0),
    drift: verdict.drift,
    method: verdict.method,
    verdictValue: verdict.value,
    threshold: verdict.threshold,
    identifierLike,
    distribution: {
      categories: aligned.categories.slice(0, top),
      reference: aligned.ref.slice(0, top),
      other: aligned.other.slice(0, top),
    },
  };
}
