/** In-memory DataTables for tests (the CSV reader is tested elsewhere). */
import type { Column, DataTable } from '../../../src/core/table';

export type CellList = readonly (number | null)[] | readonly (string | null)[];

export function makeTable(name: string, columns: Record<string, CellList>): DataTable {
  const cols: Column[] = Object.entries(columns).map(([colName, cells]) => {
    if (cells.every((c) => c === null || typeof c === 'number')) {
      const values = Float64Array.from(cells as (number | null)[], (v) => (v === null ? NaN : v));
      return { name: colName, type: 'numeric', values, missing: cells.filter((c) => c === null).length, typeErrors: 0 };
    }
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    const codes = Int32Array.from(cells as (string | null)[], (v) => {
      if (v === null) return -1;
      const s = String(v);
      if (!index.has(s)) {
        index.set(s, dictionary.length);
        dictionary.push(s);
      }
      return index.get(s) as number;
    });
    return { name: colName, type: 'categorical', codes, dictionary, missing: cells.filter((c) => c === null).length, typeErrors: 0 };
  });
  const rows = Object.values(columns)[0]?.length ?? 0;
  return { name, path: `${name}.csv`, rows, columns: cols, problems: [], problemCount: 0, delimiter: ',' };
}

/** A seeded generator for fixtures (same as the engine's, re-implemented to stay independent). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Two-class data: label = x1 + noise*x2 > threshold, plus a categorical column. */
export function blobs(name: string, n: number, seed: number, shift = 0): DataTable {
  const r = lcg(seed);
  const x1: number[] = [];
  const x2: number[] = [];
  const cat: string[] = [];
  const y: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = r() * 4 - 2 + shift;
    const b = r() * 4 - 2;
    x1.push(a);
    x2.push(b);
    const c = r() < 0.5 ? 'u' : 'v';
    cat.push(c);
    y.push(a + 0.5 * b + (c === 'u' ? 0.3 : -0.3) > shift ? 'yes' : 'no');
  }
  return makeTable(name, { x1, x2, cat, y });
}
