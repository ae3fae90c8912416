/**
 * How every number a person reads is written: plain numbers, counts, scores per metric,
 * p-values, intervals, percentages, durations, dates and run names. One module for the dashboard
 * (webview/), the HTML report (the same bundle), the language server's hovers and the CLI's
 * text output, so the same value reads the same everywhere. Pure and dependency free (the
 * webview bundle imports it).
 *
 * Separators follow the locale: the runtime's own by default (the webview's is VS Code's display
 * language, the CLI's comes from LANG); `setFormatLocale` fixes one (tests use en-US). Precision
 * is fixed per kind of value, never per value, so one column never mixes -0.804 with -0.8982.
 */

import { isLinelessPath } from './files';

let locale: string | undefined;

/** The locale every function here formats for; undefined = the runtime's default. */
export function setFormatLocale(value: string | undefined): void {
  locale = value;
  cache.clear();
}

const cache = new Map<string, Intl.NumberFormat>();
function nf(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** What is shown for a value that does not exist (an arm without a score, a test not run). */
export const MISSING = '–';

function special(x: number | null | undefined): string | undefined {
  if (x === null || x === undefined) return MISSING;
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  return undefined;
}

/** 8.1e-36: an exponent form without trailing zeros in the mantissa. */
function exponent(x: number, significant: number): string {
  const [m, e] = x.toExponential(significant - 1).split('e');
  const mantissa = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
  const dot = nf('dot', { useGrouping: false }).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  return `${mantissa.replace('.', dot)}e${Number(e)}`;
}

/**
 * A measured quantity (a mean, a median, a bin edge, a unit factor): `significant` digits
 * (default 4), separators for thousands, an exponent below 1e-4 and from 1e9.
 */
export function formatNumber(x: number | null | undefined, significant = 4): string {
  const s = special(x);
  if (s !== undefined) return s;
  const v = x as number;
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e9) return exponent(v, significant);
  const rounded = Number(v.toPrecision(significant));
  // Digits after the point that the significant digits reach (none for 3,373).
  const decimals = Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(rounded))));
  return nf(`n${decimals}`, { maximumFractionDigits: decimals, minimumFractionDigits: 0 }).format(rounded);
}

/**
 * An axis tick: like formatNumber with 3 significant digits, but without a thousands separator
 * below 10,000, so years and small integers read as written (1970, not 1,970).
 */
export function formatTick(x: number | null | undefined): string {
  const s = special(x);
  if (s !== undefined) return s;
  const v = x as number;
  if (Number.isInteger(v) && Math.abs(v) < 10_000) return nf('tick', { useGrouping: false, maximumFractionDigits: 0 }).format(v);
  return formatNumber(v, 3);
}

/**
 * `significant` digits with the trailing zeros kept (1.730, not 1.73): errors and losses in one
 * column then read at one precision.
 */
export function formatSignificant(x: number | null | undefined, significant = 4): string {
  const s = special(x);
  if (s !== undefined) return s;
  const v = x as number;
  if (v === 0) return formatFixed(0, significant - 1);
  const a = Math.abs(v);
  if (a < 1e-4 || a >= 1e9) return exponent(v, significant);
  const rounded = Number(v.toPrecision(significant));
  const decimals = Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(rounded))));
  return nf(`s${decimals}`, { maximumFractionDigits: decimals, minimumFractionDigits: decimals }).format(rounded);
}

/** A count of things: an integer with thousands separators (229,000). */
export function formatCount(n: number | null | undefined): string {
  const s = special(n);
  if (s !== undefined) return s;
  return nf('count', { maximumFractionDigits: 0 }).format(Math.round(n as number));
}

/** A number with exactly `decimals` decimals (scores on a fixed scale: R², F1, AUC, distances). */
export function formatFixed(x: number | null | undefined, decimals = 3): string {
  const s = special(x);
  if (s !== undefined) return s;
  const v = x as number;
  if (Math.abs(v) >= 1e9) return exponent(v, 3);
  // -0.0004 at 3 decimals is 0.000, not -0.000.
  const out = nf(`f${decimals}`, { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(v);
  return /^-0[.,]?0*$/.test(out) ? out.slice(1) : out;
}

/** A share as a percentage with `decimals` decimals: 0.815 -> 81.5%. */
export function formatPercent(x: number | null | undefined, decimals = 1): string {
  const s = special(x);
  if (s !== undefined) return s;
  const out = nf(`p${decimals}`, { style: 'percent', minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(x as number);
  return out.startsWith('-') && /^-0([.,]0*)?\s?%$/.test(out) ? out.slice(1) : out;
}

/** A sign in front of a positive value: a gain or a difference. */
export function signed(text: string, x: number | null | undefined): string {
  // A value that rounds to zero ("0.000") gets no sign; the mantissa's digits tell.
  const mantissa = text.split('e')[0];
  return x !== null && x !== undefined && x > 0 && /[1-9]/.test(mantissa) ? `+${text}` : text;
}

/**
 * A p-value, one rule everywhere: 3 decimals from 0.001, two significant digits in exponent form
 * below (8.1e-5), and "<1e-16" below what double precision tells apart.
 */
export function formatPValue(p: number | null | undefined): string {
  const s = special(p);
  if (s !== undefined) return s;
  const v = p as number;
  if (v < 1e-16) return '<1e-16';
  if (v < 0.001) return exponent(v, 2);
  return formatFixed(v, 3);
}

/** The list separator inside an interval: a comma, or a semicolon where the comma is the decimal mark. */
function listSeparator(): string {
  const dot = nf('dot', { useGrouping: false }).formatToParts(1.5).find((p) => p.type === 'decimal')?.value ?? '.';
  return dot === ',' ? '; ' : ', ';
}

/** "[0.770, 0.857]" with each end written by `format`; empty when there is no interval. */
export function formatInterval(ci: readonly [number, number] | null | undefined, format: (v: number) => string): string {
  if (!ci) return '';
  return `[${format(ci[0])}${listSeparator()}${format(ci[1])}]`;
}

/** The metrics a run reports, and how each is written. */
export type MetricName = 'accuracy' | 'macroF1' | 'f1' | 'precision' | 'recall' | 'r2' | 'mae' | 'rmse' | 'loss' | 'auc' | 'score';

/** One precision per metric: accuracy in percent (1 decimal), scores on [0, 1] or R² with 3 decimals, errors and losses with 4 significant digits. */
export function formatMetric(metric: MetricName, x: number | null | undefined): string {
  switch (metric) {
    case 'accuracy':
      return formatPercent(x, 1);
    case 'macroF1':
    case 'f1':
    case 'precision':
    case 'recall':
    case 'r2':
    case 'auc':
    case 'score':
      return formatFixed(x, 3);
    case 'mae':
    case 'rmse':
    case 'loss':
      return formatSignificant(x, 4);
  }
}

/** How a metric is named on screen. */
export function metricLabel(metric: MetricName): string {
  const labels: Record<MetricName, string> = {
    accuracy: 'accuracy',
    macroF1: 'macro-F1',
    f1: 'F1',
    precision: 'precision',
    recall: 'recall',
    r2: 'R²',
    mae: 'MAE',
    rmse: 'RMSE',
    loss: 'loss',
    auc: 'AUC',
    score: 'score',
  };
  return labels[metric];
}

/**
 * A difference of a metric, signed: accuracy in percentage points (+2.1 pts), the others with the
 * metric's precision (+0.012).
 */
export function formatMetricDifference(metric: MetricName, x: number | null | undefined, options: { readonly unit?: boolean } = {}): string {
  if (metric === 'accuracy') {
    const s = special(x);
    if (s !== undefined) return s;
    const text = formatFixed((x as number) * 100, 1);
    return options.unit === false ? signed(text, x) : `${signed(text, x)} pts`;
  }
  return signed(formatMetric(metric, x), x);
}

/** A throughput: 229,000 samples/s. */
export function formatRate(perSecond: number | null | undefined, unit = 'samples/s'): string {
  const s = special(perSecond);
  if (s !== undefined) return s;
  const v = perSecond as number;
  return `${v >= 100 ? formatCount(v) : formatNumber(v, 3)} ${unit}`;
}

/** A length of time: 0.4 s, 12 s, 3 min 5 s, 1 h 2 min. */
export function formatDuration(seconds: number | null | undefined): string {
  const s = special(seconds);
  if (s !== undefined) return s;
  const v = Math.max(0, seconds as number);
  if (v < 10) return `${formatNumber(v < 1 ? v : Math.round(v * 10) / 10, 2)} s`;
  if (v < 60) return `${Math.round(v)} s`;
  if (v < 3600) {
    const m = Math.floor(v / 60);
    const rest = Math.round(v - m * 60);
    return rest === 60 ? `${m + 1} min` : rest ? `${m} min ${rest} s` : `${m} min`;
  }
  const h = Math.floor(v / 3600);
  const m = Math.round((v - h * 3600) / 60);
  return m === 60 ? `${h + 1} h` : m ? `${h} h ${m} min` : `${h} h`;
}

function asDate(when: string | number | Date): Date | undefined {
  const d = when instanceof Date ? when : new Date(when);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** A moment in the reader's time zone: "Mar 3, 2025, 2:02 PM" (en-US). */
export function formatDateTime(when: string | number | Date | undefined): string {
  const d = when === undefined ? undefined : asDate(when);
  if (!d) return MISSING;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

/** A day: "Mar 3, 2025". */
export function formatDate(when: string | number | Date | undefined): string {
  const d = when === undefined ? undefined : asDate(when);
  if (!d) return MISSING;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(d);
}

/**
 * How long ago: "just now", "5 minutes ago", "3 hours ago", "yesterday", "4 days ago"; older than
 * a week, the date itself. A moment in the future (a clock skew) reads "just now".
 */
export function formatRelativeTime(when: string | number | Date | undefined, now: number = Date.now()): string {
  const d = when === undefined ? undefined : asDate(when);
  if (!d) return MISSING;
  const seconds = (now - d.getTime()) / 1000;
  if (seconds < 45) return 'just now';
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (seconds < 45 * 60) return rtf.format(-Math.max(1, Math.round(seconds / 60)), 'minute');
  if (seconds < 22 * 3600) return rtf.format(-Math.round(seconds / 3600), 'hour');
  const days = Math.round(seconds / 86_400);
  if (days <= 7) return rtf.format(-Math.max(1, days), 'day');
  return formatDate(d);
}

/**
 * A run as people name it: its experiment's name and when it started ("weather multihead, 5
 * minutes ago"); the folder id only when nothing else is known.
 */
export function runName(run: { readonly runId: string; readonly name?: string; readonly createdAt?: string }, now: number = Date.now()): string {
  const when = run.createdAt ? formatRelativeTime(run.createdAt, now) : undefined;
  if (run.name && when && when !== MISSING) return `${run.name}, ${when}`;
  if (run.name) return run.name;
  if (when && when !== MISSING) return `run of ${formatDateTime(run.createdAt)}`;
  return run.runId;
}

/**
 * Where a reader's problem is: `file:line:column` for text files (CSV, TSV, JSON Lines); only the
 * file for Parquet and Arrow, which have no lines (their messages name the row: "first at row 12").
 */
export function problemLocation(p: { readonly file: string; readonly line: number; readonly column: number }): string {
  return isLinelessPath(p.file) ? p.file : `${p.file}:${p.line}:${p.column}`;
}
