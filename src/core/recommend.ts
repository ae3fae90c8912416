/**
 * merge | multihead | separate, with the reasons that produced it. The rule reads the pairwise
 * comparisons against the reference dataset; the thresholds are options (docs/statistics.md).
 */
import type { PairComparison } from './compare/types';

export type Strategy = 'merge' | 'multihead' | 'separate';

export interface RecommendOptions {
  /** Below this share of shared feature columns a shared trunk has too little to share. Default 0.5. */
  readonly minSharedFeatureShare: number;
  /** Label-value overlap (Jaccard) below which label spaces count as different. Default 0.5. */
  readonly minLabelOverlap: number;
  /** Domain-classifier score (2*AUC-1) at or above which distributions count as shifted. Default 0.25. */
  readonly shiftScore: number;
  /** Score at or above which the datasets are almost perfectly separable. Default 0.8. */
  readonly severeShiftScore: number;
  /** Share of drifted features at or above which the datasets count as drifted. Default 0.5. */
  readonly driftShare: number;
  /** Size ratio above which a merged model is warned to follow the larger dataset. Default 3. */
  readonly sizeRatio: number;
}

export const DEFAULT_RECOMMEND_OPTIONS: RecommendOptions = {
  minSharedFeatureShare: 0.5,
  minLabelOverlap: 0.5,
  shiftScore: 0.25,
  severeShiftScore: 0.8,
  driftShare: 0.5,
  sizeRatio: 3,
};

export interface PairVerdict {
  readonly reference: string;
  readonly other: string;
  readonly strategy: Strategy;
  readonly reasons: readonly string[];
}

export interface Recommendation {
  readonly strategy: Strategy;
  readonly reasons: readonly string[];
  /** Evidence that argues for checking the runner-up, e.g. drift under a merge verdict. */
  readonly cautions: readonly string[];
  readonly pairs: readonly PairVerdict[];
  /** The experiment kind to scaffold: `separate` maps to a merge experiment with the baseline arm. */
  readonly scaffold: 'merge' | 'multihead';
}

interface DatasetInfo {
  readonly name: string;
  readonly rows: number;
  readonly label: string | undefined;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));

interface JudgedPair extends PairVerdict {
  readonly cautions: string[];
  /** Separate because too few feature columns are shared: not even a shared trunk would help. */
  readonly tooLittleShared: boolean;
}

function judgePair(pair: PairComparison, o: RecommendOptions, refInfo: DatasetInfo, otherInfo: DatasetInfo): JudgedPair {
  const reasons: string[] = [];
  const cautions: string[] = [];
  const names = `${pair.reference} vs ${pair.other}`;
  const matched = pair.schema.matched.length;
  const total = matched + pair.schema.onlyReference.length + pair.schema.onlyOther.length;
  const featureLine = `${matched} of ${total} feature columns are shared (${pct(pair.sharedFeatureShare)})`;
  const dc = pair.domainClassifier;
  const dcLine = dc
    ? `a domain classifier tells the datasets apart with ROC AUC ${dc.auc.toFixed(3)} (score 2*AUC-1 = ${dc.score.toFixed(3)}${dc.topFeatures.length ? `; most telling: ${dc.topFeatures.slice(0, 3).map((f) => f.name).join(', ')}` : ''})`
    : undefined;
  const compared = pair.features.filter((f) => !f.identifierLike);
  const drifted = compared.filter((f) => f.drift).map((f) => f.name);
  const driftLine = `${drifted.length} of ${compared.length} compared features drifted${drifted.length ? ` (${drifted.slice(0, 5).join(', ')}${drifted.length > 5 ? ', ...' : ''})` : ''}`;

  if (pair.sharedFeatureShare < o.minSharedFeatureShare) {
    reasons.push(`${names}: only ${featureLine}, below ${pct(o.minSharedFeatureShare)}: too little for one model or a shared trunk`);
    return { reference: pair.reference, other: pair.other, strategy: 'separate', reasons, cautions, tooLittleShared: true };
  }
  reasons.push(`${names}: ${featureLine}`);
  kindReasons(pair, names, reasons, cautions);
  if (pair.schema.typeConflicts.length) cautions.push(`${names}: type conflicts in ${pair.schema.typeConflicts.join(', ')}: fix before training`);

  const label = pair.label;
  if (refInfo.label === undefined || otherInfo.label === undefined) {
    cautions.push(`${names}: no label column given for ${refInfo.label === undefined ? pair.reference : pair.other}; the label space could not be checked (use --label or --labels)`);
  } else if (label && !label.sameColumn) {
    reasons.push(`${names}: the datasets name different label columns ("${label.referenceColumn}" vs "${label.otherColumn}"): different targets need one head each`);
    if (dcLine) reasons.push(`${names}: ${dcLine}`);
    return { reference: pair.reference, other: pair.other, strategy: 'multihead', reasons, cautions, tooLittleShared: false };
  } else if (label && label.task === 'classification' && label.overlap < o.minLabelOverlap) {
    reasons.push(
      `${names}: label spaces differ: ${label.shared.length} shared value(s), ${label.onlyReference.length} only in ${pair.reference}, ${label.onlyOther.length} only in ${pair.other} (overlap ${pct(label.overlap)} < ${pct(o.minLabelOverlap)})`,
    );
    if (dcLine) reasons.push(`${names}: ${dcLine}`);
    return { reference: pair.reference, other: pair.other, strategy: 'multihead', reasons, cautions, tooLittleShared: false };
  } else if (label) {
    reasons.push(
      label.task === 'classification'
        ? `${names}: same label column "${label.referenceColumn}" with ${label.shared.length} shared value(s) (overlap ${pct(label.overlap)})`
        : `${names}: same regression target "${label.referenceColumn}"`,
    );
    if (label.onlyReference.length || label.onlyOther.length) {
      cautions.push(`${names}: label values found in one dataset only: ${[...label.onlyReference, ...label.onlyOther].slice(0, 8).join(', ')}`);
    }
  }

  const sizeRatio = pair.sizeRatio;
  if (sizeRatio > o.sizeRatio) {
    cautions.push(`${names}: sizes differ ${num(sizeRatio)}:1 (${refInfo.rows} vs ${otherInfo.rows} rows); a merged model can drift toward the larger dataset: balance sources and check each source's results`);
  }

  const score = dc?.score;
  const driftShare = pair.driftShare;
  if (score !== undefined && score >= o.severeShiftScore) {
    reasons.push(`${names}: ${dcLine}: the distributions are very different, so one shared model may lose to one model per dataset`);
    reasons.push(`${names}: ${driftLine}`);
    return { reference: pair.reference, other: pair.other, strategy: 'separate', reasons, cautions, tooLittleShared: false };
  }
  if ((score !== undefined && score >= o.shiftScore) || driftShare >= o.driftShare) {
    reasons.push(`${names}: ${dcLine ?? 'no domain classifier'}; ${driftLine}: distributions are shifted but overlap`);
    cautions.push(`${names}: run the separate baseline beside the merged model and compare each source's results`);
    return { reference: pair.reference, other: pair.other, strategy: 'merge', reasons, cautions, tooLittleShared: false };
  }
  reasons.push(`${names}: ${driftLine}${dcLine ? `; ${dcLine}` : ''}: the datasets look alike`);
  return { reference: pair.reference, other: pair.other, strategy: 'merge', reasons, cautions, tooLittleShared: false };
}

/** Time ranges overlapping less than this count as different periods. */
const DIFFERENT_PERIODS = 0.5;
/** Top-k vocabularies sharing less than this (Jaccard) have little in common. */
const LITTLE_SHARED_VOCABULARY = 0.2;

/** What the datetime and text features say: the periods the datasets cover, the vocabularies they share. */
function kindReasons(pair: PairComparison, names: string, reasons: string[], cautions: string[]): void {
  for (const f of pair.features) {
    if (f.time) {
      const t = f.time;
      const drifted = t.parts.filter((p) => p.drift).map((p) => (p.part === 'dayOfWeek' ? 'day of week' : p.part));
      reasons.push(
        `${names}: dates in "${f.name}" run ${t.referenceRange[0]} to ${t.referenceRange[1]} in ${pair.reference} and ${t.otherRange[0]} to ${t.otherRange[1]} in ${pair.other} (time ranges overlap ${pct(t.overlap)}); ${drifted.length ? `${drifted.join(', ')} drifted` : 'year, month and day of week do not drift'}`,
      );
      if (t.overlap < DIFFERENT_PERIODS) {
        cautions.push(`${names}: the datasets cover different periods ("${f.name}": time ranges overlap ${pct(t.overlap)}): a merged model mixes periods, and a test split does not show how it does on a later one`);
      }
    }
    if (f.text) {
      const x = f.text;
      reasons.push(
        `${names}: text in "${f.name}": vocabulary overlap ${pct(x.vocabularyJaccard)} (Jaccard of each side's top ${x.topK} tokens); ${pct(x.otherOovRate)} of ${pair.other}'s tokens never occur in ${pair.reference}; cells average ${num(x.referenceLength.mean)} vs ${num(x.otherLength.mean)} characters`,
      );
      if (x.vocabularyJaccard < LITTLE_SHARED_VOCABULARY) {
        cautions.push(`${names}: little shared vocabulary in "${f.name}" (${pct(x.vocabularyJaccard)}): one text encoder for both datasets meets mostly different words; compare the separate arm`);
      }
    }
  }
}

const severity: Record<Strategy, number> = { merge: 0, multihead: 1, separate: 2 };

export function recommend(
  pairs: readonly PairComparison[],
  datasets: readonly DatasetInfo[],
  options: Partial<RecommendOptions> = {},
): Recommendation {
  const o: RecommendOptions = { ...DEFAULT_RECOMMEND_OPTIONS, ...options };
  const byName = new Map(datasets.map((d) => [d.name, d]));
  const verdicts = pairs.map((p) => judgePair(p, o, byName.get(p.reference) as DatasetInfo, byName.get(p.other) as DatasetInfo));
  // The most cautious pair decides: one pair with different label spaces makes the whole
  // experiment multi-head; one pair that cannot share a model makes it separate.
  let strategy: Strategy = 'merge';
  for (const v of verdicts) if (severity[v.strategy] > severity[strategy]) strategy = v.strategy;
  // Different label spaces dominate distribution shift: heads keep targets apart while the
  // trunk still shares features, so a multihead pair is not overruled by a shifted one.
  if (strategy === 'separate' && verdicts.some((v) => v.strategy === 'multihead') && !verdicts.some((v) => v.tooLittleShared)) {
    strategy = 'multihead';
  }
  const reasons = verdicts.flatMap((v) => v.reasons);
  const cautions = verdicts.flatMap((v) => v.cautions);
  return {
    strategy,
    reasons,
    cautions,
    pairs: verdicts.map(({ reference, other, strategy: s, reasons: r }) => ({ reference, other, strategy: s, reasons: r })),
    scaffold: strategy === 'multihead' ? 'multihead' : 'merge',
  };
}
