/**
 * Each test metric as a statistic of per-row weights (src/core/stats/weightedMetrics.ts), so
 * the bootstrap can resample a source's test rows without copying them. With every weight 1
 * they equal the metrics in results.json (src/training/metrics.ts).
 */
import type { WeightedStatistic } from '../../core/stats/bootstrap';
import { weightedAccuracy, weightedMacroF1, weightedRegression } from '../../core/stats/weightedMetrics';
import type { SourcePredictions } from '../evaluate';

export type MetricName = 'accuracy' | 'macroF1' | 'r2' | 'mae' | 'rmse';

export function metricNames(task: SourcePredictions['task']): MetricName[] {
  return task === 'classification' ? ['accuracy', 'macroF1'] : ['r2', 'mae', 'rmse'];
}

/** The headline score: accuracy or R2. */
export function headlineMetric(task: SourcePredictions['task']): 'accuracy' | 'r2' {
  return task === 'classification' ? 'accuracy' : 'r2';
}

/** `classes`: size of the shared class space the predictions index into. */
export function metricStatistic(p: SourcePredictions, metric: MetricName, classes: number): WeightedStatistic {
  if (p.task === 'classification') {
    const yTrue = Int32Array.from(p.yTrue);
    const yPred = Int32Array.from(p.yPred);
    if (metric === 'accuracy') {
      const correct = Uint8Array.from(yTrue, (t, i) => (t === yPred[i] ? 1 : 0));
      return (w) => weightedAccuracy(correct, w);
    }
    const scratch = new Float64Array(3 * classes);
    return (w) => weightedMacroF1(yTrue, yPred, classes, w, scratch, p.ownClasses);
  }
  const key = metric as 'r2' | 'mae' | 'rmse';
  return (w) => weightedRegression(p.yTrue, p.yPred, w)[key];
}

/**
 * Predictions of several sources one after the other (the pooled test rows), with each row's
 * source as its stratum. The result has no own classes (pooled metrics count every class)
 * unless `ownClasses` is given (one source's predictions over several folds).
 */
export function concatPredictions(parts: readonly SourcePredictions[], ownClasses?: Uint8Array): { readonly predictions: SourcePredictions; readonly strata: Int32Array } {
  const n = parts.reduce((a, p) => a + p.yTrue.length, 0);
  const yTrue = new Float64Array(n);
  const yPred = new Float64Array(n);
  const strata = new Int32Array(n);
  let off = 0;
  parts.forEach((p, k) => {
    yTrue.set(p.yTrue, off);
    yPred.set(p.yPred, off);
    strata.fill(k, off, off + p.yTrue.length);
    off += p.yTrue.length;
  });
  return { predictions: { task: parts[0]?.task ?? 'classification', yTrue, yPred, ...(ownClasses ? { ownClasses } : {}) }, strata };
}
