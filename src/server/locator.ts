/**
 * Where things are in the editor: model offsets and cells as LSP positions and ranges, for
 * diagnostics, hovers, CodeLens and the edits of quick fixes.
 */
import type { Position, Range } from 'vscode-languageserver';
import { FieldBuffer, parseRecord } from './csvScanner';
import type { CsvModel } from './csvModel';

/** Offset -> LSP position, counting line breaks from a known line start. */
export function positionFrom(text: string, anchor: number, anchorLine: number, target: number): Position {
  let line = anchorLine;
  let lineStart = anchor;
  for (let i = anchor; i < target; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: target - lineStart };
}

/** A record (or the header) re-parsed once for locating its cells. */
interface LocatedRecord {
  /** Offset of the record's first character, at the start of its line. */
  readonly anchor: number;
  readonly anchorLine: number;
  /** Offsets where the record's lines start: anchor, then after each line break up to `next`. */
  readonly lineStarts: readonly number[];
  /** Offset after the record's own line break. */
  readonly next: number;
  /** Field bounds (data records only). */
  readonly fields?: FieldBuffer;
  /** Offset where the record's content ends, before its line break (data records only). */
  readonly end: number;
}

/** Records (and their fields in all) a Locator keeps re-parsed; a check locates cells row by row, so few are reused. */
const LOCATED_RECORDS = 256;
const LOCATED_FIELDS = 1 << 20;

/**
 * Offsets -> LSP positions, and cells -> ranges. Each record it locates in is re-parsed once
 * and its line starts kept, so locating many cells of one record (every header cell of a file
 * with 100,000 columns, or many cells of a wide row) costs one pass over the record, not one
 * pass per cell.
 */
export class Locator {
  private readonly records = new Map<number, LocatedRecord>();
  private fieldsKept = 0;
  private header: LocatedRecord | undefined;

  constructor(private readonly model: CsvModel) {}

  /** Line start of the header (the BOM, when present, is a character of line 0). */
  private headerAnchor(): number {
    const t = this.model.text;
    let s = this.model.headerStart;
    while (s > 0 && t.charCodeAt(s - 1) !== 10 && t.charCodeAt(s - 1) !== 13) s--;
    return s;
  }

  private located(row: number): LocatedRecord {
    let rec = this.records.get(row);
    if (rec) return rec;
    const m = this.model;
    const anchor = m.store.start[row];
    const fields = new FieldBuffer();
    const out = { next: 0, end: 0, innerBreaks: 0, unterminatedAt: -1 };
    parseRecord(m.text, anchor, m.delim, fields, out);
    rec = { anchor, anchorLine: m.store.line[row], lineStarts: lineStartsIn(m.text, anchor, out.next), next: out.next, fields, end: out.end };
    if (this.records.size >= LOCATED_RECORDS || this.fieldsKept + fields.count > LOCATED_FIELDS) {
      this.records.clear();
      this.fieldsKept = 0;
    }
    this.records.set(row, rec);
    this.fieldsKept += fields.count;
    return rec;
  }

  private locatedHeader(): LocatedRecord {
    if (this.header) return this.header;
    const m = this.model;
    const anchor = this.headerAnchor();
    const next = Math.max(m.bodyStart, anchor);
    this.header = { anchor, anchorLine: m.headerLine, lineStarts: lineStartsIn(m.text, anchor, next), next, end: m.headerEnd };
    return this.header;
  }

  at(offset: number): Position {
    const m = this.model;
    const r = m.store.n > 0 && offset >= m.store.start[0] ? m.recordAt(offset) : -1;
    const rec = r < 0 ? this.locatedHeader() : this.located(r);
    const target = Math.max(offset, rec.anchor);
    // Past the record's line break (blank lines after it): count from the anchor.
    if (target > rec.next) return positionFrom(m.text, rec.anchor, rec.anchorLine, target);
    const starts = rec.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= target) lo = mid;
      else hi = mid - 1;
    }
    return { line: rec.anchorLine + lo, character: target - starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.at(start), end: this.at(end) };
  }

  headerCell(c: number): Range {
    const h = this.model.header[c];
    return this.range(h.start, h.end);
  }

  headerLine(): Range {
    return this.range(this.model.headerStart, this.model.headerEnd);
  }

  /** The cell of row `row`, field `c` (end of the record when the row is shorter). */
  cell(row: number, c: number): Range {
    const rec = this.located(row);
    const f = rec.fields!;
    if (c < f.count) return this.range(f.starts[c], f.ends[c]);
    return this.range(rec.end, rec.end);
  }

  row(row: number): Range {
    return this.range(this.model.store.start[row], this.located(row).end);
  }

  /** A record with its line break: deleting this range removes the row and its line. */
  wholeRow(row: number): Range {
    return this.range(this.model.store.start[row], this.located(row).next);
  }
}

/** `start`, then each offset in (start, end] that starts a line (after a LF, or a CR not followed by a LF). */
function lineStartsIn(text: string, start: number, end: number): number[] {
  const starts = [start];
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}
