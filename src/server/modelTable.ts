/**
 * The server's model as a core DataTable, in two readings. `modelToTable`: the columns the
 * diagnostics see (the server's column types, which leave missing-value spellings out of the
 * type test), for the comparison engine (src/core/compare). `modelToIngestTable`: the columns the
 * ingest (src/core/csv) would make of the same text, for the profile the CLI would print
 * (datasetLab/columnProfiles). Both leave out the rows the ingest skips (ragged, broken quotes).
 */
import { CellKind, FieldBuffer, fieldValue, parseRecord } from './csvScanner';
import type { CsvModel } from './csvModel';
import { FLAG_PADDED, FLAG_UNTERMINATED } from './recordStore';
import type { StatsCache } from './statsCache';
import { codeCounts, FEW_ODD_MAX_DISTINCT, isMostlyNumeric, stringKind } from '../core/columnKind';
import { dateFormat } from '../core/dates/dateFormat';
import { dictionaryDatetimeColumn, epochColumn, epochToMilliseconds, headerSaysEpoch, inferDateFormat, parseValues } from '../core/dates/inferDates';
import type { Column, DataTable, DatetimeColumn, StringColumn } from '../core/table';
import type { DateReading } from './columnStats';

/** Rows the ingest keeps: as many fields as the header, no quote left open. */
function keptRows(model: CsvModel): Int32Array {
  const store = model.store;
  const ncols = model.cols.length;
  const keep = new Int32Array(store.n);
  let n = 0;
  for (let r = 0; r < store.n; r++) if (store.fields[r] === ncols && !(store.flags[r] & FLAG_UNTERMINATED)) keep[n++] = r;
  return keep.subarray(0, n);
}

/** Category codes in order of first appearance, as the ingest numbers them. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  code(v: string): number {
    let code = this.index.get(v);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(v);
      this.index.set(v, code);
    }
    return code;
  }
}

function table(model: CsvModel, name: string, file: string, rows: number, columns: Column[]): DataTable {
  return { name, path: file, rows, columns, problems: [], problemCount: 0, delimiter: String.fromCharCode(model.delim) };
}

export function modelToTable(model: CsvModel, stats: StatsCache, name: string, file: string, tolerance: number): DataTable {
  const store = model.store;
  const keep = keptRows(model);
  const rows = keep.length;
  const columns: Column[] = model.cols.map((meta, c) => {
    const s = stats.get(c, tolerance);
    const kinds = store.kinds[c];
    if (s.type === 'numeric') {
      const values = new Float64Array(rows);
      const src = store.values[c];
      for (let i = 0; i < rows; i++) {
        const r = keep[i];
        values[i] = kinds[r] === CellKind.Number ? src![r] : NaN;
      }
      return { name: meta.name, type: 'numeric', values, missing: s.missing, typeErrors: s.count - s.numbers };
    }
    if (s.type === 'datetime' && s.date) return datetimeColumn(model, c, s.date, keep, s.missing);
    // Categorical: numbers print as JS numbers, as the core's categoryCounts does.
    const dictionary = new Dictionary();
    const codes = new Int32Array(rows);
    const src = store.codes[c];
    const vals = store.values[c];
    for (let i = 0; i < rows; i++) {
      const r = keep[i];
      const k = kinds[r];
      let v: string | undefined;
      if (k === CellKind.Text && !s.missingSpellings.has(src![r])) v = meta.strings[src![r]];
      else if (k === CellKind.Number) v = String(vals![r]);
      codes[i] = v === undefined ? -1 : dictionary.code(v);
    }
    const type = s.type === 'text' ? 'text' : 'categorical';
    return { name: meta.name, type, codes, dictionary: dictionary.values, missing: s.missing, typeErrors: 0 };
  });
  return table(model, name, file, rows, columns);
}

/**
 * A datetime column of the model over the rows `keep`: text cells read with the column's format
 * (each distinct string once), numbers converted when the header marks epoch timestamps; what is
 * not a date is NaN and counted in `typeErrors`.
 */
export function datetimeColumn(model: CsvModel, c: number, date: DateReading, keep: Int32Array, missing: number): DatetimeColumn {
  const store = model.store;
  const meta = model.cols[c];
  const kinds = store.kinds[c];
  const n = keep.length;
  const values = new Float64Array(n);
  let typeErrors = 0;
  if (date.epoch !== undefined) {
    const src = store.values[c]!;
    for (let i = 0; i < n; i++) {
      const r = keep[i];
      const k = kinds[r];
      values[i] = k === CellKind.Number ? epochToMilliseconds(src[r], date.epoch) : NaN;
      if (k === CellKind.Text) typeErrors++;
    }
    let dateOnly = true;
    for (let i = 0; i < n && dateOnly; i++) if (values[i] === values[i] && values[i] % 86400000 !== 0) dateOnly = false;
    return { name: meta.name, type: 'datetime', values, missing, typeErrors, format: date.format, dateOnly };
  }
  const { ms, offsets } = parseValues(meta.strings, date.format);
  const rowOffsets = offsets ? new Int16Array(n) : undefined;
  const codes = store.codes[c];
  for (let i = 0; i < n; i++) {
    const r = keep[i];
    const k = kinds[r];
    if (k === CellKind.Text) {
      const code = codes![r];
      values[i] = ms[code];
      if (rowOffsets) rowOffsets[i] = (offsets as Int16Array)[code];
      if (Number.isNaN(ms[code])) typeErrors++;
    } else {
      values[i] = NaN;
      if (k === CellKind.Number) typeErrors++;
    }
  }
  return { name: meta.name, type: 'datetime', values, missing, typeErrors, format: date.format, dateOnly: !dateFormat(date.format).hasTime, ...(rowOffsets ? { offsets: rowOffsets } : {}) };
}

/** Every row the ingest keeps (for one column's profile in a hover). */
export function keptRowsOf(model: CsvModel): Int32Array {
  return keptRows(model);
}

/**
 * The table the ingest would read from the model's text (src/core/csv/ingestPass.ts): a column
 * is numeric by the ingest's rule (src/core/columnKind.ts isMostlyNumeric; missing-value
 * spellings that are not missing tokens count as text, as there), text
 * cells of a numeric column are its type errors, a column of missing values only is an empty
 * categorical one, and categories are the cells as written (numbers such as "1.50" or "007"
 * and surrounding spaces kept), numbered in order of first appearance.
 */
export function modelToIngestTable(model: CsvModel, name: string, file: string, tolerance: number): DataTable {
  const store = model.store;
  const keep = keptRows(model);
  const rows = keep.length;
  const ncols = model.cols.length;
  const numeric: boolean[] = [];
  const missing: number[] = [];
  const texts: number[] = [];
  for (let c = 0; c < ncols; c++) {
    const kinds = store.kinds[c];
    const codes = store.codes[c];
    let n = 0;
    let m = 0;
    let t = 0;
    const odd = new Set<number>();
    for (let i = 0; i < rows; i++) {
      const k = kinds[keep[i]];
      if (k === CellKind.Number) n++;
      else if (k === CellKind.Missing) m++;
      else if (k === CellKind.Text) {
        t++;
        if (odd.size <= FEW_ODD_MAX_DISTINCT) odd.add(codes![keep[i]]);
      }
    }
    numeric.push(isMostlyNumeric(n, t, odd.size, tolerance));
    missing.push(m);
    texts.push(t);
  }
  const written = cellsAsWritten(model, keep, numeric);
  const columns: Column[] = model.cols.map((meta, c): Column => {
    const kinds = store.kinds[c];
    if (numeric[c]) {
      const values = new Float64Array(rows);
      const src = store.values[c]!;
      for (let i = 0; i < rows; i++) {
        const r = keep[i];
        values[i] = kinds[r] === CellKind.Number ? src[r] : NaN;
      }
      const column: Column = { name: meta.name, type: 'numeric', values, missing: missing[c], typeErrors: texts[c] };
      return headerSaysEpoch(meta.name) ? (epochColumn(column) ?? column) : column;
    }
    const dictionary = new Dictionary();
    const codes = new Int32Array(rows);
    const src = store.codes[c];
    const asWritten = written.get(c);
    // The model's code of a text -> the table's (+ 1; 0 until first seen): one map lookup per value, not per cell.
    const byModelCode = new Int32Array(meta.strings.length);
    for (let i = 0; i < rows; i++) {
      const r = keep[i];
      const v = asWritten?.[i];
      if (v !== undefined) codes[i] = dictionary.code(v);
      else if (kinds[r] !== CellKind.Text) codes[i] = -1;
      else {
        const code = src![r];
        if (byModelCode[code] === 0) byModelCode[code] = dictionary.code(meta.strings[code]) + 1;
        codes[i] = byModelCode[code] - 1;
      }
    }
    const counts = codeCounts(codes, dictionary.values.length);
    const dates = inferDateFormat(dictionary.values, counts, tolerance);
    if (dates.kind === 'datetime') {
      let nonMissing = 0;
      for (let k = 0; k < counts.length; k++) nonMissing += counts[k];
      return dictionaryDatetimeColumn(meta.name, codes, dictionary.values, dates.format, missing[c], nonMissing - dates.cells);
    }
    const type = stringKind(dictionary.values, counts);
    const column: StringColumn = { name: meta.name, type, codes, dictionary: dictionary.values, missing: missing[c], typeErrors: 0 };
    return column;
  });
  return table(model, name, file, rows, columns);
}

/**
 * The cells of categorical columns whose value as written is not in the model: numbers (kept as
 * values) and cells with spaces around them (kept trimmed). Per column, the value of each such
 * kept row (by index into `keep`); the records are parsed again, only those that hold one.
 */
function cellsAsWritten(model: CsvModel, keep: Int32Array, numeric: readonly boolean[]): Map<number, (string | undefined)[]> {
  const store = model.store;
  const categorical = numeric.flatMap((isNumeric, c) => (isNumeric ? [] : [c]));
  const out = new Map<number, (string | undefined)[]>();
  const fields = new FieldBuffer();
  const record = { next: 0, end: 0, innerBreaks: 0, unterminatedAt: -1 };
  for (let i = 0; i < keep.length; i++) {
    const r = keep[i];
    const padded = (store.flags[r] & FLAG_PADDED) !== 0;
    let parsed = false;
    for (const c of categorical) {
      const k = store.kinds[c][r];
      if (k !== CellKind.Number && !(padded && k === CellKind.Text)) continue;
      if (!parsed) {
        parseRecord(model.text, store.start[r], model.delim, fields, record);
        parsed = true;
      }
      let values = out.get(c);
      if (!values) out.set(c, (values = new Array<string | undefined>(keep.length)));
      values[i] = fieldValue(model.text, fields.starts[c], fields.ends[c], fields.quoted[c]);
    }
  }
  return out;
}
