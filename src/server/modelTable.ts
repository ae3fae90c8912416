/**
 * The server's model as a core DataTable, so the comparison engine (src/core/compare.ts) sees
 * the same columns the diagnostics do. Rows the ingest would skip (ragged, broken quotes) are
 * left out, as there.
 */
import { CellKind } from './csvScanner';
import type { CsvModel } from './csvModel';
import { FLAG_UNTERMINATED } from './recordStore';
import type { StatsCache } from './statsCache';
import type { Column, DataTable } from '../core/table';

export function modelToTable(model: CsvModel, stats: StatsCache, name: string, file: string, tolerance: number): DataTable {
  const store = model.store;
  const ncols = model.cols.length;
  const keep: number[] = [];
  for (let r = 0; r < store.n; r++) if (store.fields[r] === ncols && !(store.flags[r] & FLAG_UNTERMINATED)) keep.push(r);
  const rows = keep.length;
  const columns: Column[] = model.cols.map((meta, c) => {
    const s = stats.get(c, tolerance);
    const kinds = store.kinds[c];
    if (s.type === 'numeric') {
      const values = new Float64Array(rows);
      const src = store.values[c];
      for (let i = 0; i < rows; i++) {
        const r = keep[i];
        values[i] = kinds[r] === CellKind.Number ? src![r] : NaN;
      }
      return { name: meta.name, type: 'numeric', values, missing: s.missing, typeErrors: s.count - s.numbers };
    }
    // Categorical: numbers print as JS numbers, as the core's categoryCounts does.
    const dictionary: string[] = [];
    const index = new Map<string, number>();
    const codes = new Int32Array(rows);
    const src = store.codes[c];
    const vals = store.values[c];
    for (let i = 0; i < rows; i++) {
      const r = keep[i];
      const k = kinds[r];
      let v: string | undefined;
      if (k === CellKind.Text && !s.missingSpellings.has(src![r])) v = meta.strings[src![r]];
      else if (k === CellKind.Number) v = String(vals![r]);
      if (v === undefined) {
        codes[i] = -1;
        continue;
      }
      let code = index.get(v);
      if (code === undefined) {
        code = dictionary.length;
        dictionary.push(v);
        index.set(v, code);
      }
      codes[i] = code;
    }
    return { name: meta.name, type: 'categorical', codes, dictionary, missing: s.missing, typeErrors: 0 };
  });
  return { name, path: file, rows, columns, problems: [], problemCount: 0, delimiter: String.fromCharCode(model.delim) };
}
