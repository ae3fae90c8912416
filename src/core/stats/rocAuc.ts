/**
 * Area under the ROC curve for binary labels (1 = positive), the number
 * sklearn.metrics.roc_auc_score(labels, scores) gives: the ROC points are taken at every
 * distinct score (descending), so tied scores form one diagonal step and count half, and the
 * area is summed with the trapezoid rule. Equals the Mann-Whitney U / (n_pos n_neg) with
 * mid-ranks. NaN when either class is absent (sklearn raises there).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new RangeError(`rocAuc: ${n} scores but ${labels.length} labels`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new RangeError('rocAuc: scores must not be NaN');
    order[i] = i;
  }
  order.sort((a, b) => scores[b] - scores[a]);
  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  let area = 0;
  let i = 0;
  while (i < n) {
    const s = scores[order[i]];
    while (i < n && scores[order[i]] === s) {
      if (labels[order[i]]) tp++;
      else fp++;
      i++;
    }
    area += ((fp - prevFp) * (tp + prevTp)) / 2;
    prevTp = tp;
    prevFp = fp;
  }
  if (tp === 0 || fp === 0) return Number.NaN;
  return area / (tp * fp);
}
