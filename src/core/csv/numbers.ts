/**
 * Number syntax for CSV cells. A cell is a number when its trimmed text matches
 * `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?` and its value is finite; the value
 * is bit-identical to JavaScript's `Number(trimmed)`. Hex/octal/binary literals, "Infinity",
 * "inf", digit separators ("1,234.5", "1_000") and overflowing values ("1e999") are not numbers.
 *
 * The fast path reads bytes without allocating a string: when the decimal significand fits in
 * 2^53 and the power of ten is at most 22, `m * 10^e` (or `m / 10^-e`) is one correctly rounded
 * IEEE operation on exact operands (Clinger's fast path), hence equal to `Number()`. Everything
 * else falls back to `Number()` on the string.
 */

const POW10: Float64Array = (() => {
  const p = new Float64Array(23);
  p[0] = 1;
  for (let i = 1; i < 23; i++) p[i] = p[i - 1] * 10;
  return p;
})();

/** While the significand is below this, one more digit keeps it exact (below 2^53). */
const MANTISSA_LIMIT = 900719925474099; // floor((2^53 - 1) / 10)

const NUMBER_SYNTAX = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** True for bytes JavaScript's String.prototype.trim removes that are ASCII. */
export function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Parse `buf[start, end)` (already trimmed of ASCII whitespace). Returns the number, or NaN when
 * the cell is not a number (NaN is never a valid result since "NaN" is not number syntax, and
 * non-finite results count as not a number). Returns `undefined` when the string path must
 * decide (a non-ASCII byte where the grammar stopped).
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number | undefined {
  let i = start;
  if (i >= end) return NaN;
  let c = buf[i];
  let negative = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    negative = c === 45;
    i++;
    if (i >= end) return NaN;
    c = buf[i];
  }
  let mantissa = 0;
  let exponent = 0;
  let digits = 0;
  let exact = true;
  while (i < end) {
    c = buf[i];
    const d = c - 48;
    if (d < 0 || d > 9) break;
    if (mantissa < MANTISSA_LIMIT) mantissa = mantissa * 10 + d;
    else {
      exact = false;
    }
    digits++;
    i++;
  }
  if (i < end && buf[i] === 46 /* . */) {
    i++;
    while (i < end) {
      c = buf[i];
      const d = c - 48;
      if (d < 0 || d > 9) break;
      if (mantissa < MANTISSA_LIMIT) {
        mantissa = mantissa * 10 + d;
        exponent--;
      } else if (d !== 0) exact = false;
      digits++;
      i++;
    }
  }
  if (digits === 0) return i < end && buf[i] >= 128 ? undefined : NaN;
  if (i < end && (buf[i] === 101 || buf[i] === 69) /* e E */) {
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === 45 || buf[i] === 43)) {
      expNegative = buf[i] === 45;
      i++;
    }
    let e = 0;
    let expDigits = 0;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      if (e < 100000) e = e * 10 + d;
      expDigits++;
      i++;
    }
    if (expDigits === 0) return i < end && buf[i] >= 128 ? undefined : NaN;
    exponent += expNegative ? -e : e;
  }
  if (i !== end) return buf[i] >= 128 ? undefined : NaN;
  if (exact && mantissa === 0) return negative ? -0 : 0;
  if (exact && exponent >= -22 && exponent <= 22) {
    const v = exponent < 0 ? mantissa / POW10[-exponent] : mantissa * POW10[exponent];
    return negative ? -v : v;
  }
  // Too many significant digits or a large exponent: let the engine round it.
  let s = '';
  for (let k = start; k < end; k++) s += String.fromCharCode(buf[k]);
  const v = Number(s);
  return Number.isFinite(v) ? v : NaN;
}

/** The same rules on a string (used for non-ASCII cells and by parseCsvText callers). */
export function parseNumberString(text: string): number {
  const t = text.trim();
  if (!NUMBER_SYNTAX.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
