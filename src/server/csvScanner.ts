/**
 * The language server's CSV record scanner. It follows the ingest's rules (RFC 4180 quotes with
 * "" escapes, delimiters , ; tab |, CRLF / LF / CR line breaks, a leading BOM, missing tokens
 * compared after trimming spaces, numbers in plain decimal or exponent notation) but keeps what
 * an editor needs and the ingest drops: the text offset of every record, so any cell can be
 * located again and any run of records can be re-scanned after an edit.
 */
import { parseNumberString } from '../core/csv/numbers';
import { sniffDelimiter as sniffBytes } from '../core/csv/sniffDelimiter';

/** How a cell was classified. */
export const enum CellKind {
  /** The row is shorter than the header: the cell does not exist. */
  Absent = 0,
  Number = 1,
  Missing = 2,
  Text = 3,
}

/** Field bounds of the last record parsed; buffers are reused between records. */
export class FieldBuffer {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  /** 0 = unquoted, 1 = quoted, 2 = quote opened and never closed. */
  quoted = new Uint8Array(64);
  /**
   * Filled by the model's one-pass scan only: 1 when the field was read as a number while it
   * was split (the value is in `numbers`), 0 when it still has to be classified.
   */
  parsed = new Uint8Array(64);
  numbers = new Float64Array(64);
  count = 0;

  /** Appends a field; `value` is its number when `parsed` is 1. */
  push(start: number, end: number, quoted: number, parsed = 0, value = 0): void {
    if (this.count === this.starts.length) this.grow();
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.quoted[this.count] = quoted;
    this.parsed[this.count] = parsed;
    this.numbers[this.count] = value;
    this.count++;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    const e = new Int32Array(n);
    e.set(this.ends);
    const q = new Uint8Array(n);
    q.set(this.quoted);
    const k = new Uint8Array(n);
    k.set(this.parsed);
    const v = new Float64Array(n);
    v.set(this.numbers);
    this.starts = s;
    this.ends = e;
    this.quoted = q;
    this.parsed = k;
    this.numbers = v;
  }
}

/** What `parseRecord` found besides the fields. */
export interface RecordResult {
  /** Offset after the record's line break: where the next record (or blank line) starts. */
  next: number;
  /** Offset where the record's content ends (before its line break). */
  end: number;
  /** Line breaks inside quoted fields of the record. */
  innerBreaks: number;
  /** Offset of a quote that was opened and never closed, or -1. */
  unterminatedAt: number;
}

export const QUOTE = 34;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const LF = 10;
const CR = 13;

/**
 * Parses the record that starts at `pos` into `buf`. An opening quote that never closes before
 * the end of the text is reported and the field is cut at the end of its own line, so one
 * stray quote does not swallow the rest of the file. With `numbers`, unquoted fields that are
 * plain short decimals are also read as numbers on the way (`buf.parsed`, `buf.numbers`).
 */
export function parseRecord(text: string, pos: number, delim: number, buf: FieldBuffer, out: RecordResult, numbers = false): void {
  const len = text.length;
  let p = pos;
  let breaks = 0;
  let unterminatedAt = -1;
  buf.count = 0;
  for (;;) {
    const fieldStart = p;
    if (p < len && text.charCodeAt(p) === QUOTE) {
      let q = p + 1;
      let closed = -1;
      let inner = 0;
      while (q < len) {
        const d = text.charCodeAt(q);
        if (d === QUOTE) {
          if (text.charCodeAt(q + 1) === QUOTE) {
            q += 2;
            continue;
          }
          closed = q;
          break;
        }
        if (d === LF || (d === CR && text.charCodeAt(q + 1) !== LF)) inner++;
        q++;
      }
      if (closed < 0) {
        unterminatedAt = p;
        let e = p + 1;
        while (e < len) {
          const c = text.charCodeAt(e);
          if (c === LF || c === CR) break;
          e++;
        }
        buf.push(fieldStart, e, 2);
        p = e;
        break;
      }
      breaks += inner;
      p = closed + 1;
      // Characters between a closing quote and the next delimiter stay part of the field.
      while (p < len) {
        const c = text.charCodeAt(p);
        if (c === delim || c === LF || c === CR) break;
        p++;
      }
      buf.push(fieldStart, p, 1);
    } else {
      let parsed = 0;
      let value = 0;
      if (numbers) {
        // Read a plain decimal while splitting: `[+-]digits[.digits]` of at most 15 digits
        // that ends the field is exact (see parseNumber) and needs no second look. Anything
        // else stops here and is scanned on and classified later. charCodeAt past the end is
        // NaN, which fails every comparison below.
        let c = text.charCodeAt(p);
        let neg = false;
        if (c === 45 || c === 43) {
          neg = c === 45;
          c = text.charCodeAt(++p);
        }
        let mant = 0;
        let digits = 0;
        while (c >= 48 && c <= 57) {
          mant = mant * 10 + (c - 48);
          digits++;
          c = text.charCodeAt(++p);
        }
        let frac = 0;
        if (c === 46) {
          c = text.charCodeAt(++p);
          while (c >= 48 && c <= 57) {
            mant = mant * 10 + (c - 48);
            frac++;
            c = text.charCodeAt(++p);
          }
        }
        digits += frac;
        if (digits > 0 && digits <= 15 && (c === delim || c === LF || c === CR || p >= len)) {
          const v = frac === 0 ? mant : mant / POW10[frac];
          value = neg ? -v : v;
          parsed = 1;
        }
      }
      if (parsed === 0) {
        while (p < len) {
          const c = text.charCodeAt(p);
          if (c === delim || c === LF || c === CR) break;
          p++;
        }
      }
      buf.push(fieldStart, p, 0, parsed, value);
    }
    if (p < len && text.charCodeAt(p) === delim) {
      p++;
      continue;
    }
    break;
  }
  out.end = p;
  if (text.charCodeAt(p) === CR) p++;
  if (text.charCodeAt(p) === LF && (p === out.end || text.charCodeAt(p - 1) === CR)) p++;
  out.next = p;
  out.innerBreaks = breaks;
  out.unterminatedAt = unterminatedAt;
}

/**
 * A copy of `s` that does not keep its parent alive. V8 makes a slice of 13 or more characters
 * a view into the string it was cut from: a category name cut from a 100 MB document would keep
 * that text (every version of it, once edited) in memory for as long as the name lives. Values
 * kept beyond one check (dictionary entries, header names) go through here.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** The value of a field: quotes removed and "" unescaped. */
export function fieldValue(text: string, start: number, end: number, quoted: number): string {
  if (quoted === 0) return text.slice(start, end);
  if (quoted === 2) return text.slice(start + 1, end);
  const close = text.lastIndexOf('"', end - 1);
  const inner = text.slice(start + 1, close > start ? close : end);
  const tail = close > start ? text.slice(close + 1, end) : '';
  return (inner.indexOf('""') >= 0 ? inner.replace(/""/g, '"') : inner) + tail;
}

/**
 * Parses `[+-]digits[.digits][e[+-]digits]` (or `.digits`) in text[s, e) (already trimmed);
 * NaN when the range is anything else or not finite (the ingest's number rule, src/core/csv/numbers.ts). Short plain decimals are computed exactly from the
 * digits (a mantissa below 2^53 divided by an exact power of ten rounds correctly); the rest
 * go through Number().
 */
export function parseNumber(text: string, s: number, e: number): number {
  if (s >= e) return NaN;
  let i = s;
  let c = text.charCodeAt(i);
  let neg = false;
  if (c === 43 || c === 45) {
    neg = c === 45;
    i++;
    if (i >= e) return NaN;
  }
  let mant = 0;
  let digits = 0;
  let frac = 0;
  let intDigits = 0;
  while (i < e) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    mant = mant * 10 + (c - 48);
    digits++;
    intDigits++;
    i++;
  }
  if (i < e && text.charCodeAt(i) === 46) {
    i++;
    while (i < e) {
      c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      mant = mant * 10 + (c - 48);
      digits++;
      frac++;
      i++;
    }
  }
  if (intDigits + frac === 0) return NaN;
  if (i === e) {
    if (digits <= 15) {
      const v = frac === 0 ? mant : mant / POW10[frac];
      return neg ? -v : v;
    }
    return parseNumberString(text.slice(s, e));
  }
  c = text.charCodeAt(i);
  if (c !== 101 && c !== 69) return NaN;
  i++;
  if (i < e) {
    c = text.charCodeAt(i);
    if (c === 43 || c === 45) i++;
  }
  const expStart = i;
  while (i < e) {
    c = text.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
    i++;
  }
  if (i === expStart) return NaN;
  return parseNumberString(text.slice(s, e));
}

/**
 * The ingest's delimiter sniffer (src/core/csv/sniffDelimiter.ts) on the first 64 KiB, so the
 * server splits a file exactly as the CLI and the extension's comparisons do.
 */
export function sniffDelimiter(text: string): string {
  let n = Math.min(text.length, 65536);
  if (n < text.length && !/[\r\n]/.test(text.slice(0, n))) {
    // A header longer than the sample (a very wide file): the sniffer needs at least one whole
    // record, and the ingest reads the whole header before it sniffs.
    const lf = text.indexOf('\n', n);
    const cr = text.indexOf('\r', n);
    const lineEnd = lf < 0 ? cr : cr < 0 ? lf : Math.min(lf, cr);
    // One character past the break: after a CR the tokenizer must see whether a LF follows.
    n = lineEnd < 0 ? text.length : Math.min(text.length, lineEnd + 2);
  }
  const sample = n < text.length ? text.slice(0, n) : text;
  return sniffBytes(new TextEncoder().encode(sample), 0, sample.length === text.length).delimiter;
}

/**
 * Spellings people use for a missing value. A text cell that equals one of these (ignoring
 * case) but is not among the configured missing tokens is reported as `missing-spelling`.
 */
export const MISSING_SPELLINGS: ReadonlySet<string> = new Set([
  'na', 'n/a', 'n.a.', 'nan', 'null', 'none', 'nil', 'missing', '-', '--', '?', '.', '#n/a', 'undefined', 'unknown', 'empty', '(blank)', 'blank', '#null!', 'not available',
]);

/** Missing-token matcher over a text range, without slicing. */
export class MissingTokens {
  readonly tokens: readonly string[];
  private readonly byLength: (string[] | undefined)[] = [];
  private readonly set: Set<string>;
  /** Some token reads as a number (e.g. "-999"): then tokens are tested before the number rule. */
  readonly numericToken: boolean;

  constructor(tokens: readonly string[]) {
    this.tokens = tokens.map((t) => t.trim());
    this.set = new Set(this.tokens);
    for (const t of this.tokens) {
      const list = this.byLength[t.length] ?? [];
      list.push(t);
      this.byLength[t.length] = list;
    }
    this.numericToken = this.tokens.some((t) => parseNumber(t, 0, t.length) === parseNumber(t, 0, t.length));
  }

  has(value: string): boolean {
    return this.set.has(value.trim());
  }

  /** text[s, e) is already trimmed. */
  matches(text: string, s: number, e: number): boolean {
    const len = e - s;
    const list = len < this.byLength.length ? this.byLength[len] : undefined;
    if (list === undefined) return false;
    outer: for (const t of list) {
      for (let i = 0; i < t.length; i++) if (text.charCodeAt(s + i) !== t.charCodeAt(i)) continue outer;
      return true;
    }
    return false;
  }
}
