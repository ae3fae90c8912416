/**
 * The recommendation (merge | multihead | separate, with its reasons) from streamed comparisons:
 * each StreamComparison is turned into the PairComparison the in-memory rule reads
 * (recommend.ts), its figures being the sketches' estimates, and the same rule runs on it. What
 * the rule could not be given in the streaming mode is said in its reasons and listed per pair
 * (`unavailableInputs`): the label overlap past the exact category cap, the domain classifier
 * when it did not run, drift verdicts whose bound straddles the threshold (the drift share is
 * then a range), the vocabulary checks of free-text columns (held as categories; a column whose
 * sampled cells read as text is named), and the period checks of date columns whose dates could
 * not be followed in one pass (streamDates.ts). Columns both files read as dates carry the
 * in-memory time comparison, and the rule reads their periods as it does in memory.
 */
import type { FeatureComparison, LabelComparison, PairComparison } from '../compare/types';
import { recommend, type Recommendation, type RecommendOptions } from '../recommend';
import type { StreamComparison, StreamFeature } from './streamCompare';

/** One input of the rule the streaming mode could not give it, and what the verdict did without it. */
export interface UnavailableInput {
  readonly reference: string;
  readonly other: string;
  /** label-overlap | domain-classifier | drift-share | dates | text */
  readonly input: 'label-overlap' | 'domain-classifier' | 'drift-share' | 'dates' | 'text';
  readonly message: string;
}

export interface StreamRecommendation extends Recommendation {
  /** What the rule could not read in the streaming mode (also said in `reasons`). */
  readonly unavailableInputs: readonly UnavailableInput[];
}

/** Dataset name and label per file, as the in-memory compare names them. */
export interface StreamDatasetInfo {
  readonly name: string;
  readonly rows: number;
  readonly label: string | undefined;
}

/** A streamed feature as the in-memory rule reads it (estimates for the sketched figures). */
function asFeature(f: StreamFeature): FeatureComparison {
  return {
    name: f.name,
    ...(f.otherName !== undefined ? { otherName: f.otherName } : {}),
    type: f.type,
    referenceN: f.referenceN,
    otherN: f.otherN,
    referenceMissingShare: f.referenceMissingShare,
    otherMissingShare: f.otherMissingShare,
    ...(f.ks ? { ks: { statistic: f.ks.statistic.estimate, pvalue: f.ks.pvalue, method: 'asymp' as const } } : {}),
    ...(f.wasserstein ? { wasserstein: f.wasserstein.estimate } : {}),
    ...(f.wassersteinNorm ? { wassersteinNorm: f.wassersteinNorm.estimate } : {}),
    ...(f.referenceMean !== undefined ? { referenceMean: f.referenceMean } : {}),
    ...(f.otherMean !== undefined ? { otherMean: f.otherMean } : {}),
    psi: f.psi,
    jensenShannon: f.jensenShannon,
    ...(f.chi2 ? { chi2: f.chi2 } : {}),
    drift: f.drift,
    method: f.method,
    verdictValue: f.verdictValue,
    threshold: f.threshold,
    identifierLike: f.identifierLike ?? false,
    ...(f.time ? { time: f.time } : {}),
    distribution: f.distribution
      ? { edges: f.distribution.edges, ...(f.distribution.time ? { time: true } : {}), reference: f.distribution.reference, other: f.distribution.other }
      : { categories: f.categories?.values ?? [], reference: f.categories?.reference ?? [], other: f.categories?.other ?? [] },
  };
}

/** The label comparison the rule reads; undefined when its deciding figure (the overlap of class sets) is unknown. */
function asLabel(c: StreamComparison): LabelComparison | undefined {
  const l = c.label;
  if (!l) return undefined;
  if (l.sameColumn && l.task === 'classification' && l.overlap === undefined) return undefined;
  return {
    referenceColumn: l.referenceColumn,
    otherColumn: l.otherColumn,
    task: l.task,
    sameColumn: l.sameColumn,
    shared: l.shared,
    onlyReference: l.onlyReference,
    onlyOther: l.onlyOther,
    overlap: l.overlap ?? 0,
    referenceDistribution: l.referenceDistribution,
    otherDistribution: l.otherDistribution,
    referenceImbalance: l.referenceImbalance ?? NaN,
    otherImbalance: l.otherImbalance ?? NaN,
    ...(l.jensenShannon !== undefined ? { jensenShannon: l.jensenShannon } : {}),
    ...(l.chi2 ? { chi2: l.chi2 } : {}),
    ...(l.ks ? { ks: { statistic: l.ks.statistic.estimate, pvalue: l.ks.pvalue, method: 'asymp' as const } } : {}),
    ...(l.wassersteinNorm ? { wassersteinNorm: l.wassersteinNorm.estimate } : {}),
    ...(l.referenceMean !== undefined ? { referenceMean: l.referenceMean } : {}),
    ...(l.otherMean !== undefined ? { otherMean: l.otherMean } : {}),
  };
}

/** The PairComparison of the in-memory rule, from a streamed comparison of the named datasets. */
export function streamPairComparison(c: StreamComparison, referenceName: string, otherName: string): PairComparison {
  const features = c.features.map(asFeature);
  const compared = features.filter((f) => !f.identifierLike);
  const label = asLabel(c);
  const s = c.schema;
  const all = s.matched.length + s.onlyReference.length + s.onlyOther.length;
  return {
    reference: referenceName,
    other: otherName,
    schema: s,
    features,
    ...(label ? { label } : {}),
    ...(c.domainClassifier ? { domainClassifier: c.domainClassifier } : {}),
    driftShare: compared.length ? compared.filter((f) => f.drift).length / compared.length : 0,
    sizeRatio: Math.max(c.reference.rows, c.other.rows) / Math.max(1, Math.min(c.reference.rows, c.other.rows)),
    sharedFeatureShare: all ? s.matched.length / all : 0,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;

/** What the rule could not be given for one pair, each as a sentence for the reasons. */
export function unavailableInputs(c: StreamComparison, referenceName: string, otherName: string, skippedDomainClassifier = false): UnavailableInput[] {
  const out: UnavailableInput[] = [];
  const names = `${referenceName} vs ${otherName}`;
  const add = (input: UnavailableInput['input'], message: string) => out.push({ reference: referenceName, other: otherName, input, message: `${names}: streaming mode: ${message}` });
  const l = c.label;
  if (l && l.sameColumn && l.task === 'classification' && l.overlap === undefined) {
    add('label-overlap', `the label "${l.referenceColumn}" has more distinct values than the summaries count exactly, so the overlap of the label spaces is unknown and the verdict does not use it (${l.shared.length} value(s) certainly shared)`);
  }
  if (!c.domainClassifier) add('domain-classifier', `the domain classifier did not run (${skippedDomainClassifier ? '--no-domain-classifier' : 'too few sampled rows or no shared feature column it can read'}), so the verdict rests on drift and labels alone`);
  const compared = c.features.filter((f) => !f.identifierLike);
  const unsure = compared.filter((f) => !f.verdictSure);
  if (unsure.length && compared.length) {
    const drifted = compared.filter((f) => f.drift).length;
    const least = compared.filter((f) => f.drift && f.verdictSure).length / compared.length;
    const most = (drifted + unsure.filter((f) => !f.drift).length) / compared.length;
    add('drift-share', `${unsure.length} of ${compared.length} drift verdicts are unsure (the sketch bound of the deciding figure straddles its threshold: ${unsure.slice(0, 5).map((f) => f.name).join(', ')}${unsure.length > 5 ? ', ...' : ''}), so the drifted share lies between ${pct(least)} and ${pct(most)}; the verdict used the estimate ${pct(drifted / compared.length)}`);
  }
  // Dates both files were followed in are compared as dates (type datetime); these are the rest.
  const dates = c.features.filter((f) => f.type === 'categorical' && f.sampledKind === 'datetime').map((f) => f.name);
  const text = c.features.filter((f) => f.sampledKind === 'text').map((f) => f.name);
  if (dates.length) {
    const why = c.features.filter((f) => dates.includes(f.name) && f.datesNotFollowed).map((f) => `"${f.name}": ${f.datesNotFollowed}`);
    add('dates', `${dates.map((n) => `"${n}"`).join(', ')} hold${dates.length === 1 ? 's' : ''} dates (by the sampled rows) that could not be followed in one pass${why.length ? ` (${why.join('; ')})` : ''}, so ${dates.length === 1 ? 'it is' : 'they are'} compared here as categories: the time ranges and calendar-part drift the rule reads for dates are not computed for ${dates.length === 1 ? 'it' : 'them'}`);
  }
  if (text.length) add('text', `${text.map((n) => `"${n}"`).join(', ')} hold${text.length === 1 ? 's' : ''} free text (by the sampled rows), compared here as categories: the vocabulary overlap and lengths the rule reads for text are not computed`);
  return out;
}

/**
 * The in-memory rule on streamed comparisons (each against the reference), with what it could
 * not be given appended to its reasons and to each pair's.
 */
export function recommendStreams(
  comparisons: readonly { readonly comparison: StreamComparison; readonly pair: PairComparison; readonly unavailable: readonly UnavailableInput[] }[],
  datasets: readonly StreamDatasetInfo[],
  options: Partial<RecommendOptions> = {},
): StreamRecommendation {
  const r = recommend(
    comparisons.map((c) => c.pair),
    datasets,
    options,
  );
  const unavailable = comparisons.flatMap((c) => c.unavailable);
  return {
    ...r,
    reasons: [...r.reasons, ...unavailable.map((u) => u.message)],
    pairs: r.pairs.map((p) => ({ ...p, reasons: [...p.reasons, ...unavailable.filter((u) => u.reference === p.reference && u.other === p.other).map((u) => u.message)] })),
    unavailableInputs: unavailable,
  };
}

/**
 * compare --stream --json: the first pair's fields at the top level (the two-file document as it
 * was before N files), every pair against the reference under `comparisons`, the datasets, and
 * the recommendation over all pairs (docs/scaling.md lists the fields).
 */
export type StreamCompareDocument = StreamComparison & {
  /** What is approximate and by how much, in words. */
  readonly approximate: string;
  readonly datasets: readonly { readonly name: string; readonly path: string; readonly rows: number; readonly bytes: number; readonly label?: string }[];
  readonly comparisons: readonly (StreamComparison & { readonly referenceName: string; readonly otherName: string })[];
  readonly recommendation: StreamRecommendation;
};
