/**
 * Natural log of the gamma function for x > 0.
 *
 * x >= 10: Stirling's series with Bernoulli terms up to 1/x^15 (error < 1e-16 relative).
 * 0 < x < 10: shift upwards with the recurrence Gamma(x) = Gamma(x + k) / (x (x+1) ... (x+k-1))
 * and use the Stirling series at x + k >= 10.
 */
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
// B_{2j} / (2j (2j - 1)) for j = 1..8
const STIRLING = [
  1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400,
];

export function logGamma(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x <= 0) return Number.POSITIVE_INFINITY;
  if (x === 1 || x === 2) return 0;
  let shift = 0;
  let prod = 1;
  let z = x;
  while (z < 10) {
    prod *= z;
    z += 1;
    // Keep the running product in range for very small x.
    if (prod > 1e280) {
      shift += Math.log(prod);
      prod = 1;
    }
  }
  shift += Math.log(prod);
  const r = 1 / z;
  const r2 = r * r;
  let series = 0;
  for (let j = STIRLING.length - 1; j >= 0; j--) series = series * r2 + STIRLING[j];
  series *= r;
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_2PI + series - shift;
}
