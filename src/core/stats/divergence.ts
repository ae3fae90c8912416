/**
 * Distribution distances between two aligned count vectors: histogram bins of a numeric feature
 * (see pooledHistogram) or category counts aligned over the union of categories.
 */

export interface PsiOptions {
  /** Proportions that are exactly 0 are replaced by this value (Evidently: 1e-4). */
  readonly floor?: number;
}

/**
 * Population Stability Index, Evidently's convention:
 *   PSI = sum_i (p_i - q_i) ln(p_i / q_i),
 * p = reference counts / reference total, q = other counts / other total, where a proportion that
 * is exactly zero becomes `floor` (default 1e-4) so empty bins contribute a finite amount.
 * Non-negative; 0 for identical proportions. Common reading: < 0.1 stable, >= 0.1 drift (Evidently's threshold).
 */
export function psi(refCounts: ArrayLike<number>, otherCounts: ArrayLike<number>, opts: PsiOptions = {}): number {
  const floor = opts.floor ?? 1e-4;
  const [p, q] = proportions(refCounts, otherCounts, 'psi');
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] === 0 ? floor : p[i];
    const qi = q[i] === 0 ? floor : q[i];
    s += (pi - qi) * Math.log(pi / qi);
  }
  return s;
}

/**
 * Jensen-Shannon distance, as scipy.spatial.distance.jensenshannon(p, q) with the natural log:
 *   m = (p + q) / 2,  JS = sqrt( (KL(p || m) + KL(q || m)) / 2 ),
 * with p, q the count vectors normalised to sum 1 and 0 ln 0 = 0. Between 0 and sqrt(ln 2) ~ 0.8326.
 */
export function jensenShannonDistance(pCounts: ArrayLike<number>, qCounts: ArrayLike<number>): number {
  const [p, q] = proportions(pCounts, qCounts, 'jensenShannonDistance');
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const m = (p[i] + q[i]) / 2;
    if (p[i] > 0) left += p[i] * Math.log(p[i] / m);
    if (q[i] > 0) right += q[i] * Math.log(q[i] / m);
  }
  const js = left + right;
  return Math.sqrt(Math.max(0, js) / 2);
}

function proportions(a: ArrayLike<number>, b: ArrayLike<number>, who: string): [Float64Array, Float64Array] {
  if (a.length !== b.length) throw new RangeError(`${who}: count vectors differ in length (${a.length} vs ${b.length})`);
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < a.length; i++) {
    if (!(a[i] >= 0) || !(b[i] >= 0)) throw new RangeError(`${who}: counts must be non-negative numbers`);
    sa += a[i];
    sb += b[i];
  }
  const p = new Float64Array(a.length);
  const q = new Float64Array(b.length);
  if (sa === 0 || sb === 0) return [p.fill(Number.NaN), q.fill(Number.NaN)];
  for (let i = 0; i < a.length; i++) {
    p[i] = a[i] / sa;
    q[i] = b[i] / sb;
  }
  return [p, q];
}
