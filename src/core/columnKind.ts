/**
 * What kind a column is: the one set of rules every reader (CSV ingest, JSON Lines, Parquet,
 * Arrow) and the language server apply, so a file gets the same kinds whichever process reads
 * it (docs/ingest.md, "Column kinds").
 *
 * This file holds the decision for columns of strings: free text or categories (identifiers
 * are categories whose values are mostly distinct; see `isIdentifierLike`).
 */

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
