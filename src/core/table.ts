/**
 * The columnar table every part of Dataset Lab shares: the CSV ingest produces it, profile,
 * compare, the language server and the trainer consume it.
 *
 * A column has one of four kinds (`ColumnType`), decided by src/core/columnKind.ts for every
 * reader and for the language server alike (docs/ingest.md, "Column kinds"):
 * - `numeric`: a Float64Array with NaN for missing and for cells that broke the type (those
 *   are also listed as problems);
 * - `categorical`: dictionary-encoded strings, `codes[i]` indexes `dictionary`, -1 = missing;
 *   identifiers (mostly distinct values) are categorical columns too;
 * - `text`: free text (sentences, messages, reviews), stored exactly like a categorical column
 *   (dictionary-encoded, so repeated texts are stored once) but meant to be tokenized, never
 *   one-hot encoded;
 * - `datetime`: instants as milliseconds since 1970-01-01T00:00:00Z in a Float64Array (NaN for
 *   missing and for cells that were not dates in the column's format), with the format they
 *   were read in and, when the cells carried them, their UTC offsets.
 */

export type ColumnType = 'numeric' | 'categorical' | 'text' | 'datetime';

export interface NumericColumn {
  readonly name: string;
  readonly type: 'numeric';
  /** One value per row; NaN where the cell is missing or was not a number. */
  readonly values: Float64Array;
  /** Cells that matched a missing-value token. */
  readonly missing: number;
  /** Non-missing cells that did not parse as a number (also reported in `problems`). */
  readonly typeErrors: number;
}

export interface CategoricalColumn {
  readonly name: string;
  readonly type: 'categorical';
  /** One code per row indexing `dictionary`; -1 = missing. */
  readonly codes: Int32Array;
  /** Distinct raw strings in order of first appearance. */
  readonly dictionary: readonly string[];
  readonly missing: number;
  /** Always 0 for categorical columns; present so both kinds can be read alike. */
  readonly typeErrors: number;
}

/**
 * Free text: what the ingest tells apart from categories and identifiers because its cells
 * read as prose (on average at least three words per cell, most cells distinct; the exact rule
 * is `stringKind` in src/core/columnKind.ts). The cells are the strings as written (after
 * unquoting, not trimmed), dictionary-encoded as in a categorical column: `codes[i]` indexes
 * `dictionary`, -1 = missing. Tokenizing is the consumer's business: profile and compare use
 * src/core/text/tokens.ts (lower-cased runs of letters and digits).
 */
export interface TextColumn {
  readonly name: string;
  readonly type: 'text';
  /** One code per row indexing `dictionary`; -1 = missing. */
  readonly codes: Int32Array;
  /** Distinct texts in order of first appearance. */
  readonly dictionary: readonly string[];
  readonly missing: number;
  /** Always 0 for text columns; present so every kind can be read alike. */
  readonly typeErrors: number;
}

/**
 * Dates and times. `values[i]` is the instant in milliseconds since 1970-01-01T00:00:00Z (it
 * may carry a fraction: microseconds are kept); NaN where the cell is missing or is not a date
 * in `format` (those are also problems). A cell without a time zone is read as UTC wall time,
 * so its calendar parts (year, month, day of week, hour) are those written; a cell with a zone
 * (`Z`, `+02:00`) is the instant it names and `offsets[i]` keeps its offset in minutes, so its
 * calendar parts are those of its own zone (local time = values[i] + offsets[i] * 60000).
 */
export interface DatetimeColumn {
  readonly name: string;
  readonly type: 'datetime';
  /** Milliseconds since the epoch (UTC) per row; NaN where missing or not a date. */
  readonly values: Float64Array;
  readonly missing: number;
  /** Non-missing cells that were not dates in `format` (also reported in `problems`). */
  readonly typeErrors: number;
  /**
   * How the cells were read, as a strftime / pandas `to_datetime` format (`%Y-%m-%d`,
   * `%m/%d/%Y %H:%M`, `%Y-%m-%dT%H:%M:%S%z`), or `epoch seconds` / `epoch milliseconds` for
   * numbers a header marks as timestamps, or `native` for a typed file's timestamp column.
   */
  readonly format: string;
  /** True when no cell has a time of day (a date column): granularity is at least a day. */
  readonly dateOnly: boolean;
  /** UTC offset in minutes per row, when the cells carry zones; absent for zone-less cells. */
  readonly offsets?: Int16Array;
}

export type Column = NumericColumn | CategoricalColumn | TextColumn | DatetimeColumn;

/** The kinds stored as dictionary-encoded strings. */
export type StringColumn = CategoricalColumn | TextColumn;

/** The kinds stored as numbers (datetimes as milliseconds since the epoch). */
export type ValueColumn = NumericColumn | DatetimeColumn;

export function isStringColumn(column: Column): column is StringColumn {
  return column.type === 'categorical' || column.type === 'text';
}

/** For exhaustive switches over column kinds: a new kind fails to compile where it is not handled. */
export function unknownKind(column: never): never {
  throw new Error(`unknown column kind ${JSON.stringify((column as { type?: unknown }).type)}`);
}

/** Stable codes for problems found while reading a file; the language server reuses them. */
export type ProblemCode =
  | 'ragged-row'
  | 'unterminated-quote'
  | 'type-mismatch'
  | 'duplicate-header'
  | 'empty-header'
  | 'encoding'
  | 'empty-file'
  | 'no-header'
  | 'binary-file'
  | 'missing-file'
  | 'not-regular-file'
  // Typed formats (src/core/readers): a file that is not what its extension says, a compression
  // the readers lack, a nested column left out, a JSON Lines line that is not an object.
  | 'corrupt-file'
  | 'unsupported-codec'
  | 'unsupported-column'
  | 'invalid-json'
  // A column whose cells are dates written in several formats (read as text; one problem on its header).
  | 'mixed-date-formats';

/** A located defect in an input file. Lines and columns are 1-based, as editors print them. */
export interface Problem {
  readonly file: string;
  /** 1-based physical line in the file (JSON Lines too); for Parquet and Arrow, 1 for the whole file. */
  readonly line: number;
  /** 1-based character column of the start of the offending cell (or 1 for whole-row problems). */
  readonly column: number;
  readonly code: ProblemCode;
  readonly message: string;
  /** 0-based index of the field within its row, when the problem is about one cell. */
  readonly field?: number;
}

export interface DataTable {
  /** Dataset name: file name without extension unless given. */
  readonly name: string;
  /** Path as given by the caller. */
  readonly path: string;
  readonly rows: number;
  readonly columns: readonly Column[];
  /** Recoverable defects (ragged rows, broken quotes, type errors); capped, see `problemCount`. */
  readonly problems: readonly Problem[];
  /** Total number of problems found, which may exceed `problems.length`. */
  readonly problemCount: number;
  /** The delimiter that was used (sniffed unless given); '' for formats that have none (Parquet, Arrow, JSON Lines). */
  readonly delimiter: string;
}

/** A problem the caller cannot recover from: the file is missing, not a regular file, empty, binary, or has no header. */
export class FatalInputError extends Error {
  constructor(
    readonly file: string,
    readonly code: ProblemCode,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'FatalInputError';
  }
}

export function columnByName(table: DataTable, name: string): Column | undefined {
  return table.columns.find((c) => c.name === name);
}

/** The string value of a categorical or text cell, or undefined when missing. */
export function categoryAt(column: StringColumn, row: number): string | undefined {
  const code = column.codes[row];
  return code < 0 ? undefined : column.dictionary[code];
}
