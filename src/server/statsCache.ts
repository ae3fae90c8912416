/**
 * Column statistics of one model, computed on first use and kept while the column is unchanged
 * (each column carries a version that every edit of one of its cells bumps).
 */
import { computeColumnStats, type ColumnStats } from './columnStats';
import type { CsvModel } from './csvModel';

export class StatsCache {
  private readonly cache = new Map<number, ColumnStats>();
  constructor(private readonly model: CsvModel) {}

  get(c: number, tolerance: number): ColumnStats {
    const hit = this.cache.get(c);
    if (hit && hit.version === this.model.cols[c].version) return hit;
    const s = computeColumnStats(this.model, c, tolerance);
    this.cache.set(c, s);
    return s;
  }

  private readonly memo = new Map<string, { version: number; value: unknown }>();

  /** A value derived from column `c` alone, kept while the column is unchanged. */
  memoize<T>(c: number, key: string, make: () => T): T {
    const k = `${c}|${key}`;
    const hit = this.memo.get(k);
    const version = this.model.cols[c].version;
    if (hit && hit.version === version) return hit.value as T;
    const value = make();
    this.memo.set(k, { version, value });
    return value;
  }

  clear(): void {
    this.cache.clear();
    this.memo.clear();
  }
}
