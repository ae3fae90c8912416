/**
 * A CSV with a very wide header and known defects at known places, for the ingest and the
 * language server's tests: where each header cell and each defective cell starts (0-based
 * character offsets within its line) is computed here from the cells, not by the code under test.
 */

export interface WideCsv {
  readonly text: string;
  readonly columns: number;
  readonly rows: number;
  /** Column names as the ingest should report them. */
  readonly names: readonly string[];
  /** Character offset of each header cell within line 0 (at its opening quote when quoted). */
  readonly headerOffsets: readonly number[];
  /** Raw header cell texts, as written. */
  readonly headerCells: readonly string[];
  readonly emptyColumn: number;
  readonly duplicateColumn: number;
  /** Column whose name `duplicateColumn` repeats. */
  readonly duplicateOf: number;
  /** A numeric column with one text cell, "oops", at data row `badRow`. */
  readonly badColumn: number;
  readonly badRow: number;
  /** 0-based line of the bad cell and its character offset in that line. */
  readonly badLine: number;
  readonly badOffset: number;
  readonly labelColumn: number;
  /** Value of numeric cell (row r, column j). */
  value(r: number, j: number): number;
  readonly labels: readonly string[];
}

/**
 * `columns` columns (at least 20) and `rows` data rows: numbers everywhere except a text label in
 * the last column; column 1 has a name with a two-byte character, column 2 a quoted name with a
 * delimiter, and near the end an empty name, a duplicate name and one text cell in a numeric column.
 */
export function wideCsv(columns: number, rows: number): WideCsv {
  const n = columns;
  const emptyColumn = n - 10;
  const duplicateColumn = n - 5;
  const duplicateOf = 7;
  const badColumn = n - 3;
  const badRow = 3;
  const labelColumn = n - 1;
  const labels = ['cat', 'dog', 'eel'];
  // Evenly spread within each column: no outliers.
  const value = (r: number, j: number) => r * 2 + (j % 97);
  const headerCells: string[] = [];
  const names: string[] = [];
  for (let j = 0; j < n; j++) {
    let cell = `c${j}`;
    let name = cell;
    if (j === 1) cell = name = 'été';
    else if (j === 2) {
      cell = '"a,b"';
      name = 'a,b';
    } else if (j === emptyColumn) {
      cell = '';
      // The first free column_k from k = j + 1 (no other name looks like that).
      name = `column_${j + 1}`;
    } else if (j === duplicateColumn) {
      cell = `c${duplicateOf}`;
      name = `c${duplicateOf}_2`;
    } else if (j === labelColumn) cell = name = 'label';
    headerCells.push(cell);
    names.push(name);
  }
  const headerOffsets: number[] = [];
  let at = 0;
  for (const cell of headerCells) {
    headerOffsets.push(at);
    at += cell.length + 1;
  }
  const lines = [headerCells.join(',')];
  let badOffset = -1;
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    let offset = 0;
    for (let j = 0; j < n; j++) {
      let cell = j === labelColumn ? labels[r % labels.length] : String(value(r, j));
      if (r === badRow && j === badColumn) {
        cell = 'oops';
        badOffset = offset;
      }
      cells.push(cell);
      offset += cell.length + 1;
    }
    lines.push(cells.join(','));
  }
  return {
    text: lines.join('\n') + '\n',
    columns: n,
    rows,
    names,
    headerOffsets,
    headerCells,
    emptyColumn,
    duplicateColumn,
    duplicateOf,
    badColumn,
    badRow,
    badLine: 1 + badRow,
    badOffset,
    labelColumn,
    value,
    labels,
  };
}
