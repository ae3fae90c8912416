/**
 * One pass of CSV ingest over a byte stream: BOM, binary check, delimiter sniffing, header,
 * storage choice from a prefix, then every record straight into typed columns.
 *
 * Storage is chosen per column from the records in the first sample; the final type is decided
 * over the whole file in `finish()`. When the whole file disagrees with the prefix (a column
 * stored as numbers is mostly text, or a column stored as text is almost all numbers) `finish`
 * asks for another pass with the types fixed, so every column ends up exactly as a whole-file
 * inference would have made it, with the original strings for categorical values.
 */
import { codeCounts, isMostlyNumeric, OddValues, stringKind } from '../columnKind';
import { dateFormat, type DateFormat } from '../dates/dateFormat';
import { dictionaryDatetimeColumn, epochColumn, headerSaysEpoch, inferDateFormat, knownEpochUnit, knownFormatColumn, knownPattern, mixedFormatsMessage, type KnownDateFormats } from '../dates/inferDates';
import { FatalInputError, type Column, type DataTable, type NumericColumn, type Problem, type ProblemCode } from '../table';
import { ByteDictionary } from './byteDictionary';
import { isAsciiSpace, parseNumberBytes, parseNumberString } from './numbers';
import { sniffDelimiter } from './sniffDelimiter';
import { countLineBreaks, CsvTokenizer, FieldKind, lastLineStart, unescapeField, type RecordSink } from './tokenizer';

export interface PassOptions {
  readonly file: string;
  readonly name: string;
  readonly delimiter?: string;
  readonly missingTokens: readonly string[];
  readonly maxProblems: number;
  readonly numericTolerance: number;
  /** Size of the whole input, for the row estimate (0 when unknown). */
  readonly totalBytes: number;
  /** Bytes gathered before sniffing and choosing storage (at least 4). */
  readonly sampleBytes: number;
  /** What an earlier pass found out about the whole file. */
  readonly plan?: IngestPlan;
  /** Columns (by name) read as dates in a known format instead of an inferred one (IngestOptions.dateFormats). */
  readonly knownDateFormats?: KnownDateFormats;
}

/** What a pass learnt about the whole file, for the next pass. */
export interface IngestPlan {
  /** Per column: stored as numbers (else as strings); no longer decided from a prefix. */
  readonly numeric: readonly boolean[];
  /** Per column: the date format of a date column, so the pass reports the cells it cannot read where they are. */
  readonly dateFormats: readonly (string | undefined)[];
}

export interface PassResult {
  readonly table: DataTable;
  /** Set when this pass could not give the final table (storage chosen from the prefix was wrong, or date problems to locate): run again with this. */
  readonly rerunWith?: IngestPlan;
}

const CLASSIFY_ROWS = 5000;
const BINARY_CHECK_BYTES = 8192;
const MAX_QUOTED_TEXT = 60;
/** Cells (rows x columns) of room the columns start with at least. */
const MIN_ROOM_CELLS = 1 << 20;

const enum Mode {
  Header,
  Classify,
  Data,
}

const decoder = new TextDecoder('utf-8');

export class IngestPass implements RecordSink {
  /** Working buffer; valid bytes are [start, end). Readers append at `end`. */
  buf: Buffer;
  start = 0;
  end = 0;
  private eof = false;
  private mode = Mode.Header;
  private initialized = false;
  /** Bytes to gather before (again) sniffing and reading the header. */
  private initAfterBytes: number;
  private bomChecked = false;
  private tokenizer: CsvTokenizer | undefined;
  private delimiter = ',';

  private names: string[] = [];
  private ncols = 0;
  private rows = 0;
  private capacity = 0;
  private isNumeric: boolean[] = [];
  private values: Float64Array[] = [];
  private codes: Int32Array[] = [];
  private dicts: ByteDictionary[] = [];
  private missing: number[] = [];
  private typeErrors: number[] = [];
  /** Distinct type errors per column (trimmed), up to the few the numeric rule looks at. */
  private oddValues: OddValues[] = [];

  private readonly problems: Problem[] = [];
  private problemCount = 0;

  private readonly emptyIsMissing: boolean;
  private readonly tokensByLength: (Uint8Array[] | undefined)[] = [];
  private readonly tokenSet: Set<string>;
  /** Some missing token is itself number syntax (e.g. "-999"): test tokens before numbers. */
  private readonly numericTokens: boolean;
  private scratch = new Uint8Array(256);

  /** Records seen, so `locate` knows when its cursor belongs to an earlier record. */
  private recordSeq = 0;
  private readonly cursor = { record: -1, offset: 0, line: 0, column: 0 };

  /** Line and column of each header cell, for problems about a whole column. */
  private headerAt: { line: number; column: number }[] = [];
  /** Date columns known from the plan: their format, and per dictionary code 1 = a date, 2 = not. */
  private dateFormats: (DateFormat | undefined)[] = [];
  private dateExamples: string[] = [];
  private dateCodes: number[][] = [];
  /** Per column: its known date format (PassOptions.knownDateFormats), stored as strings and never inferred. */
  private knownPatterns: (string | undefined)[] = [];

  // Classify mode: per column, cells that were numbers / other text.
  private classNumbers: number[] = [];
  private classOther: number[] = [];
  private classOdd: OddValues[] = [];
  private classRows = 0;

  constructor(private readonly options: PassOptions, initialSize = 1 << 20) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.initAfterBytes = options.sampleBytes;
    const tokens = options.missingTokens.map((t) => t.trim());
    this.tokenSet = new Set(tokens);
    this.emptyIsMissing = this.tokenSet.has('');
    this.numericTokens = tokens.some((t) => t !== '' && !Number.isNaN(parseNumberString(t)));
    for (const t of this.tokenSet) {
      if (t === '') continue;
      const bytes = Buffer.from(t, 'utf8');
      (this.tokensByLength[bytes.length] ??= []).push(bytes);
    }
  }

  /** Make room for at least `n` more bytes at `end`. */
  reserve(n: number): void {
    if (this.buf.length - this.end >= n) return;
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.buf.length - this.end < n) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + n));
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
  }

  /** `n` bytes were written at `end`; `eof` when the input is exhausted. */
  commit(n: number, eof: boolean): void {
    this.end += n;
    this.eof = eof;
    this.process();
  }

  /** Use `data` as the whole input (no copy). */
  adopt(data: Buffer): void {
    this.buf = data;
    this.start = 0;
    this.end = data.length;
    this.eof = true;
    this.process();
  }

  private process(): void {
    if (!this.initialized) {
      if (this.end - this.start < this.initAfterBytes && !this.eof) return;
      if (!this.init()) return;
    }
    const view = this.buf.subarray(0, this.end);
    this.start = this.tokenizer!.scan(view, this.start, this.eof, this);
  }

  private fatal(code: ProblemCode, message: string): never {
    throw new FatalInputError(this.options.file, code, message);
  }

  private init(): boolean {
    const buf = this.buf;
    if (!this.bomChecked) {
      if (this.end - this.start < 3 && !this.eof) return false;
      const b0 = buf[this.start];
      const b1 = buf[this.start + 1];
      if (this.end - this.start >= 2 && ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))) {
        this.fatal('encoding', 'UTF-16 text is not supported; save the file as UTF-8');
      }
      if (this.end - this.start >= 3 && b0 === 0xef && b1 === 0xbb && buf[this.start + 2] === 0xbf) this.start += 3;
      this.bomChecked = true;
    }
    if (this.eof && this.end === this.start) this.fatal('empty-file', 'the file is empty');
    const checkEnd = Math.min(this.end, this.start + BINARY_CHECK_BYTES);
    const nul = buf.indexOf(0, this.start);
    if (nul !== -1 && nul < checkEnd) {
      this.fatal('binary-file', `binary data (NUL byte at offset ${nul}); expected CSV text`);
    }
    this.checkText(checkEnd);
    const view = buf.subarray(0, this.end);
    this.delimiter = this.options.delimiter ?? sniffDelimiter(view, this.start, this.eof).delimiter;
    const tokenizer = new CsvTokenizer(this.delimiter.charCodeAt(0));
    this.tokenizer = tokenizer;

    this.mode = Mode.Header;
    this.names = [];
    this.headerAt = [];
    const problemsBefore = this.problems.length;
    const countBefore = this.problemCount;
    const afterHeader = tokenizer.scan(view, this.start, this.eof, this);
    if (this.names.length === 0) {
      if (this.eof) this.fatal('no-header', 'no header row: the file holds no text');
      this.problems.length = problemsBefore;
      this.problemCount = countBefore;
      // The header record is not complete yet. Try again once the buffer has doubled, so a
      // header of many megabytes is sniffed and scanned a few times, not once per read.
      this.initAfterBytes = 2 * (this.end - this.start);
      return false;
    }
    this.setupColumns();

    const lineAfterHeader = tokenizer.line;
    let estimatedRows = 1024;
    if (this.options.plan === undefined) {
      this.mode = Mode.Classify;
      this.classNumbers = new Array<number>(this.ncols).fill(0);
      this.classOther = new Array<number>(this.ncols).fill(0);
      this.classOdd = Array.from({ length: this.ncols }, () => new OddValues());
      this.classRows = 0;
      const classifiedEnd = tokenizer.scan(view, afterHeader, this.eof, this);
      tokenizer.line = lineAfterHeader;
      const tol = this.options.numericTolerance;
      for (let j = 0; j < this.ncols; j++) {
        const n = this.classNumbers[j];
        const o = this.classOther[j];
        this.isNumeric[j] = this.knownPatterns[j] === undefined && (n + o === 0 || isMostlyNumeric(n, o, this.classOdd[j].distinct, tol));
      }
      if (this.classRows > 0 && this.options.totalBytes > 0) {
        const perRow = (classifiedEnd - afterHeader) / this.classRows;
        estimatedRows = Math.ceil(((this.options.totalBytes - afterHeader) / Math.max(perRow, 1)) * 1.1) + 64;
      } else if (this.options.totalBytes > 0) {
        // No whole row in the sample (a very wide file): cells take at least two bytes.
        estimatedRows = Math.ceil(this.options.totalBytes / Math.max(2 * this.ncols, 4));
      }
    } else {
      for (let j = 0; j < this.ncols; j++) this.isNumeric[j] = this.options.plan.numeric[j];
      if (this.options.totalBytes > 0) estimatedRows = Math.ceil(this.options.totalBytes / Math.max(2 * this.ncols, 4));
    }
    this.allocate(Math.max(this.minimumRows(), Math.min(estimatedRows, 1 << 30)));
    this.mode = Mode.Data;
    this.start = afterHeader;
    this.initialized = true;
    return true;
  }

  /** Binary data without NUL bytes (compressed or encrypted files): mostly control bytes or invalid UTF-8. */
  private checkText(checkEnd: number): void {
    const sample = this.buf.subarray(this.start, checkEnd);
    if (sample.length === 0) return;
    let control = 0;
    for (let i = 0; i < sample.length; i++) {
      const c = sample[i];
      if (c < 32 && c !== 9 && c !== 10 && c !== 12 && c !== 13) control++;
    }
    const text = decoder.decode(sample);
    let invalid = 0;
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) invalid++;
    const share = Math.max(control / sample.length, invalid / text.length);
    if (share > 0.1) {
      this.fatal('binary-file', `binary data (${Math.round(share * 100)}% of the first ${sample.length} bytes are not text); expected CSV text`);
    }
  }

  private setupColumns(): void {
    this.ncols = this.names.length;
    const plan = this.options.plan;
    if (plan !== undefined && plan.numeric.length !== this.ncols) throw new Error('the ingest plan does not match the header');
    const known = this.options.knownDateFormats;
    this.knownPatterns = this.names.map((n) => knownPattern(known, n));
    this.dateFormats = Array.from({ length: this.ncols }, (_, j) => {
      const f = this.knownPatterns[j] ?? plan?.dateFormats[j];
      return f !== undefined ? dateFormat(f) : undefined;
    });
    this.dateCodes = Array.from({ length: this.ncols }, () => []);
    this.dateExamples = new Array<string>(this.ncols).fill('');
    this.missing = new Array<number>(this.ncols).fill(0);
    this.typeErrors = new Array<number>(this.ncols).fill(0);
    this.oddValues = Array.from({ length: this.ncols }, () => new OddValues());
    this.isNumeric = new Array<boolean>(this.ncols).fill(true);
  }

  /**
   * Rows to make room for at least, and to grow by: 1024, or fewer when the columns are many,
   * so that a 100,000-column file does not start with 100 million empty cells.
   */
  private minimumRows(): number {
    return Math.max(16, Math.min(1024, Math.floor(MIN_ROOM_CELLS / Math.max(1, this.ncols))));
  }

  private allocate(capacity: number): void {
    this.capacity = capacity;
    this.values = [];
    this.codes = [];
    this.dicts = [];
    const none64 = new Float64Array(0);
    const none32 = new Int32Array(0);
    for (let j = 0; j < this.ncols; j++) {
      if (this.isNumeric[j]) {
        this.values[j] = new Float64Array(capacity);
        this.codes[j] = none32;
      } else {
        this.values[j] = none64;
        this.codes[j] = new Int32Array(capacity);
        // Only text columns encode values: numeric ones need no dictionary.
        this.dicts[j] = new ByteDictionary();
      }
    }
  }

  private growColumns(): void {
    const capacity = Math.ceil(this.capacity * 1.5) + this.minimumRows();
    for (let j = 0; j < this.ncols; j++) {
      if (this.isNumeric[j]) {
        const v = new Float64Array(capacity);
        v.set(this.values[j]);
        this.values[j] = v;
      } else {
        const c = new Int32Array(capacity);
        c.set(this.codes[j]);
        this.codes[j] = c;
      }
    }
    this.capacity = capacity;
  }

  // ---- problems -------------------------------------------------------------------------

  private addProblem(line: number, column: number, code: ProblemCode, message: string, field?: number): void {
    this.problemCount++;
    if (this.problems.length >= this.options.maxProblems) return;
    const p: Problem = field === undefined
      ? { file: this.options.file, line, column, code, message }
      : { file: this.options.file, line, column, code, message, field };
    this.problems.push(p);
  }

  /**
   * Line and 1-based character column of `cell` inside the record starting at `recordStart`.
   * Cells of one record are located left to right, so each search continues from the cell
   * located before it: a record's cells cost one pass over the record, not one pass each
   * (a 100,000-column header would otherwise be read 100,000 times).
   */
  private locate(buf: Uint8Array, recordStart: number, line: number, cell: number): { line: number; column: number } {
    const c = this.cursor;
    if (c.record !== this.recordSeq || c.offset > cell) {
      c.record = this.recordSeq;
      c.offset = recordStart;
      c.line = line;
      c.column = 0;
    }
    // Cursor offsets are cell starts, never inside a CRLF pair or a multi-byte character, so
    // the pieces decode to as many characters as the whole would.
    const breaks = countLineBreaks(buf, c.offset, cell);
    if (breaks > 0) {
      const lineStart = lastLineStart(buf, c.offset, cell);
      c.line += breaks;
      c.column = decoder.decode(buf.subarray(lineStart, cell)).length;
    } else if (cell > c.offset) {
      c.column += decoder.decode(buf.subarray(c.offset, cell)).length;
    }
    c.offset = cell;
    return { line: c.line, column: c.column + 1 };
  }

  private cellOffset(t: CsvTokenizer, j: number): number {
    return t.fieldKind[j] === FieldKind.Quoted ? t.fieldStart[j] - 1 : t.fieldStart[j];
  }

  unterminated(t: CsvTokenizer, buf: Uint8Array, cellOffset: number, recordStart: number): void {
    if (this.mode === Mode.Classify) return;
    this.recordSeq++;
    const at = this.locate(buf, recordStart, t.line, cellOffset);
    this.addProblem(at.line, at.column, 'unterminated-quote', 'quote is never closed; the row is skipped and reading resumes on the next line');
  }

  // ---- records --------------------------------------------------------------------------

  record(t: CsvTokenizer, buf: Uint8Array): void {
    this.recordSeq++;
    const nf = t.fieldCount;
    if (nf === 1 && t.fieldKind[0] === FieldKind.Plain && t.fieldEnd[0] === t.fieldStart[0]) return; // blank line
    if (this.mode !== Mode.Data) {
      if (this.mode === Mode.Header) this.header(t, buf);
      else this.classify(t, buf);
      return;
    }
    if (nf !== this.ncols) {
      this.addProblem(t.line, 1, 'ragged-row', `expected ${this.ncols} fields, found ${nf}; the row is skipped`);
      return;
    }
    const row = this.rows;
    if (row === this.capacity) this.growColumns();
    const starts = t.fieldStart;
    const ends = t.fieldEnd;
    const kinds = t.fieldKind;
    for (let j = 0; j < nf; j++) {
      let b: Uint8Array = buf;
      let s = starts[j];
      let e = ends[j];
      if (kinds[j] === FieldKind.Escaped) {
        if (this.scratch.length < e - s) this.scratch = new Uint8Array(Math.max(e - s, this.scratch.length * 2));
        b = this.scratch;
        e = unescapeField(buf, s, e, b);
        s = 0;
      }
      // Trim ASCII whitespace for the missing-token and number tests.
      let ts = s;
      let te = e;
      while (ts < te && isAsciiSpace(b[ts])) ts++;
      while (te > ts && isAsciiSpace(b[te - 1])) te--;
      const len = te - ts;
      // Non-ASCII at either end may be whitespace String.prototype.trim removes: decide on the string.
      const slow = len > 0 && (b[ts] >= 128 || b[te - 1] >= 128);
      if (this.isNumeric[j]) {
        const values = this.values[j];
        let v: number | undefined;
        if (len === 0) {
          v = NaN;
          if (this.emptyIsMissing) {
            values[row] = NaN;
            this.missing[j]++;
            continue;
          }
        } else if (slow) {
          const text = decoder.decode(b.subarray(s, e)).trim();
          if (this.tokenSet.has(text)) {
            values[row] = NaN;
            this.missing[j]++;
            continue;
          }
          v = parseNumberString(text);
        } else {
          // Numbers first: unless a missing token looks like a number (say "-999"), a cell that
          // parses cannot be missing, so the token test runs only on the cells that fail.
          if (this.numericTokens && len < this.tokensByLength.length && this.matchesToken(b, ts, len)) {
            values[row] = NaN;
            this.missing[j]++;
            continue;
          }
          v = parseNumberBytes(b, ts, te);
          if (v === undefined) {
            const text = decoder.decode(b.subarray(s, e)).trim();
            v = this.tokenSet.has(text) ? undefined : parseNumberString(text);
            if (v === undefined) {
              values[row] = NaN;
              this.missing[j]++;
              continue;
            }
          } else if (v !== v && len < this.tokensByLength.length && this.matchesToken(b, ts, len)) {
            values[row] = NaN;
            this.missing[j]++;
            continue;
          }
        }
        values[row] = v;
        if (v !== v) this.typeError(t, buf, j, b, s, e);
      } else {
        const codes = this.codes[j];
        const isMissing =
          len === 0
            ? this.emptyIsMissing
            : slow
              ? this.tokenSet.has(decoder.decode(b.subarray(s, e)).trim())
              : len < this.tokensByLength.length && this.matchesToken(b, ts, len);
        if (isMissing) {
          codes[row] = -1;
          this.missing[j]++;
          continue;
        }
        const dict = this.dicts[j];
        const size = dict.size;
        const code = dict.code(b, s, e);
        codes[row] = code;
        if (code === size && dict.invalidUtf8[code]) {
          const at = this.locate(buf, t.recordStart, t.line, this.cellOffset(t, j));
          this.addProblem(at.line, at.column, 'encoding', `invalid UTF-8 in column "${this.names[j]}" (shown as \uFFFD)`, j);
        }
        if (this.dateFormats[j] !== undefined) this.checkDate(t, buf, j, code);
      }
    }
    this.rows = row + 1;
  }

  /** A cell of a date column (known from the plan): reports it where it is when the format cannot read it. */
  private checkDate(t: CsvTokenizer, buf: Uint8Array, j: number, code: number): void {
    const known = this.dateCodes[j];
    let state = known[code];
    if (state === undefined) {
      const value = this.dicts[j].values[code];
      const date = (this.dateFormats[j] as DateFormat).parse(value.trim()) !== undefined;
      state = known[code] = date ? 1 : 2;
      if (date && this.dateExamples[j] === '') this.dateExamples[j] = value.trim();
    }
    if (state === 1) return;
    if (this.problems.length >= this.options.maxProblems) {
      this.problemCount++;
      return;
    }
    const at = this.locate(buf, t.recordStart, t.line, this.cellOffset(t, j));
    let text = this.dicts[j].values[code];
    if (text.length > MAX_QUOTED_TEXT) text = `${text.slice(0, MAX_QUOTED_TEXT)}...`;
    const f = (this.dateFormats[j] as DateFormat).pattern;
    const like = this.dateExamples[j] !== '' ? `like "${this.dateExamples[j]}" ` : '';
    this.addProblem(at.line, at.column, 'type-mismatch', `expected a date ${like}(format ${f}) in column "${this.names[j]}", found "${text}"`, j);
  }

  private matchesToken(b: Uint8Array, ts: number, len: number): boolean {
    const tokens = this.tokensByLength[len];
    if (tokens === undefined) return false;
    for (let k = 0; k < tokens.length; k++) {
      const tok = tokens[k];
      let i = 0;
      while (i < len && tok[i] === b[ts + i]) i++;
      if (i === len) return true;
    }
    return false;
  }

  private typeError(t: CsvTokenizer, buf: Uint8Array, j: number, b: Uint8Array, s: number, e: number): void {
    this.typeErrors[j]++;
    if (!this.oddValues[j].full) this.oddValues[j].add(decoder.decode(b.subarray(s, e)).trim());
    if (this.problems.length >= this.options.maxProblems) {
      this.problemCount++;
      return;
    }
    const at = this.locate(buf, t.recordStart, t.line, this.cellOffset(t, j));
    let text = decoder.decode(b.subarray(s, e));
    if (text.length > MAX_QUOTED_TEXT) text = `${text.slice(0, MAX_QUOTED_TEXT)}...`;
    this.addProblem(at.line, at.column, 'type-mismatch', `expected a number in column "${this.names[j]}", found "${text}"`, j);
  }

  private header(t: CsvTokenizer, buf: Uint8Array): void {
    const raw: string[] = [];
    for (let j = 0; j < t.fieldCount; j++) {
      let s = t.fieldStart[j];
      let e = t.fieldEnd[j];
      let b: Uint8Array = buf;
      if (t.fieldKind[j] === FieldKind.Escaped) {
        b = new Uint8Array(e - s);
        e = unescapeField(buf, s, e, b);
        s = 0;
      }
      raw.push(decoder.decode(b.subarray(s, e)).trim());
    }
    const used = new Set(raw.filter((n) => n !== ''));
    const seen = new Set<string>();
    const names: string[] = [];
    // Names only join `used`, so the first free suffix for a name never moves back: each search
    // starts where the last one for that name stopped (linear in the header, however many
    // names repeat). Empty names search from their own column number, or from the last found.
    const nextSuffix = new Map<string, number>();
    let nextEmpty = 0;
    for (let j = 0; j < raw.length; j++) {
      const at = this.locate(buf, t.recordStart, t.line, this.cellOffset(t, j));
      this.headerAt.push(at);
      let name = raw[j];
      if (name === '') {
        let k = Math.max(j + 1, nextEmpty);
        while (used.has(`column_${k}`)) k++;
        nextEmpty = k;
        name = `column_${k}`;
        this.addProblem(at.line, at.column, 'empty-header', `column ${j + 1} has no name; it is called "${name}"`, j);
      } else if (seen.has(name)) {
        let k = nextSuffix.get(name) ?? 2;
        while (used.has(`${raw[j]}_${k}`)) k++;
        nextSuffix.set(name, k);
        name = `${raw[j]}_${k}`;
        this.addProblem(at.line, at.column, 'duplicate-header', `column name "${raw[j]}" appears more than once; column ${j + 1} is called "${name}"`, j);
      }
      used.add(name);
      seen.add(name);
      names.push(name);
    }
    this.names = names;
    t.stop = true;
  }

  private classify(t: CsvTokenizer, buf: Uint8Array): void {
    if (t.fieldCount !== this.ncols) return;
    for (let j = 0; j < this.ncols; j++) {
      let b: Uint8Array = buf;
      let s = t.fieldStart[j];
      let e = t.fieldEnd[j];
      if (t.fieldKind[j] === FieldKind.Escaped) {
        b = new Uint8Array(e - s);
        e = unescapeField(buf, s, e, b);
        s = 0;
      }
      const text = decoder.decode(b.subarray(s, e)).trim();
      if (this.tokenSet.has(text)) continue;
      if (!Number.isNaN(parseNumberString(text))) this.classNumbers[j]++;
      else {
        this.classOther[j]++;
        this.classOdd[j].add(text);
      }
    }
    if (++this.classRows >= CLASSIFY_ROWS) t.stop = true;
  }

  // ---- result ---------------------------------------------------------------------------

  finish(): PassResult {
    if (!this.initialized) {
      // Input ended before the sample filled: process what there is.
      this.eof = true;
      this.process();
    }
    const rows = this.rows;
    const tol = this.options.numericTolerance;
    const plan = this.options.plan;
    const numericStorage: boolean[] = [];
    const dateFormats: (string | undefined)[] = [];
    const columns: Column[] = [];
    const columnProblems: Problem[] = [];
    let rerun = false;
    for (let j = 0; j < this.ncols; j++) {
      const name = this.names[j];
      const nonMissing = rows - this.missing[j];
      dateFormats.push(undefined);
      if (this.isNumeric[j]) {
        const errors = this.typeErrors[j];
        const numeric = plan !== undefined || nonMissing === 0 || isMostlyNumeric(nonMissing - errors, errors, this.oddValues[j].distinct, tol);
        if (!numeric) rerun = true;
        numericStorage.push(numeric);
        if (nonMissing === 0) {
          // Only missing values: nothing says it is numeric; an empty categorical column.
          columns.push({ name, type: 'categorical', codes: new Int32Array(rows).fill(-1), dictionary: [], missing: rows, typeErrors: 0 });
        } else {
          const values = fit(this.values[j], rows);
          const column: NumericColumn = { name, type: 'numeric', values, missing: this.missing[j], typeErrors: errors };
          const unit = knownEpochUnit(this.options.knownDateFormats, name);
          columns.push(unit !== undefined ? (epochColumn(column, unit) as Column) : headerSaysEpoch(name) ? (epochColumn(column) ?? column) : column);
        }
        continue;
      }
      const codes = fit(this.codes[j], rows);
      const dict = this.dicts[j].values;
      const known = this.knownPatterns[j];
      if (known !== undefined) {
        // A known format: no inference; the cells it cannot read were reported where they are (checkDate).
        numericStorage.push(false);
        dateFormats[j] = known;
        columns.push(knownFormatColumn(name, codes, dict, known, this.missing[j]));
        continue;
      }
      const counts = codeCounts(codes, dict.length);
      if (plan === undefined && nonMissing > 0) {
        let numbers = 0;
        const odd = new OddValues();
        for (let c = 0; c < dict.length; c++) {
          if (counts[c] === 0) continue;
          if (!Number.isNaN(parseNumberString(dict[c]))) numbers += counts[c];
          else odd.add(dict[c].trim());
        }
        if (isMostlyNumeric(numbers, nonMissing - numbers, odd.distinct, tol)) {
          rerun = true;
          numericStorage.push(true);
          columns.push({ name, type: 'categorical', codes, dictionary: dict, missing: this.missing[j], typeErrors: 0 });
          continue;
        }
      }
      numericStorage.push(false);
      const dates = inferDateFormat(dict, counts, tol);
      if (dates.kind === 'datetime') {
        dateFormats[j] = dates.format;
        const odd = nonMissing - dates.cells;
        // Unreadable cells are reported where they are by a pass that knows the format.
        if (odd > 0 && this.dateFormats[j]?.pattern !== dates.format) rerun = true;
        columns.push(dictionaryDatetimeColumn(name, codes, dict, dates.format, this.missing[j], odd));
        continue;
      }
      if (dates.kind === 'mixed') {
        const at = this.headerAt[j] ?? { line: 1, column: 1 };
        columnProblems.push({ file: this.options.file, line: at.line, column: at.column, code: 'mixed-date-formats', message: mixedFormatsMessage(name, dates.formats), field: j });
      }
      const type = stringKind(dict, counts);
      columns.push({ name, type, codes, dictionary: dict, missing: this.missing[j], typeErrors: 0 });
    }
    for (const p of columnProblems) this.addProblem(p.line, p.column, p.code, p.message, p.field);
    if (columnProblems.length > 0) sortProblems(this.problems);
    const table: DataTable = {
      name: this.options.name,
      path: this.options.file,
      rows,
      columns,
      problems: this.problems,
      problemCount: this.problemCount,
      delimiter: this.delimiter,
    };
    return rerun ? { table, rerunWith: { numeric: numericStorage, dateFormats } } : { table };
  }
}

/** Problems in file order (column problems are found at the end but sit on the header). */
function sortProblems(problems: Problem[]): void {
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The first `rows` entries; copies only when the spare capacity is large. */
function fit<T extends Float64Array | Int32Array>(a: T, rows: number): T {
  if (a.length === rows) return a;
  return (a.length - rows > (rows >> 3) + 4096 ? a.slice(0, rows) : a.subarray(0, rows)) as T;
}
