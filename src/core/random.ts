/**
 * mulberry32: a small, fast, well-mixed 32-bit PRNG. The comparison's sampling (the domain
 * classifier's rows and folds) and the tests' shuffles draw from it, so a seed gives the same
 * answer on every platform and run.
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
