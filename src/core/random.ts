/**
 * Seeded pseudo-random numbers (mulberry32: a small, fast, well-mixed 32-bit generator), so a
 * seed gives the same answer on every platform and run, independently of TensorFlow.js's own
 * generators. The comparison's sampling (the domain classifier's rows and folds) uses
 * `mulberry32`; training (splits, shuffles, initial weights) uses `Rng`, whose seed is
 * scrambled first so that small neighbouring seeds start far apart. Both take the same step.
 */

/** A generator of uniform numbers in [0, 1) started at `seed` as it is (no scrambling). */
export function mulberry32(seed: number): () => number {
  const rng = Rng.unscrambled(seed);
  return () => rng.next();
}

export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0;
    for (let i = 0; i < 4; i++) this.next();
  }
  /** The generator whose state is `seed` itself, as mulberry32 is usually started. */
  static unscrambled(seed: number): Rng {
    const rng = new Rng(0);
    rng.state = seed >>> 0;
    return rng;
  }
  /** Uniform in [0, 1): one mulberry32 step. */
  next(): number {
    const s = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Fisher-Yates in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T;
  shuffle<T>(a: T[]): T[];
  shuffle(a: { length: number; [i: number]: unknown }): unknown {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
  /** A derived seed for an independent stream (e.g. one per arm). */
  fork(): Rng {
    return new Rng(Math.floor(this.next() * 2 ** 31));
  }
}

export function permutation(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return rng.shuffle(p);
}
