/**
 * Evaluation metrics, defined as scikit-learn defines them (checked against its values in
 * test/reference/training/metrics.json): classes are the union of true and predicted labels,
 * and a precision or recall with an empty denominator counts as 0.
 *
 * A dataset's metrics under a model that predicts a wider label space (the merged arm predicts
 * the union of every dataset's classes) average over the dataset's own label space: macro-F1
 * and `perClass` cover the dataset's classes present among the true or predicted labels
 * (scikit-learn's `f1_score(y, p, labels=own classes present, average='macro')`). A prediction
 * of another dataset's class is an error (it lowers the recall of the true class) and adds no
 * 0-F1 class to the average; the confusion matrix and `labels` keep every class present, so
 * those predictions stay visible. Pooled metrics (every dataset's rows) use every class.
 */
import type { ClassMetrics, ClassificationMetrics, Metrics, RegressionMetrics } from '../protocol/runFolder/contract';


/**
 * `yTrue`/`yPred` index into `classNames`. `own`: the rows' dataset's classes, `own[c]` truthy
 * for class index c (see above); absent: every class counts.
 */
export function classificationMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, classNames: readonly string[], own?: ArrayLike<number>): ClassificationMetrics {
  const n = yTrue.length;
  const present = new Set<number>();
  for (let i = 0; i < n; i++) {
    present.add(yTrue[i]);
    present.add(yPred[i]);
  }
  const ids = [...present].sort((a, b) => a - b);
  const pos = new Map(ids.map((c, k) => [c, k]));
  const m = ids.length;
  const confusion = Array.from({ length: m }, () => new Array<number>(m).fill(0));
  let correct = 0;
  for (let i = 0; i < n; i++) {
    confusion[pos.get(yTrue[i]) as number][pos.get(yPred[i]) as number]++;
    if (yTrue[i] === yPred[i]) correct++;
  }
  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  let averaged = 0;
  for (let k = 0; k < m; k++) {
    if (own && !own[ids[k]]) continue;
    const tp = confusion[k][k];
    let predicted = 0;
    let actual = 0;
    for (let j = 0; j < m; j++) {
      predicted += confusion[j][k];
      actual += confusion[k][j];
    }
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = actual > 0 ? tp / actual : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[classNames[ids[k]] ?? String(ids[k])] = { precision, recall, f1, support: actual };
    f1Sum += f1;
    averaged++;
  }
  return {
    task: 'classification',
    n,
    accuracy: n > 0 ? correct / n : NaN,
    macroF1: averaged > 0 ? f1Sum / averaged : NaN,
    perClass,
    confusion,
    labels: ids.map((c) => classNames[c] ?? String(c)),
  };
}

export function regressionMetrics(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): RegressionMetrics {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i];
  mean /= n;
  let ssRes = 0;
  let ssTot = 0;
  let abs = 0;
  for (let i = 0; i < n; i++) {
    const e = yTrue[i] - yPred[i];
    ssRes += e * e;
    abs += Math.abs(e);
    ssTot += (yTrue[i] - mean) * (yTrue[i] - mean);
  }
  // scikit-learn: a constant target scores 1 when predicted exactly, else 0.
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { task: 'regression', n, r2, mae: abs / n, rmse: Math.sqrt(ssRes / n) };
}

/** The headline score of a metrics block, higher is better: accuracy or R2. */
export function primaryScore(m: Metrics): number {
  return m.task === 'classification' ? m.accuracy : m.r2;
}
