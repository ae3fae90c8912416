/**
 * Category counts in bounded memory: exact while a column has at most `capacity` distinct
 * values, then the Misra-Gries summary (each kept count is at most `undercount` below the true
 * one, and a value missing from the summary occurred at most `undercount` times). Mergeable:
 * adding two summaries and pruning again keeps the bound (the undercounts add up).
 */
export class FrequentItems {
  private counts = new Map<string, number>();
  /** Total removed from every kept count by pruning: the most any count is below the truth. */
  undercount = 0;
  total = 0;

  constructor(readonly capacity = 1000) {}

  get isExact(): boolean {
    return this.undercount === 0;
  }

  get size(): number {
    return this.counts.size;
  }

  add(value: string, c = 1): void {
    this.total += c;
    this.counts.set(value, (this.counts.get(value) ?? 0) + c);
    if (this.counts.size > 2 * this.capacity) this.prune();
  }

  /** Subtracts the (capacity+1)-th largest count from every count and drops those left at 0 or below. */
  private prune(): void {
    const values = [...this.counts.values()].sort((a, b) => b - a);
    const cut = values[this.capacity] ?? 0;
    if (cut <= 0) return;
    const next = new Map<string, number>();
    for (const [k, v] of this.counts) if (v > cut) next.set(k, v - cut);
    this.counts = next;
    this.undercount += cut;
  }

  merge(other: FrequentItems): void {
    this.total += other.total;
    this.undercount += other.undercount;
    for (const [k, v] of other.counts) this.counts.set(k, (this.counts.get(k) ?? 0) + v);
    if (this.counts.size > this.capacity) this.prune();
  }

  /** Kept values, most frequent first (ties by value), each with its count lower bound. */
  top(k = Infinity): { value: string; count: number }[] {
    return [...this.counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, k)
      .map(([value, count]) => ({ value, count }));
  }

  get(value: string): number {
    return this.counts.get(value) ?? 0;
  }

  toJSON(): { capacity: number; undercount: number; total: number; counts: [string, number][] } {
    return { capacity: this.capacity, undercount: this.undercount, total: this.total, counts: [...this.counts.entries()] };
  }

  static fromJSON(j: { capacity: number; undercount: number; total: number; counts: [string, number][] }): FrequentItems {
    const f = new FrequentItems(j.capacity);
    f.undercount = j.undercount;
    f.total = j.total;
    f.counts = new Map(j.counts);
    return f;
  }
}

/** A uniform sample of at most `size` items from a stream of unknown length (Algorithm R), seeded. */
export class Reservoir<T> {
  readonly items: T[] = [];
  seen = 0;
  constructor(
    readonly size: number,
    private readonly random: () => number,
  ) {}

  /** The slot the next item goes to, or -1 when it is not sampled; call `put` only for a slot >= 0. */
  offer(): number {
    const i = this.seen++;
    if (i < this.size) return i;
    const j = Math.floor(this.random() * (i + 1));
    return j < this.size ? j : -1;
  }

  put(slot: number, item: T): void {
    this.items[slot] = item;
  }

  /**
   * Another reservoir's sample of a disjoint stream merged in: still a uniform sample of both
   * streams together. Each slot is drawn from one side with probability proportional to the
   * rows that side still stands for (a hypergeometric draw), its items taken in random order.
   */
  merge(other: Reservoir<T>): void {
    const a = this.shuffled(this.items);
    const b = this.shuffled(other.items);
    let na = this.seen;
    let nb = other.seen;
    const out: T[] = [];
    let i = 0;
    let j = 0;
    while (out.length < this.size && (i < a.length || j < b.length)) {
      const fromA = j >= b.length || (i < a.length && this.random() * (na + nb) < na);
      if (fromA) {
        out.push(a[i++]);
        na -= this.seen / Math.max(1, this.items.length);
      } else {
        out.push(b[j++]);
        nb -= other.seen / Math.max(1, other.items.length);
      }
    }
    this.items.length = 0;
    this.items.push(...out);
    this.seen += other.seen;
  }

  private shuffled(items: readonly T[]): T[] {
    const c = items.slice();
    for (let k = c.length - 1; k > 0; k--) {
      const r = Math.floor(this.random() * (k + 1));
      [c[k], c[r]] = [c[r], c[k]];
    }
    return c;
  }
}
