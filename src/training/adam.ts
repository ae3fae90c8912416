/**
 * The Adam update (Kingma and Ba) with tfjs's defaults, on Float32Arrays: shared by JsAdam
 * (the tfjs loop) and the fused WASM step, so both paths apply the same arithmetic.
 */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;

/** The bias-corrected step size at step t (1-based). */
export function adamRate(learningRate: number, t: number): number {
  return (learningRate * Math.sqrt(1 - Math.pow(ADAM_BETA2, t))) / (1 - Math.pow(ADAM_BETA1, t));
}

/** One update of p[start..end) from gradient g with moments m, v and step size `rate`. */
export function adamUpdate(p: Float32Array, g: ArrayLike<number>, m: Float32Array, v: Float32Array, rate: number, start = 0, end = p.length): void {
  for (let i = start; i < end; i++) {
    const gi = g[i];
    const mi = (m[i] = ADAM_BETA1 * m[i] + (1 - ADAM_BETA1) * gi);
    const vi = (v[i] = ADAM_BETA2 * v[i] + (1 - ADAM_BETA2) * gi * gi);
    p[i] -= (rate * mi) / (Math.sqrt(vi) + ADAM_EPSILON);
  }
}
