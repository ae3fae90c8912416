/**
 * What happened to each dataset's rows before the models saw them: rows left out because their
 * label is missing, and labelled rows with missing feature values that preprocessing imputed
 * (per feature). Nothing is dropped or filled silently: results.json, the CLI and the dashboard
 * show these counts per dataset.
 */
import type { SourceRowAccounting } from '../protocol/runFolder/contract';
import { columnByName } from '../core/table';
import type { FeatureInfo, Source } from './data';

function missingAt(source: Source, name: string): (row: number) => boolean {
  const col = columnByName(source.table, name);
  if (!col) return () => false;
  if (col.type === 'numeric' || col.type === 'datetime') return (r) => Number.isNaN(col.values[r]);
  return (r) => col.codes[r] < 0;
}

export function rowAccounting(source: Source, features: readonly FeatureInfo[]): SourceRowAccounting {
  // Text features are tokenized, an empty cell being no tokens: numeric, categorical and date values are imputed.
  const imputable = features.filter((f) => f.type === 'numeric' || f.type === 'categorical' || f.type === 'datetime');
  const tests = imputable.map((f) => ({ name: f.name, missing: missingAt(source, f.name), n: 0 }));
  let imputedRows = 0;
  for (const r of source.rows) {
    let any = false;
    for (const t of tests) {
      if (t.missing(r)) {
        t.n++;
        any = true;
      }
    }
    if (any) imputedRows++;
  }
  const imputedCells: Record<string, number> = {};
  for (const t of tests) if (t.n > 0) imputedCells[t.name] = t.n;
  return { droppedMissingLabel: source.unlabelled, imputedRows, imputedCells };
}
