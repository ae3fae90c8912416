/**
 * JSON Lines (`.jsonl`): one JSON object per line. Keys become columns in order of first
 * appearance; nested objects are flattened with dotted names (`location.lat`); arrays are left
 * out with a problem. JSON's own types decide a column's type: numbers make a numeric column
 * (datetime when the header says epoch timestamps, as in CSV), strings and booleans a
 * categorical, text or (strings that are dates) datetime one. As in CSV (docs/ingest.md), a
 * column of numbers may hold a few strings (the numeric rule of src/core/columnKind.ts): those
 * cells become missing and are reported as type mismatches with their line. A line that is not a
 * JSON object is reported and skipped; blank lines are skipped silently.
 *
 * The file's bytes are decoded a chunk at a time (JSONL_CHUNK_BYTES, each cut just after a
 * newline byte, which never falls inside a multi-byte UTF-8 character), never as one string: a
 * JavaScript string holds at most 2^29 - 24 characters (about 512 MB), and JSON Lines files are
 * often larger. Any failure names the file (FatalInputError).
 */
import { FatalInputError, type Column, type DataTable, type Problem, type ProblemCode } from '../table';
import { isMostlyNumeric, OddValues } from '../columnKind';
import { knownPattern, mixedFormatsMessage, numericOrEpoch } from '../dates/inferDates';
import { CategoricalBuilder, NumericBuilder } from './columnBuilder';
import type { BinaryReadOptions } from './readOptions';

interface RawColumn {
  readonly name: string;
  /** One value per kept row (undefined where the row has no such key). */
  readonly values: unknown[];
  /** Physical line of each kept row is in `lines`; first array seen, for the problem. */
  arrayLine: number;
}

function flattenInto(obj: Record<string, unknown>, prefix: string, out: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenInto(v as Record<string, unknown>, key, out);
    else out.set(key, v);
  }
}

/** Bytes decoded per chunk (a chunk is cut after its last newline, so it holds whole lines). */
export const JSONL_CHUNK_BYTES = 16 * 1024 * 1024;

/** Reads JSON Lines held in a string (tests and small inputs); see readJsonLinesBytes. */
export function readJsonLinesText(text: string, path: string, name: string, options: BinaryReadOptions): DataTable {
  return readJsonLinesBytes(Buffer.from(text, 'utf8'), path, name, options);
}

/**
 * Reads a JSON Lines file's bytes, decoding `chunkBytes` at a time (more when one line is longer).
 * Throws FatalInputError naming the file for anything it cannot read.
 */
export function readJsonLinesBytes(bytes: Uint8Array, path: string, name: string, options: BinaryReadOptions, chunkBytes = JSONL_CHUNK_BYTES): DataTable {
  try {
    return readLines(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, name, options, Math.max(1, Math.floor(chunkBytes)));
  } catch (e) {
    if (e instanceof FatalInputError) throw e;
    throw new FatalInputError(path, 'corrupt-file', `cannot read the JSON Lines file (${(e as Error).message ?? String(e)})`);
  }
}

/** The whole lines of `buf` from `pos` on, about `chunkBytes` of them: the end of the last whole line (or of the file). */
function chunkEnd(buf: Buffer, pos: number, chunkBytes: number): number {
  if (buf.length - pos <= chunkBytes) return buf.length;
  const cut = pos + chunkBytes;
  // The last newline in [pos, cut), else the first one after (a line longer than a chunk).
  const before = buf.lastIndexOf(0x0a, cut - 1);
  if (before >= pos) return before + 1;
  const after = buf.indexOf(0x0a, cut);
  return after < 0 ? buf.length : after + 1;
}

function readLines(buf: Buffer, path: string, name: string, options: BinaryReadOptions, chunkBytes: number): DataTable {
  const problems: Problem[] = [];
  let problemCount = 0;
  const problem = (line: number, column: number, code: ProblemCode, message: string) => {
    problemCount++;
    if (problems.length < options.maxProblems) problems.push({ file: path, line, column, code, message });
  };
  const wanted = options.columns ? new Set(options.columns) : undefined;
  const columns = new Map<string, RawColumn>();
  const lines: number[] = [];
  let rows = 0;
  let lineNo = 0;
  const flat = new Map<string, unknown>();
  // A UTF-8 byte order mark is skipped.
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (pos < buf.length) {
    const end = chunkEnd(buf, pos, chunkBytes);
    let text: string;
    try {
      text = buf.toString('utf8', pos, end);
    } catch (e) {
      throw new FatalInputError(path, 'corrupt-file', `line ${lineNo + 1} and those after it (${end - pos} bytes without a line break) cannot be read as text (${(e as Error).message}); JSON Lines holds one object per line`);
    }
    pos = end;
    let start = 0;
    while (start < text.length) {
      let stop = text.indexOf('\n', start);
      if (stop < 0) stop = text.length;
      lineNo++;
      let line = text.slice(start, stop);
      start = stop + 1;
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        problem(lineNo, 1, 'invalid-json', `not valid JSON (${(e as Error).message.split('\n')[0]}); the line is skipped`);
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problem(lineNo, 1, 'invalid-json', `expected one JSON object per line, found ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}; the line is skipped`);
        continue;
      }
      flat.clear();
      flattenInto(parsed as Record<string, unknown>, '', flat);
      for (const [key, value] of flat) {
        if (wanted && !wanted.has(key)) continue;
        let col = columns.get(key);
        if (!col) {
          col = { name: key, values: [], arrayLine: 0 };
          columns.set(key, col);
        }
        col.values[rows] = value;
      }
      lines.push(lineNo);
      rows++;
    }
  }
  if (rows === 0 && problemCount === 0) throw new FatalInputError(path, 'empty-file', 'the file holds no JSON objects');
  const missing = new Set(options.missingTokens);
  const out: Column[] = [];
  for (const col of columns.values()) {
    let numbers = 0;
    let texts = 0;
    let arrays = 0;
    const odd = new OddValues();
    for (let r = 0; r < rows; r++) {
      const v = col.values[r];
      if (typeof v === 'number') numbers++;
      else if (typeof v === 'boolean') {
        texts++;
        odd.add(String(v));
      } else if (typeof v === 'string' && !missing.has(v.trim())) {
        texts++;
        odd.add(v.trim());
      }
      else if (Array.isArray(v)) {
        arrays++;
        if (col.arrayLine === 0) col.arrayLine = lines[r];
      }
    }
    if (arrays > 0) {
      problem(col.arrayLine, 1, 'unsupported-column', `"${col.name}" holds arrays (nested values per row); the column is left out: Dataset Lab reads flat values and flattens objects only`);
      continue;
    }
    const known = knownPattern(options.dateFormats, col.name);
    const numeric = known === undefined && isMostlyNumeric(numbers, texts, odd.distinct, options.numericTolerance);
    if (numeric) {
      const b = new NumericBuilder(col.name, rows);
      let typeErrors = 0;
      for (let r = 0; r < rows; r++) {
        const v = col.values[r];
        if (typeof v === 'number') b.set(r, v);
        else if ((typeof v === 'string' && !missing.has(v.trim())) || typeof v === 'boolean') {
          typeErrors++;
          problem(lines[r], 1, 'type-mismatch', `"${col.name}" is numeric but this row holds ${JSON.stringify(v)}; read as missing`);
        } else b.set(r, null);
      }
      const column = { ...b.build(), typeErrors };
      out.push(numericOrEpoch(column, options.dateFormats));
    } else {
      const b = new CategoricalBuilder(col.name, rows, missing);
      for (let r = 0; r < rows; r++) {
        const v = col.values[r];
        b.set(r, v === null || v === undefined ? null : typeof v === 'string' ? v : String(v));
      }
      const built = b.build(options.numericTolerance, known);
      out.push(built.column);
      if (built.column.type === 'datetime') {
        const format = built.column.format;
        for (const r of built.oddRows) problem(lines[r], 1, 'type-mismatch', `"${col.name}" holds dates (format ${format}) but this row holds ${JSON.stringify(col.values[r])}; read as missing`);
      }
      if (built.mixed) problem(lines[0] ?? 1, 1, 'mixed-date-formats', mixedFormatsMessage(col.name, built.mixed));
    }
  }
  // Line problems were found before column problems: list them all in file order.
  problems.sort((a, b) => a.line - b.line);
  return { name, path, rows, columns: out, problems, problemCount, delimiter: '' };
}
