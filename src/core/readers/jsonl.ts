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
 *
 * Speed (bench/RESULTS.md, "Reading Parquet, Arrow and JSON Lines"): JSON.parse per line is most
 * of the cost; each value goes straight into its column's typed storage (RawColumn: numbers in a
 * Float64Array, strings as dictionary codes), sized once from the file's line count, and a row
 * whose keys repeat the previous row's finds its columns without a map lookup.
 */
import { FatalInputError, type Column, type DataTable, type Problem, type ProblemCode } from '../table';
import { isMostlyNumeric, OddValues } from '../columnKind';
import { knownPattern, mixedFormatsMessage, numericOrEpoch } from '../dates/inferDates';
import { buildStringColumn, CategoricalBuilder } from './columnBuilder';
import type { BinaryReadOptions } from './readOptions';

/** Rows that hold a JSON boolean, for messages (allocated when a column first holds one). */
const NO_BOOLS = new Uint8Array(0);

/**
 * One column as the lines are read: numbers in a Float64Array (NaN elsewhere: JSON has no NaN),
 * strings and booleans as dictionary codes in first-appearance order (-1 elsewhere), each array
 * allocated when the column first holds such a value, for every line the file may hold.
 */
class RawColumn {
  nums: Float64Array | undefined;
  codes: Int32Array | undefined;
  bools: Uint8Array = NO_BOOLS;
  /** Cells holding a number / a non-missing string or a boolean / an array. */
  numbers = 0;
  texts = 0;
  arrays = 0;
  /** Line of the first array, for the problem. */
  arrayLine = 0;
  readonly dictionary: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly name: string,
    private readonly capacity: number,
    private readonly missingTokens: ReadonlySet<string>,
  ) {}

  /** The code of a string (added when new), or -1 for a missing-value token. */
  private codeOf(s: string): number {
    let code = this.index.get(s);
    if (code !== undefined) return code;
    code = this.missingTokens.has(s.trim()) ? -1 : this.dictionary.push(s) - 1;
    this.index.set(s, code);
    return code;
  }

  private setCode(r: number, code: number): void {
    if (code < 0) return;
    (this.codes ??= new Int32Array(this.capacity).fill(-1))[r] = code;
    this.texts++;
  }

  set(r: number, v: unknown, line: number): void {
    switch (typeof v) {
      case 'number':
        (this.nums ??= new Float64Array(this.capacity).fill(Number.NaN))[r] = v;
        this.numbers++;
        return;
      case 'string':
        this.setCode(r, this.codeOf(v));
        return;
      case 'boolean':
        if (this.bools === NO_BOOLS) this.bools = new Uint8Array(this.capacity);
        this.bools[r] = 1;
        this.setCode(r, this.codeOf(v ? 'true' : 'false'));
        return;
      default:
        if (Array.isArray(v)) {
          this.arrays++;
          if (this.arrayLine === 0) this.arrayLine = line;
        }
    }
  }

  /** Row `r`'s value as the file wrote it (JSON), for messages. */
  written(r: number): string {
    const n = this.nums?.[r];
    if (n !== undefined && !Number.isNaN(n)) return JSON.stringify(n);
    const code = this.codes?.[r] ?? -1;
    if (code < 0) return 'null';
    return this.bools[r] ? this.dictionary[code] : JSON.stringify(this.dictionary[code]);
  }

  /**
   * The codes of a string column, numbers written as text: the dictionary in order of first
   * appearance, as if every cell had been a string (re-encoded only when the column holds numbers).
   */
  stringCodes(rows: number): { codes: Int32Array; dictionary: string[]; missing: number } {
    const codes = this.codes ? this.codes.subarray(0, rows) : new Int32Array(rows).fill(-1);
    if (this.numbers === 0 || !this.nums) return { codes, dictionary: this.dictionary, missing: rows - this.texts };
    const b = new CategoricalBuilder(this.name, rows, this.missingTokens);
    for (let r = 0; r < rows; r++) {
      const n = this.nums[r];
      if (!Number.isNaN(n)) b.set(r, String(n));
      else if (codes[r] >= 0) b.set(r, this.dictionary[codes[r]]);
      else b.missing++;
    }
    return { codes: b.codes, dictionary: b.dictionary, missing: b.missing };
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

/** Lines in `buf` from `pos` (newline bytes + 1): at least the rows the file may hold. */
function lineCount(buf: Buffer, pos: number): number {
  let n = 1;
  for (let at = buf.indexOf(0x0a, pos); at >= 0; at = buf.indexOf(0x0a, at + 1)) n++;
  return n;
}

/** JSON.parse's message for a bad line, as for the line without its CR (V8 quotes the text). */
function invalidJsonReason(e: unknown, line: string): string {
  if (line.endsWith('\r')) {
    try {
      JSON.parse(line.slice(0, -1));
    } catch (again) {
      e = again;
    }
  }
  return (e as Error).message.split('\n')[0];
}

function isBlank(line: string): boolean {
  const c = line.charCodeAt(0);
  // JSON whitespace; a line starting otherwise is not blank.
  return line.length === 0 || ((c === 32 || c === 9 || c === 13 || c === 10) && line.trim() === '');
}

function readLines(buf: Buffer, path: string, name: string, options: BinaryReadOptions, chunkBytes: number): DataTable {
  const problems: Problem[] = [];
  let problemCount = 0;
  const problem = (line: number, column: number, code: ProblemCode, message: string) => {
    problemCount++;
    if (problems.length < options.maxProblems) problems.push({ file: path, line, column, code, message });
  };
  const wanted = options.columns ? new Set(options.columns) : undefined;
  const missing = new Set(options.missingTokens.map((t) => t.trim()));
  // A UTF-8 byte order mark is skipped.
  let pos = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  const capacity = lineCount(buf, pos);
  const lines = new Int32Array(capacity);
  /** Columns by flattened key; null for a key left out (options.columns). */
  const columns = new Map<string, RawColumn | null>();
  const order: RawColumn[] = [];
  const columnOf = (key: string): RawColumn | null => {
    let col = columns.get(key);
    if (col === undefined) {
      col = wanted && !wanted.has(key) ? null : new RawColumn(key, capacity, missing);
      columns.set(key, col);
      if (col) order.push(col);
    }
    return col;
  };
  // The previous row's top-level keys and their columns, in order: rows usually repeat them, and
  // JSON.parse gives the same (internalized) key strings, so most keys need no map lookup.
  const lastKeys: string[] = [];
  const lastCols: (RawColumn | null)[] = [];
  let rows = 0;
  let lineNo = 0;
  const nested = (obj: Record<string, unknown>, prefix: string, row: number, line: number): void => {
    for (const k in obj) {
      const v = obj[k];
      const key = `${prefix}.${k}`;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) nested(v as Record<string, unknown>, key, row, line);
      else columnOf(key)?.set(row, v, line);
    }
  };
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
      // A trailing CR is JSON whitespace: JSON.parse ignores it.
      const line = text.slice(start, stop);
      start = stop + 1;
      if (isBlank(line)) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch (e) {
        problem(lineNo, 1, 'invalid-json', `not valid JSON (${invalidJsonReason(e, line)}); the line is skipped`);
        continue;
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problem(lineNo, 1, 'invalid-json', `expected one JSON object per line, found ${Array.isArray(parsed) ? 'an array' : parsed === null ? 'null' : `a ${typeof parsed}`}; the line is skipped`);
        continue;
      }
      const obj = parsed as Record<string, unknown>;
      let i = 0;
      for (const key in obj) {
        const v = obj[key];
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          nested(v as Record<string, unknown>, key, rows, lineNo);
          continue;
        }
        let col: RawColumn | null;
        if (i < lastKeys.length && lastKeys[i] === key) col = lastCols[i];
        else {
          col = columnOf(key);
          lastKeys[i] = key;
          lastCols[i] = col;
        }
        i++;
        col?.set(rows, v, lineNo);
      }
      lines[rows] = lineNo;
      rows++;
    }
  }
  if (rows === 0 && problemCount === 0) throw new FatalInputError(path, 'empty-file', 'the file holds no JSON objects');
  const out: Column[] = [];
  for (const col of order) {
    if (col.arrays > 0) {
      problem(col.arrayLine, 1, 'unsupported-column', `"${col.name}" holds arrays (nested values per row); the column is left out: Dataset Lab reads flat values and flattens objects only`);
      continue;
    }
    const known = knownPattern(options.dateFormats, col.name);
    const odd = new OddValues();
    for (let k = 0; k < col.dictionary.length && !odd.full; k++) odd.add(col.dictionary[k].trim());
    const numeric = known === undefined && isMostlyNumeric(col.numbers, col.texts, odd.distinct, options.numericTolerance);
    if (numeric) {
      // Strings and booleans in a numeric column are type errors: missing values, each reported.
      const values = col.nums ? col.nums.subarray(0, rows) : new Float64Array(rows).fill(Number.NaN);
      if (col.texts > 0 && col.codes) {
        for (let r = 0; r < rows; r++) if (col.codes[r] >= 0) problem(lines[r], 1, 'type-mismatch', `"${col.name}" is numeric but this row holds ${col.written(r)}; read as missing`);
      }
      const column = { name: col.name, type: 'numeric' as const, values, missing: rows - col.numbers - col.texts, typeErrors: col.texts };
      out.push(numericOrEpoch(column, options.dateFormats));
    } else {
      const s = col.stringCodes(rows);
      const built = buildStringColumn(col.name, s.codes, s.dictionary, s.missing, options.numericTolerance, known, options.inferDates !== false);
      out.push(built.column);
      if (built.column.type === 'datetime') {
        const format = built.column.format;
        for (const r of built.oddRows) problem(lines[r], 1, 'type-mismatch', `"${col.name}" holds dates (format ${format}) but this row holds ${col.written(r)}; read as missing`);
      }
      if (built.mixed) problem(rows > 0 ? lines[0] : 1, 1, 'mixed-date-formats', mixedFormatsMessage(col.name, built.mixed));
    }
  }
  // Line problems were found before column problems: list them all in file order.
  problems.sort((a, b) => a.line - b.line);
  return { name, path, rows, columns: out, problems, problemCount, delimiter: '' };
}
