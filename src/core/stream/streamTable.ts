/**
 * The streaming profile of typed files (JSON Lines, Parquet) in bounded memory: the file is read
 * in chunks (JSON Lines: whole lines, about `chunkBytes` at a time; Parquet: one row group at a
 * time), each chunk read into a small DataTable by the project's own reader
 * (src/core/readers), whose cells then go into the same accumulators as a streamed CSV's
 * (streamProfile.ts): exact counts and moments, a QuantileSketch of the numbers, a FrequentItems
 * summary of the other cells, and a uniform reservoir of rows. Only the chunk's table is held
 * at a time. The reader decides each chunk's column kinds by the file's own types (a JSON
 * number is a number, a JSON string a category, as in memory); the streamed column's kind is
 * then decided over the whole file (finishColumns). Date and timestamp cells are kept as ISO
 * text: categories, and followed as dates by the column's DateTracker, as for CSV.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { offsetText } from '../dates/isoInstant';
import { DEFAULT_MISSING_TOKENS } from '../ingest';
import { mulberry32 } from '../random';
import { readJsonLinesBytes } from '../readers/jsonl';
import { readParquetRowGroups } from '../readers/parquet';
import type { BinaryReadOptions } from '../readers/readOptions';
import { FatalInputError, type Column, type DataTable } from '../table';
import { FrequentItems, Reservoir } from './frequentItems';
import { DEFAULT_ALPHA, DEFAULT_EXACT_DISTINCT, QuantileSketch } from './quantileSketch';
import { DateTracker } from './streamDates';
import { finishColumns, type StreamColumn, type StreamOptions, type StreamProblem, type StreamProfile } from './streamProfile';

const MAX_PROBLEMS = 100;

/**
 * An instant as ISO text in one shape per column, so its DateTracker reads it in one format: the
 * date alone for date-only columns, else the wall time with milliseconds, and the zone (`Z`,
 * `+hh:mm`) only when the file gave one (a naive timestamp prints without, as in memory).
 */
function isoText(ms: number, dateOnly: boolean, offset: number | undefined): string {
  const s = new Date(ms + (offset ?? 0) * 60_000).toISOString();
  return dateOnly ? s.slice(0, 10) : s.slice(0, 23) + (offset === undefined ? '' : offsetText(offset));
}

/** One cell of a chunk's column as the streamed accumulators take it: a number, a string, or missing. */
function cell(c: Column, i: number): number | string | undefined {
  switch (c.type) {
    case 'numeric': {
      const v = c.values[i];
      return Number.isNaN(v) ? undefined : v;
    }
    case 'datetime': {
      const v = c.values[i];
      return Number.isNaN(v) ? undefined : isoText(v, c.dateOnly === true, c.offsets?.[i]);
    }
    default: {
      const k = c.codes[i];
      return k < 0 ? undefined : c.dictionary[k];
    }
  }
}

/** Accumulates the cells of successive chunk tables (columns matched by name, new ones added as they appear). */
export class TableStreamSink {
  readonly columns: StreamColumn[] = [];
  private readonly byName = new Map<string, number>();
  rows = 0;
  readonly problems: StreamProblem[] = [];
  problemCount = 0;
  readonly reservoir: Reservoir<string[]>;
  readonly alpha: number;
  readonly exactDistinct: number;
  readonly categoryCapacity: number;

  constructor(options: StreamOptions) {
    this.alpha = options.alpha ?? DEFAULT_ALPHA;
    this.exactDistinct = options.exactDistinct ?? DEFAULT_EXACT_DISTINCT;
    this.categoryCapacity = options.categoryCapacity ?? 1000;
    this.reservoir = new Reservoir<string[]>(options.sampleRows ?? 10_000, mulberry32(options.seed ?? 42));
  }

  private column(name: string): number {
    let j = this.byName.get(name);
    if (j !== undefined) return j;
    j = this.columns.length;
    this.byName.set(name, j);
    // Rows read before the column first appeared lack it: missing there.
    this.columns.push({ name, kind: 'numeric', missing: this.rows, numbers: 0, odd: 0, mean: 0, m2: 0, sketch: new QuantileSketch(this.alpha, this.exactDistinct), categories: new FrequentItems(this.categoryCapacity) });
    for (const row of this.reservoir.items) row.push('');
    return j;
  }

  /** A chunk's table; `line` maps the table's problem lines to the file's (JSON Lines), undefined for files without lines. */
  add(t: DataTable, line?: (chunkLine: number) => number): void {
    for (const p of t.problems) {
      this.problemCount++;
      if (this.problems.length < MAX_PROBLEMS) this.problems.push({ ...(line ? { line: line(p.line), ...(p.column > 1 ? { column: p.column } : {}) } : {}), message: !line && p.column > 1 ? `column ${p.column}: ${p.message}` : p.message });
    }
    this.problemCount += Math.max(0, t.problemCount - t.problems.length);
    const index = t.columns.map((c) => this.column(c.name));
    const present = new Set(index);
    for (let j = 0; j < this.columns.length; j++) if (!present.has(j)) this.columns[j].missing += t.rows;
    for (let i = 0; i < t.rows; i++) {
      const slot = this.reservoir.offer();
      const sampled = slot >= 0 ? new Array<string>(this.columns.length).fill('') : undefined;
      t.columns.forEach((c, k) => {
        const col = this.columns[index[k]];
        const v = cell(c, i);
        if (v === undefined) {
          col.missing++;
          return;
        }
        if (sampled) sampled[index[k]] = String(v);
        if (typeof v === 'number') {
          col.numbers++;
          const d = v - col.mean;
          col.mean += d / col.numbers;
          col.m2 += d * (v - col.mean);
          col.sketch.add(v);
        } else {
          col.odd++;
          col.categories.add(v);
          (col.dates ??= new DateTracker(this.alpha, this.exactDistinct)).add(v);
        }
      });
      if (sampled && slot >= 0) this.reservoir.put(slot, sampled);
    }
    this.rows += t.rows;
  }

  finish(file: string, bytes: number): StreamProfile {
    finishColumns(this.columns);
    return {
      file,
      bytes,
      rows: this.rows,
      delimiter: '',
      columns: this.columns,
      sample: this.reservoir.items,
      problems: this.problems,
      problemCount: this.problemCount,
      sampleSeen: this.reservoir.seen,
      quoted: false,
      alpha: this.alpha,
      exactDistinct: this.exactDistinct,
      categoryCapacity: this.categoryCapacity,
    };
  }
}

function binaryOptions(options: StreamOptions): BinaryReadOptions {
  // Strings stay strings: dates are decided over the whole file by the columns' DateTrackers, not per chunk.
  return { missingTokens: options.missingTokens ?? DEFAULT_MISSING_TOKENS, maxProblems: MAX_PROBLEMS, numericTolerance: 0.05, inferDates: false };
}

function openFile(file: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    throw new FatalInputError(file, 'missing-file', `cannot open the file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const stat = fstatSync(fd);
  if (!stat.isFile()) {
    closeSync(fd);
    throw new FatalInputError(file, 'not-regular-file', 'not a regular file');
  }
  if (stat.size === 0) {
    closeSync(fd);
    throw new FatalInputError(file, 'empty-file', 'the file is empty');
  }
  return { fd, size: stat.size };
}

/**
 * A JSON Lines file read once, about `chunkBytes` (default 4 MiB) of whole lines at a time, each
 * chunk through readJsonLinesBytes; problems keep the file's line numbers.
 */
export function streamJsonLines(file: string, options: StreamOptions = {}): StreamProfile {
  const chunkBytes = options.chunkBytes ?? 4 << 20;
  const { fd, size } = openFile(file);
  try {
    const sink = new TableStreamSink(options);
    const read = binaryOptions(options);
    const chunk = Buffer.allocUnsafe(chunkBytes);
    let carry: Buffer = Buffer.alloc(0);
    let offset = 0;
    let linesBefore = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunkBytes, offset);
      offset += n;
      const eof = n === 0 || offset >= size;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      if (offset <= chunkBytes && buf.subarray(0, Math.min(buf.length, 8192)).includes(0)) throw new FatalInputError(file, 'binary-file', 'the file looks binary (it holds NUL bytes), not JSON Lines');
      // Whole lines only: up to the last line break (all of it at the end of the file).
      const cut = eof ? buf.length : buf.lastIndexOf(0x0a) + 1;
      if (cut > 0) {
        const lines = buf.subarray(0, cut);
        const before = linesBefore;
        let table: DataTable | undefined;
        try {
          table = readJsonLinesBytes(lines, file, '', read, lines.length + 1);
        } catch (e) {
          // A chunk of blank lines holds no object; the file as a whole is judged at the end.
          if (!(e instanceof FatalInputError && e.code === 'empty-file')) throw e;
        }
        if (table) sink.add(table, (l) => l + before);
        for (let k = lines.indexOf(0x0a); k >= 0; k = lines.indexOf(0x0a, k + 1)) linesBefore++;
      }
      // The partial last line goes to the next chunk (copied: `chunk` is reused).
      carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : Buffer.alloc(0);
      options.onProgress?.(offset, size);
      if (eof) break;
    }
    if (sink.rows === 0 && sink.problemCount === 0) throw new FatalInputError(file, 'empty-file', 'the file holds no JSON objects');
    return sink.finish(file, size);
  } finally {
    closeSync(fd);
  }
}

/**
 * A Parquet file read once, one row group at a time (readParquetRowGroups): memory holds the
 * footer, one row group's pages and its table. Progress is reported per row group, by rows.
 */
export async function streamParquet(file: string, options: StreamOptions = {}): Promise<StreamProfile> {
  const { fd, size } = openFile(file);
  closeSync(fd);
  const sink = new TableStreamSink(options);
  for await (const t of readParquetRowGroups(file, '', binaryOptions(options))) {
    sink.add(t);
    options.onProgress?.(Math.min(size, sink.rows), Math.max(size, sink.rows));
  }
  options.onProgress?.(size, size);
  return sink.finish(file, size);
}
