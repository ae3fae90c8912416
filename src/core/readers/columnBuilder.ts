/**
 * Builds DataTable columns from typed values, for the readers of typed formats (Parquet, Arrow,
 * JSON Lines). Numbers land in a Float64Array with NaN for missing; text is dictionary-encoded
 * in order of first appearance, as the CSV ingest does, and a string equal to a missing-value
 * token (after trimming spaces) is missing in every format. A string column is text or
 * categorical by the CSV ingest's rule.
 */
import { codeCounts, stringKind } from '../columnKind';
import type { Column, NumericColumn, StringColumn } from '../table';

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
  /** Free text or categories by the rule every reader applies (src/core/columnKind.ts). */
  build(): StringColumn {
    const type = stringKind(this.dictionary, codeCounts(this.codes, this.dictionary.length));
    return { name: this.name, type, codes: this.codes, dictionary: this.dictionary, missing: this.missing, typeErrors: 0 };
  }
}

export type ColumnBuilder = NumericBuilder | CategoricalBuilder;

export function buildColumns(builders: readonly ColumnBuilder[]): Column[] {
  return builders.map((b) => b.build());
}
