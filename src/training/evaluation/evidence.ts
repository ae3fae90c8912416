/**
 * What the evaluation protocols (holdout.ts, crossValidation.ts) hand to the comparison
 * (compareArms.ts): per dataset and pair of arms the difference of their headline scores, its
 * interval and the paired test's p-value; the interval of delta_m per arm. The protocols
 * differ in how they get these numbers, not in what they mean.
 */
import type { ArmName, EvaluationInfo, Interval, PairedTestName } from '../../protocol/runFolder/contract';

export interface PairEvidence {
  /** Score of the first arm minus the second's (cross-validation: the mean over folds). */
  readonly difference: number;
  readonly ci: Interval;
  readonly pValue: number;
  readonly test: PairedTestName;
}

/** Order-independent key of an arm pair: the two names in ARM_ORDER, joined. */
export const ARM_ORDER: readonly ArmName[] = ['separate', 'merged', 'multihead'];
export function pairKey(a: ArmName, b: ArmName): string {
  return ARM_ORDER.indexOf(a) < ARM_ORDER.indexOf(b) ? `${a}|${b}` : `${b}|${a}`;
}

export interface Evidence {
  readonly info: EvaluationInfo;
  /** Per dataset, per pairKey: the first arm of the key minus the second. */
  readonly pairs: Record<string, Record<string, PairEvidence>>;
  /** delta_m per arm against separate, when the protocol estimates it itself (cross-validation: mean over folds). */
  readonly deltaM: Partial<Record<'merged' | 'multihead', number>>;
  readonly deltaMCi: Partial<Record<'merged' | 'multihead', Interval>>;
}

/** An interval as results.json stores it: null unless both ends are numbers. */
export function interval(low: number, high: number): Interval {
  return Number.isFinite(low) && Number.isFinite(high) ? [low, high] : null;
}
