/**
 * Test metrics with a weight (a count) per row, so a bootstrap resample or a jackknife
 * leave-out is a weight vector over the same rows. With every weight 1 they are scikit-learn's
 * accuracy_score, f1_score(average='macro') and r2_score (src/training/metrics.ts, checked
 * against scikit-learn): macro-F1 averages over the classes present among the true or the
 * predicted labels of the rows that count, and a zero denominator gives 0. Given a dataset's own
 * classes (`own`), macro-F1 averages over those of them present, as metrics.ts does for a dataset
 * under the merged arm.
 */

/** sum w correct / sum w. */
export function weightedAccuracy(correct: Uint8Array, w: Float64Array): number {
  let c = 0;
  let n = 0;
  for (let i = 0; i < correct.length; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    n += wi;
    if (correct[i]) c += wi;
  }
  return n > 0 ? c / n : NaN;
}

/**
 * Macro-F1 over `classes` class indices; yTrue / yPred hold indices in [0, classes). `own[k]`
 * truthy: class k is one of the rows' dataset's classes; absent: every class counts.
 */
export function weightedMacroF1(yTrue: Int32Array, yPred: Int32Array, classes: number, w: Float64Array, scratch?: Float64Array, own?: Uint8Array): number {
  // tp, predicted and actual per class, side by side.
  const s = scratch && scratch.length >= 3 * classes ? scratch : new Float64Array(3 * classes);
  s.fill(0, 0, 3 * classes);
  for (let i = 0; i < yTrue.length; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    const t = yTrue[i];
    const p = yPred[i];
    if (t === p) s[t] += wi;
    s[classes + p] += wi;
    s[2 * classes + t] += wi;
  }
  let f1Sum = 0;
  let present = 0;
  for (let k = 0; k < classes; k++) {
    const tp = s[k];
    const predicted = s[classes + k];
    const actual = s[2 * classes + k];
    if ((predicted === 0 && actual === 0) || (own && !own[k])) continue;
    present++;
    // F1 = 2 tp / (predicted + actual), which equals 2PR / (P + R) and is 0 when tp is 0.
    f1Sum += (2 * tp) / (predicted + actual);
  }
  return present > 0 ? f1Sum / present : NaN;
}

export interface RegressionSums {
  r2: number;
  mae: number;
  rmse: number;
}

/** R2 (1 - SS_res / SS_tot about the weighted mean of the true values), MAE and RMSE. */
export function weightedRegression(yTrue: Float64Array, yPred: Float64Array, w: Float64Array): RegressionSums {
  let n = 0;
  let sy = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    n += wi;
    sy += wi * yTrue[i];
  }
  if (n === 0) return { r2: NaN, mae: NaN, rmse: NaN };
  const mean = sy / n;
  let ssTot = 0;
  let ssRes = 0;
  let abs = 0;
  for (let i = 0; i < yTrue.length; i++) {
    const wi = w[i];
    if (wi === 0) continue;
    const y = yTrue[i];
    const e = y - yPred[i];
    ssTot += wi * (y - mean) * (y - mean);
    ssRes += wi * e * e;
    abs += wi * Math.abs(e);
  }
  // scikit-learn: a constant target scores 1 when predicted exactly, else 0.
  const r2 = ssTot > 0 ? 1 - ssRes / ssTot : ssRes === 0 ? 1 : 0;
  return { r2, mae: abs / n, rmse: Math.sqrt(ssRes / n) };
}

export function weightedR2(yTrue: Float64Array, yPred: Float64Array, w: Float64Array): number {
  return weightedRegression(yTrue, yPred, w).r2;
}
