/**
 * Builds DataTable columns from typed values, for the readers of typed formats (Parquet, Arrow,
 * JSON Lines). Numbers land in a Float64Array with NaN for missing; text is dictionary-encoded
 * in order of first appearance, as the CSV ingest does, and a string equal to a missing-value
 * token (after trimming spaces) is missing in every format. A string column is text or
 * categorical by the CSV ingest's rule.
 */
import { codeCounts, stringKind } from '../columnKind';
import { dictionaryDatetimeColumn, inferDateFormat, knownFormatColumn, knownPattern, mixedFormatsMessage, numericOrEpoch, type FormatCount, type KnownDateFormats } from '../dates/inferDates';
import type { Column, DatetimeColumn, NumericColumn, Problem } from '../table';

export class NumericBuilder {
  readonly values: Float64Array;
  missing = 0;
  constructor(
    readonly name: string,
    rows: number,
  ) {
    this.values = new Float64Array(rows).fill(Number.NaN);
  }
  /** Row `r` holds `v`; null/undefined/NaN are missing. */
  set(r: number, v: number | null | undefined): void {
    if (v === null || v === undefined || Number.isNaN(v)) this.missing++;
    else this.values[r] = v;
  }
  build(): NumericColumn {
    return { name: this.name, type: 'numeric', values: this.values, missing: this.missing, typeErrors: 0 };
  }
}

export class CategoricalBuilder {
  readonly codes: Int32Array;
  private readonly index = new Map<string, number>();
  readonly dictionary: string[] = [];
  missing = 0;
  constructor(
    readonly name: string,
    rows: number,
    private readonly missingTokens: ReadonlySet<string>,
  ) {
    this.codes = new Int32Array(rows).fill(-1);
  }
  /** The code of a string (added to the dictionary when new), or -1 when it is a missing-value token. */
  codeOf(s: string): number {
    let code = this.index.get(s);
    if (code !== undefined) return code;
    if (this.missingTokens.has(s.trim())) {
      this.index.set(s, -1);
      return -1;
    }
    code = this.dictionary.length;
    this.dictionary.push(s);
    this.index.set(s, code);
    return code;
  }
  set(r: number, s: string | null | undefined): void {
    const code = s === null || s === undefined ? -1 : this.codeOf(s);
    if (code < 0) this.missing++;
    else this.codes[r] = code;
  }
  setCode(r: number, code: number): void {
    if (code < 0) this.missing++;
    else this.codes[r] = code;
  }
  /**
   * Dates, free text or categories, by the rules every reader applies (src/core/columnKind.ts,
   * src/core/dates/inferDates.ts). `oddRows` are the rows of a date column whose strings are not
   * dates in its format; `mixed` the formats of a column of dates written several ways (then
   * read as strings). A `known` format (a run's training format) is used as it is, never inferred.
   */
  build(tolerance: number, known?: string, inferDates = true): BuiltStringColumn {
    return buildStringColumn(this.name, this.codes, this.dictionary, this.missing, tolerance, known, inferDates);
  }
}

export interface BuiltStringColumn {
  readonly column: Column;
  readonly oddRows: number[];
  readonly mixed?: readonly FormatCount[];
}

/**
 * A dictionary-encoded string column (codes -1 = missing, `missing` of them) as dates, free text
 * or categories: see CategoricalBuilder.build.
 */
export function buildStringColumn(name: string, codes: Int32Array, dictionary: string[], missing: number, tolerance: number, known?: string, inferDates = true): BuiltStringColumn {
  if (known !== undefined) {
    const column = knownFormatColumn(name, codes, dictionary, known, missing);
    const oddRows: number[] = [];
    for (let r = 0; r < codes.length; r++) if (codes[r] >= 0 && Number.isNaN(column.values[r])) oddRows.push(r);
    return { column, oddRows };
  }
  const counts = codeCounts(codes, dictionary.length);
  const dates = inferDates ? inferDateFormat(dictionary, counts, tolerance) : ({ kind: 'none' } as const);
  if (dates.kind === 'datetime') {
    let nonMissing = 0;
    for (let k = 0; k < counts.length; k++) nonMissing += counts[k];
    const column = dictionaryDatetimeColumn(name, codes, dictionary, dates.format, missing, nonMissing - dates.cells);
    const oddRows: number[] = [];
    for (let r = 0; r < codes.length; r++) if (codes[r] >= 0 && Number.isNaN(column.values[r])) oddRows.push(r);
    return { column, oddRows };
  }
  const type = stringKind(dictionary, counts);
  const column: Column = { name, type, codes, dictionary, missing, typeErrors: 0 };
  return dates.kind === 'mixed' ? { column, oddRows: [], mixed: dates.formats } : { column, oddRows: [] };
}

/** A typed file's date or timestamp column: milliseconds since the epoch, as the file stores them. */
export class DatetimeBuilder {
  readonly values: Float64Array;
  missing = 0;
  /**
   * `dateOnly` for date types; `utc` when the file says the instants are UTC (a zone-aware
   * timestamp): their offset (0) is kept, so they print with `Z`.
   */
  constructor(
    readonly name: string,
    rows: number,
    private readonly dateOnly: boolean,
    private readonly utc: boolean,
  ) {
    this.values = new Float64Array(rows).fill(Number.NaN);
  }
  set(r: number, ms: number | null | undefined): void {
    if (ms === null || ms === undefined || Number.isNaN(ms)) this.missing++;
    else this.values[r] = ms;
  }
  build(): DatetimeColumn {
    return {
      name: this.name,
      type: 'datetime',
      values: this.values,
      missing: this.missing,
      typeErrors: 0,
      format: 'native',
      dateOnly: this.dateOnly,
      ...(this.utc ? { offsets: new Int16Array(this.values.length) } : {}),
    };
  }
}

export type ColumnBuilder = NumericBuilder | CategoricalBuilder | DatetimeBuilder;

/**
 * The columns of typed-file builders, with the problems their strings raise (dates, reported on
 * line 1: these files have no lines). `known` date formats are used as they are (ReadOptions.dateFormats).
 */
export function buildColumns(builders: readonly ColumnBuilder[], file: string, tolerance: number, known?: KnownDateFormats, inferDates = true): { columns: Column[]; problems: Problem[] } {
  const columns: Column[] = [];
  const problems: Problem[] = [];
  for (const b of builders) {
    if (b instanceof NumericBuilder) {
      columns.push(numericOrEpoch(b.build(), known));
      continue;
    }
    if (b instanceof DatetimeBuilder) {
      columns.push(b.build());
      continue;
    }
    const built = b.build(tolerance, knownPattern(known, b.name), inferDates);
    columns.push(built.column);
    if (built.column.type === 'datetime' && built.oddRows.length > 0) {
      problems.push({ file, line: 1, column: 1, code: 'type-mismatch', message: `${built.oddRows.length} value(s) of date column "${b.name}" are not dates in its format ${built.column.format} (first at row ${built.oddRows[0] + 1}: ${JSON.stringify(b.dictionary[b.codes[built.oddRows[0]]])}); read as missing` });
    }
    if (built.mixed) problems.push({ file, line: 1, column: 1, code: 'mixed-date-formats', message: mixedFormatsMessage(b.name, built.mixed) });
  }
  return { columns, problems };
}
