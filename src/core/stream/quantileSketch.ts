/**
 * A mergeable quantile sketch with deterministic error bounds, for streaming comparison
 * (issue 15): exact value counts while a column has at most `exactDistinct` distinct values,
 * then relative-error log buckets (the DDSketch layout, our own code): a positive value v goes to
 * bucket i = ceil(log_gamma v), covering (gamma^(i-1), gamma^i], negative values mirror that,
 * zeros are counted exactly. Counts per bucket are exact, so the CDF is known exactly at every
 * bucket boundary and bounded between them; every figure computed here (KS, Wasserstein,
 * histogram counts, quantiles) comes with the interval the true value must lie in, not a
 * probabilistic bound. Memory: at most exactDistinct map entries, then one entry per occupied
 * bucket index between the smallest and the largest (a dense array: log(max/min) / log(gamma)
 * per sign, about 14,000 for 1e-6..1e6 at alpha 0.001).
 * Sketches with the same alpha merge by adding counts (chunks read in parallel, then merged).
 */

export const DEFAULT_ALPHA = 0.001;
export const DEFAULT_EXACT_DISTINCT = 4096;

/** One piece of the distribution: an atom (l === u, exact value) or a bucket holding c values in [l, u]. */
export interface Segment {
  readonly l: number;
  readonly u: number;
  readonly c: number;
}

/** A figure and the interval the exact figure lies in. */
export interface Bounded {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

/** Counts per integer bucket index in one growing dense array (a Map per value was the pass's slowest part). */
class DenseCounts {
  private counts = new Float64Array(0);
  private offset = 0;
  size = 0;

  add(i: number, c: number): void {
    let k = i - this.offset;
    if (k < 0 || k >= this.counts.length) {
      this.grow(i);
      k = i - this.offset;
    }
    if (this.counts[k] === 0) this.size++;
    this.counts[k] += c;
  }

  private grow(i: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(64);
      this.offset = i - 32;
      return;
    }
    const lo = Math.min(this.offset, i);
    const hi = Math.max(this.offset + this.counts.length, i + 1);
    // At least double, so growing costs O(1) per add on average.
    const span = Math.max(hi - lo, 2 * this.counts.length);
    const offset = i < this.offset ? hi - span : lo;
    const next = new Float64Array(span);
    next.set(this.counts, this.offset - offset);
    this.counts = next;
    this.offset = offset;
  }

  toJSON(): { offset: number; counts: number[] } {
    return { offset: this.offset, counts: Array.from(this.counts) };
  }

  static fromJSON(j: { offset: number; counts: number[] }): DenseCounts {
    const d = new DenseCounts();
    d.offset = j.offset;
    d.counts = Float64Array.from(j.counts);
    d.size = j.counts.filter((c) => c > 0).length;
    return d;
  }

  /** (index, count) of every occupied bucket, ascending. */
  entries(): [number, number][] {
    const out: [number, number][] = [];
    for (let k = 0; k < this.counts.length; k++) if (this.counts[k] > 0) out.push([k + this.offset, this.counts[k]]);
    return out;
  }
}

export interface SketchJson {
  readonly alpha: number;
  readonly exactDistinct: number;
  readonly count: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly exact?: [number, number][];
  readonly zero?: number;
  readonly pos?: { offset: number; counts: number[] };
  readonly neg?: { offset: number; counts: number[] };
}

export class QuantileSketch {
  readonly gamma: number;
  private readonly logGamma: number;
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  private exact: Map<number, number> | null = new Map();
  private pos = new DenseCounts();
  private neg = new DenseCounts();
  private zero = 0;

  constructor(
    readonly alpha = DEFAULT_ALPHA,
    readonly exactDistinct = DEFAULT_EXACT_DISTINCT,
  ) {
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  /** True while every value is counted exactly (no bucket yet). */
  get isExact(): boolean {
    return this.exact !== null;
  }

  /** Entries held (exact values or buckets): the sketch's memory is proportional to this. */
  get size(): number {
    return this.exact ? this.exact.size : this.pos.size + this.neg.size + (this.zero > 0 ? 1 : 0);
  }

  /** Adds a finite value. */
  add(v: number, c = 1): void {
    this.count += c;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    const exact = this.exact;
    if (exact) {
      exact.set(v, (exact.get(v) ?? 0) + c);
      if (exact.size > this.exactDistinct) this.toBuckets();
      return;
    }
    this.addBucket(v, c);
  }

  private addBucket(v: number, c: number): void {
    if (v === 0) {
      this.zero += c;
      return;
    }
    const a = v < 0 ? -v : v;
    const i = Math.ceil(Math.log(a) / this.logGamma);
    (v < 0 ? this.neg : this.pos).add(i, c);
  }

  private toBuckets(): void {
    const exact = this.exact;
    if (!exact) return;
    this.exact = null;
    for (const [v, c] of exact) this.addBucket(v, c);
  }

  /** Adds another sketch's counts (same alpha). */
  merge(other: QuantileSketch): void {
    if (other.alpha !== this.alpha) throw new RangeError(`QuantileSketch.merge: alpha ${other.alpha} differs from ${this.alpha}`);
    if (other.count === 0) return;
    this.count += other.count;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    if (this.exact && other.exact) {
      for (const [v, c] of other.exact) this.exact.set(v, (this.exact.get(v) ?? 0) + c);
      if (this.exact.size > this.exactDistinct) this.toBuckets();
      return;
    }
    this.toBuckets();
    if (other.exact) {
      for (const [v, c] of other.exact) this.addBucket(v, c);
      return;
    }
    this.zero += other.zero;
    for (const [i, c] of other.pos.entries()) this.pos.add(i, c);
    for (const [i, c] of other.neg.entries()) this.neg.add(i, c);
  }

  /** Everything the sketch holds, as JSON (a chunk read by another process, merged here). */
  toJSON(): SketchJson {
    return {
      alpha: this.alpha,
      exactDistinct: this.exactDistinct,
      count: this.count,
      min: this.min,
      max: this.max,
      ...(this.exact ? { exact: [...this.exact.entries()] } : { zero: this.zero, pos: this.pos.toJSON(), neg: this.neg.toJSON() }),
    };
  }

  static fromJSON(j: SketchJson): QuantileSketch {
    const q = new QuantileSketch(j.alpha, j.exactDistinct);
    q.count = j.count;
    // JSON has no infinities: an empty sketch's min and max come back as null.
    q.min = j.min ?? Number.POSITIVE_INFINITY;
    q.max = j.max ?? Number.NEGATIVE_INFINITY;
    if (j.exact) q.exact = new Map(j.exact);
    else {
      q.exact = null;
      q.zero = j.zero ?? 0;
      if (j.pos) q.pos = DenseCounts.fromJSON(j.pos);
      if (j.neg) q.neg = DenseCounts.fromJSON(j.neg);
    }
    return q;
  }

  /** The distribution as ascending, disjoint segments (bucket ends clamped to the exact min and max). */
  segments(): Segment[] {
    if (this.exact) {
      return [...this.exact.entries()].sort((a, b) => a[0] - b[0]).map(([v, c]) => ({ l: v, u: v, c }));
    }
    const out: Segment[] = [];
    const edge = (i: number) => Math.exp(i * this.logGamma);
    for (const [i, c] of this.neg.entries().reverse()) out.push({ l: -edge(i), u: -edge(i - 1), c });
    if (this.zero > 0) out.push({ l: 0, u: 0, c: this.zero });
    for (const [i, c] of this.pos.entries()) out.push({ l: edge(i - 1), u: edge(i), c });
    if (out.length) {
      const first = out[0];
      const last = out[out.length - 1];
      out[0] = { ...first, l: Math.max(first.l, this.min), u: Math.max(Math.min(first.u, this.max), this.min) };
      out[out.length - 1] = { ...out[out.length - 1], u: Math.min(last.u, this.max), l: Math.min(out[out.length - 1].l, this.max) };
    }
    return out;
  }

  /**
   * The q-quantile as numpy's default (linear) method defines it: exact while the sketch is,
   * else the value at that rank placed uniformly inside its bucket, with the bucket as bounds.
   */
  quantile(q: number): Bounded {
    if (this.count === 0) return { estimate: NaN, lower: NaN, upper: NaN };
    const segs = this.segments();
    const h = (this.count - 1) * q;
    const lo = Math.floor(h);
    const at = (rank: number): Bounded => {
      let seen = 0;
      for (const s of segs) {
        if (rank < seen + s.c) {
          if (s.l === s.u) return { estimate: s.l, lower: s.l, upper: s.u };
          const f = (rank - seen + 0.5) / s.c;
          return { estimate: s.l + f * (s.u - s.l), lower: s.l, upper: s.u };
        }
        seen += s.c;
      }
      const last = segs[segs.length - 1];
      return { estimate: last.u, lower: last.l, upper: last.u };
    };
    const a = at(lo);
    if (h === lo) return a;
    const b = at(lo + 1);
    const f = h - lo;
    return { estimate: a.estimate + f * (b.estimate - a.estimate), lower: a.lower + f * (b.lower - a.lower), upper: a.upper + f * (b.upper - a.upper) };
  }
}

/** The CDF of one sketch at ascending points: exact counts below, the one straddling bucket bounded. */
class Cursor {
  private k = 0;
  private cum = 0;
  constructor(
    private readonly segs: readonly Segment[],
    private readonly n: number,
  ) {}

  /**
   * At x (ascending calls): lo/hi bound P(V <= x); est places bucket values uniformly; left is
   * est without the atoms at exactly x (the left limit).
   */
  at(x: number): { lo: number; hi: number; est: number; left: number; straddles: boolean } {
    let atoms = 0;
    while (this.k < this.segs.length && this.segs[this.k].u <= x) {
      const s = this.segs[this.k];
      this.cum += s.c;
      if (s.l === s.u && s.u === x) atoms += s.c;
      this.k++;
    }
    // Atoms at x counted on an earlier call at the same x are still "at x".
    for (let j = this.k - 1; j >= 0 && atoms === 0; j--) {
      const s = this.segs[j];
      if (s.u !== x) break;
      if (s.l === s.u) atoms += s.c;
    }
    const n = this.n;
    const next = this.segs[this.k];
    if (next && next.l <= x) {
      const part = next.u > next.l ? (next.c * (x - next.l)) / (next.u - next.l) : 0;
      return { lo: this.cum / n, hi: (this.cum + next.c) / n, est: (this.cum + part) / n, left: (this.cum + part - atoms) / n, straddles: x > next.l };
    }
    return { lo: this.cum / n, hi: this.cum / n, est: this.cum / n, left: (this.cum - atoms) / n, straddles: false };
  }
}

function breakpoints(a: readonly Segment[], b: readonly Segment[]): number[] {
  const pts: number[] = [];
  for (const s of a) pts.push(s.l, s.u);
  for (const s of b) pts.push(s.l, s.u);
  pts.sort((x, y) => x - y);
  const out: number[] = [];
  for (const p of pts) if (out.length === 0 || p !== out[out.length - 1]) out.push(p);
  return out;
}

/** Integral over [0, w] of |g| for g linear from g0 to g1. */
function absLinearIntegral(g0: number, g1: number, w: number): number {
  if ((g0 >= 0 && g1 >= 0) || (g0 <= 0 && g1 <= 0)) return (w * (Math.abs(g0) + Math.abs(g1))) / 2;
  return (w * (g0 * g0 + g1 * g1)) / (2 * (Math.abs(g0) + Math.abs(g1)));
}

export interface SketchDistances {
  /** Two-sample Kolmogorov-Smirnov statistic sup |F_a - F_b|. */
  readonly ks: Bounded;
  /** Wasserstein-1 distance, the integral of |F_a - F_b|. */
  readonly wasserstein: Bounded;
}

/** KS and Wasserstein-1 between two sketches, each with the interval the exact value lies in. */
export function sketchDistances(a: QuantileSketch, b: QuantileSketch): SketchDistances {
  const sa = a.segments();
  const sb = b.segments();
  const pts = breakpoints(sa, sb);
  const ca = new Cursor(sa, a.count);
  const cb = new Cursor(sb, b.count);
  let ksEst = 0;
  let ksLo = 0;
  let ksHi = 0;
  let wEst = 0;
  let wLo = 0;
  let wHi = 0;
  let prev: { a: ReturnType<Cursor['at']>; b: ReturnType<Cursor['at']>; x: number } | null = null;
  const point = (fa: ReturnType<Cursor['at']>, fb: ReturnType<Cursor['at']>) => {
    const d = Math.abs(fa.est - fb.est);
    if (d > ksEst) ksEst = d;
    if (!fa.straddles && !fb.straddles && d > ksLo) ksLo = d;
    const hi = Math.max(fa.hi - fb.lo, fb.hi - fa.lo);
    if (hi > ksHi) ksHi = hi;
  };
  for (const x of pts) {
    if (prev) {
      // The open interval (prev.x, x): the bounds are constant there, read at its midpoint.
      const m = prev.x + (x - prev.x) / 2;
      const ma = ca.at(m);
      const mb = cb.at(m);
      point(ma, mb);
      const fa = ca.at(x);
      const fb = cb.at(x);
      const w = x - prev.x;
      wEst += absLinearIntegral(prev.a.est - prev.b.est, fa.left - fb.left, w);
      wHi += w * Math.max(ma.hi - mb.lo, mb.hi - ma.lo, 0);
      wLo += w * Math.max(ma.lo - mb.hi, mb.lo - ma.hi, 0);
      point(fa, fb);
      prev = { a: fa, b: fb, x };
    } else {
      const fa = ca.at(x);
      const fb = cb.at(x);
      point(fa, fb);
      prev = { a: fa, b: fb, x };
    }
  }
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return {
    ks: { estimate: ksEst, lower: Math.min(ksLo, ksEst), upper: clamp(Math.max(ksHi, ksEst)) },
    wasserstein: { estimate: wEst, lower: Math.min(wLo, wEst), upper: Math.max(wHi, wEst) },
  };
}

export interface SketchHistogram {
  /** numpy.histogram_bin_edges over the pooled range (the in-memory path's edges). */
  readonly edges: number[];
  readonly reference: number[];
  readonly other: number[];
  /** The largest difference, as a share of its side's count, between a bin's estimated and exact count (0 when both sketches are exact). */
  readonly maxShareError: number;
}

/** Counts per equal-width bin over the pooled [min, max], as pooledHistogram makes them (bins [e_k, e_k+1), the last closed). */
export function sketchHistogram(a: QuantileSketch, b: QuantileSketch, bins = 30): SketchHistogram {
  const lo = Math.min(a.min, b.min);
  const hi = Math.max(a.max, b.max);
  if (!(lo <= hi)) return { edges: [], reference: [], other: [], maxShareError: 0 };
  if (lo === hi) return { edges: [lo - 0.5, hi + 0.5], reference: [a.count], other: [b.count], maxShareError: 0 };
  const edges: number[] = [];
  for (let k = 0; k <= bins; k++) edges.push(k === bins ? hi : lo + (k * (hi - lo)) / bins);
  let maxErr = 0;
  const counts = (s: QuantileSketch): number[] => {
    const c = new Cursor(s.segments(), s.count);
    const at = edges.map((e) => c.at(e));
    const out: number[] = [];
    for (let k = 0; k < bins; k++) {
      const upper = k === bins - 1 ? at[k + 1].est : at[k + 1].left;
      const est = (upper - at[k].left) * s.count;
      out.push(Math.max(0, est));
      if (!s.isExact) {
        const most = (at[k + 1].hi - at[k].lo) * s.count;
        const least = Math.max(0, (at[k + 1].lo - at[k].hi) * s.count);
        const err = Math.max(most - est, est - least) / Math.max(1, s.count);
        if (err > maxErr) maxErr = err;
      }
    }
    return out;
  };
  return { edges, reference: counts(a), other: counts(b), maxShareError: maxErr };
}
