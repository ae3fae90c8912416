/**
 * The columnar table every part of Dataset Lab shares: the CSV ingest produces it, profile,
 * compare, the language server and the trainer consume it.
 *
 * Numeric columns are Float64Arrays with NaN for missing and for cells that broke the type
 * (those are also listed as problems). Categorical columns are dictionary-encoded: `codes[i]`
 * indexes `dictionary`, and -1 marks a missing cell.
 */

export type ColumnType = 'numeric' | 'categorical';

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

export type Column = NumericColumn | CategoricalColumn;

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
  | 'invalid-json';

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

/** The string value of a categorical cell, or undefined when missing. */
export function categoryAt(column: CategoricalColumn, row: number): string | undefined {
  const code = column.codes[row];
  return code < 0 ? undefined : column.dictionary[code];
}
