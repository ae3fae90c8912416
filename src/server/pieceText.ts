/**
 * A document's text while a burst of edits is being applied: the text before the burst plus the
 * replacements so far, kept as a list of pieces (slices of the old text and inserted strings).
 * Replacing a range of a JS string builds a new string, and the next character read copies all
 * of it (V8 flattens the concatenation): a megabyte per edit, 10,000 times in a burst. Here an
 * edit costs a few piece splits and shifts, characters are read without copying, and the whole
 * string is built once, when the burst is over.
 */

/** What line lookups read: a string, or a PieceText. */
export interface CharSource {
  readonly length: number;
  charCodeAt(index: number): number;
}

/** Pieces before the text is joined anyway: keeps each edit's shifting short. */
const MAX_PIECES = 1024;

export class PieceText implements CharSource {
  private pieces: string[];
  /** Offset of each piece in the text. */
  private starts: number[];
  length: number;

  constructor(text: string) {
    this.pieces = text.length > 0 ? [text] : [];
    this.starts = text.length > 0 ? [0] : [];
    this.length = text.length;
  }

  /** Index of the piece holding offset `i` (0 <= i < length). */
  private pieceAt(i: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The UTF-16 code unit at `i`; NaN outside the text, as String.prototype.charCodeAt. */
  charCodeAt(i: number): number {
    if (!(i >= 0 && i < this.length)) return NaN;
    const k = this.pieceAt(i);
    return this.pieces[k].charCodeAt(i - this.starts[k]);
  }

  /** Replaces [start, end) with `inserted`. */
  replace(start: number, end: number, inserted: string): void {
    const pieces = this.pieces;
    const starts = this.starts;
    // Pieces [a, b) are touched: the one holding `start` up to the one holding `end - 1`.
    const a = start < this.length ? this.pieceAt(start) : pieces.length;
    const b = end > start ? this.pieceAt(end - 1) + 1 : a;
    const fresh: string[] = [];
    if (a < pieces.length && starts[a] < start) fresh.push(pieces[a].slice(0, start - starts[a]));
    if (inserted.length > 0) fresh.push(inserted);
    const last = b - 1;
    if (last >= a && last < pieces.length) {
      const tail = end - starts[last];
      if (tail < pieces[last].length) fresh.push(pieces[last].slice(tail));
    } else if (b === a && a < pieces.length && starts[a] < start) {
      // An insertion inside piece a: its right part follows the inserted text.
      fresh.push(pieces[a].slice(start - starts[a]));
    }
    const removedTo = b === a && a < pieces.length && starts[a] < start ? a + 1 : b;
    const delta = inserted.length - (end - start);
    const from = a < pieces.length ? starts[a] : this.length;
    const freshStarts: number[] = [];
    let at = from;
    for (const p of fresh) {
      freshStarts.push(at);
      at += p.length;
    }
    pieces.splice(a, removedTo - a, ...fresh);
    starts.splice(a, removedTo - a, ...freshStarts);
    for (let k = a + fresh.length; k < starts.length; k++) starts[k] += delta;
    this.length += delta;
    if (pieces.length > MAX_PIECES) {
      const joined = pieces.join('');
      this.pieces = [joined];
      this.starts = [0];
    }
  }

  /** The whole text as one flat string. */
  toString(): string {
    return this.pieces.join('');
  }
}
