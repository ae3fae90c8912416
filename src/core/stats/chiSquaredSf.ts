import { logGamma } from './logGamma';

/**
 * Regularized upper incomplete gamma Q(a, x) = Gamma(a, x) / Gamma(a), for a > 0, x >= 0.
 *
 * x < a + 1: the power series for the lower function P(a, x) = x^a e^-x / Gamma(a+1) *
 * sum_k x^k / ((a+1)...(a+k)), then Q = 1 - P.
 * Otherwise: the continued fraction for Q (modified Lentz), which converges fast there and keeps
 * relative accuracy in the far tail. Both stop at relative term size 1e-16.
 */
export function regularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  const logPrefactor = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let k = 1; k < 100000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
    }
    const p = sum * Math.exp(logPrefactor);
    return Math.min(1, Math.max(0, 1 - p));
  }
  // Continued fraction: Q = e^-x x^a / Gamma(a) * 1 / (x + 1 - a - 1(1-a)/(x + 3 - a - ...)).
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, Math.max(0, Math.exp(logPrefactor) * h));
}

/** Survival function of the chi-squared distribution: P(X >= x) with `dof` degrees of freedom. */
export function chiSquaredSf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return Number.NaN;
  if (x <= 0) return 1;
  return regularizedUpperGamma(dof / 2, x / 2);
}
