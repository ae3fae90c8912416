import type { KnownDateFormats } from '../dates/inferDates';

/** What the readers of typed formats (Parquet, Arrow, JSON Lines) are told besides the file. */
export interface BinaryReadOptions {
  /** Strings equal to one of these (after trimming spaces) are missing values, as in CSV. */
  readonly missingTokens: readonly string[];
  /** Read only these columns (dotted names for struct leaves); all when undefined. */
  readonly columns?: readonly string[];
  /** How many problems to keep (all are counted). */
  readonly maxProblems: number;
  /** JSON Lines: the share of text values a numeric column may hold (the CSV ingest's rule). */
  readonly numericTolerance: number;
  /** Date columns read in a known format, not inferred (IngestOptions.dateFormats). */
  readonly dateFormats?: KnownDateFormats;
  /**
   * False: string columns stay strings (categories or text), never inferred as dates. The
   * streaming mode reads a file in chunks and decides dates over the whole file
   * (src/core/stream/streamDates.ts), so a chunk must not decide them (a day-first column whose
   * chunk has no day above 12 would read month-first). Default true.
   */
  readonly inferDates?: boolean;
}
