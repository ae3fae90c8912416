/**
 * A byte-level CSV tokenizer (RFC 4180 plus the usual leniencies). It finds record and field
 * boundaries in a buffer and hands complete records to a sink; it never allocates per field.
 *
 * Records may straddle buffers: `scan` returns the offset where the first incomplete record
 * begins, and the caller re-presents those bytes followed by more data. Quoted fields may hold
 * delimiters, CR/LF line breaks and doubled quotes. Line breaks are LF, CRLF or a lone CR.
 * A quote that is never closed is reported to the sink; scanning resumes after the first line
 * break that follows the opening quote, so one stray quote does not swallow the whole file.
 */

export const QUOTE = 34;
const LF = 10;
const CR = 13;

/** How a field's bytes relate to its value. */
export const enum FieldKind {
  /** Value is `[start, end)` as is. */
  Plain = 0,
  /** Value is `[start, end)`: the bytes between the quotes, no doubled quotes inside. */
  Quoted = 1,
  /** `[start, end)` is the raw cell from its opening quote: doubled quotes and/or text after the
   * closing quote; see `unescapeField`. */
  Escaped = 2,
}

export interface RecordSink {
  /** A complete record is in `t` (fieldCount, fieldStart, fieldEnd, fieldKind, line). */
  record(t: CsvTokenizer, buf: Uint8Array): void;
  /** A quote opened at `cellOffset` in the record starting at `recordStart` (line `t.line`) is never closed. */
  unterminated(t: CsvTokenizer, buf: Uint8Array, cellOffset: number, recordStart: number): void;
}

export class CsvTokenizer {
  fieldStart = new Int32Array(64);
  fieldEnd = new Int32Array(64);
  fieldKind = new Uint8Array(64);
  fieldCount = 0;
  /** 1-based physical line where the current (or next) record starts. */
  line = 1;
  /** Buffer offset of the current record's first byte. */
  recordStart = 0;
  /** Set by a sink to make `scan` return after the current record. */
  stop = false;

  constructor(
    public delimiter: number,
    /** A quoted field longer than this, still open, is treated as unterminated. */
    readonly maxRecordBytes = 64 * 1024 * 1024,
  ) {}

  private grow(): void {
    const n = this.fieldStart.length * 2;
    const s = new Int32Array(n);
    s.set(this.fieldStart);
    this.fieldStart = s;
    const e = new Int32Array(n);
    e.set(this.fieldEnd);
    this.fieldEnd = e;
    const k = new Uint8Array(n);
    k.set(this.fieldKind);
    this.fieldKind = k;
  }

  /**
   * Tokenize `buf[pos, buf.length)`. `eof` says no more bytes follow. Returns the offset of the
   * first byte not consumed (the start of an incomplete record, or buf.length).
   */
  scan(buf: Uint8Array, pos: number, eof: boolean, sink: RecordSink): number {
    const end = buf.length;
    const delim = this.delimiter;
    this.stop = false;
    records: while (pos < end) {
      const recordStart = pos;
      this.recordStart = recordStart;
      let nf = 0;
      let breaks = 0;
      for (;;) {
        if (nf === this.fieldStart.length) this.grow();
        if (pos >= end) {
          // Only reachable after a delimiter: an empty last field.
          if (!eof) return recordStart;
          this.fieldStart[nf] = pos;
          this.fieldEnd[nf] = pos;
          this.fieldKind[nf] = FieldKind.Plain;
          nf++;
          break;
        }
        let c = buf[pos];
        if (c === QUOTE) {
          const cell = pos;
          let kind = FieldKind.Quoted;
          let q = pos + 1;
          for (;;) {
            q = buf.indexOf(QUOTE, q);
            if (q === -1) {
              if (!eof && end - recordStart < this.maxRecordBytes) return recordStart;
              const line = this.line + breaks;
              sink.unterminated(this, buf, cell, recordStart);
              // Resume after the first line break following the opening quote.
              let b = cell + 1;
              while (b < end && buf[b] !== LF && buf[b] !== CR) b++;
              if (b >= end) {
                this.line = line + 1;
                return end;
              }
              if (buf[b] === CR && b + 1 < end && buf[b + 1] === LF) b++;
              pos = b + 1;
              this.line = line + 1;
              continue records;
            }
            if (q + 1 < end) {
              if (buf[q + 1] === QUOTE) {
                kind = FieldKind.Escaped;
                q += 2;
                continue;
              }
            } else if (!eof) {
              return recordStart;
            }
            break;
          }
          breaks += countLineBreaks(buf, cell + 1, q);
          pos = q + 1;
          if (pos < end) {
            c = buf[pos];
            if (c !== delim && c !== LF && c !== CR) {
              // Text after the closing quote ("ab"cd): keep it, as most readers do.
              kind = FieldKind.Escaped;
              while (pos < end) {
                c = buf[pos];
                if (c === delim || c === LF || c === CR) break;
                pos++;
              }
              if (pos >= end && !eof) return recordStart;
            }
          } else if (!eof) {
            return recordStart;
          }
          if (kind === FieldKind.Quoted) {
            this.fieldStart[nf] = cell + 1;
            this.fieldEnd[nf] = q;
          } else {
            this.fieldStart[nf] = cell;
            this.fieldEnd[nf] = pos;
          }
          this.fieldKind[nf] = kind;
          nf++;
        } else {
          const start = pos;
          while (pos < end) {
            c = buf[pos];
            if (c === delim || c === LF || c === CR) break;
            pos++;
          }
          if (pos >= end && !eof) return recordStart;
          this.fieldStart[nf] = start;
          this.fieldEnd[nf] = pos;
          this.fieldKind[nf] = FieldKind.Plain;
          nf++;
        }
        if (pos >= end) break; // end of file ends the record
        c = buf[pos];
        if (c === delim) {
          pos++;
          continue;
        }
        if (c === LF) {
          pos++;
        } else if (pos + 1 < end) {
          pos += buf[pos + 1] === LF ? 2 : 1;
        } else if (eof) {
          pos++;
        } else {
          return recordStart;
        }
        break;
      }
      this.fieldCount = nf;
      sink.record(this, buf);
      this.line += 1 + breaks;
      if (this.stop) return pos;
    }
    return pos;
  }
}

/** Line breaks (LF, CRLF, lone CR) in `buf[start, end)`. */
export function countLineBreaks(buf: Uint8Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === LF) n++;
    else if (c === CR && (i + 1 >= end || buf[i + 1] !== LF)) n++;
  }
  return n;
}

/** Offset just after the last line break in `buf[start, end)`, or `start` when there is none. */
export function lastLineStart(buf: Uint8Array, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) {
    const c = buf[i];
    if (c === LF || c === CR) return i + 1;
  }
  return start;
}

/**
 * Write the value of an Escaped field (raw bytes from its opening quote) into `out` from 0;
 * returns the value's length. `out` must hold at least `end - start` bytes.
 */
export function unescapeField(buf: Uint8Array, start: number, end: number, out: Uint8Array): number {
  let n = 0;
  let i = start + 1;
  while (i < end) {
    const c = buf[i];
    if (c === QUOTE) {
      if (i + 1 < end && buf[i + 1] === QUOTE) {
        out[n++] = QUOTE;
        i += 2;
        continue;
      }
      i++;
      break;
    }
    out[n++] = c;
    i++;
  }
  while (i < end) out[n++] = buf[i++];
  return n;
}
