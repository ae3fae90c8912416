/**
 * One entry point for every table file the engine reads: CSV/TSV through the streaming CSV
 * ingest, Parquet, Arrow IPC and JSON Lines through the readers beside this file, chosen by the
 * file's extension (formats.ts). Every reader returns the same DataTable, refuses what is not a
 * regular file the same way, and throws FatalInputError naming the file for input it cannot read.
 */
import { DEFAULT_MISSING_TOKENS, datasetName, openRegularFile, readCsvFile, type IngestOptions } from '../ingest';
import { FatalInputError, type DataTable } from '../table';
import { readArrowBytes } from './arrow';
import { zstdReady } from './zstd';
import { formatName, tableFormatOf, type TableFormat } from './formats';
import { readJsonLinesBytes } from './jsonl';
import { readParquetBytes } from './parquet';
import type { BinaryReadOptions } from './readOptions';

export interface ReadTableOptions extends IngestOptions {
  /**
   * Read only these columns (Parquet, Arrow and JSON Lines skip the others; CSV reads every
   * column, its cost being the parse of each line). Names that do not exist are ignored here:
   * callers check the columns they need.
   */
  readonly columns?: readonly string[];
}
// `delimiter` applies to CSV files only: one comparison may mix a `;`-separated CSV with a Parquet file.

async function readBytes(path: string, options: ReadTableOptions): Promise<Buffer> {
  const { handle, size } = await openRegularFile(path);
  try {
    options.onProgress?.(0, size);
    const bytes = await handle.readFile();
    options.onProgress?.(size, size);
    return bytes;
  } catch (e) {
    throw new FatalInputError(path, 'missing-file', `cannot read the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    await handle.close();
  }
}

/** Reads a table file of any supported format (by extension) into a DataTable. */
export async function readTable(path: string, options: ReadTableOptions = {}): Promise<DataTable> {
  const format: TableFormat = tableFormatOf(path);
  if (format === 'csv') return readCsvFile(path, options);
  const bytes = await readBytes(path, options);
  options.signal?.throwIfAborted();
  if (bytes.length === 0) throw new FatalInputError(path, 'empty-file', `the file is empty; expected a ${formatName(format)} file`);
  const name = options.name ?? datasetName(path);
  const binary: BinaryReadOptions = {
    missingTokens: options.missingTokens ?? DEFAULT_MISSING_TOKENS,
    maxProblems: options.maxProblems ?? 1000,
    numericTolerance: options.numericTolerance ?? 0.05,
    ...(options.columns ? { columns: options.columns } : {}),
    ...(options.dateFormats ? { dateFormats: options.dateFormats } : {}),
  };
  switch (format) {
    case 'parquet':
      return readParquetBytes(bytes, path, name, binary);
    case 'arrow':
      await zstdReady();
      return readArrowBytes(bytes, path, name, binary);
    case 'jsonl':
      return readJsonLinesBytes(bytes, path, name, binary);
  }
}
