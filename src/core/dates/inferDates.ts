/**
 * Which columns hold dates, and in which format (docs/ingest.md, "Dates and times"): every
 * reader and the language server call `inferDateFormat` with a column's distinct strings and
 * how many cells hold each, so the decision depends on the values only, never on their order.
 *
 * Each value proposes the formats its shape allows (`formatCandidates`: ISO 8601 with or
 * without time and zone, `2000/01/31`, `01/31/2000` and `31/01/2000`, `Jun 12 1998`,
 * `12 Jun 1998`, 12-hour times...), checked by parsing. The format that reads the most cells
 * wins; day/month order is therefore decided by the data (one `31/01/2000` makes a column
 * day-first), and a column whose every date reads both ways is month-first, pandas' default.
 * The column is a date column when the cells the winner cannot read are few by the numeric
 * rule (src/core/columnKind.ts); those cells are its type errors. When the cells are dates but
 * no one format reads enough of them, the column mixes formats: it stays text, and one problem
 * names the formats found.
 */
import { fewOddCells, FEW_ODD_MAX_SHARE, OddValues } from '../columnKind';
import { sortedFinite } from '../sortNumbers';
import type { DatetimeColumn, NumericColumn } from '../table';
import { dateFormat } from './dateFormat';

const MONTH_ABBREVIATIONS = new Set(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']);
const MONTH_NAMES = new Set(['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december']);

const YEAR_FIRST = /^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(.*)$/s;
const YEAR_MONTH = /^\d{4}-\d{1,2}$/;
const NUMERIC = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})(.*)$/s;
const MONTH_FIRST = /^([A-Za-z]{3,9}) +(\d{1,2})(,?) +(\d{4})(.*)$/s;
const DAY_FIRST = /^(\d{1,2})([ -])([A-Za-z]{3,9})\2(\d{4})(.*)$/s;
const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?( *[AaPp][Mm])?(Z|[+-]\d{2}:?\d{2})?$/;

/** Formats for the time after a date (`rest`, starting at the separator); '' when there is none. */
function timeSuffixes(rest: string, allowT: boolean): string[] {
  if (rest === '') return [''];
  let sep: string;
  let time: string;
  if (allowT && (rest[0] === 'T' || rest[0] === 't')) {
    sep = 'T';
    time = rest.slice(1);
  } else if (rest[0] === ' ') {
    sep = ' ';
    time = rest.trimStart();
  } else return [];
  const m = TIME.exec(time);
  if (!m) return [];
  const [, , , seconds, fraction, ampm, zone] = m;
  let f = ampm !== undefined ? '%I:%M' : '%H:%M';
  if (seconds !== undefined) f += ':%S';
  if (fraction !== undefined) f += '.%f';
  if (ampm !== undefined) f += ampm.startsWith(' ') ? ' %p' : '%p';
  if (zone !== undefined) f += '%z';
  return [sep + f];
}

function monthNameDirectives(name: string): string[] {
  const n = name.toLowerCase();
  const out: string[] = [];
  if (MONTH_ABBREVIATIONS.has(n)) out.push('%b');
  if (MONTH_NAMES.has(n)) out.push('%B');
  return out;
}

/**
 * The formats whose shape `text` (trimmed) has, most usual first; a format in the list may
 * still fail to read it (February 30). ISO dates may carry a time after `T` or a space, with
 * seconds, a fraction and a zone; the others a time after a space, 24-hour or with AM/PM.
 */
export function formatCandidates(text: string): string[] {
  const out: string[] = [];
  let m = YEAR_FIRST.exec(text);
  if (m) {
    const sep = m[2];
    for (const t of timeSuffixes(m[5], sep === '-')) out.push(`%Y${sep}%m${sep}%d${t}`);
    return out;
  }
  if (YEAR_MONTH.test(text)) return ['%Y-%m'];
  m = NUMERIC.exec(text);
  if (m) {
    const [, a, sep, b, y, rest] = m;
    // Two-digit years only with slashes (01/31/00); 01.02.03 and 01-02-03 are too often not dates.
    if (y.length === 2 && sep !== '/') return out;
    const year = y.length === 4 ? '%Y' : '%y';
    const first = Number(a);
    const second = Number(b);
    for (const t of timeSuffixes(rest, false)) {
      if (first <= 12) out.push(`%m${sep}%d${sep}${year}${t}`);
      if (second <= 12) out.push(`%d${sep}%m${sep}${year}${t}`);
    }
    return out;
  }
  m = MONTH_FIRST.exec(text);
  if (m) {
    const [, name, , comma, , rest] = m;
    for (const month of monthNameDirectives(name)) for (const t of timeSuffixes(rest, false)) out.push(`${month} %d${comma} %Y${t}`);
    return out;
  }
  m = DAY_FIRST.exec(text);
  if (m) {
    const [, , sep, name, , rest] = m;
    for (const month of monthNameDirectives(name)) for (const t of timeSuffixes(rest, false)) out.push(`%d${sep}${month}${sep}%Y${t}`);
  }
  return out;
}

/** The formats of `formatCandidates` that read `text` (trimmed). */
export function formatsReading(text: string): string[] {
  return formatCandidates(text).filter((f) => dateFormat(f).parse(text) !== undefined);
}

/** Cells this long (trimmed) may be dates; shorter or longer ones never are. */
export function mayBeDate(text: string): boolean {
  return text.length >= 6 && text.length <= 64;
}

/** The formats that read one trimmed cell as inference counts them (none for a cell too short or too long to be a date). */
export function cellFormats(text: string): string[] {
  return mayBeDate(text) ? formatsReading(text) : [];
}

/**
 * The order formats are ranked in: most cells first; ties by the order the shapes list formats
 * in (`rank`: the format's place among the formats of the first value that proposed it, so
 * month-first comes before day-first), then by the format's text.
 */
export function compareFormatTally(a: { readonly format: string; readonly cells: number; readonly rank: number }, b: { readonly format: string; readonly cells: number; readonly rank: number }): number {
  return b.cells - a.cells || a.rank - b.rank || (a.format < b.format ? -1 : a.format > b.format ? 1 : 0);
}

export interface FormatCount {
  readonly format: string;
  /** Cells the format reads. */
  readonly cells: number;
  /** One value it reads, as written. */
  readonly example: string;
}

export type DateInference =
  | { readonly kind: 'datetime'; readonly format: string; /** Cells the format reads. */ readonly cells: number }
  | { readonly kind: 'mixed'; /** The formats found, most cells first, each with the cells no format before it reads. */ readonly formats: readonly FormatCount[] }
  | { readonly kind: 'none' };

/**
 * Whether a column of strings holds dates: `values` are its distinct strings (numbers among them
 * as text), `counts[k]` the cells holding `values[k]` (0 = ignored). `tolerance` is the numeric
 * tolerance (the share of odd cells allowed; the few-distinct clause applies too).
 */
export function inferDateFormat(values: readonly string[], counts: ArrayLike<number>, tolerance: number): DateInference {
  let total = 0;
  for (let k = 0; k < values.length; k++) if (counts[k] > 0) total += counts[k];
  if (total === 0) return { kind: 'none' };
  // More cells than this that no format reads rule dates out, whatever the rest holds: stop
  // reading then (a column of names or prose is rejected on its first values).
  const bound = Math.max(tolerance, FEW_ODD_MAX_SHARE) * total;
  let unread = 0;
  const tally = new Map<string, { cells: number; example: string; rank: number }>();
  const readers: string[][] = new Array<string[]>(values.length);
  for (let k = 0; k < values.length; k++) {
    const n = counts[k];
    if (!(n > 0)) continue;
    const text = values[k].trim();
    const formats = cellFormats(text);
    readers[k] = formats;
    if (formats.length === 0) {
      unread += n;
      if (unread > bound) return { kind: 'none' };
      continue;
    }
    formats.forEach((f, rank) => {
      const t = tally.get(f);
      if (t) t.cells += n;
      else tally.set(f, { cells: n, example: values[k], rank });
    });
  }
  if (tally.size === 0) return { kind: 'none' };
  // Most cells first; ties by the order the shapes list formats in (month-first before day-first).
  const ranked = [...tally.entries()].sort((a, b) => compareFormatTally({ format: a[0], ...a[1] }, { format: b[0], ...b[1] }));
  const [best, { cells }] = ranked[0];
  const odd = new OddValues();
  for (let k = 0; k < values.length && !odd.full; k++) if (counts[k] > 0 && !readers[k].includes(best)) odd.add(values[k].trim());
  if (fewOddCells(total - cells, odd.distinct, total, tolerance)) return { kind: 'datetime', format: best, cells };
  const unreadValues = new OddValues();
  for (let k = 0; k < values.length && !unreadValues.full; k++) if (counts[k] > 0 && readers[k].length === 0) unreadValues.add(values[k].trim());
  if (fewOddCells(unread, unreadValues.distinct, total, tolerance)) {
    // The formats in turn, each with the cells no format before it reads (a date that reads
    // both month-first and day-first counts once).
    const covered = new Uint8Array(values.length);
    const formats: FormatCount[] = [];
    for (const [format] of ranked) {
      let cells = 0;
      let example = '';
      for (let k = 0; k < values.length; k++) {
        if (!(counts[k] > 0) || covered[k] || !readers[k].includes(format)) continue;
        covered[k] = 1;
        cells += counts[k];
        if (example === '') example = values[k];
      }
      if (cells > 0) formats.push({ format, cells, example });
    }
    return { kind: 'mixed', formats };
  }
  return { kind: 'none' };
}

/** Per distinct value: its instant in `format` (NaN when the format does not read it) and its zone offset. */
export function parseValues(values: readonly string[], format: string): { ms: Float64Array; offsets: Int16Array | undefined } {
  const f = dateFormat(format);
  const ms = new Float64Array(values.length);
  const offsets = f.hasZone ? new Int16Array(values.length) : undefined;
  for (let k = 0; k < values.length; k++) {
    const p = f.parse(values[k].trim());
    ms[k] = p === undefined ? NaN : p.ms;
    if (offsets && p?.offset !== undefined) offsets[k] = p.offset;
  }
  return { ms, offsets };
}

/**
 * Header words that say a numeric column holds epoch timestamps: `ts` (`created_ts`), `epoch`,
 * `unix`, `timestamp` (`unixTime`, `event_ts`, `Epoch`), split at non-letters and camelCase.
 */
export function headerSaysEpoch(name: string): boolean {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((w) => w === 'ts' || w === 'epoch' || w === 'unix' || w === 'timestamp' || w === 'unixtime' || w === 'epochs');
}

export type EpochUnit = 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds';

const UNIT_MS: Record<EpochUnit, number> = { seconds: 1000, milliseconds: 1, microseconds: 1e-3, nanoseconds: 1e-6 };

/**
 * The unit of epoch timestamps from their size (the median absolute value): below 1e8 they are
 * not timestamps (before March 1973 in seconds: counters and steps), below 1e11 seconds, 1e14
 * milliseconds, 1e17 microseconds, else nanoseconds.
 */
export function epochUnit(sortedFinite: Float64Array): EpochUnit | undefined {
  const n = sortedFinite.length;
  if (n === 0) return undefined;
  const median = Math.abs(sortedFinite[Math.floor((n - 1) / 2)]);
  if (median < 1e8) return undefined;
  if (median < 1e11) return 'seconds';
  if (median < 1e14) return 'milliseconds';
  if (median < 1e17) return 'microseconds';
  return 'nanoseconds';
}

export function epochToMilliseconds(value: number, unit: EpochUnit): number {
  return value * UNIT_MS[unit];
}

/** One problem for a column whose dates are written in several formats. */
export function mixedFormatsMessage(name: string, formats: readonly FormatCount[]): string {
  const shown = formats.slice(0, 3).map((f) => `${f.cells} like "${f.example.trim()}" (${f.format})`);
  return `column "${name}" mixes date formats: ${shown.join(', ')}${formats.length > 3 ? `, and ${formats.length - 3} more` : ''}; it is read as text, not dates: write every date in one format`;
}

/**
 * A numeric column whose header says it holds epoch timestamps, as dates; undefined when its
 * values are not (see epochUnit). `known` forces the unit (a run's training format), whatever
 * the values' size.
 */
export function epochColumn(column: NumericColumn, known?: EpochUnit): DatetimeColumn | undefined {
  const unit = known ?? epochUnit(sortedFinite(column.values));
  if (unit === undefined) return undefined;
  const values = Float64Array.from(column.values, (v) => epochToMilliseconds(v, unit));
  let dateOnly = true;
  for (let i = 0; i < values.length && dateOnly; i++) if (values[i] === values[i] && values[i] % 86400000 !== 0) dateOnly = false;
  return { name: column.name, type: 'datetime', values, missing: column.missing, typeErrors: column.typeErrors, format: `epoch ${unit}`, dateOnly };
}

/** A date column from its dictionary: each distinct string parsed once. */
export function dictionaryDatetimeColumn(name: string, codes: Int32Array, dictionary: readonly string[], format: string, missing: number, typeErrors: number): DatetimeColumn {
  const { ms, offsets } = parseValues(dictionary, format);
  const values = new Float64Array(codes.length);
  const rowOffsets = offsets ? new Int16Array(codes.length) : undefined;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    values[i] = c < 0 ? NaN : ms[c];
    if (rowOffsets && c >= 0) rowOffsets[i] = (offsets as Int16Array)[c];
  }
  return { name, type: 'datetime', values, missing, typeErrors, format, dateOnly: !dateFormat(format).hasTime, ...(rowOffsets ? { offsets: rowOffsets } : {}) };
}

/** The unit of an `epoch <unit>` format (DatetimeColumn.format), else undefined. */
export function epochUnitOf(format: string): EpochUnit | undefined {
  const m = /^epoch (seconds|milliseconds|microseconds|nanoseconds)$/.exec(format);
  return m ? (m[1] as EpochUnit) : undefined;
}

/** Whether a DatetimeColumn.format is a strftime pattern a reader can read text with (not `native`, `none` or epoch). */
export function isPatternFormat(format: string): boolean {
  return format.includes('%');
}

/**
 * Known date formats by column name (e.g. those a run's training inferred): a reader reads such
 * a column's text in exactly this format instead of inferring one, and a numeric column whose
 * format is `epoch <unit>` in that unit. Cells the format cannot read are missing values and
 * type errors (problems naming their place), as in an inferred date column.
 */
export type KnownDateFormats = ReadonlyMap<string, string>;

/** The strftime pattern known for `name`, if any. */
export function knownPattern(known: KnownDateFormats | undefined, name: string): string | undefined {
  const f = known?.get(name);
  return f !== undefined && isPatternFormat(f) ? f : undefined;
}

/** The epoch unit known for `name`, if any. */
export function knownEpochUnit(known: KnownDateFormats | undefined, name: string): EpochUnit | undefined {
  const f = known?.get(name);
  return f === undefined ? undefined : epochUnitOf(f);
}

/** A numeric column as a typed reader builds it: epoch dates when a known format or the header says so. */
export function numericOrEpoch(column: NumericColumn, known: KnownDateFormats | undefined): NumericColumn | DatetimeColumn {
  const unit = knownEpochUnit(known, column.name);
  if (unit !== undefined) return epochColumn(column, unit) as DatetimeColumn;
  return headerSaysEpoch(column.name) ? (epochColumn(column) ?? column) : column;
}

/**
 * A column of strings read in a known format (no inference): each distinct string parsed once;
 * the non-missing cells the format cannot read are its type errors (NaN values).
 */
export function knownFormatColumn(name: string, codes: Int32Array, dictionary: readonly string[], format: string, missing: number): DatetimeColumn {
  const column = dictionaryDatetimeColumn(name, codes, dictionary, format, missing, 0);
  let typeErrors = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0 && column.values[i] !== column.values[i]) typeErrors++;
  return { ...column, typeErrors };
}
