import { logGamma } from './logGamma';

/** Natural log of the smallest positive double (log 2^-1075), as in Cephes' MINLOG. */
const MIN_LOG = -745.1332191019412;

/**
 * One-sided Kolmogorov-Smirnov survival function, Smirnov's distribution:
 * P(D_n^+ >= x) for a sample of size n, the quantity scipy.special.smirnov(n, x) returns.
 *
 * Birnbaum & Tingey (1951) / Smirnov (1944):
 *   P(D_n^+ >= x) = x * sum_{v=0}^{floor(n(1-x))} C(n, v) (x + v/n)^(v-1) (1 - x - v/n)^(n-v)
 * All terms are positive, so each is evaluated as exp(log C(n,v) + ...) without cancellation.
 * The same special cases as scipy's Cephes code select closed forms:
 *   n = 1: 1 - x;  x <= 1/n: 1 - x (1 + x)^(n-1);  x >= 1 - 1/n: (1 - x)^n;
 *   -2 n x^2 < log(min double): 0;  n > 10^6: exp(-(6 n x + 1)^2 / (18 n)).
 */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0) || !(x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  let nxFloor = Math.floor(nx);
  // n*x within rounding of the integer above counts as that integer.
  if (nx - nxFloor > 1 - 1e-15) nxFloor += 1;
  const alphaIsZero = Math.abs(nx - Math.round(nx)) <= 1e-15 * Math.max(1, nx);
  if (nxFloor === 0 || (nxFloor === 1 && alphaIsZero)) {
    return clip01(1 - x * Math.pow(1 + x, n - 1));
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return clip01(Math.pow(1 - x, n));
  if (n > 1_000_000) {
    const logp = -Math.pow(6 * n * x + 1, 2) / 18 / n;
    return clip01(Math.exp(logp));
  }
  const last = Math.floor(n * (1 - x));
  const lgN1 = logGamma(n + 1);
  let sum = 0;
  let previous = Number.POSITIVE_INFINITY;
  for (let v = 0; v <= last; v++) {
    const evn = x + v / n;
    const omevn = 1 - evn;
    if (!(omevn > 0)) break;
    const logTerm =
      lgN1 - logGamma(v + 1) - logGamma(n - v + 1) + (v - 1) * Math.log(evn) + (n - v) * Math.log(omevn);
    const term = Math.exp(logTerm);
    sum += term;
    // Falling terms below 1e-18 of the sum: the tail cannot change the result.
    if (term < previous && term < sum * 1e-18) break;
    previous = term;
  }
  return clip01(sum * x);
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}
