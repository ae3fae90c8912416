/**
 * The table file formats the engine reads, by file extension. src/protocol/files.ts keeps the
 * same list for the editor (src/core cannot import it); a unit test checks the two agree.
 */
import { extname } from 'node:path';

export type TableFormat = 'csv' | 'parquet' | 'arrow' | 'jsonl';

/** Lower-case extensions with the dot, and the format each one is read as. */
export const TABLE_FORMAT_BY_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.tab': 'csv',
  '.parquet': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.jsonl': 'jsonl',
};

/** The format a path is read as: by its extension (any case), CSV for anything else (as before these readers). */
export function tableFormatOf(path: string): TableFormat {
  return TABLE_FORMAT_BY_EXTENSION[extname(path).toLowerCase()] ?? 'csv';
}

/** Human name of a format, for messages. */
export function formatName(format: TableFormat): string {
  return { csv: 'CSV', parquet: 'Parquet', arrow: 'Arrow IPC', jsonl: 'JSON Lines' }[format];
}
