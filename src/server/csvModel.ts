/**
 * The server's model of one open CSV document: the header, one entry per record (offset, line,
 * field count) and columnar cells (kind, number, dictionary code). A full scan builds it
 * in time-sliced steps; an edit re-scans only the records it touched and splices them in.
 */
import { isAsciiSpace } from '../core/csv/numbers';
import { DuplicateRows, MAX_INCREMENTAL_ROWS } from './duplicates';
import { CellKind, FieldBuffer, MissingTokens, detach, fieldValue, parseNumber, parseRecord, type RecordResult } from './csvScanner';
import { ColumnMeta, FLAG_MULTILINE, FLAG_PADDED, FLAG_UNTERMINATED, RecordStore } from './recordStore';

export interface HeaderCell {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface ModelOptions {
  readonly delimiter: string;
  readonly missingTokens: readonly string[];
}

const endBuffer = new FieldBuffer();
/** FNV-1a offset basis: the row hash starts here and mixes in each cell. */
const HASH_SEED = 0x811c9dc5 | 0;
const F64 = new Float64Array(1);
const I32 = new Int32Array(F64.buffer);

export class CsvModel {
  text = '';
  delim = 44;
  missing: MissingTokens;
  header: HeaderCell[] = [];
  headerStart = 0;
  headerEnd = 0;
  headerLine = 0;
  /** Offset where the first data record may start (after the header's line break). */
  bodyStart = 0;
  cols: ColumnMeta[] = [];
  store = new RecordStore(0, 16);
  /** Records (and header) whose quote never closed; edits after one of them re-scan all. */
  unterminated = 0;
  /** Where the full scan continues; -1 when done. */
  private scanPos = -1;
  private scanLine = 0;
  private readonly buf = new FieldBuffer();
  private readonly rec: RecordResult = { next: 0, end: 0, innerBreaks: 0, unterminatedAt: -1 };

  /**
   * Numbers are read while records are split, unless a missing token reads as a number (tokens
   * must then be tested first) or the delimiter could be part of a number.
   */
  private readonly numbersInScan: boolean;

  constructor(options: ModelOptions) {
    this.delim = options.delimiter.charCodeAt(0);
    this.missing = new MissingTokens(options.missingTokens);
    const d = this.delim;
    this.numbersInScan = !this.missing.numericToken && !(d >= 48 && d <= 57) && d !== 43 && d !== 45 && d !== 46;
  }

  get rows(): number {
    return this.store.n;
  }

  get scanning(): boolean {
    return this.scanPos >= 0;
  }

  /** Share of the text the full scan has read (1 when done). */
  get scanFraction(): number {
    return this.scanPos < 0 || this.text.length === 0 ? 1 : this.scanPos / this.text.length;
  }

  /** Starts a full scan of `text`; call `step` until it returns true. */
  begin(text: string): void {
    this.text = text;
    let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    let line = 0;
    // Blank lines before the header are skipped, as blank lines everywhere.
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 13) {
        pos += text.charCodeAt(pos + 1) === 10 ? 2 : 1;
        line++;
      } else if (c === 10) {
        pos++;
        line++;
      } else break;
    }
    this.header = [];
    this.unterminated = 0;
    if (pos >= text.length) {
      this.cols = [];
      this.store = new RecordStore(0, 16);
      this.scanPos = -1;
      this.headerStart = this.headerEnd = this.bodyStart = pos;
      this.headerLine = line;
      return;
    }
    parseRecord(text, pos, this.delim, this.buf, this.rec);
    this.headerStart = pos;
    this.headerEnd = this.rec.end;
    this.headerLine = line;
    for (let f = 0; f < this.buf.count; f++) {
      const s = this.buf.starts[f];
      const e = this.buf.ends[f];
      this.header.push({ name: detach(fieldValue(text, s, e, this.buf.quoted[f]).trim()), start: s, end: e });
    }
    if (this.rec.unterminatedAt >= 0) this.unterminated++;
    this.headerUnterminatedAt = this.rec.unterminatedAt;
    this.cols = this.header.map((h) => new ColumnMeta(h.name));
    this.bodyStart = this.rec.next;
    this.store = new RecordStore(this.cols.length, estimateLines(text, this.bodyStart));
    this.scanPos = this.bodyStart;
    this.scanLine = line + this.rec.innerBreaks + 1;
  }

  headerUnterminatedAt = -1;

  /** Scans records until `deadline` (performance.now() ms); true when the scan is complete. */
  step(deadline: number): boolean {
    if (this.scanPos < 0) return true;
    const text = this.text;
    const len = text.length;
    const store = this.store;
    let pos = this.scanPos;
    let line = this.scanLine;
    let count = 0;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === 13) {
        pos += text.charCodeAt(pos + 1) === 10 ? 2 : 1;
        line++;
        continue;
      }
      if (c === 10) {
        pos++;
        line++;
        continue;
      }
      store.ensure(store.n + 1);
      const next = this.ingestRecord(store, store.n, pos, line, true);
      store.n++;
      line += this.rec.innerBreaks + (this.rec.next > this.rec.end ? 1 : 0);
      pos = next;
      if (++count === 2048) {
        count = 0;
        if (performance.now() > deadline) {
          this.scanPos = pos;
          this.scanLine = line;
          return false;
        }
      }
    }
    this.scanPos = -1;
    return true;
  }

  /** Parses the record at `pos` into row `row` of `store`; returns the offset of what follows. */
  private ingestRecord(store: RecordStore, row: number, pos: number, line: number, count: boolean): number {
    const text = this.text;
    const buf = this.buf;
    const rec = this.rec;
    parseRecord(text, pos, this.delim, buf, rec, this.numbersInScan);
    store.start[row] = pos;
    store.line[row] = line;
    store.fields[row] = buf.count;
    let flags = 0;
    if (rec.unterminatedAt >= 0) {
      flags |= FLAG_UNTERMINATED;
      if (count) this.unterminated++;
    }
    if (rec.innerBreaks > 0) flags |= FLAG_MULTILINE;
    store.flags[row] = flags;
    const ncols = this.cols.length;
    // As in the ingest, a ragged row or a row with a broken quote is skipped: its cells are absent.
    const nf = buf.count === ncols && rec.unterminatedAt < 0 ? ncols : 0;
    const numericFirst = !this.missing.numericToken;
    const starts = buf.starts;
    const ends = buf.ends;
    const quoted = buf.quoted;
    const parsed = buf.parsed;
    let h = HASH_SEED;
    for (let c = 0; c < nf; c++) {
      let kind: CellKind;
      let v: number;
      let str = text;
      let s = starts[c];
      let e = ends[c];
      if (parsed[c] === 1) {
        // Read as a number while the record was split.
        kind = CellKind.Number;
        v = buf.numbers[c];
      } else {
        const q = quoted[c];
        if (q !== 0) {
          str = fieldValue(text, s, e, q);
          s = 0;
          e = str.length;
        }
        // Trim ASCII whitespace for the missing-token and number tests, as the ingest does.
        const width = e - s;
        while (s < e && isAsciiSpace(str.charCodeAt(s))) s++;
        while (e > s && isAsciiSpace(str.charCodeAt(e - 1))) e--;
        // The dictionary keeps the trimmed text; the ingest keeps a category as written.
        if (e - s !== width) store.flags[row] |= FLAG_PADDED;
        // Numbers first unless a missing token itself reads as a number: most cells are numbers.
        v = numericFirst ? parseNumber(str, s, e) : NaN;
        if (v !== v) {
          if (this.missing.matches(str, s, e)) kind = CellKind.Missing;
          else {
            if (!numericFirst) v = parseNumber(str, s, e);
            kind = v === v ? CellKind.Number : CellKind.Text;
          }
        } else kind = CellKind.Number;
      }
      store.kinds[c][row] = kind;
      if (count) this.cols[c].counts[kind]++;
      h = Math.imul(h ^ kind, 16777619);
      if (kind === CellKind.Number) {
        (store.values[c] ?? store.valuesOf(c))[row] = v;
        F64[0] = v;
        h = Math.imul(Math.imul(h ^ I32[0], 16777619) ^ I32[1], 16777619);
      } else if (kind === CellKind.Text) {
        const code = this.cols[c].intern(str, s, e);
        (store.codes[c] ?? store.codesOf(c))[row] = code;
        h = Math.imul(h ^ code, 16777619);
      }
    }
    for (let c = nf; c < ncols; c++) {
      store.kinds[c][row] = CellKind.Absent;
      if (count) this.cols[c].counts[CellKind.Absent]++;
    }
    store.hash[row] = h;
    return rec.next;
  }

  /** Index of the last record starting at or before `offset` (-1 when none). */
  recordAt(offset: number): number {
    const st = this.store.start;
    let lo = 0;
    let hi = this.store.n - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (st[mid] <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /**
   * Applies an edit that replaced old text [start, oldEnd) with new text ending at `newEnd`,
   * re-scanning only the records it touched. Returns the number of records re-scanned, or -1
   * when the edit needs a full scan (it touches the header, or moves a quote while a quote is
   * open somewhere).
   */
  applyEdit(newText: string, start: number, oldEnd: number, newEnd: number, maxRecords = 20000): number {
    if (this.scanning || this.cols.length === 0) return -1;
    const store = this.store;
    if (store.n === 0 || start < store.start[0]) return -1;
    const delta = newEnd - oldEnd;
    const i = this.recordAt(start);
    // A quote that never closes was judged against all the text after it, this edit included:
    // if one opens before the edit, the edit may close it, and only a full scan can tell.
    if (this.unterminated > 0) {
      if (this.headerUnterminatedAt >= 0) return -1;
      for (let r = 0; r <= i; r++) if (store.flags[r] & FLAG_UNTERMINATED) return -1;
    }
    // Old records from k on are candidates to resynchronise with: they start after the edit.
    let k = i + 1;
    while (k < store.n && store.start[k] < oldEnd) k++;
    const oldText = this.text;
    this.text = newText;
    const batch = new RecordStore(this.cols.length, 16);
    let pos = store.start[i];
    let line = store.line[i];
    const len = newText.length;
    // The record may now start right after a CR that the edit joined to a LF: one break, not two.
    if (pos > 0 && newText.charCodeAt(pos - 1) === 13 && newText.charCodeAt(pos) === 10) pos++;
    let resync = store.n;
    let lineDelta = 0;
    let first = true;
    while (pos < len) {
      const c = newText.charCodeAt(pos);
      if (c === 13) {
        pos += newText.charCodeAt(pos + 1) === 10 ? 2 : 1;
        line++;
        continue;
      }
      if (c === 10) {
        pos++;
        line++;
        continue;
      }
      if (!first && pos >= newEnd) {
        while (k < store.n && store.start[k] + delta < pos) k++;
        if (k < store.n && store.start[k] + delta === pos) {
          resync = k;
          lineDelta = line - store.line[k];
          break;
        }
      }
      first = false;
      if (batch.n >= maxRecords) {
        this.text = oldText;
        return -1;
      }
      batch.ensure(batch.n + 1);
      const next = this.ingestRecord(batch, batch.n, pos, line, false);
      batch.n++;
      line += this.rec.innerBreaks + (this.rec.next > this.rec.end ? 1 : 0);
      pos = next;
    }
    this.splice(i, resync, batch, delta, lineDelta);
    return batch.n;
  }

  /** The duplicate-row index, brought up to date with the edits since it was last asked for. */
  duplicateRows(): DuplicateRows {
    if (this.dups && this.dirtyRows.length > 0 && !this.dups.update(this.dirtyRows, this.dirtyHashes)) this.dups = undefined;
    this.dirtyRows = [];
    this.dirtyHashes = [];
    if (!this.dups) this.dups = new DuplicateRows(this);
    return this.dups;
  }

  private dups: DuplicateRows | undefined;
  /** Rows re-scanned in place since the duplicate index last saw them, with their hashes then. */
  private dirtyRows: number[] = [];
  private dirtyHashes: number[] = [];

  /** Before rows [from, from + count) are replaced: what the duplicate index must know. */
  private noteDuplicateChanges(from: number, count: number, inPlace: boolean): void {
    if (!this.dups) return;
    if (!inPlace || this.dirtyRows.length + count > MAX_INCREMENTAL_ROWS) {
      this.dups = undefined;
      this.dirtyRows = [];
      this.dirtyHashes = [];
      return;
    }
    for (let r = from; r < from + count; r++) {
      // A row edited twice keeps the hash the index knows it by: the first one.
      if (this.dirtyRows.includes(r)) continue;
      this.dirtyRows.push(r);
      this.dirtyHashes.push(this.store.hash[r]);
    }
  }

  /** Replaces records [from, to) of the main store with `batch`, shifting the rest. */
  private splice(from: number, to: number, batch: RecordStore, delta: number, lineDelta: number): void {
    const store = this.store;
    const m = batch.n;
    const removed = to - from;
    const sameShape = m === removed;
    this.noteDuplicateChanges(from, m, sameShape);
    for (let c = 0; c < this.cols.length; c++) {
      const meta = this.cols[c];
      const kinds = store.kinds[c];
      let changed = !sameShape;
      for (let r = from; r < to; r++) meta.counts[kinds[r]]--;
      for (let r = 0; r < m; r++) meta.counts[batch.kinds[c][r]]++;
      if (!changed) {
        const bv = batch.values[c];
        const bc = batch.codes[c];
        const sv = store.values[c];
        const sc = store.codes[c];
        for (let r = 0; r < m && !changed; r++) {
          const kind = batch.kinds[c][r];
          if (kind !== kinds[from + r]) changed = true;
          else if (kind === CellKind.Number && !Object.is(bv![r], sv![from + r])) changed = true;
          else if (kind === CellKind.Text && bc![r] !== sc![from + r]) changed = true;
        }
      }
      if (changed) meta.version++;
    }
    for (let r = from; r < to; r++) if (store.flags[r] & FLAG_UNTERMINATED) this.unterminated--;
    for (let r = 0; r < m; r++) if (batch.flags[r] & FLAG_UNTERMINATED) this.unterminated++;
    const newN = store.n - removed + m;
    store.ensure(newN);
    const move = <T extends Int32Array | Uint8Array | Float64Array>(a: T, b: T | null) => {
      if (m !== removed) a.copyWithin(from + m, to, store.n);
      if (b) a.set(b.subarray(0, m) as never, from);
    };
    move(store.start, batch.start);
    move(store.line, batch.line);
    move(store.fields, batch.fields);
    move(store.flags, batch.flags);
    move(store.hash, batch.hash);
    for (let c = 0; c < this.cols.length; c++) {
      move(store.kinds[c], batch.kinds[c]);
      if (batch.values[c] || store.values[c]) move(store.valuesOf(c), batch.values[c]);
      if (batch.codes[c] || store.codes[c]) move(store.codesOf(c), batch.codes[c]);
    }
    if (delta !== 0 || lineDelta !== 0) {
      for (let r = from + m; r < newN; r++) {
        store.start[r] += delta;
        store.line[r] += lineDelta;
      }
    }
    store.n = newN;
  }

  /** Field bounds of a record, re-parsed from the text. */
  fieldsOf(row: number): FieldBuffer {
    const buf = new FieldBuffer();
    parseRecord(this.text, this.store.start[row], this.delim, buf, { next: 0, end: 0, innerBreaks: 0, unterminatedAt: -1 });
    return buf;
  }

  /** Hash of a row's parsed values (kind, then number bits or dictionary code, per column), kept since the scan. */
  rowHash(row: number): number {
    return this.store.hash[row];
  }

  /** Offset where a record's content ends (before its line break), re-parsed from the text. */
  recordEnd(row: number): number {
    return this.reparse(row).end;
  }

  /** Offset after a record's line break: where the text that follows it starts. */
  recordNext(row: number): number {
    return this.reparse(row).next;
  }

  private reparse(row: number): RecordResult {
    const out = { next: 0, end: 0, innerBreaks: 0, unterminatedAt: -1 };
    parseRecord(this.text, this.store.start[row], this.delim, endBuffer, out);
    return out;
  }

  /** Whether two complete rows hold the same values in every column. */
  sameValues(a: number, b: number): boolean {
    const store = this.store;
    for (let c = 0; c < this.cols.length; c++) {
      const k = store.kinds[c][a];
      if (k !== store.kinds[c][b]) return false;
      if (k === CellKind.Number && store.values[c]![a] !== store.values[c]![b]) return false;
      if (k === CellKind.Text && store.codes[c]![a] !== store.codes[c]![b]) return false;
    }
    return true;
  }

  /** The raw text of a record (without its line break). */
  recordText(row: number): string {
    return this.text.slice(this.store.start[row], this.recordEnd(row));
  }

  /** A cell's value as text: numbers as written is not kept, so they print as JS numbers. */
  cellString(c: number, row: number): string | undefined {
    const kind = this.store.kinds[c][row];
    if (kind === CellKind.Number) return String(this.store.values[c]![row]);
    if (kind === CellKind.Text) return this.cols[c].strings[this.store.codes[c]![row]];
    return undefined;
  }
}

/** An upper bound on the number of records after `from`: line breaks + 1. */
function estimateLines(text: string, from: number): number {
  let n = 1;
  let i = text.indexOf('\n', from);
  while (i >= 0) {
    n++;
    i = text.indexOf('\n', i + 1);
  }
  if (n === 1 && text.indexOf('\r', from) >= 0) {
    let j = text.indexOf('\r', from);
    while (j >= 0) {
      n++;
      j = text.indexOf('\r', j + 1);
    }
  }
  return n;
}
