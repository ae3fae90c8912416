/**
 * One streaming pass over a CSV/TSV file in bounded memory (issue 15): the file is read in
 * fixed-size chunks through the same tokenizer as the in-memory ingest, and each column keeps
 * only accumulators: exact row, missing and number counts, exact moments (Welford) and min/max,
 * a QuantileSketch of its numbers, a FrequentItems summary of its other cells, and every file a
 * uniform reservoir of rows for the domain classifier. Memory does not grow with the file: the
 * chunk, the carried-over partial record, the sketches (bounded by their settings) and the
 * reservoir. A column is numeric by the ingest's own rule (columnKind.ts isMostlyNumeric).
 * A non-numeric column is categorical; its text cells also go to a DateTracker
 * (streamDates.ts), which follows the date formats its first cells fit, so the comparison can
 * read it as dates (time ranges, calendar parts) when the whole column turns out to be dates.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isMostlyNumeric } from '../columnKind';
import { isAsciiSpace, parseNumberBytes, parseNumberString } from '../csv/numbers';
import { sniffDelimiter } from '../csv/sniffDelimiter';
import { CsvTokenizer, FieldKind, unescapeField, type RecordSink } from '../csv/tokenizer';
import { DEFAULT_MISSING_TOKENS } from '../ingest';
import { mulberry32 } from '../random';
import { FatalInputError } from '../table';
import { FrequentItems, Reservoir } from './frequentItems';
import { DEFAULT_ALPHA, DEFAULT_EXACT_DISTINCT, QuantileSketch, type SketchJson } from './quantileSketch';
import { DateTracker, type DateTrackerJson } from './streamDates';

export interface StreamOptions {
  readonly delimiter?: string;
  readonly missingTokens?: readonly string[];
  /** Bytes read at a time (default 4 MiB). */
  readonly chunkBytes?: number;
  /** Rows kept for the domain classifier (default 10,000). */
  readonly sampleRows?: number;
  readonly seed?: number;
  /** Relative accuracy of the numeric sketches' buckets (default 0.001). */
  readonly alpha?: number;
  readonly exactDistinct?: number;
  /** Categories kept exactly before the Misra-Gries summary takes over (default 1,000). */
  readonly categoryCapacity?: number;
  readonly onProgress?: (bytes: number, total: number) => void;
  /**
   * Read only the records that start in [start, end) of the file (a chunk read apart and merged
   * later with mergeProfiles); the header and delimiter still come from the file's start.
   */
  readonly range?: { readonly start: number; readonly end: number };
}

export interface StreamColumn {
  readonly name: string;
  kind: 'numeric' | 'categorical';
  /** Cells that are missing (empty, a missing token, or absent from a short row). */
  missing: number;
  /** Cells that parsed as numbers. */
  numbers: number;
  /** Non-missing cells that are not numbers. */
  odd: number;
  mean: number;
  m2: number;
  readonly sketch: QuantileSketch;
  readonly categories: FrequentItems;
  /** The date formats its text cells fit, with their exact accumulators (created at the first text cell). */
  dates?: DateTracker;
}

export interface StreamProblem {
  /** 1-based line, when the file was read from its start. */
  readonly line?: number;
  /** 1-based character column of the offending cell; absent (column 1) for whole-row problems. */
  readonly column?: number;
  /** Byte offset of the record, when a chunk was read apart (lines are not counted then). */
  readonly byte?: number;
  readonly message: string;
}

export interface StreamProfile {
  readonly file: string;
  readonly bytes: number;
  readonly rows: number;
  readonly delimiter: string;
  readonly columns: StreamColumn[];
  /** Uniform sample of data rows (cells as text, '' for absent), for the domain classifier. */
  readonly sample: readonly (readonly string[])[];
  readonly problems: readonly StreamProblem[];
  readonly problemCount: number;
  /** Rows the sample was drawn from (all rows, or the chunk's). */
  readonly sampleSeen: number;
  /** A chunk read apart met a quote character: its record boundaries may be wrong, read the file whole instead. */
  readonly quoted: boolean;
  /** The settings the figures' bounds follow from. */
  readonly alpha: number;
  readonly exactDistinct: number;
  readonly categoryCapacity: number;
}

const MAX_PROBLEMS = 100;

class StreamSink implements RecordSink {
  header: string[] | null = null;
  columns: StreamColumn[] = [];
  rows = 0;
  problems: StreamProblem[] = [];
  problemCount = 0;
  private scratch = new Uint8Array(1024);
  private readonly missing: Set<string>;
  readonly reservoir: Reservoir<string[]>;

  constructor(private readonly o: Required<Pick<StreamOptions, 'missingTokens' | 'sampleRows' | 'seed' | 'alpha' | 'exactDistinct' | 'categoryCapacity'>>) {
    this.missing = new Set(o.missingTokens.map((t) => t.trim()));
    this.reservoir = new Reservoir<string[]>(o.sampleRows, mulberry32(o.seed));
  }

  /** Absolute file offset of the buffer being scanned, and where the chunk's records end (range mode). */
  base = 0;
  end = Infinity;
  ranged = false;
  done = false;

  problem(t: CsvTokenizer, message: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(this.ranged ? { byte: this.base + t.recordStart, message } : { line: t.line, message });
  }

  private text(t: CsvTokenizer, buf: Uint8Array, j: number): string {
    const s = t.fieldStart[j];
    const e = t.fieldEnd[j];
    if (t.fieldKind[j] === FieldKind.Escaped) {
      if (this.scratch.length < e - s) this.scratch = new Uint8Array(2 * (e - s));
      const n = unescapeField(buf, s, e, this.scratch);
      return Buffer.from(this.scratch.buffer, this.scratch.byteOffset, n).toString('utf8');
    }
    return (buf as Buffer).toString('utf8', s, e);
  }

  record(t: CsvTokenizer, buf: Uint8Array): void {
    if (!this.header) {
      this.header = Array.from({ length: t.fieldCount }, (_, j) => this.text(t, buf, j).trim());
      this.columns = this.header.map((name) => ({
        name,
        kind: 'numeric',
        missing: 0,
        numbers: 0,
        odd: 0,
        mean: 0,
        m2: 0,
        sketch: new QuantileSketch(this.o.alpha, this.o.exactDistinct),
        categories: new FrequentItems(this.o.categoryCapacity),
      }));
      return;
    }
    if (this.base + t.recordStart >= this.end) {
      // The first record of the next chunk: stop here.
      this.done = true;
      t.stop = true;
      return;
    }
    const ncols = this.columns.length;
    const nf = t.fieldCount;
    if (nf === 1 && t.fieldEnd[0] === t.fieldStart[0] && ncols > 1) return; // a blank line
    this.rows++;
    if (nf !== ncols) this.problem(t, `${nf} fields where the header has ${ncols}${nf < ncols ? ' (the missing cells count as missing; a last line cut short means the file is truncated)' : ' (the extra cells are left out)'}`);
    const slot = this.reservoir.offer();
    if (slot >= 0) this.reservoir.put(slot, Array.from({ length: ncols }, (_, j) => (j < nf ? this.text(t, buf, j) : '')));
    for (let j = 0; j < ncols; j++) {
      const col = this.columns[j];
      if (j >= nf) {
        col.missing++;
        continue;
      }
      let s = t.fieldStart[j];
      let e = t.fieldEnd[j];
      let v: number | undefined = NaN;
      if (t.fieldKind[j] !== FieldKind.Escaped) {
        while (s < e && isAsciiSpace(buf[s])) s++;
        while (e > s && isAsciiSpace(buf[e - 1])) e--;
        if (s === e) {
          col.missing++;
          continue;
        }
        v = parseNumberBytes(buf, s, e);
      }
      if (v === undefined) v = parseNumberString(this.text(t, buf, j));
      if (v === v) {
        col.numbers++;
        const d = v - col.mean;
        col.mean += d / col.numbers;
        col.m2 += d * (v - col.mean);
        col.sketch.add(v);
        continue;
      }
      const raw = this.text(t, buf, j);
      if (this.missing.has(raw.trim())) {
        col.missing++;
        continue;
      }
      col.odd++;
      col.categories.add(raw);
      (col.dates ??= new DateTracker(this.o.alpha, this.o.exactDistinct)).add(raw);
    }
  }

  unterminated(t: CsvTokenizer, _buf: Uint8Array, _cell: number, _start: number): void {
    this.problem(t, 'a quote is never closed; the rest of that line is skipped (a file cut off inside a quoted cell ends this way)');
  }
}

/** The header and delimiter from the file's first bytes (for a chunk read apart). */
function readHeader(fd: number, file: string, total: number, options: StreamOptions, sink: StreamSink): string {
  const head = Buffer.allocUnsafe(Math.min(total, 1 << 20));
  const n = readSync(fd, head, 0, head.length, 0);
  const buf = head.subarray(0, n);
  const pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const delimiter = options.delimiter ?? sniffDelimiter(buf, pos, n >= total).delimiter;
  const t = new CsvTokenizer(delimiter.charCodeAt(0));
  const once: RecordSink = {
    record: (tk, b) => {
      sink.record(tk, b);
      tk.stop = true;
    },
    unterminated: () => {},
  };
  t.scan(buf, pos, n >= total, once);
  if (!sink.header) throw new FatalInputError(file, 'no-header', 'the file has no header in its first MiB');
  return delimiter;
}

/** Decides each column's kind over everything read; numbers of a text column become categories. */
export function finishColumns(columns: StreamColumn[]): void {
  for (const c of columns) {
    c.kind = isMostlyNumeric(c.numbers, c.odd, c.categories.isExact ? c.categories.size : Infinity) ? 'numeric' : 'categorical';
    if (c.kind === 'categorical' && c.numbers > 0) {
      // Numbers in a text column are categories too: from the sketch's exact counts, else as one bucket.
      for (const s of c.sketch.isExact ? c.sketch.segments() : [{ l: NaN, u: NaN, c: c.numbers }]) c.categories.add(Number.isNaN(s.l) ? '(numbers)' : String(s.l), s.c);
    }
  }
}

/** Reads `file` once, in chunks, and returns its column accumulators. */
export function streamProfile(file: string, options: StreamOptions = {}): StreamProfile {
  const chunkBytes = options.chunkBytes ?? 4 << 20;
  const o = {
    missingTokens: options.missingTokens ?? DEFAULT_MISSING_TOKENS,
    sampleRows: options.sampleRows ?? 10_000,
    seed: options.seed ?? 42,
    alpha: options.alpha ?? DEFAULT_ALPHA,
    exactDistinct: options.exactDistinct ?? DEFAULT_EXACT_DISTINCT,
    categoryCapacity: options.categoryCapacity ?? 1000,
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new FatalInputError(file, 'missing-file', `cannot open the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new FatalInputError(file, 'not-regular-file', 'not a regular file');
    const total = stat.size;
    if (total === 0) throw new FatalInputError(file, 'empty-file', 'the file is empty');
    const sink = new StreamSink(o);
    const range = options.range;
    let tokenizer: CsvTokenizer | null = null;
    let delimiter = options.delimiter ?? '';
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    let first = true;
    let quoted = false;
    if (range) {
      sink.end = range.end;
      if (range.start > 0) {
        delimiter = readHeader(fd, file, total, options, sink);
        tokenizer = new CsvTokenizer(delimiter.charCodeAt(0));
        sink.ranged = true;
        // Records start after a line break: begin one byte early and skip to the first one.
        offset = range.start - 1;
        first = false;
      }
    }
    let skipToLine = range !== undefined && range.start > 0;
    const chunk = Buffer.allocUnsafe(chunkBytes);
    while (!sink.done) {
      const n = readSync(fd, chunk, 0, chunkBytes, offset);
      const chunkStart = offset;
      offset += n;
      const eof = n === 0 || offset >= total;
      if (range && chunk.subarray(0, n).includes(34)) quoted = true;
      let buf: Buffer = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      sink.base = chunkStart - carry.length;
      let pos = 0;
      if (skipToLine) {
        const lf = buf.indexOf(10);
        if (lf < 0 && !eof) {
          // No line break yet: keep looking (a very long line).
          carry = Buffer.alloc(0);
          continue;
        }
        skipToLine = false;
        pos = lf < 0 ? buf.length : lf + 1;
        if (sink.base + pos >= sink.end) break;
      }
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
        if (buf.subarray(0, Math.min(buf.length, 8192)).includes(0)) throw new FatalInputError(file, 'binary-file', 'the file looks binary (it holds NUL bytes), not CSV');
        if (!delimiter) delimiter = sniffDelimiter(buf, pos, eof).delimiter;
        tokenizer = new CsvTokenizer(delimiter.charCodeAt(0));
      }
      const t = tokenizer as CsvTokenizer;
      const used = t.scan(buf, pos, eof, sink);
      // The incomplete last record is carried into the next chunk (copied: `chunk` is reused).
      carry = used < buf.length ? Buffer.from(buf.subarray(used)) : Buffer.alloc(0);
      buf = Buffer.alloc(0);
      options.onProgress?.(offset, total);
      if (eof) break;
    }
    if (!sink.header) throw new FatalInputError(file, 'no-header', 'the file has no header');
    if (!range) finishColumns(sink.columns);
    return {
      file,
      bytes: total,
      rows: sink.rows,
      delimiter,
      columns: sink.columns,
      sample: sink.reservoir.items,
      problems: sink.problems,
      problemCount: sink.problemCount,
      sampleSeen: sink.reservoir.seen,
      quoted,
      alpha: o.alpha,
      exactDistinct: o.exactDistinct,
      categoryCapacity: o.categoryCapacity,
    };
  } finally {
    closeSync(fd);
  }
}

/** A profile (or a chunk's, not yet finished) as JSON, for another process to merge. */
export function profileToJson(p: StreamProfile): unknown {
  return {
    ...p,
    columns: p.columns.map((c) => ({ ...c, sketch: c.sketch.toJSON(), categories: c.categories.toJSON(), dates: c.dates?.toJSON() })),
  };
}

export function profileFromJson(j: unknown): StreamProfile {
  const p = j as Omit<StreamProfile, 'columns'> & { columns: (Omit<StreamColumn, 'sketch' | 'categories' | 'dates'> & { sketch: SketchJson; categories: ReturnType<FrequentItems['toJSON']>; dates?: DateTrackerJson })[] };
  return {
    ...p,
    columns: p.columns.map((c) => {
      const { dates, ...rest } = c;
      return { ...rest, sketch: QuantileSketch.fromJSON(c.sketch), categories: FrequentItems.fromJSON(c.categories), ...(dates ? { dates: DateTracker.fromJSON(dates, p.alpha, p.exactDistinct) } : {}) };
    }),
  };
}

/**
 * Chunks of one file (in file order, each read with `range`) merged into the file's profile:
 * counts add, moments combine (Chan et al.), sketches and category summaries merge, the samples
 * merge into one uniform sample; then the kinds are decided over the whole file.
 */
export function mergeProfiles(parts: readonly StreamProfile[], seed = 42): StreamProfile {
  const [first, ...rest] = parts;
  const copyDates = (t: DateTracker | undefined) => (t ? DateTracker.fromJSON(t.toJSON(), first.alpha, first.exactDistinct) : undefined);
  const columns: StreamColumn[] = first.columns.map((c) => ({ ...c, sketch: QuantileSketch.fromJSON(c.sketch.toJSON()), categories: FrequentItems.fromJSON(c.categories.toJSON()), dates: copyDates(c.dates) }));
  const sample = new Reservoir<string[]>(Math.max(first.sample.length, 1), mulberry32(seed));
  sample.items.push(...first.sample.map((r) => [...r]));
  sample.seen = first.sampleSeen;
  for (const p of rest) {
    if (p.columns.length !== columns.length || p.columns.some((c, j) => c.name !== columns[j].name)) throw new Error('mergeProfiles: the chunks have different columns');
    p.columns.forEach((c, j) => {
      const m = columns[j];
      const n = m.numbers + c.numbers;
      if (n > 0) {
        const delta = c.mean - m.mean;
        m.m2 += c.m2 + (delta * delta * m.numbers * c.numbers) / n;
        m.mean += (delta * c.numbers) / n;
      }
      m.numbers = n;
      m.missing += c.missing;
      m.odd += c.odd;
      m.sketch.merge(c.sketch);
      m.categories.merge(c.categories);
      if (c.dates) {
        if (m.dates) m.dates.merge(copyDates(c.dates) as DateTracker);
        else m.dates = copyDates(c.dates);
      }
    });
    const other = new Reservoir<string[]>(Math.max(p.sample.length, 1), mulberry32(seed));
    other.items.push(...p.sample.map((r) => [...r]));
    other.seen = p.sampleSeen;
    sample.merge(other);
  }
  finishColumns(columns);
  return {
    ...first,
    rows: parts.reduce((a, p) => a + p.rows, 0),
    columns,
    sample: sample.items,
    sampleSeen: sample.seen,
    problems: parts.flatMap((p) => p.problems).slice(0, MAX_PROBLEMS),
    problemCount: parts.reduce((a, p) => a + p.problemCount, 0),
    quoted: parts.some((p) => p.quoted),
  };
}
