/**
 * Uncertainty of a holdout run (one test split per dataset): a BCa bootstrap interval for every
 * metric of every arm, per dataset (resampling that dataset's test rows) and pooled (resampling
 * each dataset's test rows within the dataset); paired comparisons of every two arms on the same
 * rows (McNemar's mid-p test for accuracy, a paired bootstrap for R2, with a paired percentile
 * interval of the difference); a stratified paired bootstrap interval of delta_m. All resamples
 * are seeded by evaluation.seed and the dataset's name, and every arm sees the same resamples.
 */
import { bootstrapDistributions, bootstrapInterval, bootstrapPValue, intervalFromDistribution } from '../../core/stats/bootstrap';
import { mcnemar } from '../../core/stats/pairedTests';
import type { ArmName, ArmResult, EvaluationInfo, Interval, Metrics } from '../../protocol/runFolder/contract';
import { sourceSeed } from '../data';
import type { SourcePredictions } from '../evaluate';
import type { EvaluationSpec } from '../experiment';
import { ARM_ORDER, interval, pairKey, type Evidence, type PairEvidence } from './evidence';
import { concatPredictions, headlineMetric, metricNames, metricStatistic } from './metricStatistics';

type Predictions = ReadonlyMap<ArmName, Record<string, SourcePredictions>>;

function metricIntervals(p: SourcePredictions, classes: number, spec: EvaluationSpec, seed: number, strata?: Int32Array): Record<string, Interval> {
  const out: Record<string, Interval> = {};
  for (const m of metricNames(p.task)) {
    const r = bootstrapInterval(p.yTrue.length, metricStatistic(p, m, classes), { resamples: spec.bootstrap, confidence: spec.confidence, seed, method: 'bca', ...(strata ? { strata } : {}) });
    out[m] = m === 'accuracy' && r.low === r.high ? clopperPearsonEdge(r.estimate, p.yTrue.length, spec.confidence) : interval(r.low, r.high);
  }
  return out;
}

/**
 * Every test row right (or every one wrong) makes every resample score the same: the bootstrap
 * says [1, 1], which claims a certainty 60 rows cannot give. The exact binomial (Clopper-Pearson)
 * interval does not degenerate there: [(alpha/2)^(1/n), 1] for n of n right, its mirror for 0.
 */
export function clopperPearsonEdge(accuracy: number, n: number, confidence: number): Interval {
  const bound = ((1 - confidence) / 2) ** (1 / n);
  if (accuracy === 1) return [bound, 1];
  if (accuracy === 0) return [0, 1 - bound];
  return interval(accuracy, accuracy);
}

function withCi<M extends Metrics>(m: M, ci: Record<string, Interval>): M {
  return { ...m, ci } as M;
}

const POOLED_SEED = 0x504f4f4c;

/** Every metric of every scored arm with its interval; the paired evidence between arms. */
export function holdoutEvidence(arms: readonly ArmResult[], predictions: Predictions, sources: readonly string[], classes: number, spec: EvaluationSpec): { arms: ArmResult[]; evidence: Evidence } {
  const info: EvaluationInfo = {
    method: 'holdout',
    folds: 1,
    repeats: 1,
    confidence: spec.confidence,
    alpha: 1 - spec.confidence,
    intervals: 'bca-bootstrap',
    resamples: spec.bootstrap,
    correction: 'holm',
    savedModels: 'holdout',
  };
  const withIntervals = arms.map((a) => {
    const preds = predictions.get(a.arm);
    if (!preds || a.diverged || !a.pooled) return a;
    const bySource = Object.fromEntries(
      Object.entries(a.bySource).map(([s, m]) => [s, preds[s] ? withCi(m, metricIntervals(preds[s], classes, spec, sourceSeed(spec.seed, s))) : m]),
    );
    const pooled = concatPredictions(sources.filter((s) => preds[s]).map((s) => preds[s]));
    return { ...a, bySource, pooled: withCi(a.pooled, metricIntervals(pooled.predictions, classes, spec, spec.seed ^ POOLED_SEED, pooled.strata)) };
  });

  const scored = ARM_ORDER.filter((a) => predictions.has(a) && arms.some((r) => r.arm === a && !r.diverged));
  const pairs: Record<string, Record<string, PairEvidence>> = {};
  for (const s of sources) {
    pairs[s] = {};
    for (let i = 0; i < scored.length; i++) {
      for (let j = i + 1; j < scored.length; j++) {
        const pa = predictions.get(scored[i])?.[s];
        const pb = predictions.get(scored[j])?.[s];
        if (pa && pb) pairs[s][pairKey(scored[i], scored[j])] = pairedHoldout(pa, pb, classes, spec, sourceSeed(spec.seed, s));
      }
    }
  }

  const deltaMCi: Evidence['deltaMCi'] = {};
  const sep = predictions.get('separate');
  for (const arm of ['merged', 'multihead'] as const) {
    const other = predictions.get(arm);
    if (!sep || !other || !sources.every((s) => sep[s] && other[s])) continue;
    deltaMCi[arm] = deltaMInterval(sources.map((s) => [sep[s], other[s]]), classes, spec);
  }
  return { arms: withIntervals, evidence: { info, pairs, deltaM: {}, deltaMCi } };
}

/** First arm minus second on the same test rows. */
export function pairedHoldout(a: SourcePredictions, b: SourcePredictions, classes: number, spec: EvaluationSpec, seed: number): PairEvidence {
  const metric = headlineMetric(a.task);
  const statA = metricStatistic(a, metric, classes);
  const statB = metricStatistic(b, metric, classes);
  const n = a.yTrue.length;
  const ones = new Float64Array(n).fill(1);
  const difference = statA(ones) - statB(ones);
  const [da, db] = bootstrapDistributions(n, [statA, statB], { resamples: spec.bootstrap, seed });
  const diff = da.map((v, i) => v - db[i]);
  const r = intervalFromDistribution(difference, diff, spec.confidence, 'percentile');
  if (a.task === 'classification') {
    let onlyA = 0;
    let onlyB = 0;
    for (let i = 0; i < n; i++) {
      const okA = a.yPred[i] === a.yTrue[i];
      const okB = b.yPred[i] === b.yTrue[i];
      if (okA && !okB) onlyA++;
      else if (okB && !okA) onlyB++;
    }
    return { difference, ci: interval(r.low, r.high), pValue: mcnemar(onlyA, onlyB).midP, test: 'mcnemar-midp' };
  }
  return { difference, ci: interval(r.low, r.high), pValue: bootstrapPValue(diff), test: 'paired-bootstrap' };
}

/**
 * delta_m = mean over datasets of (arm - separate) / |separate|, bootstrapped with every
 * dataset's test rows resampled within the dataset, both arms on the same resample.
 */
function deltaMInterval(perSource: readonly (readonly [SourcePredictions, SourcePredictions])[], classes: number, spec: EvaluationSpec): Interval {
  const metric = headlineMetric(perSource[0][0].task);
  const parts: { from: number; to: number; sep: (w: Float64Array) => number; arm: (w: Float64Array) => number }[] = [];
  let off = 0;
  const strataList: number[] = [];
  perSource.forEach(([sep, arm], k) => {
    const n = sep.yTrue.length;
    parts.push({ from: off, to: off + n, sep: metricStatistic(sep, metric, classes), arm: metricStatistic(arm, metric, classes) });
    for (let i = 0; i < n; i++) strataList.push(k);
    off += n;
  });
  const stat = (w: Float64Array) => {
    let sum = 0;
    for (const p of parts) {
      const ws = w.subarray(p.from, p.to);
      const base = p.sep(ws);
      sum += (p.arm(ws) - base) / Math.abs(base);
    }
    return sum / parts.length;
  };
  const estimate = stat(new Float64Array(off).fill(1));
  const [dist] = bootstrapDistributions(off, [stat], { resamples: spec.bootstrap, seed: spec.seed ^ 0x44454c54, strata: Int32Array.from(strataList) });
  const r = intervalFromDistribution(estimate, dist, spec.confidence, 'percentile');
  return interval(r.low, r.high);
}
