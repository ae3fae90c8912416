/**
 * The simplest models a dataset's arms must beat, scored on the arms' own test rows: predict the
 * majority class of the training rows (classification), or their mean (regression). An R2 below
 * the mean baseline's (about 0) means a model does worse than predicting the mean; an accuracy
 * at the majority baseline means it learned nothing beyond the class balance. Holdout: one
 * split; cross-validation: the mean over the folds, each fold's baseline fitted on its own
 * training rows, as the arms are.
 */
import type { SourceBaseline } from '../../protocol/runFolder/contract';
import { SPLIT_TEST, SPLIT_TRAIN, type PreparedData, type Source } from '../data';
import { classificationMetrics, regressionMetrics } from '../metrics';

/** One split's baseline: fitted on the training rows (`split` = SPLIT_TRAIN), scored on the test rows. */
function splitBaseline(s: Source, split: Uint8Array): SourceBaseline | undefined {
  const train: number[] = [];
  const test: number[] = [];
  for (let i = 0; i < split.length; i++) {
    if (split[i] === SPLIT_TRAIN) train.push(s.y[i]);
    else if (split[i] === SPLIT_TEST) test.push(s.y[i]);
  }
  if (!train.length || !test.length) return undefined;
  if (s.task === 'classification') {
    const counts = new Array<number>(s.classes.length).fill(0);
    for (const y of train) counts[y]++;
    // Ties go to the first class in the classes' order, as numpy's argmax does.
    let majority = 0;
    for (let k = 1; k < counts.length; k++) if (counts[k] > counts[majority]) majority = k;
    const m = classificationMetrics(test, new Array<number>(test.length).fill(majority), s.classes);
    return { kind: 'majority', prediction: s.classes[majority], metric: 'accuracy', value: m.accuracy, macroF1: m.macroF1 };
  }
  const mean = train.reduce((a, b) => a + b, 0) / train.length;
  const m = regressionMetrics(test, new Array<number>(test.length).fill(mean));
  return { kind: 'mean', prediction: mean, metric: 'r2', value: m.r2, mae: m.mae, rmse: m.rmse };
}

/**
 * Per dataset, its baseline on the arms' test rows. `foldSplits` (cross-validation) lists each
 * fold's split per dataset; without it, each source's own holdout split is used.
 */
export function baselines(data: PreparedData, foldSplits?: readonly ReadonlyMap<string, Uint8Array>[]): Record<string, SourceBaseline> {
  const out: Record<string, SourceBaseline> = {};
  for (const s of data.sources) {
    if (!foldSplits) {
      const b = splitBaseline(s, s.split);
      if (b) out[s.name] = b;
      continue;
    }
    const folds = foldSplits.map((f) => f.get(s.name)).flatMap((split) => (split ? [splitBaseline(s, split)] : [])).filter((b): b is SourceBaseline => b !== undefined);
    if (!folds.length) continue;
    const mean = (pick: (b: SourceBaseline) => number | undefined) => {
      const v = folds.map(pick).filter((x): x is number => x !== undefined);
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : undefined;
    };
    const first = folds[0];
    const value = mean((b) => b.value) as number;
    out[s.name] =
      first.kind === 'majority'
        ? { kind: 'majority', prediction: majorityOverall(s), metric: 'accuracy', value, macroF1: mean((b) => b.macroF1) as number }
        : { kind: 'mean', prediction: s.y.reduce((a, b) => a + b, 0) / s.y.length, metric: 'r2', value, mae: mean((b) => b.mae) as number, rmse: mean((b) => b.rmse) as number };
  }
  return out;
}

/** The most frequent class over every labelled row (what the refit's baseline predicts). */
function majorityOverall(s: Source): string {
  const counts = new Array<number>(s.classes.length).fill(0);
  for (const y of s.y) counts[y]++;
  let k = 0;
  for (let c = 1; c < counts.length; c++) if (counts[c] > counts[k]) k = c;
  return s.classes[k];
}
