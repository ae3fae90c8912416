/**
 * Line starts of a document's text, for turning LSP positions into offsets when edits arrive.
 * It replaces vscode-languageserver-textdocument for CSV files, whose line table is a JS array
 * built one character at a time (a third of a second for 100 MB, on the first edit) and shifted
 * entry by entry on every edit. Here the table is an Int32Array built with native searches for
 * line breaks, and an edit that keeps the number of lines shifts it in place.
 *
 * Line breaks are LF, CRLF and a lone CR, as in LSP: offset p > 0 starts a line when the
 * character before it is a LF, or a CR not followed by a LF at p. That depends on two
 * neighbouring characters only, so an edit changes line starts only next to the edited range.
 * Edits read the text through CharSource, so a burst of edits can keep it in pieces (PieceText).
 */
import type { CharSource } from './pieceText';

export class LineIndex {
  /** starts[i] = offset where line i begins, for i < count; starts[0] = 0. */
  private starts: Int32Array;
  private count: number;

  constructor(text: string) {
    let starts = new Int32Array(1024);
    let count = 1;
    const push = (p: number) => {
      if (count === starts.length) {
        const grown = new Int32Array(starts.length * 2);
        grown.set(starts);
        starts = grown;
      }
      starts[count++] = p;
    };
    if (text.indexOf('\r') < 0) {
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) push(i + 1);
    } else {
      for (let p = 1; p <= text.length; p++) if (isLineStart(text, p)) push(p);
    }
    this.starts = starts;
    this.count = count;
  }

  get lineCount(): number {
    return this.count;
  }

  /** The offset of a position, clamped as TextDocument.offsetAt does (not past the line's end, not into its line break). */
  offsetAt(text: CharSource, line: number, character: number): number {
    if (line >= this.count) return text.length;
    if (line < 0) return 0;
    const lineStart = this.starts[line];
    if (character <= 0) return lineStart;
    const next = line + 1 < this.count ? this.starts[line + 1] : text.length;
    let offset = Math.min(lineStart + character, next);
    while (offset > lineStart) {
      const c = text.charCodeAt(offset - 1);
      if (c !== 10 && c !== 13) break;
      offset--;
    }
    return offset;
  }

  /** After old text [start, end) was replaced by `inserted` characters; `text` is the new text. */
  update(text: CharSource, start: number, end: number, inserted: number): void {
    const delta = inserted - (end - start);
    // Old starts in [start, end] may change (their neighbourhood was edited), as may new ones
    // in [start, start + inserted]; those after shift by delta, those before stay.
    const first = this.firstAtLeast(start);
    const last = this.firstAtLeast(end + 1);
    const fresh: number[] = [];
    const top = Math.min(start + inserted, text.length);
    for (let p = Math.max(start, 1); p <= top; p++) if (isLineStart(text, p)) fresh.push(p);
    const removed = last - first;
    const added = fresh.length;
    const n = this.count - removed + added;
    let starts = this.starts;
    if (n > starts.length) {
      const grown = new Int32Array(Math.max(n, Math.ceil(starts.length * 1.25)));
      grown.set(starts.subarray(0, this.count));
      starts = grown;
    }
    if (added !== removed) starts.copyWithin(first + added, last, this.count);
    for (let i = 0; i < added; i++) starts[first + i] = fresh[i];
    if (delta !== 0) for (let i = first + added; i < n; i++) starts[i] += delta;
    this.starts = starts;
    this.count = n;
  }

  /** Index of the first entry at or after `offset`, never entry 0 (line 0 always starts at 0). */
  private firstAtLeast(offset: number): number {
    let lo = 1;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] >= offset) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

function isLineStart(text: CharSource, p: number): boolean {
  const c = text.charCodeAt(p - 1);
  return c === 10 || (c === 13 && text.charCodeAt(p) !== 10);
}
