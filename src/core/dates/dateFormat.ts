/**
 * Date formats as strftime / Python `strptime` / pandas `to_datetime(format=...)` write them,
 * and a parser for one format. The directives are those pandas and Python read:
 *
 *   %Y four-digit year     %y two-digit year (69-99 -> 19xx, 00-68 -> 20xx, as Python)
 *   %m month 1-12          %d day of month       (one or two digits)
 *   %b Jan..Dec            %B January..December  (any letter case)
 *   %H hour 0-23           %I hour 1-12 with %p AM/PM
 *   %M minute              %S second 0-59        %f fraction of a second, 1 to 9 digits
 *   %z zone: Z (upper case), +hh:mm or +hhmm
 *
 * Other characters match themselves, ignoring letter case (Python compiles the format that
 * way); a space matches one or more whitespace characters. The whole (trimmed) text must match,
 * and the date must exist (no February 30). Digits of %f beyond the microsecond are kept as a
 * fraction of a millisecond, as far as a double holds them.
 */

export interface ParsedDate {
  /** Milliseconds since 1970-01-01T00:00:00Z; for a text without zone, its wall time read as UTC. */
  readonly ms: number;
  /** The zone's offset in minutes when the text had one. */
  readonly offset?: number;
}

type Directive = 'Y' | 'y' | 'm' | 'd' | 'b' | 'B' | 'H' | 'I' | 'M' | 'S' | 'f' | 'p' | 'z';
type Piece = { readonly kind: 'directive'; readonly directive: Directive } | { readonly kind: 'space' } | { readonly kind: 'literal'; readonly code: number };

const DIRECTIVES = new Set<string>(['Y', 'y', 'm', 'd', 'b', 'B', 'H', 'I', 'M', 'S', 'f', 'p', 'z']);

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0;
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** A compiled format: `parse` reads one trimmed cell, or returns undefined when it does not match. */
export class DateFormat {
  private readonly pieces: readonly Piece[];
  /** Whether the format has a time of day (%H or %I). */
  readonly hasTime: boolean;
  readonly hasZone: boolean;

  constructor(readonly pattern: string) {
    const pieces: Piece[] = [];
    for (let i = 0; i < pattern.length; i++) {
      const ch = pattern[i];
      if (ch === '%' && i + 1 < pattern.length && DIRECTIVES.has(pattern[i + 1])) {
        pieces.push({ kind: 'directive', directive: pattern[++i] as Directive });
      } else if (ch === ' ') {
        if (pieces[pieces.length - 1]?.kind !== 'space') pieces.push({ kind: 'space' });
      } else pieces.push({ kind: 'literal', code: lower(pattern.charCodeAt(i)) });
    }
    this.pieces = pieces;
    const has = (d: Directive) => pieces.some((p) => p.kind === 'directive' && p.directive === d);
    this.hasTime = has('H') || has('I');
    this.hasZone = has('z');
  }

  parse(text: string): ParsedDate | undefined {
    let at = 0;
    const n = text.length;
    let year = NaN;
    let month = 1;
    let day = 1;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let fraction = 0;
    let pm: boolean | undefined;
    let twelve = false;
    let offset: number | undefined;
    /** Reads 1..max digits (at least min); NaN when there are none. */
    const digits = (min: number, max: number): number => {
      let v = 0;
      let k = 0;
      while (k < max && at < n && isDigit(text.charCodeAt(at))) {
        v = v * 10 + text.charCodeAt(at) - 48;
        at++;
        k++;
      }
      return k >= min ? v : NaN;
    };
    for (const piece of this.pieces) {
      if (piece.kind === 'literal') {
        if (at >= n || lower(text.charCodeAt(at)) !== piece.code) return undefined;
        at++;
        continue;
      }
      if (piece.kind === 'space') {
        if (at >= n || !isSpace(text.charCodeAt(at))) return undefined;
        while (at < n && isSpace(text.charCodeAt(at))) at++;
        continue;
      }
      switch (piece.directive) {
        case 'Y':
          year = digits(4, 4);
          break;
        case 'y': {
          const y = digits(2, 2);
          year = y < 69 ? 2000 + y : 1900 + y;
          break;
        }
        case 'm':
          month = digits(1, 2);
          break;
        case 'd':
          day = digits(1, 2);
          break;
        case 'H':
          hour = digits(1, 2);
          break;
        case 'I':
          hour = digits(1, 2);
          twelve = true;
          break;
        case 'M':
          minute = digits(1, 2);
          break;
        case 'S':
          second = digits(1, 2);
          break;
        case 'f': {
          const start = at;
          const v = digits(1, 9);
          if (Number.isNaN(v)) return undefined;
          fraction = v / 10 ** (at - start);
          break;
        }
        case 'p': {
          if (at + 2 > n) return undefined;
          const a = lower(text.charCodeAt(at));
          if ((a !== 97 && a !== 112) || lower(text.charCodeAt(at + 1)) !== 109) return undefined;
          pm = a === 112;
          at += 2;
          break;
        }
        case 'b':
        case 'B': {
          const found = this.monthName(text, at, piece.directive === 'B');
          if (found === undefined) return undefined;
          month = found.month;
          at = found.end;
          break;
        }
        case 'z': {
          const z = zoneAt(text, at);
          if (z === undefined) return undefined;
          offset = z.offset;
          at = z.end;
          break;
        }
      }
      if (Number.isNaN(month) || Number.isNaN(day) || Number.isNaN(hour) || Number.isNaN(minute) || Number.isNaN(second)) return undefined;
    }
    if (at !== n || Number.isNaN(year)) return undefined;
    if (twelve) {
      if (pm === undefined || hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (pm ? 12 : 0);
    }
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined;
    const wall = (daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1000 + fraction * 1000;
    return offset === undefined ? { ms: wall } : { ms: wall - offset * 60000, offset };
  }

  private monthName(text: string, at: number, full: boolean): { month: number; end: number } | undefined {
    for (let m = 0; m < 12; m++) {
      const name = full ? MONTHS[m] : MONTHS[m].slice(0, 3);
      if (at + name.length > text.length) continue;
      let k = 0;
      while (k < name.length && lower(text.charCodeAt(at + k)) === name.charCodeAt(k)) k++;
      if (k === name.length) return { month: m + 1, end: at + name.length };
    }
    return undefined;
  }
}

/** `Z`, `+hh:mm`, `+hhmm` at `at`; the offset in minutes east of UTC. */
function zoneAt(text: string, at: number): { offset: number; end: number } | undefined {
  const c = text.charCodeAt(at);
  if (c === 90) return { offset: 0, end: at + 1 };
  if (c !== 43 && c !== 45) return undefined;
  const d = (i: number) => (isDigit(text.charCodeAt(i)) ? text.charCodeAt(i) - 48 : NaN);
  const hh = d(at + 1) * 10 + d(at + 2);
  let k = at + 3;
  if (text.charCodeAt(k) === 58) k++;
  const mm = d(k) * 10 + d(k + 1);
  if (Number.isNaN(hh) || Number.isNaN(mm) || hh > 23 || mm > 59) return undefined;
  const offset = (hh * 60 + mm) * (c === 45 ? -1 : 1);
  return { offset, end: k + 2 };
}

const compiled = new Map<string, DateFormat>();

/** The compiled format for a pattern (cached). */
export function dateFormat(pattern: string): DateFormat {
  let f = compiled.get(pattern);
  if (!f) {
    f = new DateFormat(pattern);
    compiled.set(pattern, f);
  }
  return f;
}
