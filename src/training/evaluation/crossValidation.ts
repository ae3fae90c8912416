/**
 * k-fold cross-validation (and repeated k-fold) of every arm on the same folds. Per dataset the
 * labelled rows are dealt to k folds, stratified by class (data.ts assignFolds); fold j tests
 * its rows with models trained on the others (a share of them held out for early stopping, as
 * `split.validation` says). Scores are the means over the folds; each interval and each paired
 * comparison comes from the fold values with the corrected resampled t (Nadeau-Bengio), whose
 * variance accounts for the folds' overlapping training rows. After the folds every arm is
 * trained once more on all labelled rows; those models are the ones saved for `predict`.
 */
import { correctedResampledT } from '../../core/stats/pairedTests';
import type { ArmName, ArmResult, EvaluationInfo, FoldsFile, Metrics, SourceLeakage, SourceResult } from '../../protocol/runFolder/contract';
import type { TF } from '../backend';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, assignFolds, foldSplit, sourceSeed, withSplits, type PreparedData } from '../data';
import { runArms } from '../engine';
import type { SourcePredictions } from '../evaluate';
import { ExperimentError, type ResolvedExperiment } from '../experiment';
import { findLeakage } from '../leakage';
import { classificationMetrics, primaryScore, regressionMetrics } from '../metrics';
import { unionClasses } from '../modelPlan';
import type { EngineHooks } from '../trainModel';
import { ARM_ORDER, interval, pairKey, type Evidence, type PairEvidence } from './evidence';
import { concatPredictions } from './metricStatistics';

export interface CrossValidationHooks extends EngineHooks {
  /** Before each fold (1-based, of `of`), and with fold 0 before the final refit. */
  onFold?(fold: number, of: number): void;
}

export interface CrossValidationResult {
  readonly arms: ArmResult[];
  readonly evidence: Evidence;
  readonly folds: FoldsFile;
  /** The refit's split per dataset (train and validation; no test rows), for split.json. */
  readonly refitSplits: ReadonlyMap<string, Uint8Array>;
  /** Repeated rows over the folds of the first repeat (each labelled row is tested once). */
  readonly leakage: Record<string, SourceLeakage>;
  readonly cancelled: boolean;
}

/** One fold's scores of one arm: per dataset and pooled, and its test predictions per dataset. */
export interface FoldOutcome {
  readonly bySource: Record<string, Metrics>;
  readonly pooled: Metrics;
  readonly predictions: Record<string, SourcePredictions>;
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export interface CrossValidationPlan {
  /** Folds times repeats. */
  readonly jobs: number;
  /** The split of fold j (0-based, repeats counted on); j = -1: the refit's split, no test rows. */
  splitFor(j: number): Map<string, Uint8Array>;
  /** Every fold's test and validation rows (folds.json), the same for every arm. */
  readonly folds: FoldsFile;
  readonly refitSplits: ReadonlyMap<string, Uint8Array>;
  /** Per dataset and fold: test rows / rows the fold's models learned from; and pooled over datasets. */
  readonly testTrainRatio: Readonly<Record<string, readonly number[]>>;
  readonly pooledRatio: readonly number[];
}

/** The folds of a run, checked (every fold has training, and validation when asked for, rows). */
export function planCrossValidation(exp: ResolvedExperiment, data: PreparedData): CrossValidationPlan {
  const spec = exp.evaluation;
  const k = spec.folds;
  const jobs = k * spec.repeats;
  const issues = data.sources
    .filter((s) => s.rows.length < k)
    .map((s) => ({ file: exp.file, path: '$.evaluation.folds', dataset: s.name, message: `has ${s.rows.length} labelled rows, fewer than the ${k} folds; lower "folds"` }));
  if (issues.length) throw new ExperimentError(issues);
  const foldsOf = new Map(data.sources.map((s) => [s.name, assignFolds(s, k, spec.repeats, sourceSeed(spec.seed, s.name))]));
  const splitFor = (j: number) =>
    new Map(
      data.sources.map((s) => {
        const folds = foldsOf.get(s.name) as Uint8Array[];
        return [s.name, foldSplit(s, folds[Math.max(0, Math.floor(j / k))], j < 0 ? -1 : j % k, exp.split.validation, sourceSeed(spec.seed ^ Math.imul(j + 2, 0x2545f491), s.name))];
      }),
    );
  const checkSplits = (splits: ReadonlyMap<string, Uint8Array>, what: string) => {
    const bad: string[] = [];
    for (const [name, split] of splits) {
      const c = [0, 0, 0];
      for (const v of split) c[v]++;
      if (c[SPLIT_TRAIN] === 0) bad.push(`dataset "${name}": no training rows in ${what}`);
      if (exp.split.validation > 0 && c[SPLIT_VALIDATION] === 0) bad.push(`dataset "${name}": no validation rows in ${what} (split.validation ${exp.split.validation} of its training rows rounds to 0); add rows, lower "folds" or set "split": {"validation": 0}`);
    }
    if (bad.length) throw new ExperimentError(bad.map((m) => ({ file: exp.file, path: '$.evaluation', message: m })));
  };
  const foldRows: Record<string, { test: number[][]; validation: number[][] }> = {};
  for (const s of data.sources) foldRows[s.name] = { test: [], validation: [] };
  const testTrainRatio: Record<string, number[]> = {};
  const pooledRatio: number[] = [];
  for (let j = 0; j < jobs; j++) {
    const splits = splitFor(j);
    checkSplits(splits, `fold ${j + 1}`);
    let foldTest = 0;
    let foldTrain = 0;
    for (const s of data.sources) {
      const split = splits.get(s.name) as Uint8Array;
      const rows = (which: number) => Array.from(s.rows).filter((_, i) => split[i] === which);
      const test = rows(SPLIT_TEST);
      foldRows[s.name].test.push(test);
      foldRows[s.name].validation.push(rows(SPLIT_VALIDATION));
      const trained = s.rows.length - test.length;
      (testTrainRatio[s.name] ??= []).push(test.length / trained);
      foldTest += test.length;
      foldTrain += trained;
    }
    pooledRatio.push(foldTest / foldTrain);
  }
  const refitSplits = splitFor(-1);
  checkSplits(refitSplits, 'the final refit on all rows');
  const folds: FoldsFile = { method: spec.method === 'repeated-cv' ? 'repeated-cv' : 'cv', folds: k, repeats: spec.repeats, seed: spec.seed, datasets: foldRows };
  return { jobs, splitFor, folds, refitSplits, testTrainRatio, pooledRatio };
}

export async function runCrossValidation(exp: ResolvedExperiment, data: PreparedData, arms: readonly ArmName[], tf: TF, hooks: CrossValidationHooks, plan = planCrossValidation(exp, data)): Promise<CrossValidationResult> {
  const spec = exp.evaluation;
  const { jobs, folds, refitSplits } = plan;
  const seconds = new Map<ArmName, number>();
  const outcomes = new Map<ArmName, FoldOutcome[]>(arms.map((a) => [a, []]));
  const diverged = new Map<ArmName, ArmResult>();
  const leakage = crossValidationLeakage(data, plan);

  for (let j = 0; j < jobs; j++) {
    const foldData = withSplits(data, plan.splitFor(j));
    const active = arms.filter((a) => !diverged.has(a));
    if (active.length === 0) break;
    hooks.onFold?.(j + 1, jobs);
    const fold = j + 1;
    // Fold models are never saved: only the refit is.
    const res = await runArms(exp, foldData, active, tf, { ...hooks, saveModel: undefined, saveTrees: undefined, onEpoch: (r) => hooks.onEpoch?.({ ...r, fold }) }, { fold });
    if (res.cancelled) return { arms: [], evidence: emptyEvidence(spec), folds, refitSplits, leakage, cancelled: true };
    for (const a of res.arms) {
      seconds.set(a.arm, (seconds.get(a.arm) ?? 0) + a.seconds);
      if (a.diverged) {
        diverged.set(a.arm, a);
        continue;
      }
      outcomes.get(a.arm)?.push({ bySource: a.bySource, pooled: a.pooled as Metrics, predictions: res.predictions.get(a.arm) ?? {} });
    }
  }

  // The models `predict` uses: every arm refit on all labelled rows.
  const refitActive = arms.filter((a) => !diverged.has(a));
  let refit: ArmResult[] = [];
  if (refitActive.length) {
    hooks.onFold?.(0, jobs);
    const res = await runArms(exp, withSplits(data, refitSplits), refitActive, tf, hooks);
    if (res.cancelled) return { arms: [], evidence: emptyEvidence(spec), folds, refitSplits, leakage, cancelled: true };
    refit = res.arms;
    for (const a of refit) if (a.diverged) diverged.set(a.arm, { ...a, diverged: { ...a.diverged, message: `${a.diverged.message} (in the final refit on all rows)` } });
  }
  // Every fold's training and the refit's.
  const fitted = new Map(refit.map((a) => [a.arm, { ...a, seconds: (seconds.get(a.arm) ?? 0) + a.seconds }]));
  const scored = crossValidationScores(arms, outcomes, fitted, diverged, data.sources.map((s) => s.name), unionClasses(data.sources), plan, spec);
  return { ...scored, folds, refitSplits, leakage, cancelled: false };
}

/**
 * Repeated rows over the folds of the first repeat (each labelled row is tested once), per
 * dataset: test rows seen in training summed over those folds.
 */
export function crossValidationLeakage(data: PreparedData, plan: Pick<CrossValidationPlan, 'splitFor' | 'folds'>): Record<string, SourceLeakage> {
  const leakage: Record<string, SourceLeakage> = {};
  for (let j = 0; j < plan.folds.folds; j++) {
    const found = findLeakage(withSplits(data, plan.splitFor(j)).sources, data.features);
    for (const [name, l] of Object.entries(found)) {
      const sum = leakage[name];
      leakage[name] = sum
        ? { testRows: sum.testRows + l.testRows, testSeenInOwnTrain: sum.testSeenInOwnTrain + l.testSeenInOwnTrain, testSeenInPooledTrain: sum.testSeenInPooledTrain + l.testSeenInPooledTrain, sharedWithOtherDatasets: sum.sharedWithOtherDatasets }
        : l;
    }
  }
  return leakage;
}

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
  plan: Pick<CrossValidationPlan, 'testTrainRatio' | 'pooledRatio'>,
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

function infoOf(spec: ResolvedExperiment['evaluation']): EvaluationInfo {
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

function emptyEvidence(spec: ResolvedExperiment['evaluation']): Evidence {
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
