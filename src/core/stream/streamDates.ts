/**
 * Dates in the streaming mode (docs/scaling.md, "Dates"): while a non-numeric column streams,
 * a DateTracker follows every date format its first cells fit (src/core/dates' own inference
 * and parsers: `cellFormats`, `dateFormat`) and keeps, per format, small exact accumulators: the
 * cells it reads and those it cannot, the earliest and latest instant (with the zone offset of
 * the first cell holding each), the counts of the calendar parts the in-memory comparison
 * compares (year, month, day of week, hour, in each cell's wall time), and a QuantileSketch of
 * the instants (for the share of one file inside the other's range and the histogram over
 * time). A format is dropped as soon as it clearly fails (more than FEW_ODD_MAX_SHARE of the
 * cells so far, past DROP_AFTER cells). Memory does not grow with rows: at most the formats of
 * the first WINDOW cells, each with 12 + 7 + 24 counts, one count per year (a four-digit year
 * has at most 10,000 values) and a sketch bounded by its settings.
 *
 * At the end `followDates` decides as the in-memory inference would on the whole column: the
 * format reading the most cells wins (ties: month-first before day-first, compareFormatTally),
 * so one late `31/01/2000` makes a column day-first, and the column holds dates when the cells
 * it cannot read are few by the numeric rule (fewOddCells). When the column's sampled cells
 * read as dates but no followed format passes (a format that appears only after the first
 * cells, say), the column's dates could not be followed: it stays categorical, and says so.
 */
import { DEFAULT_KIND_TOLERANCE, FEW_ODD_MAX_DISTINCT, FEW_ODD_MAX_SHARE, fewOddCells } from '../columnKind';
import { calendarParts } from '../dates/calendar';
import { dateFormat } from '../dates/dateFormat';
import { cellFormats, compareFormatTally, mayBeDate } from '../dates/inferDates';
import { QuantileSketch, type Bounded, type SketchJson } from './quantileSketch';

/** The first non-missing, non-number cells whose formats are followed. */
export const DATE_WINDOW = 64;
/** A format is not dropped before it has met this many cells. */
export const DROP_AFTER = 256;
/** Years counted per format: a four-digit year has no more values than this. */
export const MAX_YEARS = 10_000;

/** One followed format's exact accumulators. */
export interface DateCandidate {
  readonly format: string;
  /** Its place among the formats of the first cell that proposed it (month-first before day-first). */
  readonly rank: number;
  /** Cells the format reads. */
  cells: number;
  /** Cells it cannot read. */
  failures: number;
  /** Distinct unread cells, counted up to FEW_ODD_MAX_DISTINCT + 1 (all the rule needs). */
  readonly unread: string[];
  /** Earliest and latest instant (ms since 1970-01-01 UTC; a zone-less cell's wall time read as UTC). */
  min: number;
  max: number;
  /** Zone offsets (minutes) of the first cells holding the earliest and latest instant, when the format has a zone. */
  minOffset: number | undefined;
  maxOffset: number | undefined;
  /** Counts per month (Jan = 0), day of the week (Monday = 0) and hour, in each cell's wall time. */
  readonly month: number[];
  readonly dayOfWeek: number[];
  readonly hour: number[];
  readonly year: Map<number, number>;
  readonly instants: QuantileSketch;
}

export interface DateTrackerJson {
  readonly seen: number;
  readonly window: readonly string[] | null;
  readonly dropped: readonly string[];
  readonly candidates: readonly (Omit<DateCandidate, 'year' | 'instants' | 'minOffset' | 'maxOffset'> & { year: [number, number][]; instants: SketchJson; minOffset: number | null; maxOffset: number | null })[];
}

function candidate(format: string, rank: number, alpha: number, exactDistinct: number): DateCandidate {
  return {
    format,
    rank,
    cells: 0,
    failures: 0,
    unread: [],
    min: Infinity,
    max: -Infinity,
    minOffset: undefined,
    maxOffset: undefined,
    month: new Array<number>(12).fill(0),
    dayOfWeek: new Array<number>(7).fill(0),
    hour: new Array<number>(24).fill(0),
    year: new Map(),
    instants: new QuantileSketch(alpha, exactDistinct),
  };
}

/**
 * Extends the candidate's range to [lo, hi]. Ties keep the cell already held, the first in the
 * file (cells and chunks come in file order), as in memory.
 */
function widen(c: DateCandidate, lo: number, loOffset: number | undefined, hi: number, hiOffset: number | undefined): void {
  if (lo < c.min) {
    c.min = lo;
    c.minOffset = loOffset;
  }
  if (hi > c.max) {
    c.max = hi;
    c.maxOffset = hiOffset;
  }
}

/** Adds `n` cells of `year` (a new year only while fewer than MAX_YEARS are held). */
function countYear(c: DateCandidate, year: number, n: number): void {
  if (c.year.has(year) || c.year.size < MAX_YEARS) c.year.set(year, (c.year.get(year) ?? 0) + n);
}

function noteUnread(c: DateCandidate, text: string, n = 1): void {
  c.failures += n;
  if (c.unread.length <= FEW_ODD_MAX_DISTINCT && !c.unread.includes(text)) c.unread.push(text);
}

/** Follows the date formats of one streamed column's text cells. */
export class DateTracker {
  /** Text cells offered (non-missing, not numbers). */
  seen = 0;
  /** The first cells (trimmed), until their formats are known; null after. */
  private window: string[] | null = [];
  candidates: DateCandidate[] = [];
  /** Formats dropped because they clearly failed (or, merging chunks, because a chunk did not follow them). */
  readonly dropped: string[] = [];

  constructor(
    private readonly alpha: number,
    private readonly exactDistinct: number,
  ) {}

  /** One non-missing cell that is not a number, as written. */
  add(raw: string): void {
    const text = raw.trim();
    if (this.window) {
      this.window.push(text);
      if (this.window.length >= DATE_WINDOW) this.settle();
      return;
    }
    if (this.candidates.length) this.feed(text);
    else this.seen++;
  }

  /** Ends the window: the formats its cells fit become the candidates, then its cells are counted. */
  settle(): void {
    const window = this.window;
    if (!window) return;
    this.window = null;
    for (const text of window) {
      cellFormats(text).forEach((format, rank) => {
        if (!this.candidates.some((c) => c.format === format)) this.candidates.push(candidate(format, rank, this.alpha, this.exactDistinct));
      });
    }
    for (const text of window) this.feed(text);
  }

  get settled(): boolean {
    return this.window === null;
  }

  private feed(text: string): void {
    this.seen++;
    const may = mayBeDate(text);
    let drop = false;
    for (const c of this.candidates) {
      const p = may ? dateFormat(c.format).parse(text) : undefined;
      if (p === undefined) {
        noteUnread(c, text);
        if (this.seen >= DROP_AFTER && c.failures > FEW_ODD_MAX_SHARE * this.seen) drop = true;
        continue;
      }
      c.cells++;
      widen(c, p.ms, p.offset, p.ms, p.offset);
      const parts = calendarParts(p.ms + (p.offset ?? 0) * 60_000);
      c.month[parts.month - 1]++;
      c.dayOfWeek[parts.dayOfWeek]++;
      c.hour[Math.floor(parts.hour)]++;
      countYear(c, parts.year, 1);
      c.instants.add(p.ms);
    }
    if (drop) {
      for (const c of this.candidates) if (c.failures > FEW_ODD_MAX_SHARE * this.seen) this.dropped.push(c.format);
      this.candidates = this.candidates.filter((c) => c.failures <= FEW_ODD_MAX_SHARE * this.seen);
    }
  }

  /** Entries held (window cells, counts, years, sketch entries): what the tracker's memory is proportional to. */
  get size(): number {
    return (this.window?.length ?? 0) + this.candidates.reduce((a, c) => a + 12 + 7 + 24 + c.year.size + c.instants.size + c.unread.length, 0);
  }

  toJSON(): DateTrackerJson {
    return {
      seen: this.seen,
      window: this.window ? [...this.window] : null,
      dropped: [...this.dropped],
      candidates: this.candidates.map((c) => ({ ...c, minOffset: c.minOffset ?? null, maxOffset: c.maxOffset ?? null, year: [...c.year.entries()], instants: c.instants.toJSON() })),
    };
  }

  static fromJSON(j: DateTrackerJson, alpha: number, exactDistinct: number): DateTracker {
    const t = new DateTracker(alpha, exactDistinct);
    t.seen = j.seen;
    t.window = j.window ? [...j.window] : null;
    t.dropped.push(...j.dropped);
    t.candidates = j.candidates.map((c) => ({
      ...c,
      // JSON writes infinities as null (a format that has read nothing yet).
      min: c.min ?? Infinity,
      max: c.max ?? -Infinity,
      unread: [...c.unread],
      month: [...c.month],
      dayOfWeek: [...c.dayOfWeek],
      hour: [...c.hour],
      minOffset: c.minOffset ?? undefined,
      maxOffset: c.maxOffset ?? undefined,
      year: new Map(c.year),
      instants: QuantileSketch.fromJSON(c.instants),
    }));
    return t;
  }

  /**
   * Adds a later chunk of the same column (chunks in file order). Formats both followed add up;
   * a format only one of them followed cannot be counted over the other's cells and is dropped.
   */
  merge(later: DateTracker): void {
    this.settle();
    later.settle();
    if (later.seen === 0) return;
    if (this.seen === 0) {
      this.seen = later.seen;
      this.candidates = later.candidates;
      this.dropped.push(...later.dropped);
      return;
    }
    const kept: DateCandidate[] = [];
    for (const c of this.candidates) {
      const o = later.candidates.find((x) => x.format === c.format);
      if (!o) {
        this.dropped.push(c.format);
        continue;
      }
      c.cells += o.cells;
      c.failures += o.failures;
      for (const u of o.unread) if (c.unread.length <= FEW_ODD_MAX_DISTINCT && !c.unread.includes(u)) c.unread.push(u);
      widen(c, o.min, o.minOffset, o.max, o.maxOffset);
      for (let k = 0; k < 12; k++) c.month[k] += o.month[k];
      for (let k = 0; k < 7; k++) c.dayOfWeek[k] += o.dayOfWeek[k];
      for (let k = 0; k < 24; k++) c.hour[k] += o.hour[k];
      for (const [y, n] of o.year) countYear(c, y, n);
      c.instants.merge(o.instants);
      kept.push(c);
    }
    for (const o of later.candidates) if (!this.candidates.some((c) => c.format === o.format)) this.dropped.push(o.format);
    for (const d of later.dropped) if (!this.dropped.includes(d)) this.dropped.push(d);
    this.seen += later.seen;
    this.candidates = kept;
  }
}

/** A column's dates as followed: the winning format's exact accumulators. */
export interface FollowedDates {
  readonly format: string;
  /** The format has no time of day: calendar parts without hour, ranges printed as dates. */
  readonly dateOnly: boolean;
  readonly candidate: DateCandidate;
  /** Non-missing cells (numbers included), of which `candidate.cells` read as dates. */
  readonly nonMissing: number;
}

export type DateFollowing =
  | { readonly status: 'dates'; readonly dates: FollowedDates }
  /** The sampled cells read as dates, but no followed format reads the column: `reason` says why. */
  | { readonly status: 'unfollowed'; readonly reason: string }
  | { readonly status: 'none' };

/** What a streamed column's date accumulators say, decided by the in-memory rule over the exact counts. */
export function followDates(
  column: { readonly kind: string; readonly numbers: number; readonly odd: number; readonly dates?: DateTracker; readonly sketch: QuantileSketch },
  sampledAsDates: () => boolean,
  tolerance = DEFAULT_KIND_TOLERANCE,
): DateFollowing {
  if (column.kind !== 'categorical') return { status: 'none' };
  const tracker = column.dates;
  tracker?.settle();
  const total = column.numbers + column.odd;
  const ranked = [...(tracker?.candidates ?? [])].sort(compareFormatTally);
  const best = ranked[0];
  if (best && best.cells > 0 && total > 0) {
    // Numbers in a text column are cells no date format reads (in memory too).
    const numberDistinct = column.numbers === 0 ? 0 : column.sketch.isExact ? column.sketch.size : FEW_ODD_MAX_DISTINCT + 1;
    const distinct = Math.min(FEW_ODD_MAX_DISTINCT + 1, best.unread.length + numberDistinct);
    if (fewOddCells(total - best.cells, distinct, total, tolerance)) return { status: 'dates', dates: { format: best.format, dateOnly: !dateFormat(best.format).hasTime, candidate: best, nonMissing: total } };
  }
  if (!sampledAsDates()) return { status: 'none' };
  if (!tracker || (ranked.length === 0 && tracker.dropped.length === 0)) return { status: 'unfollowed', reason: `its first ${DATE_WINDOW} cells fit no date format` };
  if (!best) return { status: 'unfollowed', reason: `the date formats of its first cells (${tracker.dropped.join(', ')}) stopped reading it` };
  return { status: 'unfollowed', reason: `the best date format its first cells fit (${best.format}) reads ${best.cells} of ${total} cells` };
}

/** The count of a sketch's values in [lo, hi], with the interval the exact count lies in. */
export function countBetween(s: QuantileSketch, lo: number, hi: number): Bounded {
  let sure = 0;
  let maybe = 0;
  let est = 0;
  for (const g of s.segments()) {
    if (g.u < lo || g.l > hi) continue;
    if (g.l >= lo && g.u <= hi) {
      sure += g.c;
      est += g.c;
      continue;
    }
    maybe += g.c;
    // A bucket partly inside: its count spread evenly over its width.
    const width = g.u - g.l;
    est += width > 0 ? (g.c * (Math.min(g.u, hi) - Math.max(g.l, lo))) / width : g.c;
  }
  return { estimate: est, lower: sure, upper: sure + maybe };
}
