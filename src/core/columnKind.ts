/**
 * What kind a column is: the one set of rules every reader (CSV ingest, JSON Lines, Parquet,
 * Arrow) and the language server apply, so a file gets the same kinds whichever process reads
 * it (docs/ingest.md, "Column kinds").
 *
 * Numeric or not: `isMostlyNumeric`, a column of numbers that may hold a few other cells (each
 * one is reported where it is). Strings: free text or categories (`stringKind`; identifiers are
 * categories whose values are mostly distinct, see `isIdentifierLike`).
 */

/** Default share of non-missing cells that may break a column's kind (`numericTolerance`). */
export const DEFAULT_KIND_TOLERANCE = 0.05;
/** A few odd cells are allowed whatever the share: at most this many distinct odd values ... */
export const FEW_ODD_MAX_DISTINCT = 2;
/** ... in at most this share of the non-missing cells (so one typo in a 10-row file is allowed). */
export const FEW_ODD_MAX_SHARE = 0.1;

/**
 * Whether `odd` cells (with `oddDistinct` distinct values among them) are few enough among
 * `nonMissing` cells for the column to keep its kind: at most `tolerance` of them (default 5%),
 * or at most FEW_ODD_MAX_DISTINCT distinct values in at most FEW_ODD_MAX_SHARE of them,
 * whichever allows more. Callers may stop counting distinct odd values past
 * FEW_ODD_MAX_DISTINCT + 1: only whether there are more than two matters.
 */
export function fewOddCells(odd: number, oddDistinct: number, nonMissing: number, tolerance: number): boolean {
  return odd <= tolerance * nonMissing || (oddDistinct <= FEW_ODD_MAX_DISTINCT && odd <= FEW_ODD_MAX_SHARE * nonMissing);
}

/**
 * The one rule that makes a column numeric, applied by the CSV ingest (on its prefix and on the
 * whole file), the JSON Lines reader and the language server: at least one number, and the
 * other non-missing cells (`odd`, `oddDistinct` distinct values) few by `fewOddCells`. The odd
 * cells become missing values and each is reported (a `type-mismatch` problem with its line and
 * column; a `type-mismatch` diagnostic in the editor). A 13-row `temp` column with one "warm"
 * is numeric with one problem.
 */
export function isMostlyNumeric(numbers: number, odd: number, oddDistinct: number, tolerance: number = DEFAULT_KIND_TOLERANCE): boolean {
  return numbers > 0 && fewOddCells(odd, oddDistinct, numbers + odd, tolerance);
}

/** Distinct strings, counted up to FEW_ODD_MAX_DISTINCT + 1 (all the rule needs). */
export class OddValues {
  private readonly seen: string[] = [];
  /** Whether more values would change nothing (the cap is reached). */
  get full(): boolean {
    return this.seen.length > FEW_ODD_MAX_DISTINCT;
  }
  get distinct(): number {
    return this.seen.length;
  }
  add(value: string): void {
    if (!this.full && !this.seen.includes(value)) this.seen.push(value);
  }
}

/** Free text averages at least this many words per non-missing cell. */
export const TEXT_MIN_MEAN_WORDS = 3;
/** ... and most of its cells are distinct: at least this share of them ... */
export const TEXT_MIN_DISTINCT_SHARE = 0.5;
/** ... or more distinct values than this (long files where some texts repeat). */
export const TEXT_MIN_DISTINCT_VALUES = 1000;

/** Identifiers: categorical columns with at least this many values, ... */
export const IDENTIFIER_MIN_VALUES = 20;
/** ... at least this share of them distinct. */
export const IDENTIFIER_MIN_DISTINCT_SHARE = 0.5;

/** Whitespace as String.prototype.trim and /\s/ know it. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    (c >= 0x80 &&
      (c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff))
  );
}

/** Letters of scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana, Han. */
function isUnspacedLetter(c: number): boolean {
  return (
    (c >= 0x0e00 && c <= 0x0eff) ||
    (c >= 0x1000 && c <= 0x109f) ||
    (c >= 0x1780 && c <= 0x17ff) ||
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0x3400 && c <= 0x4dbf) ||
    (c >= 0x4e00 && c <= 0x9fff) ||
    (c >= 0xf900 && c <= 0xfaff) ||
    // Han beyond the BMP (U+20000 and up) arrives as surrogate pairs: count the high half.
    (c >= 0xd840 && c <= 0xd87f)
  );
}

/**
 * Words in a cell, for telling prose from labels: pieces between whitespace, where a piece in a
 * script written without spaces (Chinese, Japanese, Thai...) counts one word per two of its
 * letters. "New York" is 2, "the cat sat on the mat" 6, "user@example.com" 1, "今天天气很好" 3.
 */
export function wordCount(text: string): number {
  let words = 0;
  let inPiece = false;
  let unspaced = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (inPiece) words += Math.max(1, Math.ceil(unspaced / 2));
      inPiece = false;
      unspaced = 0;
    } else {
      inPiece = true;
      if (c >= 0x0e00 && isUnspacedLetter(c)) unspaced++;
    }
  }
  if (inPiece) words += Math.max(1, Math.ceil(unspaced / 2));
  return words;
}

export type StringKind = 'text' | 'categorical';

/**
 * Free text or categories, from the distinct strings of a column and how many cells hold each
 * (`counts[k]` cells hold `values[k]`; entries with a count of 0 are ignored). Text when the
 * cells average at least TEXT_MIN_MEAN_WORDS words and the values are mostly distinct (at least
 * TEXT_MIN_DISTINCT_SHARE of the cells, or more than TEXT_MIN_DISTINCT_VALUES values): a
 * review, a message, a description. Anything else is categorical: labels and codes (few
 * distinct values, however long), and identifiers, names, e-mail addresses and URLs (distinct
 * but single words).
 */
export function stringKind(values: readonly string[], counts: ArrayLike<number>): StringKind {
  let cells = 0;
  let distinct = 0;
  let words = 0;
  for (let k = 0; k < values.length; k++) {
    const n = counts[k];
    if (!(n > 0)) continue;
    cells += n;
    distinct++;
  }
  if (cells === 0) return 'categorical';
  if (distinct < TEXT_MIN_DISTINCT_SHARE * cells && distinct <= TEXT_MIN_DISTINCT_VALUES) return 'categorical';
  for (let k = 0; k < values.length; k++) {
    const n = counts[k];
    if (n > 0) words += n * wordCount(values[k]);
  }
  return words >= TEXT_MIN_MEAN_WORDS * cells ? 'text' : 'categorical';
}

/** Cells per dictionary code (codes < 0 are missing and not counted). */
export function codeCounts(codes: Int32Array, size: number): Float64Array {
  const counts = new Float64Array(size);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c >= 0) counts[c]++;
  }
  return counts;
}

/**
 * An identifier-like categorical column: at least IDENTIFIER_MIN_VALUES non-missing values, at
 * least IDENTIFIER_MIN_DISTINCT_SHARE of them distinct (ids, names, codes). Its values say
 * nothing about a distribution: compare leaves it out of the drift verdicts and `init` out of
 * the features.
 */
export function isIdentifierLike(distinct: number, nonMissing: number): boolean {
  return nonMissing >= IDENTIFIER_MIN_VALUES && distinct >= IDENTIFIER_MIN_DISTINCT_SHARE * nonMissing;
}
