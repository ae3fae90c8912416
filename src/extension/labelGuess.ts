/**
 * Which column of a file is most likely its label, for the label pickers: pure (no vscode), so
 * unit tests call it. Names and positions always count; when the picker could read a bounded
 * sample of the file (src/core/readers/sample.ts), so do the columns' kinds and distinct counts
 * (`describeSample`): few classes or a numeric measure rise, identifiers, free text, dates and
 * constants sink, and a kind like the previous file's label is preferred.
 */
import { isIdentifierLike } from '../core/columnKind';
import type { DataTable } from '../core/table';

/** Column names that usually hold what is predicted. */
const LABEL_NAMES = /^(label|labels|target|class|classes|y|outcome|response|category|species|diagnosis|churn|survived|default|fraud|is_?fraud|spam|sentiment|rating|price|quality|grade|result|status|weather)$/i;
const LABEL_WORDS = /(^|[_\s-])(label|target|class|outcome)($|[_\s-])/i;
/** Column names that are rarely labels: ids and times. */
const NOT_LABEL = /(^|[_\s-])(id|uuid|key|index|date|time|timestamp|name)($|[_\s-])/i;

/** A label of classes (strings, or at most CLASS_MAX_INTEGERS distinct whole numbers) or a numeric target. */
export type LabelKind = 'classes' | 'numeric';

/** The trainer's rule (src/training/data.ts inferTask): numbers with at most this many distinct whole values are classes. */
export const CLASS_MAX_INTEGERS = 20;
/** String columns with more distinct values than this are not suggested as labels (though not identifiers). */
export const MAX_SUGGESTED_CLASSES = 50;
/** Sorted whole numbers (a year, a counter) and row numbers are judged from at least this many values. */
const ORDER_MIN_VALUES = 20;

/** What a bounded sample of a file says about one column. */
export interface ColumnSample {
  readonly kind: 'numeric' | 'categorical' | 'text' | 'datetime';
  /** Non-missing cells in the sample. */
  readonly nonMissing: number;
  /** Distinct non-missing values in the sample. */
  readonly distinct: number;
  /** Numeric: every value is a whole number. */
  readonly integers?: boolean;
  /** Numeric: the values never decrease (`sorted`), or always increase (`increasing`, row numbers). */
  readonly order?: 'sorted' | 'increasing';
  /** Categorical: its values, when there are at most MAX_SUGGESTED_CLASSES (so several files' classes can be counted together). */
  readonly classes?: readonly string[];
}

/** Per column name, what the sample says (the first column of a name when a file repeats one). */
export type FileSample = ReadonlyMap<string, ColumnSample>;

/** Summarises the first `maxRows` rows of a table (a sample read for a picker). */
export function describeSample(table: DataTable, maxRows = table.rows): Map<string, ColumnSample> {
  const rows = Math.min(maxRows, table.rows);
  const out = new Map<string, ColumnSample>();
  for (const column of table.columns) {
    if (out.has(column.name)) continue;
    if (column.type === 'numeric' || column.type === 'datetime') {
      const seen = new Set<number>();
      let integers = true;
      let sorted = true;
      let increasing = true;
      let prev = NaN;
      for (let i = 0; i < rows; i++) {
        const v = column.values[i];
        if (Number.isNaN(v)) continue;
        seen.add(v);
        if (!Number.isInteger(v)) integers = false;
        if (!Number.isNaN(prev)) {
          if (v < prev) sorted = increasing = false;
          else if (v === prev) increasing = false;
        }
        prev = v;
      }
      let nonMissing = 0;
      for (let i = 0; i < rows; i++) if (!Number.isNaN(column.values[i])) nonMissing++;
      const order = nonMissing >= ORDER_MIN_VALUES && seen.size > 1 ? (increasing ? 'increasing' : sorted ? 'sorted' : undefined) : undefined;
      out.set(column.name, {
        kind: column.type,
        nonMissing,
        distinct: seen.size,
        ...(column.type === 'numeric' ? { integers } : {}),
        ...(column.type === 'numeric' && order ? { order } : {}),
      });
    } else {
      const seen = new Set<number>();
      let nonMissing = 0;
      for (let i = 0; i < rows; i++) {
        const c = column.codes[i];
        if (c < 0) continue;
        nonMissing++;
        seen.add(c);
      }
      const classes = column.type === 'categorical' && seen.size <= MAX_SUGGESTED_CLASSES ? [...seen].map((c) => column.dictionary[c]) : undefined;
      out.set(column.name, { kind: column.type, nonMissing, distinct: seen.size, ...(classes ? { classes } : {}) });
    }
  }
  return out;
}

/**
 * One column's sample over several files (a label shared by all): its kind when every file
 * agrees; the classes of all files together (the largest distinct count when a file has too
 * many to list).
 */
export function mergeSamples(samples: readonly (FileSample | undefined)[], column: string): ColumnSample | undefined {
  let merged: ColumnSample | undefined;
  for (const s of samples) {
    const c = s?.get(column);
    if (!c) return undefined;
    if (!merged) merged = c;
    else if (merged.kind !== c.kind) return undefined;
    else {
      const order = merged.order === c.order ? merged.order : undefined;
      const classes = merged.classes && c.classes ? [...new Set([...merged.classes, ...c.classes])] : undefined;
      merged = {
        kind: c.kind,
        nonMissing: merged.nonMissing + c.nonMissing,
        distinct: classes ? classes.length : Math.max(merged.distinct, c.distinct),
        ...(merged.integers !== undefined ? { integers: merged.integers && c.integers === true } : {}),
        ...(order ? { order } : {}),
        ...(classes && classes.length <= MAX_SUGGESTED_CLASSES ? { classes } : {}),
      };
    }
  }
  return merged;
}

/** What kind of label a column would make, undefined when it is no label (text, dates, identifiers, constants). */
export function labelKindOf(s: ColumnSample | undefined): LabelKind | undefined {
  if (!s || s.distinct < 2) return undefined;
  if (s.kind === 'categorical') return isIdentifierLike(s.distinct, s.nonMissing) ? undefined : 'classes';
  if (s.kind === 'numeric') {
    if (s.integers && s.order === 'increasing') return undefined;
    return s.integers && s.distinct <= CLASS_MAX_INTEGERS ? 'classes' : 'numeric';
  }
  return undefined;
}

/** How the sample moves a column: a score, a fact for the reason ("3 classes"), or why it sinks. */
function judgeSample(s: ColumnSample | undefined, partnerKind: LabelKind | undefined): { score: number; fact?: string; sink?: string } {
  if (!s) return { score: 0 };
  if (s.nonMissing === 0) return { score: -40, sink: 'empty in the first rows' };
  if (s.distinct === 1) return { score: -40, sink: 'constant' };
  if (s.kind === 'text') return { score: -30, sink: 'free text' };
  if (s.kind === 'datetime') return { score: -30, sink: 'dates' };
  if (s.kind === 'categorical' && isIdentifierLike(s.distinct, s.nonMissing)) return { score: -30, sink: 'identifier (mostly distinct values)' };
  if (s.kind === 'numeric' && s.integers && s.order === 'increasing') return { score: -30, sink: 'row numbers (always increasing)' };
  const kind = labelKindOf(s);
  // Like the previous file's label (classes for classes, a number for a number), or not.
  const partner = partnerKind === undefined || kind === undefined ? 0 : kind === partnerKind ? 20 : -15;
  if (s.kind === 'numeric' && s.integers && s.order === 'sorted') return { score: partner - 20, sink: 'sorted (an order or a time, rarely a label)' };
  if (s.kind === 'categorical') {
    if (s.distinct > MAX_SUGGESTED_CLASSES) return { score: partner + 5, fact: `${s.distinct} values` };
    return { score: partner + 25, fact: `${s.distinct} classes` };
  }
  // Whole numbers with few values are classes to the trainer, but as often a count (cylinders): less sure than strings.
  if (kind === 'classes') return { score: partner + 12, fact: `${s.distinct} classes` };
  return { score: partner + 15, fact: 'numeric' };
}

export interface LabelHints {
  /** The label last chosen in this workspace. */
  readonly last?: string;
  /** The label chosen for the previous file of a per-file pick. */
  readonly partner?: string;
  /** What kind of label the previous file's is (classes or numeric), from its sample. */
  readonly partnerKind?: LabelKind;
  /** What a bounded sample of this file says about its columns; names only without it. */
  readonly sample?: FileSample;
}

/**
 * How likely each column is the label, best first, each with the reason shown beside it: the
 * partner's label or the last one used, a label-like name, the last column (where labels usually
 * sit); with a sample, few classes or a numeric measure (of the partner's kind first), while
 * ids, free text, dates, sorted numbers and constants sink.
 */
export function rankLabelColumns(columns: readonly string[], hints: LabelHints = {}): { column: string; reason: string }[] {
  const scored = columns.map((column, i) => {
    // The strongest reason wins; ids and times sink below every other column.
    const reasons: [number, string, string?][] = [];
    if (hints.partner && column.toLowerCase() === hints.partner.toLowerCase()) reasons.push([100, 'the label of the previous file']);
    if (hints.last && column === hints.last) reasons.push([80, 'last used']);
    if (LABEL_NAMES.test(column.trim())) reasons.push([60, 'likely label', 'its name']);
    else if (LABEL_WORDS.test(column)) reasons.push([50, 'likely label', 'its name']);
    if (i === columns.length - 1 && !NOT_LABEL.test(column)) reasons.push([20, 'likely label', 'last column']);
    const best = reasons.sort((a, b) => b[0] - a[0])[0];
    const judged = judgeSample(hints.sample?.get(column), hints.partnerKind);
    const score = (best?.[0] ?? 0) + reasons.length * 0.1 - (NOT_LABEL.test(column) ? 30 : 0) + judged.score;
    let reason: string;
    if (!best || (best[2] === 'last column' && (judged.fact || judged.sink))) {
      // The sample says more than the position: "likely label (3 classes)", "numeric target", "free text".
      reason = judged.fact === 'numeric' ? 'numeric target' : judged.fact ? `likely label (${judged.fact})` : '';
    } else {
      const details = [best[2], judged.fact].filter(Boolean);
      reason = details.length ? `${best[1]} (${details.join(', ')})` : best[1];
    }
    if (judged.sink) reason = reason ? `${reason}; but ${judged.sink}` : judged.sink;
    return { column, reason, score, i };
  });
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).map(({ column, reason }) => ({ column, reason }));
}
