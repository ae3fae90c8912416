/**
 * The scores and the paired evidence of a cross-validation from its folds' metrics and test
 * predictions (crossValidation.ts trains the folds; an exported PyTorch project's run reads them
 * from predictions.json, src/training/export/torch/runEvidence.ts). Pure: no training code, so
 * the extension host can load it to read an exported run.
 */
import { correctedResampledT } from '../../core/stats/pairedTests';
import type { ArmName, ArmResult, EvaluationInfo, Metrics, SourceResult } from '../../protocol/runFolder/contract';
import type { SourcePredictions } from '../evaluate';
import type { ResolvedExperiment } from '../experiment';
import { classificationMetrics, primaryScore, regressionMetrics } from '../metrics';
import { ARM_ORDER, interval, pairKey, type Evidence, type PairEvidence } from './evidence';
import { concatPredictions } from './metricStatistics';

/** One fold's scores of one arm: per dataset and pooled, and its test predictions per dataset. */
export interface FoldOutcome {
  readonly bySource: Record<string, Metrics>;
  readonly pooled: Metrics;
  readonly predictions: Record<string, SourcePredictions>;
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * The scores and the paired evidence of a cross-validation, from every fold's metrics and test
 * predictions per arm: each score the mean over the folds with its corrected-t interval, each
 * pair of arms compared fold by fold (corrected resampled t), delta_m per fold. `fitted` gives
 * per scored arm its model kind, epochs and seconds (our engine: the refit's, with the folds'
 * seconds added); `diverged` the arms without scores. Shared by `dataset-lab run` and the runs of
 * an exported PyTorch project (src/training/export/torch/runEvidence.ts), which read the folds'
 * predictions from predictions.json.
 */
export function crossValidationScores(
  arms: readonly ArmName[],
  outcomes: ReadonlyMap<ArmName, readonly FoldOutcome[]>,
  fitted: ReadonlyMap<ArmName, ArmResult>,
  diverged: ReadonlyMap<ArmName, ArmResult>,
  sources: readonly string[],
  classNames: readonly string[],
  plan: { readonly testTrainRatio: Readonly<Record<string, readonly number[]>>; readonly pooledRatio: readonly number[] },
  spec: ResolvedExperiment['evaluation'],
): { arms: ArmResult[]; evidence: Evidence } {
  const { testTrainRatio, pooledRatio } = plan;
  const results: ArmResult[] = arms.map((arm) => {
    const d = diverged.get(arm);
    if (d) return d;
    const outs = outcomes.get(arm) as FoldOutcome[];
    const fit = fitted.get(arm) as ArmResult;
    const bySource: Record<string, SourceResult> = {};
    for (const s of sources) {
      const perFold = outs.map((o) => o.bySource[s]);
      const preds = concatPredictions(outs.map((o) => o.predictions[s]), outs[0]?.predictions[s]?.ownClasses);
      const fittedSource = fit.bySource[s];
      bySource[s] = { ...aggregate(perFold, preds.predictions, classNames, mean(testTrainRatio[s]), spec.confidence), epochs: fittedSource?.epochs ?? fit.epochs, bestEpoch: fittedSource?.bestEpoch ?? fit.bestEpoch, foldScores: perFold.map(primaryScore) };
    }
    const pooledPreds = concatPredictions(outs.flatMap((o) => sources.map((s) => o.predictions[s])));
    const pooled = aggregate(outs.map((o) => o.pooled), pooledPreds.predictions, classNames, mean(pooledRatio), spec.confidence);
    return { arm, model: fit.model, bySource, pooled, epochs: fit.epochs, bestEpoch: fit.bestEpoch, seconds: fit.seconds };
  });

  // Paired evidence: per dataset and pair of arms, the fold-by-fold difference of headline scores.
  const scored = ARM_ORDER.filter((a) => arms.includes(a) && !diverged.has(a));
  const pairs: Record<string, Record<string, PairEvidence>> = {};
  for (const s of sources) {
    pairs[s] = {};
    for (let i = 0; i < scored.length; i++) {
      for (let j = i + 1; j < scored.length; j++) {
        const a = (outcomes.get(scored[i]) as FoldOutcome[]).map((o) => primaryScore(o.bySource[s]));
        const b = (outcomes.get(scored[j]) as FoldOutcome[]).map((o) => primaryScore(o.bySource[s]));
        const t = correctedResampledT(a.map((v, f) => v - b[f]), mean(testTrainRatio[s]), spec.confidence);
        pairs[s][pairKey(scored[i], scored[j])] = { difference: t.mean, ci: interval(t.low, t.high), pValue: t.pValue, test: 'corrected-t' };
      }
    }
  }
  const deltaM: Evidence['deltaM'] = {};
  const deltaMCi: Evidence['deltaMCi'] = {};
  for (const arm of ['merged', 'multihead'] as const) {
    if (!scored.includes('separate') || !scored.includes(arm)) continue;
    const sep = outcomes.get('separate') as FoldOutcome[];
    const other = outcomes.get(arm) as FoldOutcome[];
    const perFold = sep.map((o, f) => mean(sources.map((s) => (primaryScore(other[f].bySource[s]) - primaryScore(o.bySource[s])) / Math.abs(primaryScore(o.bySource[s])))));
    const t = correctedResampledT(perFold, mean(pooledRatio), spec.confidence);
    if (Number.isFinite(t.mean)) deltaM[arm] = t.mean;
    deltaMCi[arm] = interval(t.low, t.high);
  }
  return { arms: results, evidence: { info: infoOf(spec), pairs, deltaM, deltaMCi } };
}

export function infoOf(spec: ResolvedExperiment['evaluation']): EvaluationInfo {
  return {
    method: spec.method,
    folds: spec.folds,
    repeats: spec.repeats,
    confidence: spec.confidence,
    alpha: 1 - spec.confidence,
    intervals: 'corrected-t',
    resamples: null,
    correction: 'holm',
    savedModels: 'refit',
  };
}

export function emptyEvidence(spec: ResolvedExperiment['evaluation']): Evidence {
  return { info: infoOf(spec), pairs: {}, deltaM: {}, deltaMCi: {} };
}

/**
 * One source's metrics over the folds: each score the mean of its fold values with the
 * corrected-t interval; per-class figures and the confusion matrix from every out-of-fold
 * prediction together (n counts them: labelled rows times repeats), over the source's own
 * classes when the predictions carry them (metrics.ts).
 */
function aggregate(perFold: readonly Metrics[], preds: SourcePredictions, classNames: readonly string[], ratio: number, confidence: number): Metrics {
  // The t interval is symmetric and can pass a score's bounds: accuracy and macro-F1 lie in
  // [0, 1], R2 at most 1, MAE and RMSE at least 0.
  const ci = (values: number[], min = -Infinity, max = Infinity) => {
    const t = correctedResampledT(values, ratio, confidence);
    return interval(Math.max(min, t.low), Math.min(max, t.high));
  };
  if (preds.task === 'classification') {
    const all = classificationMetrics(preds.yTrue, preds.yPred, classNames, preds.ownClasses);
    const acc = perFold.map((m) => (m.task === 'classification' ? m.accuracy : NaN));
    const f1 = perFold.map((m) => (m.task === 'classification' ? m.macroF1 : NaN));
    return { ...all, accuracy: mean(acc), macroF1: mean(f1), ci: { accuracy: ci(acc, 0, 1), macroF1: ci(f1, 0, 1) } };
  }
  const all = regressionMetrics(preds.yTrue, preds.yPred);
  const pick = (k: 'r2' | 'mae' | 'rmse') => perFold.map((m) => (m.task === 'regression' ? m[k] : NaN));
  return { ...all, r2: mean(pick('r2')), mae: mean(pick('mae')), rmse: mean(pick('rmse')), ci: { r2: ci(pick('r2'), -Infinity, 1), mae: ci(pick('mae'), 0), rmse: ci(pick('rmse'), 0) } };
}
