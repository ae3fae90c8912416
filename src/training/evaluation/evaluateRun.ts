/**
 * A run's arms trained and scored by the experiment's evaluation protocol: holdout (one test
 * split per dataset, bootstrap intervals) or cross-validation (folds, corrected-t intervals),
 * then compared (compareArms.ts). What results.json holds besides its bookkeeping.
 */
import type { ArmName, ArmResult, Comparison, EvaluationInfo, SourceLeakage } from '../../protocol/runFolder/contract';
import type { TF } from '../backend';
import { compareArms } from '../compareArms';
import type { PreparedData } from '../data';
import { runArms } from '../engine';
import type { ResolvedExperiment } from '../experiment';
import { findLeakage } from '../leakage';
import { unionClasses } from '../modelPlan';
import { runCrossValidation, type CrossValidationHooks, type CrossValidationPlan } from './crossValidation';
import { holdoutEvidence } from './holdout';

export interface EvaluatedRun {
  readonly arms: ArmResult[];
  readonly comparison: Comparison;
  readonly evaluation: EvaluationInfo;
  readonly leakage: Record<string, SourceLeakage>;
  readonly cancelled: boolean;
}

/** `plan`: the cross-validation plan (planCrossValidation) for cv and repeated-cv, null for holdout. */
export async function evaluateRun(exp: ResolvedExperiment, data: PreparedData, arms: readonly ArmName[], tf: TF, hooks: CrossValidationHooks, plan: CrossValidationPlan | null): Promise<EvaluatedRun> {
  const sources = data.sources.map((s) => s.name);
  if (plan) {
    const cv = await runCrossValidation(exp, data, arms, tf, hooks, plan);
    return { arms: cv.arms, comparison: compareArms(cv.arms, sources, cv.evidence), evaluation: cv.evidence.info, leakage: cv.leakage, cancelled: cv.cancelled };
  }
  const result = await runArms(exp, data, arms, tf, hooks);
  const leakage = findLeakage(data.sources, data.features);
  const classes = unionClasses(data.sources).length;
  const { arms: scored, evidence } = holdoutEvidence(result.arms, result.predictions, sources, classes, exp.evaluation);
  return { arms: scored, comparison: compareArms(scored, sources, evidence), evaluation: evidence.info, leakage, cancelled: result.cancelled };
}
