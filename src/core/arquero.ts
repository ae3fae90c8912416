/**
 * Bridge to arquero, the table library used for transforms (filter, derive, join, groupby,
 * sampling). Numeric columns are shared, not copied: arquero reads a Float64Array as a column,
 * and its aggregates skip NaN (arquero treats null, undefined and NaN as invalid), which is
 * exactly how our numeric columns mark missing cells. Categorical and text columns become
 * arrays of strings, datetime columns arrays of Dates (arquero's date functions read them as
 * UTC), both with null for missing cells.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { unknownKind, type DataTable } from './table';

export function toArquero(table: DataTable): ColumnTable {
  const data: Record<string, Float64Array | (string | null)[] | (Date | null)[]> = {};
  for (const column of table.columns) {
    switch (column.type) {
      case 'numeric':
        data[column.name] = column.values;
        break;
      case 'datetime':
        data[column.name] = Array.from(column.values, (v) => (v === v ? new Date(v) : null));
        break;
      case 'categorical':
      case 'text': {
        const { codes, dictionary } = column;
        const strings = new Array<string | null>(codes.length);
        for (let i = 0; i < codes.length; i++) {
          const c = codes[i];
          strings[i] = c < 0 ? null : dictionary[c];
        }
        data[column.name] = strings;
        break;
      }
      default:
        unknownKind(column);
    }
  }
  return aq.table(data, table.columns.map((c) => c.name));
}
