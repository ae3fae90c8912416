/**
 * CSV ingest: the public API. The rules (type inference, missing tokens, number syntax,
 * problems) are documented in docs/ingest.md; the parsing itself lives in ./csv/.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { IngestPass, type IngestPlan, type PassOptions, type PassResult } from './csv/ingestPass';
import type { KnownDateFormats } from './dates/inferDates';
import { FatalInputError, type DataTable } from './table';

/** Cells equal to one of these (after trimming surrounding spaces) are missing values. */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'null', '?'];

export interface IngestOptions {
  /** Dataset name; defaults to the file name without its extension. */
  readonly name?: string;
  /** Field delimiter; sniffed among , ; \t | when omitted. */
  readonly delimiter?: string;
  readonly missingTokens?: readonly string[];
  /** How many problems to keep in `DataTable.problems` (all are counted). Default 1000. */
  readonly maxProblems?: number;
  /**
   * A column is numeric when at most this share of its non-missing cells fail to parse as
   * numbers (those cells become type-mismatch problems). Default 0.05.
   */
  readonly numericTolerance?: number;
  /** Called at most a few times a second with bytes consumed so far. */
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
  /**
   * Bytes per read (default 1 MiB). Tests use tiny values (1..7) to put quotes, CRLF pairs and
   * multi-byte characters across read boundaries.
   */
  readonly chunkSize?: number;
  /** Bytes gathered before sniffing the delimiter and choosing storage (default 64 KiB). */
  readonly sampleBytes?: number;
  /**
   * Date columns whose format is known (by column name, e.g. a run's training formats for
   * `predict`): read in exactly that format, not inferred; cells it cannot read are missing
   * values with a type-mismatch problem at their line and column. See KnownDateFormats.
   */
  readonly dateFormats?: KnownDateFormats;
}

const DEFAULT_CHUNK = 1 << 20;
/**
 * Reads of one file at most: the first decides storage from a prefix; a second when the whole
 * file disagrees (numbers vs strings); a third when a column turned out to hold dates with
 * unreadable cells, whose places only a pass that knows the format can report.
 */
const MAX_PASSES = 3;
const DEFAULT_SAMPLE = 64 * 1024;
const PROGRESS_INTERVAL_MS = 200;

/** Dataset name from a path: the file name without its extension. */
export function datasetName(path: string): string {
  const base = basename(path);
  const ext = extname(base);
  return ext.length > 0 && ext.length < base.length ? base.slice(0, -ext.length) : base;
}

function passOptions(path: string, options: IngestOptions, totalBytes: number, plan?: IngestPlan): PassOptions {
  if (options.delimiter !== undefined && (options.delimiter.length !== 1 || options.delimiter.charCodeAt(0) > 127 || '"\r\n'.includes(options.delimiter))) {
    throw new RangeError(`delimiter must be one ASCII character other than a quote or line break, got ${JSON.stringify(options.delimiter)}`);
  }
  return {
    file: path,
    name: options.name ?? datasetName(path),
    delimiter: options.delimiter,
    missingTokens: options.missingTokens ?? DEFAULT_MISSING_TOKENS,
    maxProblems: options.maxProblems ?? 1000,
    numericTolerance: options.numericTolerance ?? 0.05,
    totalBytes,
    sampleBytes: Math.max(4, options.sampleBytes ?? DEFAULT_SAMPLE),
    ...(options.dateFormats ? { knownDateFormats: options.dateFormats } : {}),
    plan,
  };
}

/** What a non-regular file is, for messages. */
function fileKind(stat: Stats): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a FIFO';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function notRegular(path: string, stat: Stats): FatalInputError {
  return new FatalInputError(path, 'not-regular-file', `not a regular file (${fileKind(stat)}); expected a CSV file`);
}

/**
 * Opens a file for reading, refusing anything but a regular file. A FIFO is opened without
 * blocking (O_NONBLOCK; a plain open would wait for a writer forever) and every kind is judged
 * on the opened descriptor (fstat), so what is checked is what would be read. Reads of regular
 * files ignore O_NONBLOCK. Throws FatalInputError naming the file.
 */
export async function openRegularFile(path: string): Promise<{ handle: FileHandle; size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    // Opening a socket file fails with ENXIO: say what it is.
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') {
      const stat = await lstat(path).catch(() => undefined);
      if (stat && !stat.isFile()) throw notRegular(path, stat);
    }
    throw fatalFromError(path, err);
  }
  let stat: Stats;
  try {
    stat = await handle.stat();
  } catch (err) {
    await handle.close();
    throw fatalFromError(path, err);
  }
  if (!stat.isFile()) {
    await handle.close();
    throw notRegular(path, stat);
  }
  return { handle, size: stat.size };
}

/** The whole of a regular file as UTF-8 text (see openRegularFile). */
export async function readRegularTextFile(path: string): Promise<string> {
  const { handle } = await openRegularFile(path);
  try {
    return await handle.readFile('utf8');
  } catch (err) {
    throw fatalFromError(path, err);
  } finally {
    await handle.close();
  }
}

function fatalFromError(path: string, err: unknown): FatalInputError {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new FatalInputError(path, 'missing-file', 'file not found');
    case 'EACCES':
    case 'EPERM':
      return new FatalInputError(path, 'missing-file', 'cannot read the file (permission denied)');
    case 'EISDIR':
      return new FatalInputError(path, 'not-regular-file', 'not a regular file (a directory); expected a CSV file');
    default:
      return new FatalInputError(path, 'missing-file', `cannot read the file (${code ?? String(err)})`);
  }
}

function throttledProgress(options: IngestOptions): (bytes: number, total: number, force?: boolean) => void {
  const cb = options.onProgress;
  if (cb === undefined) return () => {};
  let last = 0;
  return (bytes, total, force = false) => {
    const now = Date.now();
    if (force || now - last >= PROGRESS_INTERVAL_MS) {
      last = now;
      cb(bytes, total);
    }
  };
}

/**
 * Read a CSV file into a columnar table, streaming it in chunks (memory holds the columns, not
 * the text). Throws FatalInputError for a missing, unreadable, binary or empty file, and for
 * anything that is not a regular file (FIFO, device, socket, directory).
 */
export async function readCsvFile(path: string, options: IngestOptions = {}): Promise<DataTable> {
  const { handle, size: total } = await openRegularFile(path);
  try {
    const chunk = Math.max(1, options.chunkSize ?? DEFAULT_CHUNK);
    const progress = throttledProgress(options);
    let plan: IngestPlan | undefined;
    for (let passes = 1; ; passes++) {
      const pass = new IngestPass(passOptions(path, options, total, plan), Math.max(2 * chunk, 64 * 1024));
      let position = 0;
      for (;;) {
        options.signal?.throwIfAborted();
        pass.reserve(chunk);
        let bytesRead: number;
        try {
          ({ bytesRead } = await handle.read(pass.buf, pass.end, chunk, position));
        } catch (err) {
          throw fatalFromError(path, err);
        }
        position += bytesRead;
        pass.commit(bytesRead, bytesRead === 0);
        progress(position, total);
        if (bytesRead === 0) break;
      }
      const result: PassResult = pass.finish();
      if (result.rerunWith === undefined || passes >= MAX_PASSES) {
        progress(total, total, true);
        return result.table;
      }
      plan = result.rerunWith;
    }
  } finally {
    await handle.close();
  }
}

/** Parse CSV text already in memory (the language server's open documents). */
export function parseCsvText(text: string, path: string, options: IngestOptions = {}): DataTable {
  return parseCsvBuffer(Buffer.from(text, 'utf8'), path, options);
}

/** Parse CSV bytes already in memory. `chunkSize` feeds them in pieces, as a file read would. */
export function parseCsvBuffer(data: Buffer, path: string, options: IngestOptions = {}): DataTable {
  let plan: IngestPlan | undefined;
  for (let passes = 1; ; passes++) {
    options.signal?.throwIfAborted();
    const pass = new IngestPass(passOptions(path, options, data.length, plan), options.chunkSize === undefined ? 0 : 64 * 1024);
    if (options.chunkSize === undefined) {
      pass.adopt(data);
    } else {
      const chunk = Math.max(1, options.chunkSize);
      for (let at = 0; at < data.length; at += chunk) {
        const n = Math.min(chunk, data.length - at);
        pass.reserve(n);
        data.copy(pass.buf, pass.end, at, at + n);
        pass.commit(n, false);
      }
      pass.commit(0, true);
    }
    const result = pass.finish();
    if (result.rerunWith === undefined || passes >= MAX_PASSES) return result.table;
    plan = result.rerunWith;
  }
}
