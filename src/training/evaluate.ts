/**
 * From a model's outputs to metrics: predictions in each head's label space, metrics per source
 * and pooled over the test rows, validation scores for the epoch records, and the pooled metrics
 * of the separate arm (every per-dataset model's predictions together).
 */
import type { EpochRecord, Metrics, Task } from '../protocol/runFolder/contract';
import { classificationMetrics, primaryScore, regressionMetrics } from './metrics';
import type { SplitData } from './modelData';
import { unionClasses, type ModelPlan } from './modelPlan';

/** Predictions per row of `split`, in head label space: class index or value. */
export function predictHeads(outputs: readonly Float32Array[] | Float64Array[], plan: ModelPlan, split: SplitData, scales: readonly ([number, number] | null)[]): Float64Array {
  const pred = new Float64Array(split.n);
  for (let i = 0; i < split.n; i++) {
    const h = plan.headOf[split.slot[i]];
    const head = plan.heads[h];
    const out = outputs[h];
    if (head.task === 'classification') {
      const k = head.classes.length;
      let best = 0;
      for (let c = 1; c < k; c++) if (out[i * k + c] > out[i * k + best]) best = c;
      pred[i] = best;
    } else {
      const sc = scales[h];
      pred[i] = sc ? out[i] * sc[1] + sc[0] : out[i];
    }
  }
  return pred;
}

/**
 * `own[k]` = 1 when class k of `classes` is one of the source's classes: under the merged arm a
 * source's metrics average over its own label space (metrics.ts).
 */
export function ownClassMask(classes: readonly string[], sourceClasses: readonly string[]): Uint8Array {
  const mine = new Set(sourceClasses);
  return Uint8Array.from(classes, (c) => (mine.has(c) ? 1 : 0));
}

/** Metrics per source (over the source's own classes) and pooled (every class), from predictions in head label space. */
export function evaluate(plan: ModelPlan, split: SplitData, pred: Float64Array): { bySource: Record<string, Metrics>; pooled: Metrics } {
  const bySource: Record<string, Metrics> = {};
  const names = unionClasses(plan.sources);
  const nameIndex = new Map(names.map((c, i) => [c, i]));
  const pooledTrue: number[] = [];
  const pooledPred: number[] = [];
  plan.sources.forEach((s, si) => {
    const h = plan.headOf[si];
    const head = plan.heads[h];
    const yt: number[] = [];
    const yp: number[] = [];
    for (let i = 0; i < split.n; i++) {
      if (split.slot[i] !== si) continue;
      yt.push(split.rawLabels[h][i]);
      yp.push(pred[i]);
    }
    if (head.task === 'classification') {
      bySource[s.name] = classificationMetrics(yt, yp, head.classes, ownClassMask(head.classes, s.classes));
      for (let k = 0; k < yt.length; k++) {
        pooledTrue.push(nameIndex.get(head.classes[yt[k]]) as number);
        pooledPred.push(nameIndex.get(head.classes[yp[k]]) as number);
      }
    } else {
      bySource[s.name] = regressionMetrics(yt, yp);
      pooledTrue.push(...yt);
      pooledPred.push(...yp);
    }
  });
  const pooled = plan.sources[0].task === 'classification' ? classificationMetrics(pooledTrue, pooledPred, names) : regressionMetrics(pooledTrue, pooledPred);
  return { bySource, pooled };
}

/** Per-source validation score (accuracy or R2) for epoch records. */
export function validationScores(plan: ModelPlan, split: SplitData, pred: Float64Array): EpochRecord['sources'] {
  const { bySource } = evaluate(plan, split, pred);
  const out: Record<string, { metric: 'accuracy' | 'r2'; value: number | null }> = {};
  for (const [name, m] of Object.entries(bySource)) {
    const v = primaryScore(m);
    out[name] = { metric: m.task === 'classification' ? 'accuracy' : 'r2', value: Number.isFinite(v) ? v : null };
  }
  return out;
}

/** Pooled metrics of the separate arm: every model's test predictions together. */
export function poolSeparate(parts: readonly { readonly plan: ModelPlan; readonly test: SplitData; readonly testPred: Float64Array }[]): Metrics {
  const task = parts[0].plan.heads[0].task;
  if (task === 'regression') {
    const yt: number[] = [];
    const yp: number[] = [];
    for (const { test, testPred } of parts) {
      yt.push(...test.rawLabels[0]);
      yp.push(...testPred);
    }
    return regressionMetrics(yt, yp);
  }
  const names = unionClasses(parts.flatMap((p) => p.plan.sources));
  const index = new Map(names.map((c, i) => [c, i]));
  const yt: number[] = [];
  const yp: number[] = [];
  for (const { plan, test, testPred } of parts) {
    const classes = plan.heads[0].classes;
    test.rawLabels[0].forEach((v, i) => {
      yt.push(index.get(classes[v]) as number);
      yp.push(index.get(classes[testPred[i]]) as number);
    });
  }
  return classificationMetrics(yt, yp, names);
}

/** One source's test rows under one model: true labels and predictions (class indices into a shared class list, or values). */
export interface SourcePredictions {
  readonly task: Task;
  readonly yTrue: Float64Array;
  readonly yPred: Float64Array;
  /** Classification: the source's own classes among the shared ones (ownClassMask); its macro-F1 averages over them. */
  readonly ownClasses?: Uint8Array;
}

/**
 * The test predictions of a plan per source. Classes are indices into `classIndex` (the union
 * of every source's class names), so two arms' predictions on a source compare row by row:
 * every arm lists a source's test rows in the same order (modelData.ts buildSplit).
 */
export function sourcePredictions(plan: ModelPlan, split: SplitData, pred: Float64Array, classIndex: ReadonlyMap<string, number>): Record<string, SourcePredictions> {
  const out: Record<string, SourcePredictions> = {};
  plan.sources.forEach((s, si) => {
    const h = plan.headOf[si];
    const head = plan.heads[h];
    const yt: number[] = [];
    const yp: number[] = [];
    for (let i = 0; i < split.n; i++) {
      if (split.slot[i] !== si) continue;
      if (head.task === 'classification') {
        yt.push(classIndex.get(head.classes[split.rawLabels[h][i]]) as number);
        yp.push(classIndex.get(head.classes[pred[i]]) as number);
      } else {
        yt.push(split.rawLabels[h][i]);
        yp.push(pred[i]);
      }
    }
    if (head.task === 'classification') {
      const ownClasses = new Uint8Array(classIndex.size);
      for (const c of s.classes) ownClasses[classIndex.get(c) as number] = 1;
      out[s.name] = { task: head.task, yTrue: Float64Array.from(yt), yPred: Float64Array.from(yp), ownClasses };
    } else {
      out[s.name] = { task: head.task, yTrue: Float64Array.from(yt), yPred: Float64Array.from(yp) };
    }
  });
  return out;
}
