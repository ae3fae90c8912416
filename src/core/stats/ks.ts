import { ascending } from './sortedCopy';
import { kstwoSf } from './kstwo';

export type KsMethod = 'auto' | 'exact' | 'asymp';

export interface KsTwoSampleResult {
  /** max |F_a(x) - F_b(x)| over the pooled sample (ties handled by right-continuous ECDFs). */
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pvalue: number;
  /** How the p-value was computed. */
  readonly method: 'exact' | 'asymp';
}

/** 'auto' computes the exact distribution when both samples have at most this many values. */
const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

/**
 * Two-sample two-sided Kolmogorov-Smirnov test, the same numbers as scipy 1.10's
 * `scipy.stats.ks_2samp(a, b)` (alternative='two-sided', method='auto' by default).
 *
 * Statistic: D = max over pooled values x of |F_a(x) - F_b(x)|, with F the right-continuous ECDF
 * (F_a(x) = #{a_i <= x} / n_a), so tied values move both ECDFs at once.
 *
 * P-value:
 * - 'auto' chooses 'exact' when max(n_a, n_b) <= 10000, else 'asymp'.
 * - 'exact': with g = gcd(n_a, n_b) and L = n_a n_b / g, D is rounded to h / L with
 *   h = round(D L) (the statistic returned is that rounded value, as scipy does), and
 *   p = P(D_{n_a,n_b} >= h/L) is computed by lattice-path counting: for n_a = n_b the alternating
 *   reflection series; otherwise Hodges' "inside" recursion written for 1 - p (Viehmann 2021).
 *   If the result is not a probability the test falls back to 'asymp' with the rounded D.
 *   An explicit 'exact' also falls back when L would not fit in a 32-bit integer.
 * - 'asymp': p = kstwo.sf(D, round(n_a n_b / (n_a + n_b))), the distribution of the one-sample
 *   two-sided statistic (see kstwoSf).
 * The p-value is clipped to [0, 1].
 */
export function ksTwoSample(a: Float64Array, b: Float64Array, opts: { method?: KsMethod; presorted?: boolean } = {}): KsTwoSampleResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksTwoSample: both samples must be non-empty');
  // Already-ascending input (compare.ts sorts each column once) is used as is; the check is O(n),
  // so `presorted` is only a hint and a wrong hint cannot give a wrong number.
  const x = ascending(a);
  const y = ascending(b);
  if (Number.isNaN(x[n1 - 1]) || Number.isNaN(y[n2 - 1])) {
    throw new RangeError('ksTwoSample: samples must not contain NaN (drop missing values first)');
  }
  let maxS = Number.NEGATIVE_INFINITY;
  let minDiff = Number.POSITIVE_INFINITY;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    // Next distinct pooled value; advance both samples past every copy of it.
    const v = j >= n2 || (i < n1 && x[i] <= y[j]) ? x[i] : y[j];
    while (i < n1 && x[i] <= v) i++;
    while (j < n2 && y[j] <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(1, Math.max(0, -minDiff));
  let d = minS > maxS ? minS : maxS;

  const g = gcd(n1, n2);
  const n1g = n1 / g;
  const n2g = n2 / g;
  let mode: 'exact' | 'asymp';
  const requested = opts.method ?? 'auto';
  if (requested === 'auto') mode = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  else if (requested === 'exact') mode = n1g >= INT32_MAX / n2g ? 'asymp' : 'exact';
  else mode = 'asymp';

  let prob = Number.NaN;
  if (mode === 'exact') {
    const lcm = n1g * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) {
      prob = 1;
    } else {
      prob = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideInsideMethod(n1, n2, g, h);
      if (!(prob >= 0 && prob <= 1)) mode = 'asymp';
    }
  }
  if (mode === 'asymp') {
    const en = (n1 * n2) / (n1 + n2);
    prob = kstwoSf(roundHalfEven(en), d);
  }
  prob = Math.min(1, Math.max(0, prob));
  return { statistic: d, pvalue: prob, method: mode };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** numpy.round: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * P(D_{n,n} >= h/n) = 2 sum_{k>=1} (-1)^(k-1) C(2n, n - k h) / C(2n, n), evaluated with each ratio
 * of binomials as a product of h factors and a Horner-like nesting
 * 2 A_1 (1 - A_2 (1 - A_3 (...))) to avoid the cancellation of the alternating sum.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * P(D_{m,n} >= h g / (m n)) for m != n: the share of monotone lattice paths from (0,0) to (m,n)
 * that leave the band |x/m - y/n| < h g / (m n). One column of the path-count table is kept in a
 * sliding window; the recursion is written directly for the probability of having left the band,
 * A(x,y) = (x A(x-1,y) + y A(x,y-1)) / (x + y), with cells outside the band set to 1, so values
 * stay in [0,1] and never overflow (Hodges 1958; Viehmann 2021, arXiv:2102.08037).
 */
function probOutsideInsideMethod(m0: number, n0: number, g: number, h: number): number {
  const m = Math.max(m0, n0);
  const n = Math.min(m0, n0);
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let k = minj; k < maxj; k++) A[k] = 0;
  // 1 / (i + j) from a table: a multiply per cell instead of a divide (rounding differs by < 1e-16).
  const recip = new Float64Array(m + n + 1);
  for (let k = 1; k <= m + n; k++) recip[k] = 1 / k;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.max(Math.floor((ng * i - h) / mg) + 1, 0);
    minj = Math.min(minj, n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj] * i + val * j) * recip[i + j];
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      const end = Math.min(lenA, maxj - minj + (lastlen - curlen));
      for (let k = maxj - minj; k < end; k++) A[k] = 1;
    }
  }
  return A[maxj - minj - 1];
}
