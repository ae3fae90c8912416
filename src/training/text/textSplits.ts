/**
 * The train, validation and test splits of a text model, each built by modelData.ts's buildSplit
 * (dense features, targets, heads, weights) and then widened by the encoder's `widen` (packed
 * tokens, token ids or embeddings after the dense features). The merged arm's inverse-size
 * balancing weights the training rows as for numeric models.
 */
import { SPLIT_TEST, SPLIT_TRAIN, SPLIT_VALIDATION } from '../data';
import type { ResolvedExperiment } from '../experiment';
import { buildSplit, type SplitData } from '../modelData';
import type { ModelPlan } from '../modelPlan';
import type { FittedPreprocessing } from '../preprocess';

export function textSplits(
  plan: ModelPlan,
  exp: ResolvedExperiment,
  prep: FittedPreprocessing,
  trainCounts: readonly number[],
  widen: (split: SplitData, which: number) => SplitData,
): { train: SplitData; validation: SplitData | null; test: SplitData } {
  const totalTrain = trainCounts.reduce((a, b) => a + b, 0);
  const inverse = plan.arm === 'merged' && exp.merged.balancing === 'inverse_size';
  const trainWeight = (slot: number) => (inverse ? totalTrain / (plan.sources.length * trainCounts[slot]) : 1);
  return {
    train: widen(buildSplit(plan, prep, SPLIT_TRAIN, trainWeight), SPLIT_TRAIN),
    validation: exp.split.validation > 0 ? widen(buildSplit(plan, prep, SPLIT_VALIDATION, () => 1), SPLIT_VALIDATION) : null,
    test: widen(buildSplit(plan, prep, SPLIT_TEST, () => 1), SPLIT_TEST),
  };
}
