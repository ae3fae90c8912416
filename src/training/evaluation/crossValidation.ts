/**
 * k-fold cross-validation (and repeated k-fold) of every arm on the same folds. Per dataset the
 * labelled rows are dealt to k folds, stratified by class (data.ts assignFolds); fold j tests
 * its rows with models trained on the others (a share of them held out for early stopping, as
 * `split.validation` says). Scores are the means over the folds; each interval and each paired
 * comparison comes from the fold values with the corrected resampled t (Nadeau-Bengio), whose
 * variance accounts for the folds' overlapping training rows. After the folds every arm is
 * trained once more on all labelled rows; those models are the ones saved for `predict`.
 */
import type { ArmName, ArmResult, FoldsFile, Metrics, SourceLeakage } from '../../protocol/runFolder/contract';
import type { TF } from '../backend';
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION, assignFolds, foldSplit, sourceSeed, withSplits, type PreparedData } from '../data';
import { runArms } from '../engine';
import { ExperimentError, type ResolvedExperiment } from '../experiment';
import { findLeakage } from '../leakage';
import { unionClasses } from '../modelPlan';
import type { EngineHooks } from '../trainModel';
import type { Evidence } from './evidence';
import { crossValidationScores, emptyEvidence, type FoldOutcome } from './foldScores';

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
