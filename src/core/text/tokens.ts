/**
 * Words of free text as profile and compare count them: the text lower-cased, then every
 * maximal run of letters and digits (Unicode categories L and N) is a token. Punctuation,
 * spaces, symbols and underscores separate tokens; combining marks do too (text is not
 * normalised). This is Python's `re.findall(r"[^\W_]+", text.lower())`, which the reference
 * tests use as the peer. Scripts written without spaces (Chinese, Japanese, Thai) give one
 * token per run of letters.
 */
const TOKEN = /[\p{L}\p{N}]+/gu;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN) ?? [];
}

/** Length in characters as Python's len() counts them (Unicode code points; a surrogate pair is one). */
export function characterLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** Whether the text holds a character outside ASCII. */
export function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Token statistics of a column's distinct texts, each weighted by how many cells hold it. */
export interface TokenCounts {
  /** Occurrences of each token over every non-missing cell, in order of first appearance. */
  readonly counts: Map<string, number>;
  /** Tokens over every non-missing cell. */
  readonly total: number;
  /** Tokens of each distinct text (same order as the values). */
  readonly perValue: Int32Array;
}

export function countTokens(values: readonly string[], cells: ArrayLike<number>): TokenCounts {
  const counts = new Map<string, number>();
  const perValue = new Int32Array(values.length);
  let total = 0;
  for (let k = 0; k < values.length; k++) {
    const n = cells[k];
    if (!(n > 0)) continue;
    const tokens = tokenize(values[k]);
    perValue[k] = tokens.length;
    total += n * tokens.length;
    for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + n);
  }
  return { counts, total, perValue };
}

/** The `k` most frequent tokens, by count descending, ties in code-unit order of the token. */
export function topTokens(counts: ReadonlyMap<string, number>, k: number): [string, number][] {
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, k);
}
