/**
 * A bounded sample of a table file, for the pickers (which column is the label): the first rows
 * read by the same readers and the same kind rules (src/core/columnKind.ts) as a full read, at a
 * bounded cost. CSV and JSON Lines: at most SAMPLE_BYTES from the start of the file, cut after
 * the header and SAMPLE_ROWS rows (or after the last whole line). Parquet and Arrow keep their
 * rows in compressed column chunks the readers decode whole, so those files are read only up to
 * SAMPLE_WHOLE_FILE_BYTES; a larger one gets no sample, with the reason. Never throws: a file
 * that cannot be read gives its reason instead.
 */
import { FatalInputError, type DataTable } from '../table';
import { DEFAULT_MISSING_TOKENS, datasetName, openRegularFile, parseCsvBuffer } from '../ingest';
import { formatName, tableFormatOf } from './formats';
import { readJsonLinesBytes } from './jsonl';
import { readTable } from './readTable';

/** Bytes read from the start of a CSV or JSON Lines file. */
export const SAMPLE_BYTES = 64 * 1024;
/** Rows kept after the header. */
export const SAMPLE_ROWS = 500;
/** Parquet and Arrow files up to this size are read whole (then cut to SAMPLE_ROWS rows by the caller). */
export const SAMPLE_WHOLE_FILE_BYTES = 4 * 1024 * 1024;

export type TableSample =
  | {
      /** The rows read (at most SAMPLE_ROWS for CSV and JSON Lines, every row of a small Parquet or Arrow file). */
      readonly table: DataTable;
      /** Whether the sample is the whole file. */
      readonly whole: boolean;
    }
  | { readonly table?: undefined; readonly reason: string };

export interface SampleOptions {
  /** CSV: the delimiter (a tab for .tsv files); sniffed when omitted. */
  readonly delimiter?: string;
  readonly bytes?: number;
  readonly rows?: number;
  readonly wholeFileBytes?: number;
}

/**
 * The end of the first `lines` lines of `buf` (just after the `lines`-th line feed), or -1 when
 * it has fewer. Line feeds inside quoted CSV cells count too, so a sample of multi-line cells
 * holds fewer rows: still a sample.
 */
export function endOfLines(buf: Uint8Array, lines: number): number {
  let seen = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 10 && ++seen >= lines) return i + 1;
  }
  return -1;
}

/** The end of the last whole line of `buf` (just after its last line feed), 0 when it has none. */
function endOfLastLine(buf: Uint8Array): number {
  return buf.lastIndexOf(10) + 1;
}

/** Reads a bounded sample of `path` (see the module comment). */
export async function readTableSample(path: string, options: SampleOptions = {}): Promise<TableSample> {
  const format = tableFormatOf(path);
  const rows = options.rows ?? SAMPLE_ROWS;
  try {
    if (format === 'parquet' || format === 'arrow') {
      const { handle, size } = await openRegularFile(path);
      await handle.close();
      const limit = options.wholeFileBytes ?? SAMPLE_WHOLE_FILE_BYTES;
      if (size > limit) return { reason: `a ${formatName(format)} file over ${Math.round(limit / (1024 * 1024))} MiB is not sampled (its rows would be decoded whole)` };
      return { table: await readTable(path, { maxProblems: 0 }), whole: true };
    }
    const { handle, size } = await openRegularFile(path);
    let buf: Buffer;
    try {
      buf = Buffer.alloc(Math.min(size, options.bytes ?? SAMPLE_BYTES));
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      buf = buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    if (buf.length === 0) return { reason: 'the file is empty' };
    // The header line and `rows` rows (JSON Lines has no header); a longer file is cut after whole lines.
    const wanted = endOfLines(buf, format === 'csv' ? rows + 1 : rows);
    const cut = wanted >= 0 ? wanted : buf.length < size ? endOfLastLine(buf) : buf.length;
    if (cut === 0) return { reason: `no line break in the first ${Math.round(buf.length / 1024)} KiB` };
    const whole = cut === size;
    buf = buf.subarray(0, cut);
    if (format === 'jsonl') {
      return { table: readJsonLinesBytes(buf, path, datasetName(path), { missingTokens: DEFAULT_MISSING_TOKENS, maxProblems: 0, numericTolerance: 0.05 }), whole };
    }
    return { table: parseCsvBuffer(buf, path, { maxProblems: 0, ...(options.delimiter ? { delimiter: options.delimiter } : {}) }), whole };
  } catch (e) {
    return { reason: e instanceof FatalInputError ? e.message.replace(`${path}: `, '') : `cannot read the file (${e instanceof Error ? e.message : String(e)})` };
  }
}
