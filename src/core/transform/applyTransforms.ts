/**
 * Applies parsed transform steps (transformSteps.ts) to a table, in order. rename, select and
 * recode work on the table directly (dictionaries kept); derive and filter evaluate their arquero
 * expressions with arquero over a bridge that shares the numeric columns (../arquero.ts): a
 * filter becomes a row mask, a derived column a numeric column when every value is a number
 * (null, undefined and NaN missing) and a categorical one otherwise. This is the only place that
 * evaluates transform expressions; the language server never imports it.
 */
import { toArquero } from '../arquero';
import { columnByName, isStringColumn, type CategoricalColumn, type Column, type DataTable } from '../table';
import { checkTransformColumns, keyPath, type TransformStep } from './transformSteps';

/** A step that cannot be applied to this table: the JSON path of the offending part and why. */
export class TransformError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'TransformError';
  }
}

function valuesToColumn(name: string, values: ArrayLike<unknown>): Column {
  const n = values.length;
  let numeric = true;
  for (let i = 0; i < n && numeric; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && typeof v !== 'number' && !(v instanceof Date)) numeric = false;
  }
  if (numeric) {
    const out = new Float64Array(n);
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      const x = v instanceof Date ? v.getTime() / 1000 : typeof v === 'number' ? v : Number.NaN;
      if (Number.isNaN(x)) missing++;
      out[i] = x;
    }
    return { name, type: 'numeric', values: out, missing, typeErrors: 0 };
  }
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const codes = new Int32Array(n);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      codes[i] = -1;
      missing++;
      continue;
    }
    const s = typeof v === 'string' ? v : String(v);
    let c = index.get(s);
    if (c === undefined) {
      c = dictionary.length;
      dictionary.push(s);
      index.set(s, c);
    }
    codes[i] = c;
  }
  return { name, type: 'categorical', codes, dictionary, missing, typeErrors: 0 };
}

function keepRows(column: Column, keep: Int32Array): Column {
  if (!isStringColumn(column)) {
    const values = Float64Array.from(keep, (r) => column.values[r]);
    let missing = 0;
    for (const v of values) if (Number.isNaN(v)) missing++;
    const offsets = column.type === 'datetime' && column.offsets ? { offsets: Int16Array.from(keep, (r) => (column.offsets as Int16Array)[r]) } : {};
    return { ...column, values, missing, typeErrors: 0, ...offsets };
  }
  const codes = Int32Array.from(keep, (r) => column.codes[r]);
  let missing = 0;
  for (const c of codes) if (c < 0) missing++;
  return { ...column, codes, missing };
}

function recodeColumn(column: Column, map: Readonly<Record<string, string>>): CategoricalColumn {
  const text = isStringColumn(column) ? column : (valuesToColumn(column.name, Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)))) as CategoricalColumn);
  // Old codes to new: two old values may become one.
  const dictionary: string[] = [];
  const index = new Map<string, number>();
  const remap = text.dictionary.map((s) => {
    const t = Object.prototype.hasOwnProperty.call(map, s) ? map[s] : s;
    let c = index.get(t);
    if (c === undefined) {
      c = dictionary.length;
      dictionary.push(t);
      index.set(t, c);
    }
    return c;
  });
  const codes = Int32Array.from(text.codes, (c) => (c < 0 ? -1 : remap[c]));
  return { name: column.name, type: 'categorical', codes, dictionary, missing: text.missing, typeErrors: 0 };
}

function evaluate(table: DataTable, name: string, source: string, path: string): unknown[] | Float64Array {
  try {
    const t = toArquero(table).derive({ [name]: source });
    return t.array(name) as unknown[];
  } catch (e) {
    throw new TransformError(path, `cannot be evaluated: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
  }
}

const withColumns = (table: DataTable, columns: readonly Column[], rows = table.rows): DataTable => ({ ...table, columns, rows });

export interface ApplyOptions {
  /**
   * Scoring new rows (`predict`): filter steps are skipped, so every row of the file gets a
   * prediction under its own row number, and rename / recode / select pass over columns the
   * file lacks (typically the label). Derived columns are still computed and checked.
   */
  readonly forPrediction?: boolean;
}

/** The steps as `predict` applies them to a file of new rows (see ApplyOptions.forPrediction). */
export function predictionSteps(steps: readonly TransformStep[], columns: readonly string[]): TransformStep[] {
  const out: TransformStep[] = [];
  let cols = [...columns];
  for (const step of steps) {
    if (step.kind === 'filter') continue;
    let s: TransformStep = step;
    if (step.kind === 'rename') s = { ...step, map: Object.fromEntries(Object.entries(step.map).filter(([from]) => cols.includes(from))) };
    else if (step.kind === 'recode') s = { ...step, columns: Object.fromEntries(Object.entries(step.columns).filter(([c]) => cols.includes(c))) };
    else if (step.kind === 'select') s = { ...step, columns: step.columns.filter((c) => cols.includes(c)) };
    cols = checkTransformColumns(cols, [s]).columns;
    out.push(s);
  }
  return out;
}

/**
 * The table after the steps. Column references are checked first (a missing column is a
 * TransformError at its JSON path, never a silent column of missing values).
 */
export function applyTransforms(table: DataTable, allSteps: readonly TransformStep[], options: ApplyOptions = {}): DataTable {
  const steps = options.forPrediction ? predictionSteps(allSteps, table.columns.map((c) => c.name)) : allSteps;
  const check = checkTransformColumns(table.columns.map((c) => c.name), steps);
  if (check.issues.length) throw new TransformError(check.issues[0].path, check.issues[0].message);
  let t = table;
  for (const step of steps) {
    switch (step.kind) {
      case 'rename': {
        const names = t.columns.map((c) => step.map[c.name] ?? c.name);
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup !== undefined) throw new TransformError(step.path, `two columns would be named "${dup}"`);
        t = withColumns(t, t.columns.map((c, i) => ({ ...c, name: names[i] })));
        break;
      }
      case 'select':
        t = withColumns(t, step.columns.map((n) => columnByName(t, n) as Column));
        break;
      case 'recode':
        t = withColumns(t, t.columns.map((c) => (step.columns[c.name] ? recodeColumn(c, step.columns[c.name]) : c)));
        break;
      case 'derive': {
        // Every expression of one derive step sees the table before the step (arquero's rule).
        const before = t;
        const derived = step.exprs.map((e) => valuesToColumn(e.name, evaluate(before, e.name, e.source, keyPath(step.path, e.name))));
        const columns = [...t.columns];
        for (const d of derived) {
          const at = columns.findIndex((c) => c.name === d.name);
          if (at >= 0) columns[at] = d;
          else columns.push(d);
        }
        t = withColumns(t, columns);
        break;
      }
      case 'filter': {
        const mask = evaluate(t, '__dataset_lab_keep__', step.expr.source, step.path);
        const keep: number[] = [];
        for (let r = 0; r < t.rows; r++) if (mask[r]) keep.push(r);
        const rows = Int32Array.from(keep);
        t = withColumns(t, t.columns.map((c) => keepRows(c, rows)), rows.length);
        break;
      }
    }
  }
  return t;
}
