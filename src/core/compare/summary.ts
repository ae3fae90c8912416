/** Per-dataset summary of a comparison: rows, and per column its type, missing and distinct counts. */
import type { DataTable } from '../table';
import { distinctCount, isIdentifierLike, nonMissing } from './columnCache';
import type { DatasetSummary } from './types';

export function summarizeDataset(table: DataTable, label?: string): DatasetSummary {
  return {
    name: table.name,
    path: table.path,
    rows: table.rows,
    ...(label !== undefined ? { label } : {}),
    columns: table.columns.map((c) => {
      const n = nonMissing(c);
      return {
        name: c.name,
        type: c.type,
        missing: c.missing,
        typeErrors: c.typeErrors,
        distinct: distinctCount(c),
        identifierLike: isIdentifierLike(c, n),
      };
    }),
  };
}
