/**
 * CSV ingest: the public API. (Owner: ingest work; this file states the contract first so
 * profile, compare, the trainer and the language server can build against it.)
 */
import type { DataTable } from './table';

/** Cells equal to one of these (after trimming surrounding spaces) are missing values. */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'null', '?'];

export interface IngestOptions {
  /** Dataset name; defaults to the file name without its extension. */
  readonly name?: string;
  /** Field delimiter; sniffed among , ; \t | when omitted. */
  readonly delimiter?: string;
  readonly missingTokens?: readonly string[];
  /** How many problems to keep in `DataTable.problems` (all are counted). Default 1000. */
  readonly maxProblems?: number;
  /**
   * A column is numeric when at most this share of its non-missing cells fail to parse as
   * numbers (those cells become type-mismatch problems). Default 0.05.
   */
  readonly numericTolerance?: number;
  /** Called at most a few times a second with bytes consumed so far. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

export async function readCsvFile(path: string, options: IngestOptions = {}): Promise<DataTable> {
  void path;
  void options;
  throw new Error('readCsvFile: not implemented yet');
}

/** Parse CSV text already in memory (the language server's open documents). */
export function parseCsvText(text: string, path: string, options: IngestOptions = {}): DataTable {
  void text;
  void path;
  void options;
  throw new Error('parseCsvText: not implemented yet');
}
