/**
 * A text feature of two datasets (docs/statistics.md, "Text"): its length distributions (KS,
 * Wasserstein / reference std, Jensen-Shannon over shared bins, on characters per cell), its
 * vocabularies (Jaccard index of the two top-k token sets), the out-of-vocabulary rate of each
 * side under the other's whole vocabulary, and the Jensen-Shannon distance between the token
 * distributions (both top-k vocabularies, every other token pooled in one bucket).
 *
 * Verdict, by the drift rule's sample sizes: up to 1000 reference rows the length KS p-value
 * decides (tokens of one text are not independent draws, so no p-value is put on token counts);
 * beyond, drift when the lengths' W1 / std reaches the Wasserstein threshold or the token
 * distributions' Jensen-Shannon distance reaches the Jensen-Shannon threshold.
 */
import { codeCounts } from '../columnKind';
import { pooledHistogram } from '../stats/binning';
import { jensenShannonDistance, psi } from '../stats/divergence';
import { driftVerdict, wassersteinNorm, type DriftThresholds } from '../stats/driftRule';
import { ksTwoSample } from '../stats/ks';
import { quantileSorted } from '../stats/descriptive';
import { wasserstein1 } from '../stats/wasserstein';
import { characterLength, countTokens, topTokens, type TokenCounts } from '../text/tokens';
import type { TextColumn } from '../table';
import { populationStd } from './columnCache';
import type { FeatureComparison, TextComparison } from './types';

/** Tokens that make a side's vocabulary for the Jaccard index and the token distribution. */
export const TOP_K_VOCABULARY = 1000;
/** Tokens charted and listed per side. */
const SHOWN_TOKENS = 15;

interface TextSummary {
  readonly tokens: TokenCounts;
  /** Characters per non-missing cell, ascending. */
  readonly lengths: Float64Array;
  readonly top: ReadonlySet<string>;
}

const cache = new WeakMap<TextColumn, TextSummary>();

/** Tokens and lengths of a text column, computed once per column. */
export function textSummary(column: TextColumn): TextSummary {
  const hit = cache.get(column);
  if (hit) return hit;
  const cells = codeCounts(column.codes, column.dictionary.length);
  const tokens = countTokens(column.dictionary, cells);
  const lengthOf = Float64Array.from(column.dictionary, characterLength);
  let n = 0;
  for (let k = 0; k < cells.length; k++) n += cells[k];
  const lengths = new Float64Array(n);
  let at = 0;
  for (let i = 0; i < column.codes.length; i++) if (column.codes[i] >= 0) lengths[at++] = lengthOf[column.codes[i]];
  lengths.sort();
  const summary = { tokens, lengths, top: new Set(topTokens(tokens.counts, TOP_K_VOCABULARY).map(([t]) => t)) };
  cache.set(column, summary);
  return summary;
}

/** Share of `a`'s token occurrences that never occur in `b`. */
function oovRate(a: TokenCounts, b: TokenCounts): number {
  if (a.total === 0) return 0;
  let out = 0;
  for (const [t, n] of a.counts) if (!b.counts.has(t)) out += n;
  return out / a.total;
}

const mean = (x: Float64Array) => (x.length ? x.reduce((s, v) => s + v, 0) / x.length : NaN);

export function compareText(
  ref: TextColumn,
  other: TextColumn,
  base: Omit<FeatureComparison, 'type' | 'psi' | 'jensenShannon' | 'drift' | 'method' | 'verdictValue' | 'threshold' | 'identifierLike' | 'distribution'>,
  thresholds: DriftThresholds,
  bins: number,
): FeatureComparison {
  const a = textSummary(ref);
  const b = textSummary(other);
  // Lengths, as a numeric feature's values.
  const hist = pooledHistogram(a.lengths, b.lengths, bins, { presorted: true });
  const ks = a.lengths.length && b.lengths.length ? ksTwoSample(a.lengths, b.lengths, { presorted: true }) : undefined;
  const w = a.lengths.length && b.lengths.length ? wasserstein1(a.lengths, b.lengths, { presorted: true }) : NaN;
  const wNorm = wassersteinNorm(w, populationStd(a.lengths));
  // Vocabularies.
  let shared = 0;
  for (const t of a.top) if (b.top.has(t)) shared++;
  const union = a.top.size + b.top.size - shared;
  const vocabulary = [...new Set([...a.top, ...b.top])];
  const tokenCounts = (s: TextSummary) => {
    const counts = vocabulary.map((t) => s.tokens.counts.get(t) ?? 0);
    counts.push(s.tokens.total - counts.reduce((x, y) => x + y, 0));
    return counts;
  };
  const tokenJs = jensenShannonDistance(tokenCounts(a), tokenCounts(b));
  // The verdict: lengths by the numeric rule; tokens too once the reference is large.
  const lengthVerdict = driftVerdict({ kind: 'numeric', referenceRows: a.lengths.length, ksPvalue: ks?.pvalue ?? 1, wassersteinNorm: wNorm }, thresholds);
  const large = a.lengths.length > thresholds.smallSampleRows;
  const tokenDrift = large && tokenJs >= thresholds.jensenShannon;
  const verdict = !lengthVerdict.drift && tokenDrift ? { drift: true, method: 'jensenshannon', value: tokenJs, threshold: thresholds.jensenShannon } : lengthVerdict;
  const shares = (s: TextSummary) => topTokens(s.tokens.counts, SHOWN_TOKENS).map(([token, n]) => ({ token, share: s.tokens.total ? n / s.tokens.total : 0 }));
  // Chart: the tokens most frequent over both sides pooled.
  const pooled = new Map<string, number>();
  for (const s of [a, b]) for (const [t, n] of s.tokens.counts) if (s.top.has(t)) pooled.set(t, (pooled.get(t) ?? 0) + n / Math.max(1, s.tokens.total));
  const charted = [...pooled.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 30).map(([t]) => t);
  const text: TextComparison = {
    referenceLength: { mean: mean(a.lengths), median: a.lengths.length ? quantileSorted(a.lengths, 0.5) : NaN },
    otherLength: { mean: mean(b.lengths), median: b.lengths.length ? quantileSorted(b.lengths, 0.5) : NaN },
    ...(ks ? { lengthKs: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method } } : {}),
    lengthWassersteinNorm: wNorm,
    lengthJensenShannon: jensenShannonDistance(hist.reference, hist.other),
    lengthDistribution: { edges: hist.edges, reference: hist.reference, other: hist.other },
    topK: TOP_K_VOCABULARY,
    vocabularyJaccard: union ? shared / union : 1,
    referenceVocabulary: a.tokens.counts.size,
    otherVocabulary: b.tokens.counts.size,
    otherOovRate: oovRate(b.tokens, a.tokens),
    referenceOovRate: oovRate(a.tokens, b.tokens),
    tokenJensenShannon: tokenJs,
    referenceTopTokens: shares(a),
    otherTopTokens: shares(b),
  };
  return {
    ...base,
    type: 'text',
    ...(ks ? { ks: { statistic: ks.statistic, pvalue: ks.pvalue, method: ks.method } } : {}),
    wasserstein: w,
    wassersteinNorm: wNorm,
    referenceMean: text.referenceLength.mean,
    otherMean: text.otherLength.mean,
    psi: psi(hist.reference, hist.other),
    jensenShannon: tokenJs,
    drift: verdict.drift,
    method: verdict.method,
    verdictValue: verdict.value,
    threshold: verdict.threshold,
    identifierLike: false,
    distribution: { categories: charted, reference: charted.map((t) => a.tokens.counts.get(t) ?? 0), other: charted.map((t) => b.tokens.counts.get(t) ?? 0) },
    text,
  };
}
